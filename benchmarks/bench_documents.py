"""Agreement PDF for the worked example against a bare WeasyPrint render of a fixed document.

Run: .venv/bin/python benchmarks/bench_documents.py [--repeat 7]
Prints one line per figure: "name: ratio R (ours X s, floor Y s)". Ours is the whole path
(data, charts, template, tagged PDF/UA). The floor cannot be our code: WeasyPrint alone on a
fixed, plain HTML document of the same size (as many pages and as many characters of text as
ours, in headings, paragraphs and one table, the same font) written here, not by our
templates. Each is measured ``--repeat`` times after a warm-up, and the medians are compared,
in this one process. ``agreement_pdf_own_html`` is WeasyPrint on our own finished HTML, for
context: the share of the time that is layout of our markup.

``download_stored_pdf`` is a download of the lägesbild (internal edition, as the kommun's
coordinator) whose rendering is stored (documents/renderings.py) against the preview page of
the same document, both through Django's test client: a download of an unchanged document
should cost about what reading it costs, not a layout. For context; the floor is our own page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="samverkan-bench-")
os.environ.pop("DATABASE_URL", None)
# Every repeat lays the PDF out: the process's PDF cache would answer all but the first.
os.environ["DOCUMENT_PDF_CACHE_SIZE"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def median(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    func()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


WORDS = (
    "samverkan kommunen polisen trygghet brott platsen åtgärd uppföljning invånare centrum "
    "kväll helg skola fritidsgård ansvar resurser mål indikator lägesbild medborgarlöfte"
).split()


def fixed_html(pages: int, characters: int) -> str:
    """A plain document of about ``characters`` of text meant to fill ``pages`` A4 pages."""
    sections, text, n = [], 0, 0
    per_section = max(400, characters // max(1, pages * 2))
    while text < characters:
        n += 1
        body = []
        length = 0
        while length < per_section and text + length < characters:
            sentence = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(14)).capitalize()
            body.append(sentence + ".")
            length += len(sentence) + 1
        rows = "".join(f"<tr><td>Rad {r}</td><td>{r * n}</td><td>{WORDS[r]}</td></tr>"
                       for r in range(4))  # fmt: skip
        sections.append(
            f"<h2>Avsnitt {n}</h2><p>{' '.join(body)}</p>"
            f"<table><tr><th>Rad</th><th>Antal</th><th>Ord</th></tr>{rows}</table>"
        )
        text += length
    style = (
        "@page { size: A4; margin: 2cm } body { font-family: 'DejaVu Sans'; font-size: 10.5pt;"
        " line-height: 1.45 } table { border-collapse: collapse } td, th { border: 1px solid"
        " #999; padding: 2pt 6pt } h2 { break-after: avoid }"
    )
    return (
        f"<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>Fast dokument"
        f"</title><style>{style}</style></head><body><h1>Fast dokument</h1>"
        f"{''.join(sections)}</body></html>"
    )


def size(pdf: bytes) -> tuple[int, int]:
    """(pages, characters of text) of a PDF."""
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    return len(reader.pages), sum(len(page.extract_text() or "") for page in reader.pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--quiet", stdout=StringIO())
    from weasyprint import HTML

    from samverkan.documents import data, render
    from samverkan.documents.docx_builder import to_docx
    from samverkan.partnerships.models import Partnership

    partnership = Partnership.objects.get()
    html = render.to_html(data.build("agreement", partnership, data.PUBLIC), for_pdf=True)
    ours_pdf = render.to_pdf(data.build("agreement", partnership, data.PUBLIC))
    pages, characters = size(ours_pdf)
    plain = fixed_html(pages, characters)
    # Grow or shrink the fixed text until it fills as many pages as ours.
    for _ in range(6):
        got = size(HTML(string=plain).write_pdf())[0]
        if got == pages:
            break
        characters = int(characters * pages / max(1, got))
        plain = fixed_html(pages, characters)
    fixed_pages, fixed_chars = size(HTML(string=plain).write_pdf())
    print(f"sizes: ours {pages} pages, {size(ours_pdf)[1]} characters; "
          f"fixed {fixed_pages} pages, {fixed_chars} characters")  # fmt: skip

    floor = median(lambda: HTML(string=plain).write_pdf(), repeat)
    ours = median(lambda: render.to_pdf(data.build("agreement", partnership, data.PUBLIC)), repeat)
    print(f"agreement_pdf: ratio {ours / floor:.2f} (ours {ours:.2f} s, floor {floor:.2f} s)")
    own_html = median(lambda: render.html_to_pdf(html), repeat)
    print(
        f"agreement_pdf_own_html: ratio {own_html / floor:.2f} "
        f"(ours {own_html:.2f} s, floor {floor:.2f} s)"
    )
    doc = data.build("agreement", partnership, data.PUBLIC)
    build = median(lambda: data.build("agreement", partnership, data.PUBLIC), repeat)
    word = median(lambda: to_docx(doc), repeat)
    print(
        f"agreement_docx: ratio {(build + word) / floor:.2f} "
        f"(ours {build + word:.2f} s, floor {floor:.2f} s; DOCX writing alone {word:.2f} s)"
    )
    stored_download(partnership, repeat)


def stored_download(partnership, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from samverkan.accounts.models import User
    from samverkan.jobs import registry

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="demo.kommun"))
    args = {"pk": partnership.pk, "kind": "lagesbild", "edition": "internal"}
    url = reverse("documents:download", kwargs={**args, "fmt": "pdf"})
    first = client.get(url)
    assert first.status_code == 302 and "/jobb/" in first.url, first.status_code
    registry.wait_for_inprocess_jobs()  # the job renders and stores the file

    def download() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        b"".join(response.streaming_content)

    def preview() -> None:
        assert client.get(reverse("documents:preview", kwargs=args)).status_code == 200

    ours, floor = median(download, repeat), median(preview, repeat)
    print(f"download_stored_pdf: ratio {ours / floor:.2f} (ours {ours:.3f} s, floor {floor:.3f} s)")


if __name__ == "__main__":
    main()
