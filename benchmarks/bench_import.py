"""Import and dashboard benchmarks for step 2 (issue 3, "Speed"). Not part of the test suite.

    python benchmarks/bench_import.py --rows 1000000
    DATABASE_URL=postgres://... python benchmarks/bench_import.py --rows 1000000

Prints one line per figure: ``name: ratio R (ours X s, floor Y s)``.
- import_sqlite: our validating import vs a bare ``executemany`` of the same rows (SQLite).
- import_postgres_copy: our import vs PostgreSQL ``COPY`` of the file into a bare table
  (only when DATABASE_URL points at PostgreSQL).
- import_postgres_keyed_table: our import vs a binary ``COPY`` of the rows it stored into an
  empty table with the same key: the server's own share, for context.
- dashboard: our aggregations (category × year, weekday × hour, top places) vs hand-written
  SQL GROUP BY on the same table.
- gi_star_100k: analysis.hotspots.gi_star on the grid of 100 000 points vs a plain NumPy
  reference (median of seven runs each; benchmarks/bench_gi.py).
"Ours" is the import up to its commit; the stored figures it then computes again (category
counts, weekday × hour, places, hot spots, map layers) are timed and printed apart.
Peak memory (resource.getrusage ru_maxrss) is printed twice: up to the end of the import
(the file is streamed, so this stays flat as the file grows) and for the whole process.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def setup(data_dir: Path) -> None:
    os.environ.setdefault("DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def line(name: str, ours: float, floor: float) -> None:
    print(f"{name}: ratio {ours / floor:.2f} (ours {ours:.2f} s, floor {floor:.2f} s)", flush=True)


def phase_peak(phase: str) -> None:
    """The process peak so far (ru_maxrss only grows): which phase raised it."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak after {phase}: {peak:.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="samverkan-bench-"))
    setup(work)

    from django.db import connection, transaction

    from benchmarks.generate_incidents import generate
    from samverkan.accounts.choices import OrganisationKind
    from samverkan.accounts.models import Organisation
    from samverkan.mapping import stats
    from samverkan.mapping.importers import importer_for, run_import
    from samverkan.mapping.importers.reader import inspect
    from samverkan.mapping.models import Incident
    from samverkan.partnerships.models import Partnership, Party

    path = work / "incidents.csv"
    phase_peak("setup")
    generate(args.rows, path, args.seed)
    phase_peak("generating the file")
    kommun = Organisation.objects.create(
        name=f"Benchkommun {time.time()}", kind=OrganisationKind.MUNICIPALITY
    )
    polis = Organisation.objects.create(
        name=f"Benchpolis {time.time()}", kind=OrganisationKind.POLICE_AREA
    )
    partnership = Partnership.objects.create(name="Bench", municipality=kommun, police_area=polis)
    party = Party.objects.create(partnership=partnership, organisation=kommun)

    # Warm up as a running worker would be: libraries loaded (pyarrow pulls in pandas, half a
    # second once per process), connection open. A small file for another party, not timed.
    warm = work / "warm.csv"
    generate(1000, warm, args.seed + 1)
    other = Party.objects.create(partnership=partnership, organisation=polis)
    assert run_import(importer_for("incidents", other), warm).ok

    # The stored figures (mapping.figures) are computed again once the import has committed,
    # inside run_import. They are timed apart: the floors below store rows and compute nothing.
    from samverkan.mapping import figures

    refresh, refreshing = figures.refresh, [0.0]

    def timed_refresh(party_id: int) -> None:
        started = time.perf_counter()
        refresh(party_id)
        refreshing[0] += time.perf_counter() - started

    figures.refresh = timed_refresh  # type: ignore[assignment]
    start = time.perf_counter()
    result = run_import(importer_for("incidents", party), path, facts=inspect(path))
    total = time.perf_counter() - start
    figures.refresh = refresh  # type: ignore[assignment]
    ours = total - refreshing[0]
    print(
        f"  import {ours:.2f} s, then the stored figures {refreshing[0]:.2f} s "
        f"(run_import in all: {total:.2f} s)",
        flush=True,
    )
    assert result.ok and result.rows_imported == args.rows, (
        result.errors[:3],
        result.rows_imported,
    )
    import_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    phase_peak("import")

    vendor = connection.vendor
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(
            "CREATE TABLE bench_bare (case_no text, d text, t text, d2 text, t2 text, "
            "offence text, place text, area text, x text, y text)"
        )
    if vendor == "postgresql":
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            with (
                open(path, "rb") as fh,
                raw.copy(
                    "COPY bench_bare FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
                ) as copy,
            ):
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        line("import_postgres_copy", ours, time.perf_counter() - start)
        # Context, not a target: the database's own share. The rows we stored, already valid,
        # as binary COPY into an empty table with the same key: what inserting them costs the
        # server, which no importer can go below.
        table = q(Incident._meta.db_table)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            cursor.execute("DROP TABLE IF EXISTS bench_keyed")
            cursor.execute(f"CREATE TABLE bench_keyed (LIKE {table} INCLUDING ALL)")
            # Through a file, not memory: a million rows are some 200 MB held twice, which
            # was most of this benchmark's peak (issue 14), not the importer's.
            dump = work / "keyed.copy"
            with (
                open(dump, "wb") as fh,
                raw.copy(
                    f"COPY (SELECT * FROM {table} WHERE party_id = %s) TO STDOUT (FORMAT binary)",
                    [party.pk],
                ) as copy,
            ):
                for chunk in copy:
                    fh.write(chunk)
        start = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            open(dump, "rb") as fh,
            cursor.cursor.copy("COPY bench_keyed FROM STDIN (FORMAT binary)") as copy,
        ):
            while chunk := fh.read(1 << 17):
                copy.write(chunk)
        line("import_postgres_keyed_table", ours, time.perf_counter() - start)
    else:
        start = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            open(path, encoding="utf-8", newline="") as fh,
        ):
            reader = csv.reader(fh, delimiter=";")
            next(reader)
            batch = []
            for row in reader:
                batch.append(row)
                if len(batch) >= 5000:
                    cursor.executemany(
                        "INSERT INTO bench_bare VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch
                    )
                    batch = []
            cursor.executemany(
                "INSERT INTO bench_bare VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch
            )
        line("import_sqlite", ours, time.perf_counter() - start)

    phase_peak("floors")
    # Dashboard aggregations: ours vs a hand-written GROUP BY on the same rows (exact times).
    start = time.perf_counter()
    stats.category_trend(party)
    stats.weekday_hour(party)
    stats.top_places(party, 10)
    ours_dash = time.perf_counter() - start
    table = q(Incident._meta.db_table)
    if vendor == "postgresql":
        year = "EXTRACT(YEAR FROM occurred_from AT TIME ZONE 'Europe/Stockholm')"
        dow = "EXTRACT(ISODOW FROM occurred_from AT TIME ZONE 'Europe/Stockholm')"
        hour = "EXTRACT(HOUR FROM occurred_from AT TIME ZONE 'Europe/Stockholm')"
    else:  # SQLite stores UTC text; the floor ignores the time zone, which only flatters it
        year, dow, hour = (
            "substr(occurred_from, 1, 4)",
            "strftime('%w', occurred_from)",
            "substr(occurred_from, 12, 2)",
        )
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in (
            f"SELECT {year}, category, COUNT(*) FROM {table} WHERE party_id = %s GROUP BY 1, 2",
            f"SELECT {dow}, {hour}, COUNT(*) FROM {table} WHERE party_id = %s GROUP BY 1, 2",
            f"SELECT place, COUNT(*) FROM {table} WHERE party_id = %s GROUP BY 1 ORDER BY 2 DESC",
        ):
            cursor.execute(sql, [party.pk])
            cursor.fetchall()
    line("dashboard", ours_dash, time.perf_counter() - start)
    phase_peak("dashboard")

    # Gi* on 100 000 points, against the plain NumPy reference (benchmarks/bench_gi.py).
    import numpy as np

    from benchmarks.bench_gi import bench
    from samverkan.analysis.hotspots import grid_counts

    xy = np.array(Incident.objects.filter(party=party).values_list("x", "y")[:100_000], dtype=float)
    grid = grid_counts(xy[:, 0], xy[:, 1], 100.0)
    bench(grid.counts, 7, "gi_star_100k")

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak_memory_import: {import_peak_mb:.0f} MB (process peak up to the end of the import)")
    print(f"peak_memory: {peak_mb:.0f} MB (whole process, rows {args.rows})")


if __name__ == "__main__":
    main()
