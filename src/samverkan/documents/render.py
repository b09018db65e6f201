"""Render a ``Document`` to HTML (page and PDF) and to PDF with WeasyPrint."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from samverkan.documents.structure import Document

FONTS = Path(__file__).with_name("fonts")


def to_html(doc: Document, *, for_pdf: bool = False) -> str:
    """The document as a standalone HTML page; the PDF is printed from the same markup."""
    from samverkan.documents.data import MISSING
    from samverkan.documents.templatetags.document_text import names_pattern

    names = [doc.partnership, *doc.meta.get("names", [])]
    return render_to_string(
        "documents/document.html",
        {
            "doc": doc,
            "names": names_pattern(names),
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
    """Lay out and print HTML with WeasyPrint, always (no cache), as a tagged PDF/UA-1 file
    with the shipped fonts.

    WeasyPrint writes the structure tree; ``finish_pdfua`` completes what it leaves out of
    the machine-checkable PDF/UA-1 rules (see its docstring).
    """
    from weasyprint import HTML

    return HTML(string=html, base_url=str(FONTS)).write_pdf(
        pdf_variant="pdf/ua-1", finisher=finish_pdfua
    )


def finish_pdfua(_document: Any, pdf: Any) -> None:
    """Complete WeasyPrint's tagging for PDF/UA-1, on the PDF objects before they are written.

    - Header cells get a /Scope: a row of header cells only is a row of column headers
      (``<thead>``), any other header cell heads its row (``<th scope="row">``). WeasyPrint
      links data cells to headers with /Headers but leaves the corner cell unreferenced.
    - The running footer and header (page margin boxes) are artifacts: WeasyPrint marks them
      as content of structure elements that are not in the tree, so readers heard "Sida 3
      av 9" on every page.
    - Link annotations carry the Print flag, so screen and print agree.
    """
    objects = {obj.reference: obj for obj in pdf.objects[1:] if obj.number is not None}

    def get(value: Any) -> Any:
        return objects.get(value) if isinstance(value, bytes) else value

    root = get(pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return
    reachable: set[bytes] = set()
    rows: list[Any] = []
    stack = list(root["K"])
    while stack:
        ref = stack.pop()
        element = get(ref)
        if not isinstance(ref, bytes) or ref in reachable or not hasattr(element, "get"):
            continue
        reachable.add(ref)
        if element.get("S") == "/TR":
            rows.append(element)
        kids = element.get("K")
        if isinstance(kids, list):
            stack.extend(kids)
        elif isinstance(kids, bytes):
            stack.append(kids)

    for row in rows:
        cells = [get(kid) for kid in row["K"] if isinstance(kid, bytes)]
        cells = [cell for cell in cells if hasattr(cell, "get")]
        all_headers = all(cell.get("S") == "/TH" for cell in cells)
        for cell in cells:
            if cell.get("S") == "/TH":
                attributes = cell.get("A")
                if attributes is None:
                    import pydyf

                    attributes = cell["A"] = pydyf.Dictionary({"O": "/Table"})
                attributes["Scope"] = "/Column" if all_headers else "/Row"

    # Marked content whose structure element is outside the tree: make it an artifact.
    nums = get(root.get("ParentTree"))["Nums"]
    for page_number, page_ref in enumerate(pdf.page_references):
        page = get(page_ref)
        for annotation in page.get("Annots") or []:
            annotation = get(annotation)
            if annotation is not None and annotation.get("Subtype") == "/Link":
                annotation["F"] = 4  # Print
        try:
            mapping = nums[nums.index(page_number) + 1]
        except (ValueError, IndexError):
            continue
        if not isinstance(mapping, list):
            continue
        orphans = {mcid for mcid, ref in enumerate(mapping) if ref not in reachable}
        if not orphans:
            continue
        for mcid in orphans:
            mapping[mcid] = "null"
        contents = get(page.get("Contents"))
        items = getattr(contents, "stream", None)
        if items is None:
            continue
        for i, item in enumerate(items):
            if (
                hasattr(item, "get")
                and item.get("MCID") in orphans
                and 0 < i < len(items) - 1
                and items[i + 1] == b"BDC"
            ):
                items[i - 1] = "/Artifact"
                items[i] = b""
                items[i + 1] = b"BMC"


def clear_pdf_cache() -> None:
    with _PDF_CACHE_LOCK:
        _PDF_CACHE.clear()


def to_pdf(doc: Document) -> bytes:
    return html_to_pdf(to_html(doc, for_pdf=True))
