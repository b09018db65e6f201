"""Render a ``Document`` to HTML (page and PDF) and to PDF with WeasyPrint."""

from __future__ import annotations

import base64
from pathlib import Path

from django.template.loader import render_to_string

from samverkan.documents.structure import Document

FONTS = Path(__file__).with_name("fonts")


def to_html(doc: Document, *, for_pdf: bool = False) -> str:
    """The document as a standalone HTML page; the PDF is printed from the same markup."""
    from samverkan.documents.data import MISSING

    return render_to_string(
        "documents/document.html",
        {
            "doc": doc,
            "for_pdf": for_pdf,
            "fonts": FONTS.as_uri(),
            "logo": logo_uri(doc.logo),
            "missing": MISSING,
        },
    )


def logo_uri(path: str) -> str:
    """The logo as a data: URI, so that the page, the PDF and a saved copy all show it."""
    if not path:
        return ""
    content = Path(path).read_bytes()
    kind = "png" if content.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(content).decode('ascii')}"


def html_to_pdf(html: str) -> bytes:
    """Print HTML to a tagged PDF (PDF/UA-1 where WeasyPrint allows) with the shipped fonts."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(FONTS)).write_pdf(pdf_variant="pdf/ua-1")


def to_pdf(doc: Document) -> bytes:
    return html_to_pdf(to_html(doc, for_pdf=True))
