"""The plain structure every document is built from.

One data function per document (``documents.data``) returns a ``Document``; the HTML template
(page and PDF) and the DOCX builder both read it, so the two formats cannot drift apart and
no number is computed in a template (STYLE.md, "Documents and numbers").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "", "lead", "note" or "confidential"
    kind: str = "paragraph"


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    kind: str = "list"


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str = ""
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    """A chart drawn once: SVG for the page and the PDF, PNG for Word."""

    caption: str
    source: str
    svg: str
    png: bytes
    alt: str
    kind: str = "chart"


@dataclass(frozen=True)
class Signer:
    title: str
    name: str
    organisation: str


@dataclass(frozen=True)
class Signatures:
    signers: tuple[Signer, ...]
    place_date: str
    kind: str = "signatures"


Block = Paragraph | BulletList | Table | Chart | Signatures


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    page_break: bool = False

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

    def section(self, heading: str, *blocks: Block, page_break: bool = False) -> Section:
        created = Section(heading, list(blocks), page_break=page_break)
        self.sections.append(created)
        return created

    def text_lines(self) -> list[str]:
        """Every line of text in reading order: for content hashes, diffs and tests."""
        lines = [self.title, self.subtitle]

        def walk(section: Section, depth: int) -> None:
            lines.append("#" * depth + " " + section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    lines.append(block.text)
                elif isinstance(block, BulletList):
                    lines.extend(f"- {item}" for item in block.items)
                elif isinstance(block, Table):
                    lines.append(block.caption)
                    lines.append(" | ".join(block.headers))
                    lines.extend(" | ".join(row) for row in block.rows)
                elif isinstance(block, Chart):
                    lines.append(f"[{block.caption}]")
                elif isinstance(block, Signatures):
                    lines.extend(f"{s.title}, {s.organisation}" for s in block.signers)
            for child in section.subsections:
                walk(child, depth + 1)

        for section in self.sections:
            walk(section, 1)
        return lines
