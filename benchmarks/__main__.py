"""Every benchmark in one command, each ratio line as it comes, then a summary table.

    .venv/bin/python -m benchmarks                         # every benchmark, full sizes
    .venv/bin/python -m benchmarks --size small            # small sizes: a check in minutes
    .venv/bin/python -m benchmarks --only gi,documents     # some of them
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python -m benchmarks

(``benchmarks/run`` is the same command.) Each benchmark runs as its own process, as it would
alone, and prints ``name: ratio R (ours X s, floor Y s)`` lines; they are passed through and
collected. The ones that need PostgreSQL (import and the big party on that engine too, backup,
pages under load, national scale) run when DATABASE_URL or TEST_POSTGRES_URL names a
PostgreSQL server: each gets a database of its own there (created empty and dropped
afterwards, or the benchmark's own). The summary is a Markdown table with the machine's load
average before and after, for the README. Exits non-zero when a benchmark fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RATIO = re.compile(
    r"^(?P<name>[\w.-]+): ratio (?P<ratio>[-\d.]+|inf|nan) "
    r"\(ours (?P<ours>[^,]+), floor (?P<floor>[^;)]+)"
)
SQLITE, POSTGRES = "SQLite", "PostgreSQL"


@dataclass(frozen=True)
class Bench:
    """One benchmark script: its arguments at each size and the engines it runs on.

    ``own_database``: the script makes (and drops) its own database on the server it is given;
    otherwise it fills the database DATABASE_URL names, so it gets a fresh empty one.
    """

    name: str
    script: str
    small: tuple[str, ...]
    full: tuple[str, ...] = ()
    engines: tuple[str, ...] = (SQLITE,)
    own_database: bool = False
    # Said in the summary when the benchmark printed no ratio (and did not fail).
    no_ratio: str = "no ratio printed"


BENCHES = (
    Bench("startup", "bench_startup.py", ("--repeat", "3"), engines=("",)),
    Bench("gi", "bench_gi.py", ("--cells", "40000", "--repeat", "3"), engines=("",)),
    Bench("documents", "bench_documents.py", ("--repeat", "3")),
    Bench(
        "big_party",
        "bench_big_party.py",
        ("--rows", "20000", "--requests", "3"),
        engines=(SQLITE, POSTGRES),
    ),
    Bench("import", "bench_import.py", ("--rows", "20000"), engines=(SQLITE, POSTGRES)),
    Bench(
        "backup",
        "bench_backup.py",
        ("--incidents", "20000", "--runs", "1"),
        engines=(POSTGRES,),
        own_database=True,
    ),
    Bench(
        "pages",
        "bench_pages.py",
        ("--users", "10", "--seconds", "5", "--web-workers", "2"),
        engines=(POSTGRES,),
        own_database=True,
    ),
    Bench(
        "scale",
        "bench_scale.py",
        ("--factor", "1", "--import-rows", "5000", "--requests", "5"),
        engines=(POSTGRES,),
        own_database=True,
        no_ratio="factor 1 only: its ratios compare factor 4 with factor 1 (full size)",
    ),
    Bench(
        "learning",
        "bench_learning.py",
        ("--factor", "1", "--incidents", "100000", "--requests", "3"),
        engines=(POSTGRES,),
        own_database=True,
    ),
)


@dataclass
class Outcome:
    bench: Bench
    engine: str
    seconds: float = 0.0
    lines: list[dict[str, str]] = field(default_factory=list)
    failed: str = ""


def postgres_url() -> str:
    """The PostgreSQL server to use, from DATABASE_URL or TEST_POSTGRES_URL ("" for none)."""
    for name in ("DATABASE_URL", "TEST_POSTGRES_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return ""


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def run_one(bench: Bench, engine: str, size: str, server: str) -> Outcome:
    outcome = Outcome(bench, engine)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    fresh = ""
    if engine == SQLITE or not engine:
        env.pop("DATABASE_URL", None)
    elif bench.own_database:
        env["DATABASE_URL"] = server
    else:
        fresh = f"samverkan_bench_{bench.name}_{os.getpid()}"
        _admin(server, f'DROP DATABASE IF EXISTS "{fresh}"')
        _admin(server, f'CREATE DATABASE "{fresh}"')
        env["DATABASE_URL"] = with_database(server, fresh)
    command = [
        sys.executable,
        str(HERE / bench.script),
        *(bench.small if size == "small" else bench.full),
    ]
    title = f"{bench.name}" + (f" ({engine})" if engine else "")
    print(f"\n== {title}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        tail: list[str] = []
        for line in process.stdout:
            print("   " + line, end="", flush=True)
            tail = (tail + [line.rstrip()])[-5:]
            match = RATIO.match(line.strip())
            if match:
                outcome.lines.append(match.groupdict())
        if process.wait() != 0:
            outcome.failed = f"exit {process.returncode}: " + " | ".join(tail[-2:])
    finally:
        outcome.seconds = time.perf_counter() - started
        if fresh:
            _admin(server, f'DROP DATABASE IF EXISTS "{fresh}"')
    return outcome


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def summary(outcomes: list[Outcome], skipped: list[str], size: str, before: str, after: str) -> str:
    rows = [
        "| benchmark | engine | figure | ratio | ours | floor |",
        "|---|---|---|---:|---:|---:|",
    ]
    for outcome in outcomes:
        engine = outcome.engine or "–"
        for line in outcome.lines:
            rows.append(
                f"| {outcome.bench.name} | {engine} | {line['name']} | {line['ratio']} "
                f"| {line['ours'].strip()} | {line['floor'].strip()} |"
            )
        if outcome.failed:
            rows.append(f"| {outcome.bench.name} | {engine} | FAILED | – | {outcome.failed} | |")
        elif not outcome.lines:
            rows.append(f"| {outcome.bench.name} | {engine} | {outcome.bench.no_ratio} | – | | |")
    text = [
        f"Sizes: {size}. Load average before: {before}; after: {after}.",
        "",
        *rows,
    ]
    if skipped:
        text += ["", "Skipped: " + "; ".join(skipped)]
    took = ", ".join(
        f"{o.bench.name}{f' ({o.engine})' if o.engine else ''} {o.seconds:.0f} s" for o in outcomes
    )
    text += ["", f"Time per benchmark: {took}."]
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--size",
        choices=("full", "small"),
        default="full",
        help="full: each benchmark's own defaults (a million rows, minutes each); "
        "small: a few thousand rows and fewer repeats, to check that all of them run",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated names: " + ", ".join(b.name for b in BENCHES)
    )
    parser.add_argument(
        "--engine", choices=("all", "sqlite", "postgresql"), default="all",
        help="run only the SQLite or only the PostgreSQL measurements",
    )  # fmt: skip
    args = parser.parse_args(argv)
    names = {n.strip() for n in args.only.split(",") if n.strip()}
    unknown = names - {b.name for b in BENCHES}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    server = postgres_url()
    plan, skipped = [], []
    for bench in BENCHES:
        if names and bench.name not in names:
            continue
        for engine in bench.engines:
            if args.engine == "sqlite" and engine == POSTGRES:
                continue
            if args.engine == "postgresql" and engine != POSTGRES:
                continue
            if engine == POSTGRES and not server:
                skipped.append(f"{bench.name} ({engine}): set DATABASE_URL to a PostgreSQL server")
                continue
            plan.append((bench, engine))
    before = load()
    print(f"Load average: {before}", flush=True)
    outcomes = [run_one(bench, engine, args.size, server) for bench, engine in plan]
    after = load()
    print("\n" + summary(outcomes, skipped, args.size, before, after), flush=True)
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
