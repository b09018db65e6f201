"""Server time and SQL of the partnership pages with the demo data (issue 14). Not a test.

    python benchmarks/profile_pages.py                        # SQLite in a temporary folder
    DATABASE_URL=postgres://…/samverkan_prof python benchmarks/profile_pages.py
    python benchmarks/profile_pages.py --profile dashboard    # cProfile of one page

Loads the demo into a fresh database (a PostgreSQL database named in DATABASE_URL is created
and dropped; it must be a database of its own, samverkan_…), logs in as the police
coordinator and requests each page through Django's test client: prints the number of
queries, how many of them repeat an earlier one (the same SQL and parameters), the median
server time of ``--requests`` requests after one warm-up, and the queries repeated most.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

PAGES = {
    "dashboard": "/samverkan/{pk}/",
    "history": "/samverkan/{pk}/historik/",
    "step3": "/samverkan/{pk}/steg3/",
    "step4": "/samverkan/{pk}/steg4/",
    "step5": "/samverkan/{pk}/steg5/",
    "mapping": "/samverkan/{pk}/kartlaggning/parter/{party}/",
    "statistics": "/samverkan/{pk}/kartlaggning/parter/{party}/statistik/",
    "map_data": "/samverkan/{pk}/kartlaggning/parter/{party}/karta/data.geojson",
}


def _admin(url: str, sql: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(
        urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--profile", choices=sorted(PAGES), help="cProfile this page")
    parser.add_argument("--sql", choices=sorted(PAGES), help="print this page's queries")
    parser.add_argument("--repeats", type=int, default=5, help="repeated queries to show")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="samverkan-profile-"))
    os.environ.setdefault("DATA_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    url = os.environ.get("DATABASE_URL", "")
    name = urllib.parse.urlsplit(url).path.lstrip("/") if url.startswith("postgres") else ""
    if name:
        if not name.startswith("samverkan_"):
            parser.error("DATABASE_URL must name a database of its own (samverkan_…)")
        _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(url, f'CREATE DATABASE "{name}"')
    try:
        return run(args)
    finally:
        if name:
            from django.db import connections

            connections.close_all()
            _admin(url, f'DROP DATABASE IF EXISTS "{name}"')


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samverkan.accounts.models import User
    from samverkan.process.demo import load_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    partnership, _logins = load_demo("samverkan-demo")
    user = User.objects.get(username="demo.polis")
    party = user.memberships.get(party__partnership=partnership).party
    client = Client()
    client.force_login(user)
    print(f"{connection.vendor}, demo partnership #{partnership.pk}, as {user.username}")
    for page, template in PAGES.items():
        path = template.format(pk=partnership.pk, party=party.pk)
        assert client.get(path).status_code == 200, path  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, path
        queries = list(captured.captured_queries)  # the next request resets the log
        sqls = Counter(q["sql"] for q in queries)
        repeated = sum(n - 1 for n in sqls.values())
        # The same statement with other parameters: a query per row (N+1).
        shapes = Counter(re.sub(r"\b\d+\b|'[^']*'", "?", q["sql"]) for q in queries)
        took = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(path)
            took.append(time.perf_counter() - started)
        print(
            f"{page}: {len(queries)} queries ({repeated} repeated), "
            f"median {statistics.median(took) * 1000:.0f} ms"
        )
        for sql, n in sqls.most_common(args.repeats):
            if n > 1:
                print(f"    {n}× the same: {sql[:150]}")
        for sql, n in shapes.most_common(args.repeats):
            if n > 1:
                print(f"    {n}× alike: {sql[:150]}")
        if args.sql == page:
            for q in queries:
                print(f"    {q['sql'][:240]}")
        if args.profile == page:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
