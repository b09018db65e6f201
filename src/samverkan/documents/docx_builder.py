"""Write a ``Document`` as a Word file with real headings, tables and images.

Municipalities edit and circulate Word files, so the structure is Word's own: Heading styles
(the table of contents is a Word field that updates on open), table header rows that repeat
on every page, charts as PNG pictures with alternative text, page numbers in the footer.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from typing import Any

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT  # noqa: F401 - kept for landscape appendices
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips

from samverkan.documents.structure import (
    BulletList,
    Chart,
    Document,
    Paragraph,
    Section,
    Signatures,
    Table,
)
from samverkan.lib.text import strip_control


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """Insert a Word field (TOC, PAGE, NUMPAGES) that Word computes when the file opens."""
    run = paragraph.add_run()
    for tag, text in (
        ("begin", None),
        (None, instruction),
        ("separate", None),
        (None, placeholder),
        ("end", None),
    ):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
            if tag == "begin":
                element.set(qn("w:dirty"), "true")
            run._r.append(element)
        elif text is not None:
            node = OxmlElement("w:instrText" if text == instruction else "w:t")
            node.set(qn("xml:space"), "preserve")
            node.text = text
            run._r.append(node)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _language(document) -> None:
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "sv-SE")
    rpr.append(lang)


def _clean(value: Any) -> Any:
    """The same structure with control characters removed from every string.

    Word files are XML, which cannot hold most control characters: one stray character in
    a purpose would make the whole file fail. Forms strip them on input; this is the
    defence for anything that reached the database another way (imports, older data).
    """
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, tuple):
        return tuple(_clean(item) for item in value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _clean(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def _runs(paragraph, **attrs: Any) -> None:
    """Set run attributes on every run (a paragraph with no text has none)."""
    for run in paragraph.runs:
        for name, value in attrs.items():
            if name == "size":
                run.font.size = value
            elif name == "colour":
                run.font.color.rgb = value
            else:
                setattr(run, name, value)


# A4 in twentieths of a point, as Word stores it (python-docx's template is US Letter).
A4_WIDTH, A4_HEIGHT = Twips(11906), Twips(16838)
RED = RGBColor(0xA4, 0x26, 0x2C)
GREY = RGBColor(0x4A, 0x53, 0x60)


def to_docx(doc: Document) -> bytes:
    doc = _clean(doc)
    word = WordDocument()
    _language(word)
    normal = word.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10)
    props = word.core_properties
    props.title = f"{doc.title} – {doc.partnership}"
    props.subject = doc.subtitle
    props.author = doc.partnership
    props.last_modified_by = doc.sender or doc.partnership
    props.comments = f"Skapad i Samverkan. Avsändare: {doc.sender}." if doc.sender else ""
    props.category = doc.title
    props.language = "sv-SE"
    props.keywords = doc.meta.get("edition_label", "")
    props.revision = 1
    props.created = props.modified = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for section in word.sections:
        section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.4)
        footer = section.footer.paragraphs[0]
        footer.text = f"{doc.title} · {doc.meta.get('edition_label', '')} · Sida "
        _field(footer, "PAGE", "1")
        footer.add_run(" av ")
        _field(footer, "NUMPAGES", "1")
        if doc.draft:
            header = section.header.paragraphs[0]
            _runs(header, bold=True)
            header.add_run("UTKAST – inte beslutat")
            _runs(header, bold=True, colour=RED)

    if doc.logo:
        word.add_picture(doc.logo, height=Cm(2))
        word.inline_shapes[-1]._inline.docPr.set("descr", doc.sender)
    if doc.sender:
        _runs(word.add_paragraph(doc.sender), bold=True)
    _heading(word, doc.title, 0)
    _runs(word.add_paragraph(doc.subtitle), italic=True)
    meta = word.add_paragraph(
        f"{doc.partnership} · {doc.meta.get('edition_label', '')} · {doc.date}"
    )
    _runs(meta, colour=GREY)
    if doc.decided:
        word.add_paragraph(doc.decided)
        if doc.reference:
            word.add_paragraph(f"Diarienummer: {doc.reference}")
    elif doc.draft:
        _runs(
            word.add_paragraph("UTKAST. Dokumentet är inte beslutat. Datumet är dagens."),
            bold=True,
            colour=RED,
        )
        if doc.reference:
            word.add_paragraph(f"Diarienummer: {doc.reference}")
        if doc.proposal:
            word.add_paragraph(f"Förslag till beslut: {doc.proposal}")
    if doc.toc:
        _heading(word, "Innehåll", 1)
        _field(
            word.add_paragraph(),
            'TOC \\o "1-3" \\h \\z \\u',
            "Högerklicka och välj Uppdatera fält för att visa innehållsförteckningen.",
        )
    for part in doc.sections:
        _section(word, part, 1)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _style_id(word, name: str) -> str:
    """The id of a style of the document by its name, read once per document: python-docx
    looks a style up by scanning every style of the template on each use, which was a third of
    the time of a long document."""
    ids = getattr(word, "_samverkan_style_ids", None)
    if ids is None:
        ids = word._samverkan_style_ids = {style.name: style.style_id for style in word.styles}
    return ids[name]


def _styled(word, paragraph, name: str):
    paragraph._p.style = _style_id(word, name)
    return paragraph


def _heading(word, text: str, level: int):
    """As python-docx's ``add_heading``: the title at level 0, a heading of its level else."""
    return _styled(word, word.add_paragraph(text), "Title" if level == 0 else f"Heading {level}")


