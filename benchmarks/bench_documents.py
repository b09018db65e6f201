"""Agreement PDF for the worked example against WeasyPrint rendering the same HTML bare.

Run: .venv/bin/python benchmarks/bench_documents.py
Prints one line per figure: "name: ratio R (ours X s, floor Y s)". The floor is WeasyPrint
alone on the finished HTML; ours is the whole path (data, charts, template, PDF). Each is the
best of several runs, measured in this one process.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="samverkan-bench-")
os.environ.pop("DATABASE_URL", None)


def best(func, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--quiet", stdout=StringIO())
    from samverkan.documents import data, render
    from samverkan.documents.docx_builder import to_docx
    from samverkan.partnerships.models import Partnership

    partnership = Partnership.objects.get()
    html = render.to_html(data.build("agreement", partnership, data.PUBLIC), for_pdf=True)
    render.html_to_pdf(html)  # warm up fonts and caches for both sides

    floor = best(lambda: render.html_to_pdf(html))
    ours = best(lambda: render.to_pdf(data.build("agreement", partnership, data.PUBLIC)))
    print(f"agreement_pdf: ratio {ours / floor:.2f} (ours {ours:.2f} s, floor {floor:.2f} s)")
    doc = data.build("agreement", partnership, data.PUBLIC)
    build = best(lambda: data.build("agreement", partnership, data.PUBLIC))
    word = best(lambda: to_docx(doc))
    print(
        f"agreement_docx: ratio {(build + word) / floor:.2f} "
        f"(ours {build + word:.2f} s, floor {floor:.2f} s; DOCX writing alone {word:.2f} s)"
    )


if __name__ == "__main__":
    main()
