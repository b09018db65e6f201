"""The API's pages in a browser: a personal token created and revoked, the docs page read,
both checked with axe, at desktop and phone width; the token then works against the API."""

from __future__ import annotations

import pytest

from samverkan.api.models import ApiToken
from tests.e2e.test_coordinator_flow import field, login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_creates_uses_and_revokes_a_token(page, axe, live_server):
    make_user("tove")
    login(page, axe, "tove")
    page.get_by_role("link", name="API-nycklar").click()
    axe(page)
    field(page, "Vad nyckeln ska användas till").fill("GIS-systemet")
    page.get_by_role("button", name="Skapa nyckel").click()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("sv_")
    axe(page)
    answer = page.request.get(
        f"{live_server.url}/api/v1/partnerships", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200 and answer.json() == []
    page.reload()
    assert secret not in page.content()  # shown once
    page.get_by_role("button", name="Återkalla").click()
    page.wait_for_load_state()
    assert ApiToken.objects.get(name="GIS-systemet").revoked_at is not None
    answer = page.request.get(
        f"{live_server.url}/api/v1/partnerships", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 401

    page.get_by_role("link", name="Så används API:t").click()
    page.wait_for_url("**/api/v1/docs/")
    axe(page)
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the docs page is {width} px wide on a phone"
