"""National scale (issue 24, item 5): the evidence bank and the regional view read no rows they
do not show. Filtering, counting, sorting and paging run in the database, so the number of
queries a page runs does not grow with the number of kommuner or published results
(benchmarks/bench_learning.py measures the time at national size)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samverkan.documents.models import DocumentDecision
from samverkan.followup.models import EffectEvaluation
from samverkan.learning import evidence, regional
from samverkan.learning.models import (
    EvaluationLabel,
    HarvestedResult,
    OpenDataPublication,
    RegionalScope,
    RemoteCatalogue,
)
from samverkan.mapping.models import (
    ComparisonMunicipalities,
    CrimeStatistic,
    Population,
    SituationReport,
)
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Problem
from tests.factories import make_partnership, make_user


def _publishing(suffix: str, code: str, results: int, method: str = "miljo") -> object:
    world = make_partnership(suffix)
    p = world.partnership
    p.municipality.code = code
    p.municipality.save()
    EffectEvaluation.objects.filter(partnership=p).delete()  # the factory's own: ours only
    problem = Problem.objects.create(partnership=p, title="Rån vid stationen", crime_type="Rån")
    goal = Goal.objects.create(
        partnership=p, problem=problem, kind=GoalKind.EFFECT, text="Färre rån", indicator="Rån"
    )
    for n in range(results):
        ev = EffectEvaluation.objects.create(
            partnership=p,
            goal=goal,
            indicator=f"Rån {suffix} {n}",
            period_before="2024",
            period_after="2025",
            treated_area="Stationen",
            treated_before=60 + n,
            treated_after=40 + n,
            control_area="Övriga",
            control_before=50,
            control_after=48 + n,
        )
        EvaluationLabel.objects.create(evaluation=ev, method=method, place_type="trafik")
    OpenDataPublication.objects.create(
        partnership=p,
        published=True,
        published_at=timezone.now(),
        contact_name="Samordnaren",
        contact_email="s@example.se",
    )
    DocumentDecision.objects.update_or_create(
        partnership=p,
        kind="lagesbild",
        defaults={"body": "Kommunstyrelsen", "decided_on": datetime.date(2026, 3, 1)},
    )
    return world


def _remote_rows(n: int) -> list[dict]:
    return [
        {
            "id": f"r-{i}",
            "kommun": f"Fjärrby {i}",
            "indikator": f"Stöld {i}",
            "typ_av_atgard": "kamera",
            "insats_fore": 80,
            "insats_efter": 60,
            "kontroll_fore": 70,
            "kontroll_efter": 69,
            "undertryckt": False,
            "log_kvot": -0.28,
            "varians": 0.03,
        }
        for i in range(n)
    ]


def _table(html: str, caption: str) -> str:
    """The table whose caption has ``caption`` (the page's list, not its forest plots)."""
    return html.split(caption, 1)[1].split("</table>", 1)[0]


def _bank_queries(client, query: str = "") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("learning:evidence") + query)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_evidence_bank_queries_do_not_grow_with_kommuner_or_results(client, db):
    _publishing(" A", "0180", 1)
    _publishing(" B", "0181", 2)
    remote = RemoteCatalogue.objects.create(
        name="Fjärran", url="https://fjarran.example.se/k.jsonld", results=_remote_rows(2)
    )
    small, html = _bank_queries(client)
    assert "Fjärrby 1" in html and "Rån  B 1" in html
    for n, code in enumerate(("0182", "0183", "0184", "0185")):
        _publishing(f" C{n}", code, 3)
    remote.results = _remote_rows(9)
    remote.save()
    large, html = _bank_queries(client)
    assert "Fjärrby 8" in html and "Rån  C3 2" in html
    assert large == small
    # A search runs no more queries (its filters are in them, not in Python); with no own
    # result on the page, the query that would build them is not run.
    searched, html = _bank_queries(client, "?q=stöld&metod=kamera&ar=")
    assert searched == small - 1
    assert "Fjärrby 8" in html and "Rån  C3 2" not in html


