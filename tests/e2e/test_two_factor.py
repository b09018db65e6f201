"""Two-factor sign-in in chromium: a partnership that requires it sends a member to add an
app (QR code as inline SVG under the Content-Security-Policy), and the next sign-in asks for
the code."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from samverkan.accounts.choices import Role
from tests.e2e.test_coordinator_flow import field, login
from tests.factories import PASSWORD, join, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    raw = secret.replace(" ", "")
    key = b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key)
    totp.time = totp.time + steps_ahead * 30
    return f"{totp.token():06d}"


def test_member_enrols_when_the_partnership_requires_it_and_gives_the_code_next_time(page, axe):
    world = make_partnership()
    world.partnership.require_two_factor = True
    world.partnership.save()
    join(make_user("kim"), world.kommun, Role.MEMBER)
    login(page, axe, "kim")

    page.goto(f"/samverkan/{world.partnership.pk}/")
    page.wait_for_url("**/konto/tvastegsverifiering/?next=*")
    assert page.locator(".qr-code svg").is_visible()
    axe(page)
    secret = page.locator("code.secret").inner_text()
    field(page, "Kod från appen").fill(_code(secret))
    page.get_by_role("button", name="Slå på").click()
    assert "Spara dina reservkoder" in page.content()
    axe(page)
    page.get_by_role("link", name="Jag har sparat koderna – fortsätt").click()
    page.wait_for_url(f"**/samverkan/{world.partnership.pk}/")

    page.get_by_role("button", name="Logga ut Kim").click()
    page.goto("/konto/logga-in/")
    field(page, "Användarnamn").fill("kim")
    field(page, "Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/konto/tvastegsverifiering/kod/?next=*")
    axe(page)
    field(page, "Kod från appen eller en reservkod").fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/samverkan/")
    page.goto(f"/samverkan/{world.partnership.pk}/")
    assert page.url.endswith(f"/samverkan/{world.partnership.pk}/")
