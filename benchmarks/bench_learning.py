"""National learning at national scale (issue 24, item 5): are the evidence bank and the
regional view as fast as a partnership's dashboard? Not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python benchmarks/bench_learning.py --factor 1 --requests 10

Builds the national database of the scale benchmark (bench_scale.py: 290 kommuner with a
partnership each, 20 years of crime statistics, history, ``--factor`` million incidents or
``--incidents`` of them) in its own database (``--database``, dropped at the end unless
``--keep``), and on top of it what national learning reads: every partnership publishes open
data with ``--results`` labelled effect evaluations, its lägesbild and åtgärdsplan decided, its
kommun's samordningsfunktion named and its kommun's population for every year; another
instance's catalogue holds ``--harvested`` results; a national regional scope holds all 290
kommuner.

Then, under the same load (the three pages in turn, ``--requests`` rounds after a warm-up,
one client logged in as the demo's coordinator for the dashboard and one as the regional
reader), it prints for each page its p95 against the dashboard's:

    evidence_bank: ratio R (ours X s, floor Y s)
    regional_view: ratio R (ours X s, floor Y s)

(target: a ratio of at most 2), the number of queries each page ran, and EXPLAIN warnings of
any query that scans a large table or reads and discards many rows (bench_scale.explain).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks import bench_scale  # noqa: E402

METHODS = ("kamera", "miljo", "narvaro", "vakter", "grannar", "fokuserat")
PLACES = ("centrum", "bostad", "trafik", "noje")


def build_learning(scale: bench_scale.Scale, results: int, harvested: int) -> tuple[int, int]:
    """Open data, decisions, coordinators and populations for every bulk partnership; a
    harvested catalogue; the national scope with its reader. Returns (scope id, reader id)."""
    from django.utils import timezone

    from samverkan.accounts.models import Organisation, User
    from samverkan.documents.models import DocumentDecision
    from samverkan.followup.models import EffectEvaluation
    from samverkan.learning.models import (
        EvaluationLabel,
        OpenDataPublication,
        RegionalScope,
        RemoteCatalogue,
    )
    from samverkan.mapping.choices import ReportStatus
    from samverkan.mapping.models import Population, SituationReport
    from samverkan.partnerships.models import Coordinator, Partnership, Party
    from samverkan.problems.choices import GoalKind
    from samverkan.problems.models import Goal, Problem

    now = timezone.now()
    partnerships = list(
        Partnership.objects.filter(pk__in=scale.partnerships).select_related("municipality")
    )
    OpenDataPublication.objects.bulk_create(
        OpenDataPublication(
            partnership=p,
            published=True,
            published_at=now,
            contact_name="Trygghetssamordnaren",
            contact_email="trygg@example.se",
        )
        for p in partnerships
    )
    DocumentDecision.objects.bulk_create(
        DocumentDecision(
            partnership=p, kind=kind, body="Kommunstyrelsen", decided_on=datetime.date(2025, 3, 1)
        )
        for p in partnerships
        for kind in ("lagesbild", "atgardsplan")
    )
    problems = Problem.objects.bulk_create(
        Problem(partnership=p, title="Rån i centrum", crime_type="Rån") for p in partnerships
    )
    goals = Goal.objects.bulk_create(
        Goal(partnership=p, problem=pr, kind=GoalKind.EFFECT, text="Färre rån", indicator="Rån")
        for p, pr in zip(partnerships, problems, strict=True)
    )
    evaluations = EffectEvaluation.objects.bulk_create(
        EffectEvaluation(
            partnership=p,
            goal=g,
            indicator=f"Rån, insats {n + 1}",
            period_before="2023",
            period_after="2024",
            treated_area="Centrum",
            treated_before=60 + (i + n) % 40,
            treated_after=40 + (i * 7 + n) % 30,
            control_area="Övriga kommunen",
            control_before=50 + n,
            control_after=48 + (i * 3) % 10,
        )
        for i, (p, g) in enumerate(zip(partnerships, goals, strict=True))
        for n in range(results)
    )
    EvaluationLabel.objects.bulk_create(
        EvaluationLabel(
            evaluation=ev, method=METHODS[i % len(METHODS)], place_type=PLACES[i % len(PLACES)]
        )
        for i, ev in enumerate(evaluations)
    )
    kommun_parties = list(
        Party.objects.filter(pk__in=scale.municipality_parties).select_related("organisation")
    )
    Coordinator.objects.bulk_create(
        Coordinator(party=party, name="Trygghetssamordnaren") for party in kommun_parties
    )
    SituationReport.objects.bulk_create(
        SituationReport(party=party, title="Lägesbild", status=ReportStatus.SHARED, shared_at=now)
        for party in kommun_parties
    )
    Population.objects.bulk_create(
        Population(
            party=party,
            municipality_code=party.organisation.code,
            area=scale.names[party.pk],
            year=year,
            count=20_000 + int(party.organisation.code) * 7 % 50_000,
        )
        for party in kommun_parties
        for year in bench_scale.YEARS
    )
    rows = [
        {
            "id": f"fjarr-{i}",
            "kommun": f"Fjärrkommun {i % 290}",
            "problem": "Inbrott i bostad",
            "indikator": f"Bostadsinbrott {i}",
            "typ_av_atgard": METHODS[i % len(METHODS)],
            "typ_av_plats": PLACES[i % len(PLACES)],
            "period_fore": "2022",
            "period_efter": "2023",
            "insats_fore": 80,
            "insats_efter": 60 + i % 20,
            "kontroll_fore": 70,
            "kontroll_efter": 69,
            "undertryckt": False,
            "log_kvot": -0.2,
            "varians": 0.03,
        }
        for i in range(harvested)
    ]
    RemoteCatalogue.objects.create(
        name="Andra instansen", url="https://annan.example.se/katalog.jsonld", results=rows
    )
    scope = RegionalScope.objects.create(name="Hela landet (skala)", kind="nationell")
    scope.municipalities.add(
        *Organisation.objects.filter(
            pk__in=Party.objects.filter(pk__in=scale.municipality_parties).values("organisation")
        )
    )
    reader = User.objects.create_user("region.lasare", password=None)
    scope.readers.add(reader)
    return scope.pk, reader.pk


def measure(
    clients: dict[str, tuple[object, str]], requests: int
) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """The pages in turn, ``requests`` rounds after one warm-up each: same load for all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries: dict[str, list[str]] = {}
    for name, (client, url) in clients.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, (name, url, response.status_code)
        queries[name] = [q["sql"] for q in captured.captured_queries]
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _round in range(requests):
        for name, (client, url) in clients.items():
            started = time.perf_counter()
            response = client.get(url)  # type: ignore[attr-defined]
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (name, url, response.status_code)
    return times, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, choices=(1, 4, 16), default=1)
    parser.add_argument("--incidents", type=int, help="incidents in all (default: factor × 1M)")
    parser.add_argument("--results", type=int, default=3, help="evaluations per partnership")
    parser.add_argument("--harvested", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--database", default="samverkan_learning_scale")
    parser.add_argument("--keep", action="store_true", help="Do not drop the database.")
    args = parser.parse_args()
    if not args.database.startswith("samverkan_") or args.database == "samverkan":
        parser.error("--database must be a database of its own (samverkan_…), never samverkan")
    server = bench_scale.server_url()
    url = bench_scale.with_database(server, args.database)
    bench_scale.admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')
    bench_scale.admin_execute(server, f'CREATE DATABASE "{args.database}"')
    work = Path(tempfile.mkdtemp(prefix="samverkan-bench-learning-"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DATA_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            bench_scale.admin_execute(server, f'DROP DATABASE IF EXISTS "{args.database}"')


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from samverkan.accounts.models import User
    from samverkan.process.demo import load_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    partnership, _logins = load_demo("samverkan-demo")
    coordinator = User.objects.get(username="demo.polis")
    scale = bench_scale.Scale()
    started = time.perf_counter()
    scale.build_organisations()
    stats_rows = scale.build_crime_statistics()
    history_rows = scale.add_history(bench_scale.AUDIT_PER_PARTNERSHIP * args.factor)
    incidents = args.incidents
    if incidents is None:
        incidents = args.factor * bench_scale.ROWS_PER_FACTOR - stats_rows - history_rows
    if incidents > 0:
        scale.add_incidents(incidents)
    scope_id, reader_id = build_learning(scale, args.results, args.harvested)
    scale.analyze()
    print(
        f"{bench_scale.MUNICIPALITIES} kommuner, {scale.total_rows()} rows (incidents, crime "
        f"statistics, history), {args.results} results each, {args.harvested} harvested, "
        f"built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    member, reader = Client(), Client()
    member.force_login(coordinator)
    reader.force_login(User.objects.get(pk=reader_id))
    pages = {
        "dashboard": (member, f"/samverkan/{partnership.pk}/"),
        "evidence_bank": (Client(), reverse("learning:evidence")),
        "regional_view": (reader, reverse("learning:region", kwargs={"scope_id": scope_id})),
    }
    times, queries = measure(pages, args.requests)
    for name, values in times.items():
        print(
            f"  {name:<14} p95 {bench_scale.percentile(values, 0.95):.3f} s  "
            f"p50 {statistics.median(values):.3f} s  queries {len(queries[name])}"
        )
    for warning in bench_scale.explain(queries):
        print(f"  warning: {warning}")
    floor = bench_scale.percentile(times["dashboard"], 0.95)
    for name in ("evidence_bank", "regional_view"):
        bench_scale.line(name, bench_scale.percentile(times[name], 0.95), floor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
