"""A national-sized database on PostgreSQL: does one party's work stay as fast as the country's
data grows? (issue 14, "Capacity"). Not part of the test suite.

    python benchmarks/bench_scale.py --factor 4
    python benchmarks/bench_scale.py --factor 16 --import-rows 50000 --requests 20

Creates its own database next to DATABASE_URL's (or TEST_POSTGRES_URL's) server, named
``samverkan_scale`` unless ``--database`` says otherwise, and drops it at the end (``--keep``
leaves it). The database holds the demo partnership (the party measured) and 290
municipalities, each with a partnership of the municipality and its local police area, 20
years of crime statistics per municipality (15 offences, Brå-style) and history entries per
partnership. Incidents for the other municipalities' parties grow with the factor: factor 1
is 1 000 000 rows in all, factor 16 is 16 000 000. The bulk rows are written by PostgreSQL
itself (INSERT … SELECT over generate_series), never row by row through the ORM.

The script builds factor 1 and measures, then grows the other municipalities' incidents to
each larger factor up to ``--factor`` (1 → 4 → 16) and measures again. At each factor:

- import: one party's police export of ``--import-rows`` rows (a realistic mid-sized
  municipality over four years) through the project's import service
  (``mapping.services.import_file``: stored upload, checksum, validation, COPY), into a new
  party of another partnership; time per row.
- pages: the demo police party's pages through Django's test client, logged in as its
  coordinator: dashboard, step 2 workspace, statistics, map data, step 3, history;
  ``--requests`` each after one warm-up; p95 over all of them and per page.
- EXPLAIN ANALYZE of every query those pages run (captured with CaptureQueriesContext): a
  sequential scan of a large table, or any scan that reads and discards more than 10 000
  rows, is printed as a warning (the page would be reading other municipalities' rows).

Prints, for each factor F > 1, against factor 1:

    import_per_row_f4: ratio R (ours X s, floor Y s)
    pages_p95_f4: ratio R (ours X s, floor Y s)

(target: ratio near 1), then the per-page p95 and the process peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
MUNICIPALITIES = 290
YEARS = range(2006, 2026)  # 20 years of crime statistics
AUDIT_PER_PARTNERSHIP = 200  # history entries per partnership at factor 1 (grow with it)
ROWS_PER_FACTOR = 1_000_000
STEPS = (1, 4, 16)
# A sequential scan of a table this large on a party's page means the page reads other
# municipalities' rows (the organisations, partnerships and parties stay below it).
LARGE = 10_000


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres:", "postgresql:")):
        url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_SERVER)
    return url


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def seconds(value: float) -> str:
    """Seconds with three significant digits, also for microseconds per row."""
    return f"{value:.3f}" if value >= 0.01 else f"{value:.3g}"


def line(name: str, ours: float, floor: float) -> None:
    print(
        f"{name}: ratio {ours / floor:.2f} (ours {seconds(ours)} s, floor {seconds(floor)} s)",
        flush=True,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Scale:
    """The bulk of the country: 290 partnerships, their statistics, history and incidents."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.bulk_parties: list[int] = []
        self.partnerships: list[int] = []
        self.incident_batch = 0

    def execute(self, sql: str, params: list | tuple | None = None) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def scalar(self, sql: str, params: list | tuple | None = None) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def build_organisations(self) -> None:
        """290 municipalities (SCB's codes and names) with their police areas, partnerships and
        parties. Small tables: the ORM's bulk_create, one statement per table."""
        from samverkan.accounts.choices import OrganisationKind
        from samverkan.accounts.models import Organisation
        from samverkan.mapping.municipalities import NAMES
        from samverkan.partnerships.choices import PartyKind
        from samverkan.partnerships.models import Partnership, Party

        codes = sorted(NAMES)[:MUNICIPALITIES]
        assert len(codes) == MUNICIPALITIES, len(codes)
        taken = set(Organisation.objects.values_list("name", flat=True))
        kommuner = Organisation.objects.bulk_create(
            Organisation(
                name=f"{NAMES[code]} kommun (skala)",
                kind=OrganisationKind.MUNICIPALITY,
                code=code,
            )
            for code in codes
            if f"{NAMES[code]} kommun (skala)" not in taken
        )
        polis = Organisation.objects.bulk_create(
            Organisation(name=f"Lokalpolisområde {k.name}", kind=OrganisationKind.POLICE_AREA)
            for k in kommuner
        )
        partnerships = Partnership.objects.bulk_create(
            Partnership(name=f"Samverkan i {k.name}", municipality=k, police_area=p, area=k.name)
            for k, p in zip(kommuner, polis, strict=True)
        )
        signatory = PartyKind.SIGNATORY
        parties = Party.objects.bulk_create(
            Party(partnership=ps, organisation=org, kind=signatory)
            for ps, k, p in zip(partnerships, kommuner, polis, strict=True)
            for org in (k, p)
        )
        self.partnerships = [p.pk for p in partnerships]
        self.bulk_parties = [p.pk for p in parties]
        self.municipality_parties = self.bulk_parties[0::2]
        self.codes = {p.pk: k.code for p, k in zip(parties[0::2], kommuner, strict=True)}
        self.names = {p.pk: k.name for p, k in zip(parties[0::2], kommuner, strict=True)}

    def build_crime_statistics(self) -> int:
        """20 years × 15 offences per municipality, written by the server."""
        from benchmarks.generate_incidents import OFFENCES
        from samverkan.mapping.importers.common import categorise

        offences = [o[0] for o in OFFENCES]
        categories = [categorise(o)[0] for o in offences]
        interpretations = [categorise(o)[1] for o in offences]
        return self.execute(
            """
            INSERT INTO mapping_crimestatistic (party_id, source_import_id, municipality_code,
                area, offence, category, interpretation, year, quarter, month, count, population)
            SELECT p.party, NULL, p.code, p.name, o.offence, o.category, o.interpretation, y,
                NULL, NULL, (50 + (hashtext(p.code || o.offence || y) & 1023))::int, NULL
            FROM unnest(%s::int[], %s::text[], %s::text[]) AS p(party, code, name)
            CROSS JOIN unnest(%s::text[], %s::text[], %s::text[])
                AS o(offence, category, interpretation)
            CROSS JOIN generate_series(%s, %s) AS y
            """,
            [
                self.municipality_parties,
                [self.codes[p] for p in self.municipality_parties],
                [self.names[p] for p in self.municipality_parties],
                offences,
                categories,
                interpretations,
                YEARS.start,
                YEARS.stop - 1,
            ],
        )

    def add_history(self, per_partnership: int) -> int:
        """History entries, as edits in each partnership leave them over the years."""
        return self.execute(
            """
            INSERT INTO accounts_auditentry (partnership_id, user_id, user_name, at, action,
                model_label, object_id, object_repr, changes, party_id, restricted_to, reason)
            SELECT ps, NULL, 'Skala Användare',
                now() - (g * interval '37 minutes'), 'update', 'partnerships.partnership',
                ps::text, 'Samverkan', '{"purpose": ["", "Tryggare centrum"]}'::jsonb, NULL,
                '[]'::jsonb, ''
            FROM unnest(%s::int[]) AS ps CROSS JOIN generate_series(1, %s) AS g
            """,
            [self.partnerships, per_partnership],
        )

    def add_incidents(self, rows: int) -> int:
        """``rows`` incidents spread over the bulk parties, each party's rows together (as one
        import leaves them), in statements of at most a million rows."""
        from benchmarks.generate_incidents import OFFENCES, PLACES
        from samverkan.mapping.importers.common import categorise

        offences = [o[0] for o in OFFENCES]
        categories = [categorise(o)[0] for o in offences]
        places = [p[0] for p in PLACES]
        areas = [p[1] for p in PLACES]
        parties = self.bulk_parties
        per_party = -(-rows // len(parties))
        self.incident_batch += 1
        done = 0
        chunk_parties = max(1, ROWS_PER_FACTOR // per_party)
        for first in range(0, len(parties), chunk_parties):
            group = parties[first : first + chunk_parties]
            count = min(per_party * len(group), rows - done)
            if count <= 0:
                break
            started = time.perf_counter()
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(
                    """
                    INSERT INTO mapping_incident (party_id, source_import_id, key, occurred_from,
                        occurred_to, offence, category, place, area, x, y)
                    SELECT (%(parties)s::int[])[1 + (g - 1) / %(per)s],
                        NULL,
                        %(batch)s || '-K' || g,
                        t,
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
                    """,
                    {
                        "parties": group,
                        "per": per_party,
                        "batch": f"S{self.incident_batch}",
                        "offences": offences,
                        "categories": categories,
                        "n_off": len(offences),
                        "places": places,
                        "areas": areas,
                        "n_place": len(places),
                        "count": count,
                    },
                )
            done += count
            print(
                f"  incidents: +{count} in {time.perf_counter() - started:.1f} s ({done}/{rows})",
                flush=True,
            )
        return done

    def analyze(self) -> None:
        self.execute("ANALYZE")

    def total_rows(self) -> int:
        return sum(
            self.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            for table in ("mapping_incident", "mapping_crimestatistic", "accounts_auditentry")
        )


def measure_import(scale: Scale, work: Path, rows: int, factor: int) -> float:
    """One police export for a new party of another partnership, through the import service;
    seconds per row."""
    from benchmarks.generate_incidents import generate
    from samverkan.accounts.choices import OrganisationKind
    from samverkan.accounts.models import Organisation
    from samverkan.mapping.choices import ImportStatus
    from samverkan.mapping.services import import_file
    from samverkan.partnerships.models import Party

    path = work / f"polisens_export_f{factor}.csv"
    generate(rows, path, seed=100 + factor)
    org = Organisation.objects.create(
        name=f"Importpart faktor {factor}", kind=OrganisationKind.OTHER
    )
    party = Party.objects.create(partnership_id=scale.partnerships[factor], organisation=org)
    started = time.perf_counter()
    record, result = import_file(party, "incidents", path)
    took = time.perf_counter() - started
    assert record.status == ImportStatus.DONE and result.rows_imported == rows, (
        record.status,
        result.errors[:3],
    )
    # The imported rows belong to the other municipalities' share from now on.
    scale.bulk_parties.append(party.pk)
    print(f"  import: {rows} rows in {took:.2f} s ({took / rows * 1e6:.1f} µs/row)", flush=True)
    return took / rows


def page_urls(partnership_id: int, party_id: int) -> dict[str, str]:
    base = f"/samverkan/{partnership_id}/"
    own = f"{base}kartlaggning/parter/{party_id}/"
    return {
        "dashboard": base,
        "mapping": own,
        "statistics": own + "statistik/",
        "map_data": own + "karta/data.geojson",
        "step3": base + "steg3/",
        "history": base + "historik/",
    }


def measure_pages(
    client, urls: dict[str, str], requests: int
) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Each page ``requests`` times after one warm-up; times per page and the SQL it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {}
    queries: dict[str, list[str]] = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        queries[name] = [q["sql"] for q in captured.captured_queries]
        took = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            took.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, url, response.status_code)
        times[name] = took
    return times, queries


def explain(queries: dict[str, list[str]]) -> list[str]:
    """Plans of the pages' queries (EXPLAIN ANALYZE: they are SELECTs) that read rows of other
    municipalities: a sequential scan of a large table, or a scan that reads and throws away
    more than LARGE rows (an index on the wrong column)."""
    from django.db import connection

    found = []
    seen = set()
    for name, sqls in queries.items():
        for sql in sqls:
            if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
                continue
            seen.add(sql)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            for node in _nodes(plan[0]["Plan"]):
                table = node.get("Relation Name")
                removed = node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
                if (node.get("Node Type") == "Seq Scan" and _rows(table) > LARGE) or (
                    removed > LARGE
                ):
                    found.append(
                        f"{name}: {node['Node Type']} on {table}, {removed} rows read and "
                        f"discarded, in: {sql[:300]}"
                    )
    return found


def _rows(table: str | None) -> float:
    from django.db import connection

    if table is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        found = cursor.fetchone()
    return found[0] if found else 0


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, choices=STEPS, default=4)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", default="samverkan_scale")
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    args = parser.parse_args()
    if not args.database.startswith("samverkan_") or args.database == "samverkan":
        parser.error("--database must be a database of its own (samverkan_…), never samverkan")

    server = server_url()
    url = with_database(server, args.database)
    admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_execute(server, f'CREATE DATABASE "{args.database}"')
    work = Path(tempfile.mkdtemp(prefix="samverkan-bench-scale-"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DATA_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    try:
        return run(args, work)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')


def run(args: argparse.Namespace, work: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from samverkan.accounts.models import User
    from samverkan.mapping.models import Incident
    from samverkan.process.demo import load_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as in production
    started = time.perf_counter()
    partnership, _logins = load_demo("samverkan-demo")
    user = User.objects.get(username="demo.polis")
    party = user.memberships.get(party__partnership=partnership).party
    own_rows = Incident.objects.filter(party=party).count()
    print(
        f"demo partnership #{partnership.pk}, measured party #{party.pk} "
        f"({party.organisation.name}, {own_rows} incidents) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    scale = Scale()
    started = time.perf_counter()
    scale.build_organisations()
    stats_rows = scale.build_crime_statistics()
    history_rows = scale.add_history(AUDIT_PER_PARTNERSHIP)
    print(
        f"{MUNICIPALITIES} municipalities: {stats_rows} crime statistics, {history_rows} "
        f"history entries in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    client = Client()
    client.force_login(user)
    urls = page_urls(partnership.pk, party.pk)
    figures: dict[int, tuple[float, float, dict[str, list[float]]]] = {}
    previous = 1
    for factor in [f for f in STEPS if f <= args.factor]:
        started = time.perf_counter()
        target = factor * ROWS_PER_FACTOR
        current = scale.total_rows()
        if factor > 1:
            scale.add_history(AUDIT_PER_PARTNERSHIP * (factor - previous))
        missing = target - scale.total_rows() - args.import_rows
        if missing > 0:
            scale.add_incidents(missing)
        scale.analyze()
        print(
            f"factor {factor}: {current} → {scale.total_rows()} rows before the import "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        per_row = measure_import(scale, work, args.import_rows, factor)
        scale.analyze()
        total = scale.total_rows()
        times, queries = measure_pages(client, urls, args.requests)
        every = [t for values in times.values() for t in values]
        figures[factor] = (per_row, percentile(every, 0.95), times)
        print(f"factor {factor}: {total} rows (incidents, crime statistics, history)")
        for name, values in times.items():
            print(
                f"  {name:<10} p95 {percentile(values, 0.95):.3f} s  "
                f"p50 {statistics.median(values):.3f} s  queries {len(queries[name])}"
            )
        for warning in explain(queries):
            print(f"  warning: {warning}")
        previous = factor
        sys.stdout.flush()

    base_import, base_p95, base_times = figures[1]
    print(f"pages_p95_f1: {base_p95:.3f} s; import_per_row_f1: {seconds(base_import)} s")
    for factor, (per_row, p95, times) in figures.items():
        if factor == 1:
            continue
        line(f"import_per_row_f{factor}", per_row, base_import)
        line(f"pages_p95_f{factor}", p95, base_p95)
        for name, values in times.items():
            line(
                f"  page_{name}_p95_f{factor}",
                percentile(values, 0.95),
                percentile(base_times[name], 0.95),
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak_memory: {peak_mb:.0f} MB (whole process, factor {args.factor})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
