"""Figures from imported data are computed when the data changes and stored: pages read them.

A party with a million incidents cannot count them on every request; the statistics page,
the map data and the lägesbild read ``IncidentFigure`` rows that an import (or re-import, or a
deleted import) refreshes. These tests pin that the figures follow the data and that the
pages no longer touch the incident table once the figures are stored.
"""

from __future__ import annotations

import re

import numpy as np
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.mapping import figures, mapdata, stats
from samverkan.mapping.models import Import, Incident, IncidentFigure
from samverkan.mapping.services import import_file
from tests.mapping.helpers import write

HEAD = "Ärendenummer;Datum;Tid;Brott;Plats;X;Y\n"


def _rows(start: int, count: int, place: str, hour: int) -> str:
    return "".join(
        f"C{start + i};2025-03-{1 + i % 28:02d};{hour:02d}:15;Misshandel;{place};"
        f"{674000 + (i % 7) * 150};{6580000 + (i % 5) * 150}\n"
        for i in range(count)
    )


def _incident_sql(queries) -> list[str]:
    # The incident table itself, not mapping_incidentfigure.
    return [q["sql"] for q in queries if re.search(r'"mapping_incident"', q["sql"])]


def test_import_stores_the_figures_and_pages_then_read_only_them(
    world, tmp_path, django_capture_on_commit_callbacks
):
    party = world.ours.kommun
    n0 = Incident.objects.filter(party=party).count()
    with django_capture_on_commit_callbacks(execute=True):
        record, result = import_file(
            party, "incidents", write(tmp_path, "a.csv", HEAD + _rows(0, 40, "Torget", 21))
        )
    assert result.ok, result.errors
    names = set(IncidentFigure.objects.filter(party=party).values_list("name", flat=True))
    assert {"weekday_hour", "top_places", "hotspots", "map_data", "incident_count"} <= names
    with CaptureQueriesContext(connection) as queries:
        matrix = stats.weekday_hour(party)
        places = stats.top_places(party, 10)
        spots = stats.hotspots(party)
        trend = stats.category_trend(party)
        data = mapdata.map_data(party, mapdata.MapFilter())
    assert not _incident_sql(queries.captured_queries)
    assert matrix.sum() == n0 + 40 and matrix[5, 21] > 0  # 1 March 2025 was a Saturday
    assert places.places[0].place == "Torget" and places.total >= 40
    assert spots.points >= 40 and trend.years  # (this party's trend comes from statistics)
    assert data.incidents == n0 + 40 and data.located >= 40


def test_a_second_import_refreshes_every_figure(
    world, tmp_path, django_capture_on_commit_callbacks
):
    party = world.ours.kommun
    n0 = Incident.objects.filter(party=party).count()
    with django_capture_on_commit_callbacks(execute=True):
        import_file(party, "incidents", write(tmp_path, "a.csv", HEAD + _rows(0, 40, "Torget", 21)))
    total0 = stats.top_places(party, 10).total
    points0 = stats.hotspots(party).points
    with django_capture_on_commit_callbacks(execute=True):
        _record, result = import_file(
            party, "incidents", write(tmp_path, "b.csv", HEAD + _rows(100, 60, "Parken", 3))
        )
    assert result.rows_imported == 60
    places = stats.top_places(party, 10)
    assert places.total == total0 + 60 and places.places[0].place == "Parken"
    assert stats.weekday_hour(party).sum() == n0 + 100
    assert mapdata.map_data(party, mapdata.MapFilter()).incidents == n0 + 100
    assert stats.hotspots(party).points == points0 + 60


def test_the_same_file_again_changes_nothing_and_keeps_the_figures(
    world, tmp_path, django_capture_on_commit_callbacks
):
    party = world.ours.kommun
    path = write(tmp_path, "a.csv", HEAD + _rows(0, 40, "Torget", 21))
    with django_capture_on_commit_callbacks(execute=True):
        import_file(party, "incidents", path)
    before = dict(IncidentFigure.objects.filter(party=party).values_list("pk", "computed_at"))
    with django_capture_on_commit_callbacks(execute=True):
        import_file(party, "incidents", write(tmp_path, "again.csv", path.read_text()))
    after = dict(IncidentFigure.objects.filter(party=party).values_list("pk", "computed_at"))
    assert after == before


def test_a_deleted_import_refreshes_the_figures(
    world, tmp_path, django_capture_on_commit_callbacks
):
    party = world.ours.kommun
    n0 = Incident.objects.filter(party=party).count()
    with django_capture_on_commit_callbacks(execute=True):
        record, _result = import_file(
            party, "incidents", write(tmp_path, "a.csv", HEAD + _rows(0, 40, "Torget", 21))
        )
    stored = set(IncidentFigure.objects.filter(party=party).values_list("pk", flat=True))
    assert stored
    with django_capture_on_commit_callbacks(execute=True):
        Import.objects.get(pk=record.pk).delete()
    again = set(IncidentFigure.objects.filter(party=party).values_list("pk", flat=True))
    assert again and not again & stored  # forgotten and computed anew
    assert stats.weekday_hour(party).sum() == n0 + 40  # its incidents stay, without their import


def test_a_figure_asked_for_first_is_computed_once_and_kept(world, tmp_path):
    party = world.ours.kommun
    from tests.mapping.helpers import run

    run("incidents", party, write(tmp_path, "a.csv", HEAD + _rows(0, 40, "Torget", 21)))
    chosen = mapdata.MapFilter(year=2025)
    first = mapdata.map_data(party, chosen)
    with CaptureQueriesContext(connection) as queries:
        second = mapdata.map_data(party, chosen)
    assert second == first and len(queries.captured_queries) == 1


def test_values_survive_the_json_store_exactly():
    from samverkan.analysis.hotspots import HotspotSettings

    settings = HotspotSettings("Getis-Ord Gi*", "queen", None, 200.0, 12, True, "binary", 0,
                               0.05, "two-sided normal")  # fmt: skip
    value = (
        [{"year": 2025, "category": "Våld", "n": 3}],
        stats.Hotspots([stats.HotCell(1.5, 2.5, 3, float("nan"), 0.01, "Torget", 12.0)],
                       settings, 40),  # fmt: skip
        np.arange(6, dtype=float).reshape(2, 3),
        {(1, 2): "a", "b": None},
    )
    back = figures.decode(__import__("json").loads(__import__("json").dumps(figures.encode(value))))
    assert back[0] == value[0] and back[3] == value[3]
    assert back[1].settings == settings and back[1].cells[0].place == "Torget"
    assert np.isnan(back[1].cells[0].z)
    assert np.array_equal(back[2], value[2]) and back[2].dtype == value[2].dtype


def test_statistics_page_query_count_is_pinned(client, demo, django_assert_max_num_queries):
    kommun = demo.municipality_party()
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse("mapping:statistics", kwargs={"pk": demo.pk, "party_id": kommun.pk})
    assert client.get(url).status_code == 200  # the figures are stored by the first view
    with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not _incident_sql(queries.captured_queries)


def test_map_data_reads_only_stored_figures(client, demo):
    kommun = demo.municipality_party()
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse("mapping:map_data", kwargs={"pk": demo.pk, "party_id": kommun.pk})
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not _incident_sql(queries.captured_queries)