def _section(word, section: Section, level: int) -> None:
    if section.page_break:
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _heading(word, section.heading, min(level, 3))
    for block in section.blocks:
        _block(word, block)
    for child in section.subsections:
        _section(word, child, level + 1)


def _block(word, block) -> None:
    if isinstance(block, Paragraph):
        paragraph = word.add_paragraph()
        for number, line in enumerate(block.lines()):
            if number:
                paragraph.add_run().add_break(WD_BREAK.LINE)
            paragraph.add_run(line)
        if block.style in ("note", "confidential"):
            _runs(paragraph, italic=True)
        elif block.style == "warning":
            _runs(paragraph, bold=True, colour=RED)
    elif isinstance(block, BulletList):
        style = "List Number" if block.ordered else "List Bullet"
        for item in block.items:
            _styled(word, word.add_paragraph(item), style)
    elif isinstance(block, Table):
        label = f"{block.label}. " if block.label else ""
        _runs(word.add_paragraph(label + block.caption), bold=True)
        table = word.add_table(rows=1, cols=len(block.headers))
        table._tbl.tblStyle_val = _style_id(word, "Table Grid")
        for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
            cell.text = text
            _runs(cell.paragraphs[0], bold=True)
        _repeat_header(table.rows[0])
        for row in block.rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
        if block.source:
            _runs(word.add_paragraph(block.source), size=Pt(8))
    elif isinstance(block, Chart):
        word.add_picture(io.BytesIO(block.png), width=Cm(15))
        picture = word.inline_shapes[-1]
        picture._inline.docPr.set("descr", block.alt)
        label = f"{block.label}. " if block.label else ""
        _runs(word.add_paragraph(label + block.caption), bold=True)
        _runs(word.add_paragraph(block.source), size=Pt(8))
    elif isinstance(block, Signatures):
        # Place and date first, as they are written before the signature.
        table = word.add_table(rows=5, cols=len(block.signers) or 1)
        for column, signer in enumerate(block.signers):
            table.cell(0, column).text = "\n______________________________"
            table.cell(1, column).text = block.place_date
            _runs(table.cell(1, column).paragraphs[0], size=Pt(8), colour=GREY)
            table.cell(2, column).text = "\n\n______________________________"
            table.cell(3, column).text = signer.name or "Namn saknas"
            table.cell(4, column).text = f"{signer.title}, {signer.organisation}"
