"""The map page: who sees it, its filters, and the tables that carry it without JavaScript."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.mapping.map_data import add_incidents


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def url(name, world, query=""):
    return (
        reverse(
            f"mapping:{name}",
            kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
        )
        + query
    )


def config(page: str) -> dict:
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page)
    assert match, "the page hands its settings to map.js"
    return json.loads(match.group(1))


@pytest.mark.parametrize("user", ["alice", "carol", "steve"])
def test_members_of_the_party_see_the_map(client, world, user):
    add_incidents(world.ours.kommun)
    client.force_login(getattr(world, user))
    response = client.get(url("map", world))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="{url("map", world)}" aria-current="page">Karta</a>' in page
    assert 'id="incident-map"' in page and 'role="region"' in page
    assert 'aria-label="Karta över hot spots och platser, Testkommun"' in page
    assert "vendor/leaflet/leaflet.js" in page and "vendor/leaflet/leaflet.css" in page


@pytest.mark.parametrize("user", ["bob", "mallory"])
def test_other_party_and_outsider_get_404(client, world, user):
    add_incidents(world.ours.kommun)
    client.force_login(getattr(world, user))
    assert client.get(url("map", world)).status_code == 404
    assert client.get(url("map_data", world)).status_code == 404


def test_statistics_tab_links_to_the_map(client, world):
    client.force_login(world.alice)
    page = client.get(url("statistics", world)).content.decode()
    assert f'<a href="{url("map", world)}">Karta</a>' in page


def test_page_without_javascript_lists_hot_spots_places_and_settings(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.carol)
    page = client.get(url("map", world)).content.decode()
    hot = page[page.index('id="hot-heading"') : page.index('id="places-heading"')]
    # The strongest cell first: class, centre in SWEREF 99 TM, count.
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", hot, re.S).group(1)
    assert "99\u00a0%" in first_row and "675100" in first_row and "6581100" in first_row
    assert "<td>21</td>" in first_row
    places = page[page.index('id="places-heading"') : page.index('id="boundary-heading"')]
    assert '<th scope="row">Torget</th><td>21</td><td>ja</td>' in places
    assert '<th scope="row">Parken</th><td>2</td><td>nej, inga koordinater</td>' in places
    # The Gi* settings beside the map.
    assert "200 × 200 meter" in page and "10 × 10 rutor (100)" in page
    assert "rutan själv och de åtta rutorna runt den (queen)" in page
    assert "ingen korrektion för många tester" in page
    assert "126 händelser med koordinater av 129 i urvalet" in page
    assert page.count("Källa: partens importerade händelser, 2024.") == 3  # beside, under both
    assert "Kartan behöver JavaScript" in page  # the noscript note


def test_legend_says_when_the_extent_stands_in_for_the_boundary(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.alice)
    page = client.get(url("map", world)).content.decode()
    assert "Ingen områdesgräns är uppladdad. Den streckade rektangeln visar" in page
    assert "Ladda upp områdesgräns" in page
    assert "Hot spot 99 % (p &lt; 0,01)" in page


def test_filters_narrow_the_tables_and_the_data_address(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.alice)
    response = client.get(url("map", world, "?year=2024&category=Stöld"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="2024" selected>2024</option>' in page
    assert (
        '<th scope="row">Parken</th><td>2</td>' in page
        and "Torget" not in page.split('id="places-heading"')[1].split('id="boundary-heading"')[0]
    )
    assert config(page)["dataUrl"] == url("map_data", world, "?year=2024&category=St%C3%B6ld")
    assert "Källa: partens importerade händelser, 2024. Endast kategorin Stöld." in page


def test_unknown_filter_values_get_a_swedish_error_and_no_map(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.alice)
    response = client.get(url("map", world, "?year=1850&category=Spöken"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Urvalet kunde inte användas" in page
    assert "Året 1850 finns inte bland partens händelser" in page
    assert "Brottskategorin Spöken finns inte bland partens händelser" in page
    assert 'id="incident-map"' not in page


def test_without_tile_setting_the_map_asks_for_no_tiles(client, world):
    client.force_login(world.alice)
    page = client.get(url("map", world)).content.decode()
    assert config(page)["tileUrl"] == ""
    assert "map-plain" in page and "Ingen bakgrundskarta är inställd" in page


def test_tile_setting_reaches_the_map_with_escaped_attribution(client, world, settings):
    settings.MAP_TILE_URL = "https://tiles.example.se/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Exempel <b>kartor</b>"
    client.force_login(world.alice)
    page = client.get(url("map", world)).content.decode()
    cfg = config(page)
    assert cfg["tileUrl"] == "https://tiles.example.se/{z}/{x}/{y}.png"
    assert cfg["attribution"] == "© Exempel &lt;b&gt;kartor&lt;/b&gt;"
    assert "map-plain" not in page


def test_party_without_incidents_gets_a_calm_page(client, world):
    client.force_login(world.alice)
    world.ours.kommun.incidents.all().delete()
    page = client.get(url("map", world)).content.decode()
    assert "Ingen områdesgräns är uppladdad och inga händelser har koordinater." in page
    assert "Hot spots kan inte bedömas: urvalet har 0 händelser med koordinater" in page
    collection = client.get(url("map_data", world)).json()
    assert collection["features"] == [] and "bbox" not in collection


def test_english_reader_gets_the_map_in_english(client, world):
    add_incidents(world.ours.kommun)
    client.force_login(world.alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url("map", world)).content.decode()
    assert 'aria-label="Map of hot spots and places, Testkommun"' in page
    assert "Legend" in page and "How hot spots are computed" in page
    assert "Hot spot 99 % (p &lt; 0.01): 9 cells" in page
    assert config(page)["text"]["place"] == "%(name)s: %(count)s incidents"