def test_evidence_bank_pages_its_rows_and_pools_all_of_them(client, db, monkeypatch):
    monkeypatch.setattr(evidence, "PAGE_SIZE", 3)
    for n, code in enumerate(("0180", "0181", "0182", "0183")):
        _publishing(f" P{n}", code, 1)
    RemoteCatalogue.objects.create(
        name="Fjärran", url="https://fjarran.example.se/k.jsonld", results=_remote_rows(3)
    )
    pages = [_bank_queries(client, f"?sida={n}")[1] for n in (1, 2, 3)]
    table = [_table(html, 'id="resultat-caption"') for html in pages]
    # Belysning (ours) sorts before Kamerabevakning (harvested): three rows a page, in order.
    assert "Rån  P0 0" in table[0] and "Rån  P2 0" in table[0] and "Rån  P3 0" not in table[0]
    assert "Rån  P3 0" in table[1] and "Fjärrby 1" in table[1] and "Fjärrby 2" not in table[1]
    assert "Fjärrby 2" in table[2] and "Rån  P0 0" not in table[2]
    assert 'rel="prev"' in pages[2] and 'rel="next"' not in pages[2]
    # The pooled effects and the counts cover every matching result, on every page.
    for html in pages:
        assert "7 resultat av 7" in html
        assert html.count('aria-labelledby="skog-') == 2  # two forest plots
        assert "Fjärrby 2: Stöld 2" in html and "Testkommun P0: Rån  P0 0" in html


def test_harvested_rows_are_indexed_and_checked_when_stored(db):
    rows = _remote_rows(2)
    rows[1] = {**rows[1], "insats_efter": 2}  # a small count: suppressed here
    remote = RemoteCatalogue.objects.create(
        name="Fjärran", url="https://fjarran.example.se/k.jsonld", results=rows + ["text"]
    )
    indexed = {h.kommun: h for h in HarvestedResult.objects.filter(catalogue=remote)}
    assert set(indexed) == {"Fjärrby 0", "Fjärrby 1"}
    assert indexed["Fjärrby 1"].suppressed and indexed["Fjärrby 1"].log_kvot is None
    assert indexed["Fjärrby 0"].method_name == "Kamerabevakning"
    remote.results = []
    remote.save(update_fields=["results"])
    assert not HarvestedResult.objects.filter(catalogue=remote).exists()


def _scope(worlds) -> RegionalScope:
    scope = RegionalScope.objects.create(name="Länet", kind="lansstyrelse")
    scope.municipalities.add(*(w.partnership.municipality for w in worlds))
    return scope


def _region_queries(client, scope, query: str = "") -> tuple[int, str]:
    url = reverse("learning:region", kwargs={"scope_id": scope.pk}) + query
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


# The regional page's queries, whatever the number of kommuner on it: the session, the reader
# and their second factor (3), the scope, its kommuner counted and the page's read (3), the
# Lag status, coordinators, partnerships, results and measures counted (5), the crime rates
# (6: regional.crime_rates_of), the region's pooled evidence (2) and the menu's regional link (1).
REGION_PAGE_QUERIES = 20


def _with_rates(world, code: str, compared: str) -> None:
    """The kommun shares its mapping: three years of statistics with population, compared with
    another kommun (whose code the national list may not know)."""
    party = world.kommun
    CrimeStatistic.objects.filter(party=party).delete()
    for year in (2022, 2023, 2024):
        for c, count in ((code, 400 if year == 2024 else 380 + year % 5), (compared, 300)):
            CrimeStatistic.objects.create(
                party=party,
                municipality_code=c,
                area=f"Område {c}",
                offence="Misshandel",
                category="Brott mot liv och hälsa",
                year=year,
                count=count,
            )
            Population.objects.create(
                party=party, municipality_code=c, area=f"Område {c}", year=year, count=40_000
            )
    ComparisonMunicipalities.objects.update_or_create(party=party, defaults={"codes": [compared]})
    SituationReport.objects.get_or_create(party=party, defaults={"title": "Lägesbild"})[0].share()


