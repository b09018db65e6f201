"""The incident map in chromium: drawn without a tile server, from this server alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from samverkan.accounts.choices import Role
from tests.e2e.test_coordinator_flow import field, login
from tests.factories import join, make_partnership, make_user
from tests.mapping.map_data import WGS84_RING, add_incidents, polygon_geojson

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_map(page) -> None:
    page.wait_for_selector("#incident-map[data-state=ready]")


def overlay_paths(page) -> int:
    return page.locator("#incident-map .leaflet-overlay-pane path").count()


def test_map_draws_boundary_hot_spots_and_places_from_this_server_only(
    page, axe, live_server, settings, tmp_path
):
    settings.MAP_TILE_URL = ""
    cache.clear()
    world = make_partnership()
    join(make_user("kim"), world.kommun, Role.ADMIN)
    add_incidents(world.kommun)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    login(page, axe, "kim")
    page.goto(f"/samverkan/{world.partnership.pk}/kartlaggning/parter/{world.kommun.pk}/")
    page.get_by_role("navigation", name="Kartläggningens delar").get_by_role(
        "link", name="Karta"
    ).click()
    wait_for_map(page)
    canvas = page.locator("#incident-map")
    assert canvas.get_attribute("data-boundary") == "extent"
    hotspots = int(canvas.get_attribute("data-hotspots"))
    assert hotspots >= 1
    assert overlay_paths(page) == 1 + hotspots  # the extent and every hot cell
    assert page.locator("#incident-map .leaflet-tile").count() == 0
    # Keyboard: the map and each place can take focus, and each has a name.
    assert canvas.get_attribute("tabindex") == "0"
    assert page.get_by_role("region", name="Karta över hot spots och platser, Testkommun").count()
    torget = page.get_by_role("button", name="Torget: 21 händelser")
    torget.focus()
    assert torget.evaluate("el => el === document.activeElement")
    assert page.get_by_role("button", name="Stationen: 6 händelser").count() == 1
    assert "Kartan visar" in page.locator("#map-status").inner_text()
    axe(page)

    # The layer switch takes the hot spots away and back.
    page.get_by_role("checkbox", name="Hot spots (Gi*)").uncheck()
    assert overlay_paths(page) == 1
    page.get_by_role("checkbox", name="Hot spots (Gi*)").check()
    assert overlay_paths(page) == 1 + hotspots

    # A boundary in WGS 84 replaces the extent, and the map fits itself to it.
    page.get_by_role("link", name="Ladda upp områdesgräns").click()
    axe(page)
    boundary_file = tmp_path / "sodermalm.geojson"
    boundary_file.write_bytes(polygon_geojson(WGS84_RING))
    field(page, "Områdets namn").fill("Innerstaden")
    field(page, "GeoJSON-fil med områdesgränsen").set_input_files(str(boundary_file))
    page.get_by_role("button", name="Ladda upp").click()
    assert "Områdesgränsen är sparad" in page.content()
    wait_for_map(page)
    assert canvas.get_attribute("data-boundary") == "uploaded"
    assert "Områdesgräns: Innerstaden" in page.content()
    frame = canvas.bounding_box()
    outline = page.locator("#incident-map .leaflet-overlay-pane path").first.bounding_box()
    assert outline["x"] >= frame["x"] - 1 and outline["y"] >= frame["y"] - 1
    assert outline["x"] + outline["width"] <= frame["x"] + frame["width"] + 1
    assert outline["y"] + outline["height"] <= frame["y"] + frame["height"] + 1
    # Fitted: the boundary fills the map in at least one direction.
    assert outline["width"] > 0.5 * frame["width"] or outline["height"] > 0.5 * frame["height"]
    axe(page)

    # Filtering on the server: robberies only, still drawn.
    field(page, "Brottskategori").select_option("Brott mot person")
    page.get_by_role("button", name="Visa").click()
    wait_for_map(page)
    assert page.get_by_role("button", name="Stationen: 6 händelser").count() == 1

    assert hosts == {urlsplit(live_server.url).netloc}, f"requests went to {hosts}"


def test_with_a_tile_url_the_map_shows_tiles_and_their_attribution(
    page, axe, live_server, settings
):
    # A "tile server" on the live server itself: any image will do, {z}/{x}/{y} in the query.
    settings.MAP_TILE_URL = (
        live_server.url + "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    )
    settings.MAP_TILE_ATTRIBUTION = "© Testplattor <script>"
    cache.clear()
    world = make_partnership()
    join(make_user("kim"), world.kommun, Role.MEMBER)
    add_incidents(world.kommun)
    login(page, axe, "kim")
    page.goto(f"/samverkan/{world.partnership.pk}/kartlaggning/parter/{world.kommun.pk}/karta/")
    wait_for_map(page)
    page.wait_for_selector("#incident-map img.leaflet-tile-loaded")
    assert page.locator("#incident-map img.leaflet-tile").count() > 0
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "© Testplattor <script>" in attribution  # shown as text, not run as markup
    assert "map-plain" not in (page.locator("#incident-map").get_attribute("class") or "")
    assert page.get_by_role("link", name="Ladda upp områdesgräns").count() == 0  # a reader
    axe(page)
