"""Step 2's figures by subject (``mapping.subjects``): one reading per page or document.

Inside ``one_build()`` each figure of a party is computed (or read from the stored figures)
once, however many sections of a page or parts of a document show it. The pages and the
documents are pinned to a number of queries that does not grow with the data.

Query budgets, and why some are above 30:

* statistics page: at most 29 (the party's statistics, rates, comparison, surveys, costs,
  police notices and stored incident figures, each read once);
* a lägesbild build (public or internal): at most 30;
* the lägesbild preview page: at most 40. The preview is the build plus what every signed-in
  page costs (session, user, two-factor device, partnership, membership, the partnership's
  organisations: 7 queries) and the viewer's own parties and causes for the internal
  edition. The build reads one row set per kind of material a lägesbild holds (statistics,
  comparison municipalities, population, Kolada, incident figures, costs, surveys, safety
  walks, resources, activities, sources, problems, causes, decisions), two of them once per
  released party; none of them grows with the number of rows;
* step 5 (home and the count from incidents): at most 16;
* the dashboard: at most 50 (pinned in tests/process/test_dashboard_queries.py): it reads
  no step 2 figures; its queries are the five steps' checklists, one per fact, and do not
  grow with the partnership's data.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.documents import data
from samverkan.mapping import services, subjects
from samverkan.mapping.models import CrimeCost
from samverkan.mapping.subjects import costs, crime, incidents, rates


def _incident_sql(queries) -> list[str]:
    return [q["sql"] for q in queries if re.search(r'"mapping_incident"', q["sql"])]


def _figure_sql(queries) -> list[str]:
    return [q["sql"] for q in queries if "mapping_incidentfigure" in q["sql"]]


def _spy(monkeypatch, module, name):
    """Count the calls of ``module.name`` by the party (or partnership) they are for."""
    calls: dict[int, int] = {}
    real = getattr(module, name)

    def spy(party, *args, **kwargs):
        key = getattr(party, "pk", party)
        calls[key] = calls.get(key, 0) + 1
        return real(party, *args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


@pytest.mark.slow(reason="builds the lägesbild twice; the first build in a process loads charts")
@pytest.mark.parametrize("edition", [data.INTERNAL, data.PUBLIC])
def test_a_lagesbild_build_computes_each_subjects_figures_once(demo, monkeypatch, edition):
    data.build("lagesbild", demo, edition)  # the stored figures exist after the first build
    comparisons = _spy(monkeypatch, rates, "_kolada_rates")  # once per computed comparison
    tables = _spy(monkeypatch, incidents, "_top_places")
    costs_read = []
    real_totals = costs._totals
    monkeypatch.setattr(costs, "_totals", lambda rows: costs_read.append(1) or real_totals(rows))
    with CaptureQueriesContext(connection) as queries:
        doc = data.build("lagesbild", demo, edition)
    assert comparisons and all(n == 1 for n in comparisons.values()), comparisons
    assert not tables  # the busiest places are stored figures, read, not counted again
    # Every released party's stored incident figures come in one query for all of them.
    assert len(_figure_sql(queries.captured_queries)) == 1
    assert not _incident_sql(queries.captured_queries)
    # Costs: one total per party with costs, the same the statistics page shows.
    with_costs = set(
        CrimeCost.objects.filter(party__partnership=demo).values_list("party_id", flat=True)
    )
    assert with_costs and len(costs_read) <= len(with_costs)
    assert len(queries.captured_queries) <= 30
    assert "Konsekvenser: kostnader" in "\n".join(doc.text_lines())


def test_without_a_build_every_call_computes_and_inside_one_it_is_computed_once(demo, monkeypatch):
    party = _comparing(demo)
    calls = _spy(monkeypatch, rates, "_kolada_rates")
    rates.comparison(party)
    rates.comparison(party)
    assert calls[party.pk] == 2
    calls.clear()
    with subjects.one_build():
        first = subjects.of(party).rates.comparison()
        with subjects.one_build():  # a nested build shares the outer one
            assert rates.comparison(party) is first
    assert calls[party.pk] == 1


def test_the_same_figure_asked_in_different_words_is_one_figure(demo, django_assert_num_queries):
    kommun = demo.municipality_party()
    incidents.top_places(kommun, 10)  # stored
    incidents.top_places(kommun, 5)
    with subjects.one_build():
        first = incidents.top_places(kommun)
        codes = crime.comparison_codes(kommun)
        with django_assert_num_queries(0):
            assert incidents.top_places(kommun, 10) is first
            assert incidents.top_places(kommun, n=10) is first
            assert incidents.top_places(kommun, 5).n == 5  # another figure, read with the rest
            assert crime.comparison_codes(kommun) == codes


def _comparing(demo):
    """The demo party that compares itself with other municipalities."""
    return next(p for p in demo.parties.all() if crime.comparison_codes(p))


def test_statistics_page_reads_each_figure_once(client, demo, monkeypatch):
    party = _comparing(demo)
    user = "demo.kommun" if party == demo.municipality_party() else "demo.polis"
    client.force_login(User.objects.get(username=user))
    url = reverse("mapping:statistics", kwargs={"pk": demo.pk, "party_id": party.pk})
    assert client.get(url).status_code == 200
    units = _spy(monkeypatch, rates, "_load_units")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # Once for the own rates (the page shows them and their gaps), once for the comparison.
    assert units[party.pk] == 2
    assert len(queries.captured_queries) <= 29
    assert len(_figure_sql(queries.captured_queries)) == 1
    assert not _incident_sql(queries.captured_queries)


@pytest.mark.parametrize("edition", ["internal", "public"])
def test_lagesbild_preview_query_count_is_pinned(client, demo, edition):
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse(
        "documents:preview", kwargs={"pk": demo.pk, "kind": "lagesbild", "edition": edition}
    )
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries.captured_queries) <= 40  # the reason is in the module's docstring
    assert not _incident_sql(queries.captured_queries)


@pytest.mark.parametrize("name", ["followup:home", "followup:evaluation_count"])
def test_step5_pages_query_count_is_pinned_and_they_read_step2s_figures(client, demo, name):
    client.force_login(User.objects.get(username="demo.polis"))
    url = reverse(name, kwargs={"pk": demo.pk})
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    assert len(queries.captured_queries) <= 16
    # The places and categories to count among are stored figures, not a scan of incidents.
    assert not _incident_sql(queries.captured_queries)
    if name == "followup:evaluation_count":
        assert "Busstorget" in page.content.decode()


def test_the_drafts_figure_paragraphs_are_known_by_their_producer(demo):
    for party in demo.parties.all():
        paragraphs = services.draft_paragraphs(party)
        text = services.draft_text(party)
        if not paragraphs:
            continue
        assert {p.kind for p in paragraphs} <= set(services._OPENINGS)
        # Every paragraph the generator writes is its own, even with other figures in it.
        assert services.own_words(text) == []
        # A draft from other figures (another year's import): "per 100 000" stays as it is.
        older = re.sub(r"\d", "7", text.replace("100 000", "§")).replace("§", "100 000")
        assert services.own_words(older) == []
        mine = "Vi ser mer klotter vid stationen sedan i våras."
        assert services.own_words(text + "\n\n" + mine) == [mine]


def test_statistics_tables_each_get_a_reading_written_from_the_data(client, demo):
    kommun = demo.municipality_party()
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse("mapping:statistics", kwargs={"pk": demo.pk, "party_id": kommun.pk})
    html = client.get(url).content.decode()
    for ident in ("trend-reading", "change-reading", "heat-reading"):
        assert f'<h3 id="{ident}">' in html, ident
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")
    trend = crime.category_trend(kommun)
    last = trend.years[-1]
    total = sum(trend.totals_by_year[last].values())
    assert f"Sammanlagt {total:,} ".replace(",", " ") in text
    assert "Vad den inte kan säga:" in text and 'lang="sv"' in html
