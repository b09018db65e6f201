"""Hot spots are judged only on enough incidents, and each hot cell is told in words."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from samverkan.mapping import stats
from samverkan.mapping.models import Incident

WHEN = timezone.make_aware(datetime.datetime(2024, 5, 3, 22, 0))


def _incidents(party, points):
    for i, (x, y, place) in enumerate(points):
        Incident.objects.create(
            party=party, key=f"k{i}", offence="Rån", occurred_from=WHEN, x=x, y=y, place=place
        )


def test_six_incidents_cannot_be_judged(world):
    party = world.ours.kommun
    _incidents(party, [(674_050 + i, 6_580_050, "Torget") for i in range(6)])
    result = stats.hotspots(party)
    assert result.cells == [] and result.settings is None
    assert "Med 6 händelser med koordinater går det inte att bedöma hot spots" in result.note


def test_hot_cells_name_the_nearest_place_and_explain_empty_ones(client, world):
    party = world.ours.kommun
    points = [(674_050 + i % 3, 6_580_050, "Busstorget") for i in range(40)]
    points += [(672_000 + (i % 6) * 800, 6_578_000 + (i // 6) * 800, "") for i in range(30)]
    _incidents(party, points)
    hot = stats.hotspots(party).cells
    assert hot[0].count == 40 and hot[0].place == "Busstorget" and hot[0].place_metres < 100
    empty = [c for c in hot if c.count == 0]
    assert empty and all(c.hot_by_neighbours for c in empty)
    assert hot.index(empty[0]) > 0  # cells with incidents of their own come first
    client.force_login(world.alice)
    page = client.get(
        reverse(
            "mapping:statistics", kwargs={"pk": world.ours.partnership.pk, "party_id": party.pk}
        )
    ).content.decode()
    assert "Busstorget (ca" in page
    assert "Grannar (queen)" in page and "z-värde" in page
    assert "rutan räknas som het för att grannrutorna har många" in page


def test_top_places_share_is_told_in_percent(client, world):
    party = world.ours.kommun
    _incidents(party, [(674_050, 6_580_050, f"Plats {i}") for i in range(14)])
    client.force_login(world.alice)
    page = client.get(
        reverse(
            "mapping:statistics", kwargs={"pk": world.ours.partnership.pk, "party_id": party.pk}
        )
    ).content.decode()
    sentence = re.search(
        r"De 10 mest utsatta platserna har (\d+)\u00a0% av alla (\d+) händelser", page
    )
    assert sentence is not None
    total = int(sentence.group(2))
    assert total >= 14 and int(sentence.group(1)) == round(100 * 10 / total)


def test_map_and_its_data_say_hot_spots_cannot_be_judged_below_the_minimum(client, world):
    from django.core.cache import cache

    cache.clear()
    party = world.ours.kommun
    # Six incidents in one cell beside a scatter: enough for Gi* to flag cells by chance.
    _incidents(party, [(674_050 + i, 6_580_050, "Torget") for i in range(6)])
    _incidents_offset = [(672_000 + i * 400, 6_578_000, "") for i in range(10)]
    for i, (x, y, place) in enumerate(_incidents_offset):
        Incident.objects.create(
            party=party, key=f"s{i}", offence="Rån", occurred_from=WHEN, x=x, y=y, place=place
        )
    client.force_login(world.alice)
    kwargs = {"pk": world.ours.partnership.pk, "party_id": party.pk}
    data = client.get(reverse("mapping:map_data", kwargs=kwargs)).json()
    assert [f for f in data["features"] if f["properties"]["layer"] == "hotspot"] == []
    assert data["summary"]["hotspots_judged"] is False
    assert data["summary"]["significant"] == 0
    assert "Hot spots kan inte bedömas" in data["summary"]["note"]
    assert f"minst {stats.HOTSPOT_MIN_EVENTS}" in data["summary"]["note"]
    page = client.get(reverse("mapping:map", kwargs=kwargs)).content.decode()
    assert "Hot spots kan inte bedömas: urvalet har 16 händelser med koordinater" in page
    assert "z-värde" not in page
    cache.clear()


def test_map_judges_hot_spots_from_the_minimum_on(world):
    from django.core.cache import cache

    from samverkan.mapping import mapdata

    cache.clear()
    party = world.ours.kommun
    points = [(674_050 + i % 3, 6_580_050, "Busstorget") for i in range(20)]
    points += [(672_000 + (i % 5) * 800, 6_578_000 + (i // 5) * 800, "") for i in range(10)]
    _incidents(party, points)
    data = mapdata.map_data(party, mapdata.MapFilter())
    assert data.located == stats.HOTSPOT_MIN_EVENTS and not data.too_few
    assert data.settings is not None and data.cells
    cache.clear()
