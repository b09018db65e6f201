"""A safety walk's point, picked in the browser: from the phone's position or a tap on the map
(the field report's picker), instead of typing SWEREF 99 TM coordinates (issue 22)."""

from __future__ import annotations

import pytest

from samverkan.accounts.choices import Role
from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.mapping.models import SafetyWalkObservation
from tests import factories
from tests.e2e.test_coordinator_flow import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_point_from_the_position_and_from_the_map(page, axe, shots):
    world = factories.make_partnership()
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    login(page, axe, "anna")
    url = f"/samverkan/{world.partnership.pk}/kartlaggning/parter/{world.kommun.pk}"
    page.goto(f"{url}/trygghetsvandringar/ny/")
    axe(page)

    # "Använd min position": the phone's position becomes the point.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 55.605868, "longitude": 13.000355})
    page.get_by_text("… eller skriv koordinater (SWEREF 99 TM)").click()
    page.get_by_label("östlig koordinat (SWEREF 99 TM)").fill("1")
    page.get_by_role("button", name="Använd min position").click()
    page.wait_for_function("document.querySelector('[name=latitude]').value !== ''")
    assert page.input_value("[name=latitude]") == "55.605868"
    assert page.input_value("[name=x]") == ""  # the typed coordinate gives way to the point
    assert "Vald punkt: 55.605868, 13.000355" in page.inner_text("#fw-point-status")

    # A tap on the map moves it (the map opens at the point); the map is the vendored Leaflet.
    page.get_by_text("… eller välj en punkt på kartan").click()
    page.locator("#fw-pick-map").click(position={"x": 120, "y": 90})
    page.wait_for_function("document.querySelector('[name=latitude]').value !== '55.605868'")
    lat = float(page.input_value("[name=latitude]"))
    lon = float(page.input_value("[name=longitude]"))
    assert abs(lat - 55.605868) < 0.01 and abs(lon - 13.000355) < 0.01  # moved a little
    shots(page, "safety-walk-point")
    page.get_by_label("Plats").fill("Tunneln under stationen")
    page.get_by_label("Kategori").fill("Belysning")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"**{url}/trygghetsvandringar/")
    walk = SafetyWalkObservation.objects.get(place="Tunneln under stationen")
    east, north = wgs84_to_sweref99tm(lon, lat)
    assert walk.x == pytest.approx(float(east), abs=0.2)
    assert walk.y == pytest.approx(float(north), abs=0.2)