@pytest.mark.slow(reason="builds ten partnerships to compare a small and a large region")
def test_regional_view_queries_do_not_grow_with_kommuner_or_results(client, db, monkeypatch):
    monkeypatch.setattr(regional, "PAGE_SIZE", 3)
    reader = make_user("lasare")
    small_worlds = [_publishing(f" S{n}", f"01{n:02}", 1) for n in range(3)]
    small = _scope(small_worlds)
    small.readers.add(reader)
    # The large region: the same first three kommuner (by name) and seven more, each with more
    # published results.
    large_worlds = small_worlds + [_publishing(f" T{n}", f"02{n:02}", 4) for n in range(7)]
    for n, world in enumerate(large_worlds):
        _with_rates(world, world.partnership.municipality.code, f"09{n:02}")
    large = RegionalScope.objects.create(name="Riket", kind="nationell")
    large.municipalities.add(*(w.partnership.municipality for w in large_worlds))
    large.readers.add(reader)
    client.force_login(reader)
    small_count, html = _region_queries(client, small)
    assert html.count("1\u00a0000") >= 3  # every kommun's rate per 100 000 is on the page
    large_count, html = _region_queries(client, large)
    assert large_count == small_count == REGION_PAGE_QUERIES
    status = _table(html, 'id="status-caption"')
    assert "Testkommun S2" in status and "Testkommun T0" not in status
    assert "10 kommuner i alla" in html and 'rel="next"' in html
    _count, html = _region_queries(client, large, "?sida=4")
    status = _table(html, 'id="status-caption"')
    assert "Testkommun T6" in status and "Testkommun S0" not in status
    # The pooled evidence is the whole region's, whichever page is shown.
    assert "31 utvärderingar" in html
    # Every kommun of the region on one page, each with its rates: still the same queries.
    monkeypatch.setattr(regional, "PAGE_SIZE", 10)
    whole_count, html = _region_queries(client, large)
    assert whole_count == REGION_PAGE_QUERIES
    rates = _table(html, 'id="rates-caption"')
    assert rates.count("1\u00a0000") == 10 and "Uppgift saknas" not in rates


@pytest.mark.parametrize(
    "search",
    [
        evidence.Search(),
        evidence.Search(text="stöld"),
        evidence.Search(text="rån b"),
        evidence.Search(category="Rån"),
        evidence.Search(method="kamera"),
        evidence.Search(method="miljo", place="trafik"),
        evidence.Search(method="annat"),
        evidence.Search(year="2025"),
        evidence.Search(year="2019"),
    ],
)
def test_database_search_and_pooling_agree_with_the_rows_they_replace(db, search):
    """The filters in the database select exactly the rows the row-by-row search selected,
    and the pooled effects from the narrow rows equal those pooled from the full rows."""
    _publishing(" A", "0180", 2)
    _publishing(" B", "0181", 3, method="kamera")
    RemoteCatalogue.objects.create(
        name="Fjärran", url="https://fjarran.example.se/k.jsonld", results=_remote_rows(4)
    )
    every = evidence.own_rows() + evidence.remote_rows()
    expected = [r for r in every if search.matches(r)]
    _options, categories = evidence.form_choices()
    own = evidence.own_queryset(search, categories)
    remote = evidence.remote_queryset(search)
    rows = evidence.page_rows(own, remote, 0, 1000)
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in expected)
    old = {g.method: g for g in evidence.groups(expected)}
    new = {g.method: g for g in evidence.pooled_groups(own, remote)}
    assert {m: g.count for m, g in new.items()} == {m: len(g.rows) for m, g in old.items()}
    for method, group in new.items():
        if old[method].pooled is None:
            assert group.pooled is None
        else:
            ours, theirs = group.pooled, old[method].pooled
            assert ours is not None and ours.k == theirs.k
            assert (ours.estimate, ours.se, ours.tau2, ours.q) == pytest.approx(
                (theirs.estimate, theirs.se, theirs.tau2, theirs.q)
            )
