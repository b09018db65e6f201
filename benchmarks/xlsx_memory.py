"""Peak memory of importing an XLSX at the upload limit (issue 10). Not part of the suite.

    python benchmarks/xlsx_memory.py --mb 20

Writes an incident workbook of about --mb megabytes the way Excel does (shared strings,
one sheet), then imports it in a fresh process through ``run_import`` and prints that
process's peak resident memory (ru_maxrss) and the time. The target: under 500 MB.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

HEADER = ["Ärendenummer", "Datum", "Tid", "Brott", "Plats", "X", "Y"]
OFFENCES = ["Misshandel", "Rån", "Skadegörelse", "Cykelstöld", "Inbrott i bostad", "Klotter"]


def _column(index: int) -> str:
    return "ABCDEFGHIJ"[index]


def write_workbook(path: Path, megabytes: float, seed: int = 1) -> int:
    """An Excel-like workbook of about ``megabytes`` MB; returns its number of data rows."""
    import openpyxl

    template = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["x"])
    book.save(template)
    rng = random.Random(seed)
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        return strings.setdefault(text, len(strings))

    target = megabytes * 1024 * 1024
    rows = 0
    with (
        zipfile.ZipFile(io.BytesIO(template.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<dimension ref="A1:G1"/><sheetData>'
            )

            def row(number: int, cells: list[tuple[str, str]]) -> bytes:
                parts = [f'<row r="{number}">']
                for i, (kind, value) in enumerate(cells):
                    ref = f"{_column(i)}{number}"
                    if kind == "s":
                        parts.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
                    else:
                        parts.append(f'<c r="{ref}"><v>{value}</v></c>')
                parts.append("</row>")
                return "".join(parts).encode()

            sheet.write(row(1, [("s", h) for h in HEADER]))
            number = 1
            while True:
                for _ in range(5000):
                    number += 1
                    day = datetime.date(2023, 1, 1) + datetime.timedelta(rng.randrange(700))
                    sheet.write(
                        row(
                            number,
                            [
                                ("s", f"K{number}-{rng.randrange(10**6)}"),
                                ("s", day.isoformat()),
                                ("s", f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"),
                                ("s", rng.choice(OFFENCES)),
                                ("s", f"Gatan {rng.randrange(3000)}"),
                                ("n", str(674000 + rng.randrange(20000))),
                                ("n", str(6580000 + rng.randrange(20000))),
                            ],
                        )
                    )
                rows = number - 1
                # The compressed size grows with the rows; check it every 5 000 rows.
                if out.fp is not None and out.fp.tell() > target * 0.9:
                    break
            sheet.write(b"</sheetData></worksheet>")
        texts = sorted(strings, key=strings.get)
        body = "".join(f"<si><t>{escape(t)}</t></si>" for t in texts)
        out.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
            f'schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(texts)}" '
            f'uniqueCount="{len(texts)}">{body}</sst>',
        )
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            out.writestr(info.filename, data)
    return rows


def measure(path: Path) -> None:
    """In this (fresh) process: import the file, print peak memory and time."""
    work = Path(tempfile.mkdtemp(prefix="samverkan-xlsxmem-"))
    os.environ.setdefault("DATA_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests import factories

    from samverkan.mapping.importers import importer_for, run_import

    world = factories.make_partnership(f" {time.time():.0f}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    steps: list[int] = []
    result = run_import(
        importer_for("incidents", world.kommun), path, progress=lambda p, _t: steps.append(p)
    )
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows: {result.rows_total}, imported {result.rows_imported}, ok {result.ok}")
    print(f"progress reports: {len(steps)} (last {steps[-1] if steps else None} %)")
    print(f"peak memory: {peak:.0f} MB (after setup {before:.0f} MB); time {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    path = Path(tempfile.mkdtemp(prefix="samverkan-xlsx-")) / "incidents.xlsx"
    rows = write_workbook(path, args.mb)
    size = path.stat().st_size / 2**20
    print(f"workbook: {size:.1f} MB, {rows} rows", flush=True)
    subprocess.run([sys.executable, __file__, "--measure", str(path)], check=True)


if __name__ == "__main__":
    main()
