"""Render a ``Document`` to HTML (page and PDF) and to PDF with WeasyPrint."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings
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


# The same markup prints to the same pages. Laying out a document takes seconds, so a PDF asked
# for again with unchanged content (a preview downloaded twice, the same edition for two
# readers) comes from a small cache in the process, keyed by a digest of the markup; the
# markup carries everything the PDF shows (text, figures, logo, date).
_PDF_CACHE: OrderedDict[str, bytes] = OrderedDict()
_PDF_CACHE_LOCK = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    """Print HTML to a tagged PDF (PDF/UA-1 where WeasyPrint allows) with the shipped fonts."""
    size = int(getattr(settings, "DOCUMENT_PDF_CACHE_SIZE", 0))
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    with _PDF_CACHE_LOCK:
        cached = _PDF_CACHE.get(key)
        if cached is not None:
            _PDF_CACHE.move_to_end(key)
            return cached
    pdf = print_pdf(html)
    if size > 0:
        with _PDF_CACHE_LOCK:
            _PDF_CACHE[key] = pdf
            while len(_PDF_CACHE) > size:
                _PDF_CACHE.popitem(last=False)
    return pdf


def print_pdf(html: str) -> bytes:
    """Lay out and print HTML with WeasyPrint, always (no cache)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(FONTS)).write_pdf(pdf_variant="pdf/ua-1")


def clear_pdf_cache() -> None:
    with _PDF_CACHE_LOCK:
        _PDF_CACHE.clear()


def to_pdf(doc: Document) -> bytes:
    return html_to_pdf(to_html(doc, for_pdf=True))
