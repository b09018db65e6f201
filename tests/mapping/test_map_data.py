"""The map's GeoJSON: hot-spot cells, places and boundary from a hand-built set of incidents."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from samverkan.analysis.hotspots import gi_star, grid_counts, wgs84_to_sweref99tm
from samverkan.mapping import mapdata
from samverkan.mapping.mapdata import MapFilter
from samverkan.mapping.models import Incident
from tests.mapping.map_data import CELL, HOT_COL, HOT_ROW, add_incidents, centre, points


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def data_url(world, **query):
    url = reverse(
        "mapping:map_data",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def layer(collection, name):
    return [f for f in collection["features"] if f["properties"]["layer"] == name]


def expected_cells(xy):
    """Gi* run directly by the analysis library on the same points: (x, y) -> (count, z, p)."""
    x, y = points(xy)
    grid = grid_counts(x, y, CELL)
    result = gi_star(grid, alpha=0.10)
    cx, cy = grid.centres()
    return {
        (round(float(cx[r, c])), round(float(cy[r, c]))): (
            int(grid.counts[r, c]),
            float(result.z[r, c]),
            float(result.p_value[r, c]),
        )
        for r in range(grid.n_rows)
        for c in range(grid.n_cols)
    }


def test_hot_cells_match_the_analysis_library_and_have_significance_classes(world):
    xy = add_incidents(world.ours.kommun)
    data = mapdata.map_data(world.ours.kommun, MapFilter())
    expected = expected_cells(xy)
    # + Parken's two and the world's own incident on Torget (tests/mapping/world.py), unlocated
    assert data.incidents == len(xy) + 3 and data.located == len(xy)
    assert data.cells, "the cluster on Torget must be a hot spot"
    for cell in data.cells:
        count, z, p = expected[(round(cell.x), round(cell.y))]
        assert (
            cell.count == count and cell.z == pytest.approx(z) and cell.p_value == pytest.approx(p)
        )
        assert z > 0 and p < 0.10
        assert cell.level == ("99" if p < 0.01 else "95" if p < 0.05 else "90")
    significant = [k for k, (_n, z, p) in expected.items() if z > 0 and p < 0.10]
    assert data.significant == len(significant) == len(data.cells)
    strongest = data.cells[0]
    assert (strongest.x, strongest.y) == centre(HOT_ROW, HOT_COL)
    assert strongest.count == 21 and strongest.level == "99"
    assert sum(data.level_counts.values()) == data.significant


def test_geojson_endpoint_gives_cells_places_and_extent_in_wgs84(client, world):
    xy = add_incidents(world.ours.kommun)
    client.force_login(world.carol)  # a reader of the party is enough
    response = client.get(data_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    collection = response.json()
    assert collection["type"] == "FeatureCollection"

    cells = layer(collection, "hotspot")
    expected = expected_cells(xy)
    assert len(cells) == sum(1 for _n, z, p in expected.values() if z > 0 and p < 0.10)
    for feature in cells:
        ring = np.array(feature["geometry"]["coordinates"][0])
        e, n = wgs84_to_sweref99tm(ring[:, 0], ring[:, 1])
        assert np.ptp(e) == pytest.approx(CELL, abs=0.5) and np.ptp(n) == pytest.approx(
            CELL, abs=0.5
        )
        count, z, p = expected[(round(float(np.mean(e[:4]))), round(float(np.mean(n[:4]))))]
        props = feature["properties"]
        assert props["count"] == count and props["z"] == round(z, 2) and props["p"] == round(p, 4)
        assert props["level"] in ("99", "95", "90")

    places = {f["properties"]["name"]: f for f in layer(collection, "place")}
    assert set(places) == {"Torget", "Stationen"}  # Parken has no coordinates
    # 20 located ones and the world's unlocated one; the marker stands at the located ones' mean
    assert places["Torget"]["properties"]["count"] == 21
    lon, lat = places["Torget"]["geometry"]["coordinates"]
    e, n = wgs84_to_sweref99tm(lon, lat)
    torget = np.array([p for p in xy[100:120]])
    assert float(e) == pytest.approx(torget[:, 0].mean(), abs=0.2)
    assert float(n) == pytest.approx(torget[:, 1].mean(), abs=0.2)

    (extent,) = layer(collection, "boundary")
    assert extent["properties"]["kind"] == "extent"
    ring = np.array(extent["geometry"]["coordinates"][0])
    e, n = wgs84_to_sweref99tm(ring[:, 0], ring[:, 1])
    x, y = points(xy)
    assert e.min() == pytest.approx(x.min() - 50, abs=0.5) and n.max() == pytest.approx(
        y.max() + 50, abs=0.5
    )
    west, south, east, north = collection["bbox"]
    assert (west, south, east, north) == pytest.approx(
        (ring[:, 0].min(), ring[:, 1].min(), ring[:, 0].max(), ring[:, 1].max())
    )
    assert collection["summary"]["boundary"] == "extent"
    settings = collection["hotspot_settings"]
    assert settings["cell_size_m"] == CELL and settings["weights"] == "queen"
    assert settings["grid"] == [10, 10] and settings["levels"] == {
        "99": 0.01,
        "95": 0.05,
        "90": 0.1,
    }


def test_not_significant_cells_are_not_sent(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.alice)
    cells = layer(client.get(data_url(world)).json(), "hotspot")
    assert len(cells) < 10  # of the 100 cells only the cluster and its neighbours
    assert all(f["properties"]["p"] < 0.10 and f["properties"]["z"] > 0 for f in cells)


def test_year_filter_uses_swedish_calendar_year(client, world):
    party = world.ours.kommun
    add_incidents(party, year=2024)
    # 23:30 UTC on New Year's Eve is already 2025 in Sweden.
    Incident.objects.create(
        party=party, key="ny", offence="Rån", category="Brott mot person", place="Torget",
        x=674_500.0, y=6_580_500.0,
        occurred_from=datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC),
    )  # fmt: skip
    client.force_login(world.alice)
    only_2025 = client.get(data_url(world, year=2025)).json()
    assert only_2025["summary"]["incidents"] == 1 and only_2025["summary"]["year"] == 2025
    assert [f["properties"]["count"] for f in layer(only_2025, "place")] == [1]
    assert client.get(data_url(world, year=2024)).json()["summary"]["incidents"] == 129


def test_category_filter_and_uncategorised(client, world):
    party = world.ours.kommun
    add_incidents(party)
    Incident.objects.create(
        party=party, key="u", offence="Okänt", category="", place="Gränden",
        occurred_from=timezone.now(),
    )  # fmt: skip
    client.force_login(world.alice)
    robbery = client.get(data_url(world, category="Brott mot person")).json()
    assert robbery["summary"]["incidents"] == 26
    assert {f["properties"]["name"] for f in layer(robbery, "place")} == {"Torget", "Stationen"}
    none = client.get(data_url(world, category="Okategoriserat")).json()
    assert none["summary"]["incidents"] == 1


def test_filters_are_validated_with_swedish_messages(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.alice)
    response = client.get(data_url(world, year=1999))
    assert response.status_code == 400
    assert "Året 1999 finns inte bland partens händelser" in response.json()["errors"]["year"][0]
    response = client.get(data_url(world, year="tjugo"))
    assert response.status_code == 400
    response = client.get(data_url(world, category="Påhittad"))
    assert response.status_code == 400
    assert "Brottskategorin Påhittad finns inte" in response.json()["errors"]["category"][0]


def test_too_few_located_incidents_give_a_note_not_an_error(client, world):
    Incident.objects.create(
        party=world.ours.kommun, key="a", offence="Rån", place="Torget", x=674_000.0,
        y=6_580_000.0, occurred_from=timezone.now(),
    )  # fmt: skip
    client.force_login(world.alice)
    collection = client.get(data_url(world)).json()
    assert layer(collection, "hotspot") == [] and collection["hotspot_settings"] is None
    assert "urvalet har 1 händelse med koordinater" in collection["summary"]["note"]
    assert collection["summary"]["hotspots_judged"] is False
    assert len(layer(collection, "place")) == 1


def test_database_grid_equals_grid_counts_for_scattered_points(world):
    """The GROUP BY grid in SQL must put every point in the cell analysis.grid_counts does."""
    rng = np.random.default_rng(7)
    x = 500_000 + rng.uniform(0, 3_000, 400) + 0.37
    y = 6_400_000 + rng.uniform(0, 2_000, 400) + 0.41
    x[:60] = 501_234.5 + rng.normal(0, 40, 60)
    y[:60] = 6_401_111.5 + rng.normal(0, 40, 60)
    when = timezone.now()
    Incident.objects.bulk_create(
        Incident(party=world.ours.kommun, key=str(i), offence="Stöld", x=float(a), y=float(b),
                 occurred_from=when)
        for i, (a, b) in enumerate(zip(x, y, strict=True))
    )  # fmt: skip
    data = mapdata.map_data(world.ours.kommun, MapFilter())
    grid = grid_counts(x, y, CELL)
    result = gi_star(grid, alpha=0.10)
    cx, cy = grid.centres()
    want = {
        (round(float(cx[r, c])), round(float(cy[r, c]))): (
            int(grid.counts[r, c]),
            float(result.z[r, c]),
        )
        for r, c in np.argwhere((result.z > 0) & (result.p_value < 0.10))
    }
    got = {(round(c.x), round(c.y)): (c.count, pytest.approx(c.z)) for c in data.cells}
    assert got == want and data.grid_shape == grid.counts.shape


def test_safety_walk_observations_with_a_point_are_a_layer_of_their_own(client, world):
    from samverkan.mapping.models import SafetyWalkObservation

    x, y = wgs84_to_sweref99tm(18.0686, 59.3293)
    SafetyWalkObservation.objects.create(
        party=world.ours.kommun, place="Torget", category="Belysning", x=float(x), y=float(y),
        observed_on=datetime.date(2025, 10, 2),
    )  # fmt: skip
    SafetyWalkObservation.objects.create(
        party=world.ours.kommun, place="Parken", category="Skymd sikt"
    )  # no point: listed in the register, not on the map
    SafetyWalkObservation.objects.create(
        party=world.ours.polis, place="Stationen", category="Nedskräpning", x=float(x), y=float(y)
    )  # the other party's, never on this map
    client.force_login(world.alice)
    collection = client.get(data_url(world)).json()
    [walk] = layer(collection, "walk")
    assert walk["properties"] == {
        "layer": "walk", "place": "Torget", "category": "Belysning", "date": "2025-10-02",
    }  # fmt: skip
    lon, lat = walk["geometry"]["coordinates"]
    assert abs(lon - 18.0686) < 1e-4 and abs(lat - 59.3293) < 1e-4
    assert collection["summary"]["walks"] == 1
