"""Backup benchmark (issue 20, "Backups are exact"). Not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        python benchmarks/bench_backup.py --incidents 1000000 --runs 3

Creates its own PostgreSQL database (``samverkan_bench_backup`` on the server of
DATABASE_URL, dropped afterwards unless ``--keep``), migrates it, and fills it with one
partnership and ``--incidents`` incidents written by PostgreSQL itself (INSERT … SELECT over
generate_series, the same rows ``bench_scale.py`` writes). Then it runs, in turn and
``--runs`` times each:

- ours: ``manage.py backup --output FILE`` as its own process (Django's start-up, the
  snapshot, row counts, pg_dump, checksums and the tar archive);
- floor: ``pg_dump --format=custom --file FILE`` of the same database.

Prints the medians, memory being the largest sum of proportional set sizes (resident memory,
shared pages split between their sharers) over the whole process tree (our Python process and
the pg_dump it starts; pg_dump alone for the floor), sampled every 10 ms from /proc, and CPU
the user + system seconds of the whole tree:

    backup_time: ratio R (ours X s, floor Y s)                 the whole command
    backup_cpu: ratio R (ours X s, floor Y s)
    backup_time_after_startup: ratio R (ours X s, floor Y s)   create_backup() in a process
                                                               whose Django is set up
    backup_peak_memory: ratio R (ours X MB, floor Y MB)

then Django's start-up alone (``manage.py check``: what every management command pays before
it does anything) and the sizes of the two files. The server's own processes are not counted
on either side.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
DATABASE = "samverkan_bench_backup"


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages split between the processes that share them.

    A sum of plain RSS counts a page twice when a process forks (the child shares its
    parent's memory until it execs pg_dump), which would double our figure for a moment.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_pss_kb(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo += _children(pid)
    return total


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak MB of the process tree's summed PSS, its output) of one run.

    CPU is user + system of the whole tree (a grandchild's time reaches us through the
    child that waited for it): on a busy machine it moves less than the wall time.
    """
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_pss_kb(process.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {err.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, peak / 1024, out.decode()


# The backup alone, timed inside a process whose Django is already set up.
IN_PROCESS = """
import sys, time
import django
django.setup()
from samverkan.operations.backup import create_backup
start = time.perf_counter()
create_backup(sys.argv[1], report=lambda _text: None)
print(f"in-process: {time.perf_counter() - start:.3f}")
"""


def line(name: str, ours: float, floor: float, unit: str = "s") -> None:
    digits = 0 if unit == "MB" else 2
    print(
        f"{name}: ratio {ours / floor:.2f} (ours {ours:.{digits}f} {unit}, "
        f"floor {floor:.{digits}f} {unit})",
        flush=True,
    )


def fill(env: dict[str, str], incidents: int) -> None:
    """Migrate the new database and write the incidents, in a child process of its own."""
    code = f"""
import time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from benchmarks.generate_incidents import OFFENCES, PLACES
from samverkan.accounts.choices import OrganisationKind
from samverkan.accounts.models import Organisation
from samverkan.mapping.importers.common import categorise
from samverkan.partnerships.models import Partnership, Party

call_command("migrate", verbosity=0)
kommun = Organisation.objects.create(name="Benchkommun", kind=OrganisationKind.MUNICIPALITY)
polis = Organisation.objects.create(name="Benchpolis", kind=OrganisationKind.POLICE_AREA)
partnership = Partnership.objects.create(name="Bench", municipality=kommun, police_area=polis)
party = Party.objects.create(partnership=partnership, organisation=polis)
offences = [o[0] for o in OFFENCES]
started = time.perf_counter()
with connection.cursor() as cursor:
    cursor.execute(
        '''
        INSERT INTO mapping_incident (party_id, source_import_id, key, occurred_from,
            occurred_to, offence, category, place, area, x, y)
        SELECT %(party)s, NULL, 'K' || g, t,
            CASE WHEN g %% 3 = 0 THEN t + interval '6 hours' END,
            (%(offences)s::text[])[1 + g %% %(n_off)s],
            (%(categories)s::text[])[1 + g %% %(n_off)s],
            (%(places)s::text[])[1 + (g / 7) %% %(n_place)s],
            (%(areas)s::text[])[1 + (g / 7) %% %(n_place)s],
            674000 + (random() * 4000 - 2000)::int,
            6580000 + (random() * 4000 - 2000)::int
        FROM generate_series(1, %(count)s) AS g,
            LATERAL (SELECT timestamptz '2021-01-01 00:00+01'
                + random() * interval '1460 days' AS t) AS r
        ''',
        {{
            "party": party.pk,
            "offences": offences,
            "categories": [categorise(o)[0] for o in offences],
            "n_off": len(offences),
            "places": [p[0] for p in PLACES],
            "areas": [p[1] for p in PLACES],
            "n_place": len(PLACES),
            "count": {incidents},
        }},
    )
    cursor.execute("VACUUM ANALYZE mapping_incident")
print(f"  {incidents} incidents written in {{time.perf_counter() - started:.1f}} s", flush=True)
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.incidents < 1 or args.runs < 1:
        raise SystemExit("--incidents and --runs must be at least 1")

    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres:", "postgresql:")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (postgres://...).")
    params = dj_database_url.parse(url)
    port = params["PORT"] or 5432
    admin = psycopg.connect(
        host=params["HOST"],
        port=port,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{DATABASE}"')
    work = Path(tempfile.mkdtemp(prefix="samverkan-bench-backup-"))
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "samverkan.settings",
        "DATABASE_URL": f"postgres://{params['USER']}{password}@{params['HOST']}:{port}/{DATABASE}",
        "DATA_DIR": str(work / "data"),
        "MEDIA_ROOT": str(work / "media"),
    }
    libpq = {
        **os.environ,
        "PGHOST": params["HOST"],
        "PGPORT": str(port),
        "PGUSER": params["USER"],
        "PGDATABASE": DATABASE,
    }
    if params["PASSWORD"]:
        libpq["PGPASSWORD"] = params["PASSWORD"]
    try:
        fill(env, args.incidents)
        figures: dict[str, list[float]] = {}

        def note(**values: float) -> None:
            for key, value in values.items():
                figures.setdefault(key, []).append(value)

        sizes = {}
        for run in range(args.runs):
            archive = work / f"backup-{run}.tar"
            dump = work / f"pg_dump-{run}.dump"
            wall, cpu, peak, _out = measure(
                [sys.executable, "manage.py", "backup", "--output", str(archive)], env
            )
            note(ours_wall=wall, ours_cpu=cpu, ours_peak=peak)
            wall, cpu, peak, _out = measure(["pg_dump", "--format=custom", f"--file={dump}"], libpq)
            note(floor_wall=wall, floor_cpu=cpu, floor_peak=peak)
            sizes = {"ours": archive.stat().st_size, "floor": dump.stat().st_size}
            archive.unlink()
            wall, _cpu, _peak, out = measure([sys.executable, "-c", IN_PROCESS, str(archive)], env)
            note(in_process=float(out.split("in-process:")[1]))
            wall, cpu, peak, _out = measure([sys.executable, "manage.py", "check"], env)
            note(startup_wall=wall, startup_cpu=cpu, startup_peak=peak)
            archive.unlink()
            dump.unlink()
            print(
                "  run {}: ours {:.2f} s ({:.2f} s CPU, {:.0f} MB), floor {:.2f} s ({:.2f} s "
                "CPU, {:.0f} MB), backup in a set-up process {:.2f} s, manage.py check {:.2f} s "
                "({:.0f} MB)".format(
                    run + 1,
                    *(
                        figures[key][-1]
                        for key in (
                            "ours_wall",
                            "ours_cpu",
                            "ours_peak",
                            "floor_wall",
                            "floor_cpu",
                            "floor_peak",
                            "in_process",
                            "startup_wall",
                            "startup_peak",
                        )
                    ),
                ),
                flush=True,
            )
        median = {key: statistics.median(values) for key, values in figures.items()}
        line("backup_time", median["ours_wall"], median["floor_wall"])
        line("backup_cpu", median["ours_cpu"], median["floor_cpu"])
        line("backup_time_after_startup", median["in_process"], median["floor_wall"])
        line("backup_peak_memory", median["ours_peak"], median["floor_peak"], "MB")
        print(
            f"  Django's start-up alone (manage.py check): {median['startup_wall']:.2f} s, "
            f"{median['startup_cpu']:.2f} s CPU, {median['startup_peak']:.0f} MB"
        )
        print(
            f"  sizes: archive {sizes['ours'] / 1e6:.1f} MB, pg_dump {sizes['floor'] / 1e6:.1f} MB"
        )
    finally:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
