"""The plain structure every document is built from.

One data function per document (``documents.data``) returns a ``Document``; the HTML template
(page and PDF) and the DOCX builder both read it, so the two formats cannot drift apart and
no number is computed in a template (STYLE.md, "Documents and numbers").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A table of more rows than this may break across pages; shorter ones are kept whole.
LONG_TABLE = 15
LONG_TABLE_TEXT = 1200  # characters in its cells: long texts make tall rows


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; a single newline inside ``text`` is a line break the writer meant."""

    text: str
    style: str = ""  # "", "lead", "note", "warning" or "confidential"
    kind: str = "paragraph"

    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    ordered: bool = False  # a numbered list (the writer's own "1.", "2.")
    kind: str = "list"


@dataclass(frozen=True)
class Table:
    """A numbered table ("Tabell 3. …" once numbered by ``Document.number``)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str = ""
    kind: str = "table"
    label: str = ""  # "Tabell 3", set by Document.number()

    @property
    def keep(self) -> bool:
        """Whether the table is short enough to print whole on one page (moved to the next
        page rather than split). A longer one breaks between rows, repeating its header."""
        text = sum(len(cell) for row in self.rows for cell in row)
        return len(self.rows) <= LONG_TABLE and text <= LONG_TABLE_TEXT

    @property
    def row_headers(self) -> bool:
        """Whether the first cell of each row is printed as the row's header.

        Only where the headers stay fewer than the data cells: a two-column table of labels
        and values, or a one-row table, would otherwise be mostly header cells, which a
        screen reader announces as a heading before every value (and checkers flag as
        "shredded" headers). Such a table's labels are data under the column header.
        """
        columns, rows = len(self.headers), len(self.rows)
        data_cells = sum(max(0, len(row) - 1) for row in self.rows)
        return columns >= 2 and columns + rows <= data_cells


@dataclass(frozen=True)
class Chart:
    """A chart drawn once (samverkan.charts): SVG for the page and the PDF, and the same SVG
    painted as PNG for Word when a Word file asks for it."""

    caption: str
    source: str
    svg: str
    alt: str
    kind: str = "chart"
    label: str = ""  # "Figur 2", set by Document.number()

    @property
    def png(self) -> bytes:
        from samverkan.documents.charts import png

        return png(self.svg)


@dataclass(frozen=True)
class Signer:
    title: str
    name: str
    organisation: str


@dataclass(frozen=True)
class Signatures:
    """Signature lines; "Ort och datum" is printed above each line, as it is filled in
    before signing."""

    signers: tuple[Signer, ...]
    place_date: str = "Ort och datum"
    kind: str = "signatures"


Block = Paragraph | BulletList | Table | Chart | Signatures


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    page_break: bool = False

    @property
    def head_keep(self) -> bool:
        """Whether the heading and the first block are printed as one unbreakable unit (so
        no page ends in a heading). Not for a long table, which is left to break across
        pages; its heading stays with its first rows (break-after: avoid)."""
        if not self.blocks:
            return False
        first = self.blocks[0]
        return not (isinstance(first, Table) and not first.keep)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self

    def sub(self, heading: str, *blocks: Block) -> Section:
        child = Section(heading, list(blocks))
        self.subsections.append(child)
        return child


@dataclass
class Document:
    kind: str
    title: str
    subtitle: str
    edition: str  # "internal" or "public"
    partnership: str
    date: str
    sections: list[Section] = field(default_factory=list)
    toc: bool = True
    meta: dict[str, Any] = field(default_factory=dict)
    # The sender as a kommun document names it ("Exempelkommun och Lokalpolisområde Exempel")
    sender: str = ""
    logo: str = ""  # path of the sender's logo (settings.DOCUMENT_LOGO), "" for none
    # The decision that fixed the document: "Fastställd av Kommunstyrelsen den 1 mars 2026"
    decided: str = ""
    reference: str = ""  # diarienummer
    draft: bool = False  # printed as "Utkast" until the decision is recorded
    proposal: str = ""  # the proposed decision a draft goes to the decision-maker with
    # Data the document needs but does not have (listed on the internal edition's
    # "Saknas" page rather than printed as silent dashes)
    gaps: list[str] = field(default_factory=list)
    # Where each gap is filled in: gap text -> the path of the page that enters it, so that
    # issuing can warn with a link (documents/views.issue)
    gap_links: dict[str, str] = field(default_factory=dict)

    def number(self) -> Document:
        """Number the tables and figures in reading order ("Tabell 1", "Figur 1")."""
        import dataclasses

        counters = {"table": 0, "chart": 0}
        names = {"table": "Tabell", "chart": "Figur"}

        def walk(section: Section) -> None:
            for i, block in enumerate(section.blocks):
                if isinstance(block, Table | Chart):
                    counters[block.kind] += 1
                    label = f"{names[block.kind]} {counters[block.kind]}"
                    section.blocks[i] = dataclasses.replace(block, label=label)
            for child in section.subsections:
                walk(child)

        for section in self.sections:
            walk(section)
        return self

    def section(self, heading: str, *blocks: Block, page_break: bool = False) -> Section:
        created = Section(heading, list(blocks), page_break=page_break)
        self.sections.append(created)
        return created

    def text_lines(self) -> list[str]:
        """Every line of text in reading order: for content hashes, diffs and tests."""
        lines = [self.title, self.subtitle, self.sender]
        if self.decided:
            lines.append(
                self.decided + (f", diarienummer {self.reference}" if self.reference else "")
            )
        if self.draft:
            lines.append("Utkast")
            if self.reference:
                lines.append(f"Diarienummer: {self.reference}")
            if self.proposal:
                lines.append(f"Förslag till beslut: {self.proposal}")

        def walk(section: Section, depth: int) -> None:
            lines.append("#" * depth + " " + section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    lines.append(block.text)
                elif isinstance(block, BulletList):
                    lines.extend(
                        f"{f'{n}.' if block.ordered else '-'} {item}"
                        for n, item in enumerate(block.items, start=1)
                    )
                elif isinstance(block, Table):
                    lines.append(
                        f"{block.label}. {block.caption}" if block.label else block.caption
                    )
                    lines.append(" | ".join(block.headers))
                    lines.extend(" | ".join(row) for row in block.rows)
                    if block.source:
                        lines.append(block.source)
                elif isinstance(block, Chart):
                    lines.append(f"[{block.label + '. ' if block.label else ''}{block.caption}]")
                    lines.append(block.alt)
                elif isinstance(block, Signatures):
                    lines.extend(
                        f"{s.name + ', ' if s.name else ''}{s.title}, {s.organisation}"
                        for s in block.signers
                    )
            for child in section.subsections:
                walk(child, depth + 1)

        for section in self.sections:
            walk(section, 1)
        return lines
