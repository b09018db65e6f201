"""A safety walk's observation gets its point from the map or the phone's position, with the
field report's picker, or typed as SWEREF 99 TM (issue 22)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.mapping.models import SafetyWalkObservation


def _url(kept_world, name, **kw):
    return reverse(
        f"mapping:{name}",
        kwargs={"pk": kept_world.ours.partnership.pk, "party_id": kept_world.ours.kommun.pk, **kw},
    )


FORM = {"observed_on": "2026-11-30", "place": "Gångtunneln vid stationen", "category": "Belysning"}


def _new(kept_world):
    return SafetyWalkObservation.objects.filter(party=kept_world.ours.kommun, place=FORM["place"])


def test_the_form_offers_position_and_map_from_vendored_files(client, kept_world):
    client.force_login(kept_world.alice)
    page = client.get(_url(kept_world, "walks_create")).content.decode()
    for part in ("data-point-picker", 'id="fw-locate"', 'id="fw-pick-map"', "Använd min position",
                 "/static/vendor/leaflet/leaflet.js", "/static/js/fieldwork.js",
                 'name="latitude"', 'name="longitude"', "data-typed-point"):  # fmt: skip
        assert part in page, part
    assert not re.search(r"<script[^>]+src=\"https?://", page)  # nothing from a CDN
    form_fields = ("observed_on", "place", "category", "note", "x", "y", "photo", "reported_by")
    for name in form_fields:
        assert f'name="{name}"' in page, name


def test_a_point_picked_on_the_map_is_stored_as_sweref(client, kept_world):
    client.force_login(kept_world.alice)
    response = client.post(
        _url(kept_world, "walks_create"),
        {**FORM, "latitude": "55.605868", "longitude": "13.000355"},
    )
    assert response.status_code == 302
    walk = _new(kept_world).get()
    east, north = wgs84_to_sweref99tm(13.000355, 55.605868)
    assert walk.x == pytest.approx(float(east), abs=0.1)
    assert walk.y == pytest.approx(float(north), abs=0.1)


def test_typed_coordinates_win_over_a_stale_picked_point(client, kept_world):
    client.force_login(kept_world.alice)
    typed = {"x": "374000", "y": "6163000", "latitude": "59.3", "longitude": "18.0"}
    assert client.post(_url(kept_world, "walks_create"), {**FORM, **typed}).status_code == 302
    walk = _new(kept_world).get()
    assert (walk.x, walk.y) == (374000.0, 6163000.0)


@pytest.mark.parametrize(
    "point,message",
    [
        ({"latitude": "48.85", "longitude": "2.35"}, "Punkten på kartan ligger utanför Sverige"),
        ({"latitude": "59.3"}, "Punkten på kartan saknar en koordinat"),
        ({"latitude": "nan", "longitude": "18.0"}, "Punkten på kartan kunde inte läsas"),
    ],
)
def test_a_bad_point_is_refused_in_swedish(client, kept_world, point, message):
    client.force_login(kept_world.alice)
    response = client.post(_url(kept_world, "walks_create"), {**FORM, **point})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not _new(kept_world).exists()


def test_editing_shows_the_current_point_on_the_map(client, kept_world):
    east, north = wgs84_to_sweref99tm(13.0, 55.6)
    walk = SafetyWalkObservation.objects.create(
        party=kept_world.ours.kommun,
        place="Parken",
        category="Skymd sikt",
        x=float(east),
        y=float(north),
    )
    client.force_login(kept_world.alice)
    page = client.get(_url(kept_world, "walks_edit", walk_id=walk.pk)).content.decode()
    places = json.loads(re.search(r'id="fw-places"[^>]*>(.*?)</script>', page, re.S)[1])
    assert places[0]["name"] == "Nuvarande punkt: Parken"
    assert places[0]["lat"] == pytest.approx(55.6, abs=1e-5)
    assert places[0]["lon"] == pytest.approx(13.0, abs=1e-5)
    # Saving without touching the point keeps it.
    form = {"observed_on": "2026-11-30", "place": "Parken", "category": "Skymd sikt",
            "x": str(walk.x).replace(".", ","), "y": str(walk.y).replace(".", ","),
            "version": walk.version}  # fmt: skip
    assert client.post(_url(kept_world, "walks_edit", walk_id=walk.pk), form).status_code == 302
    walk.refresh_from_db()
    assert walk.x == pytest.approx(float(east), abs=0.1)


def test_a_reader_cannot_add_an_observation(client, kept_world):
    client.force_login(kept_world.steve)
    response = client.post(
        _url(kept_world, "walks_create"), {**FORM, "latitude": "55.6", "longitude": "13"}
    )
    assert response.status_code == 403
    assert not _new(kept_world).exists()
