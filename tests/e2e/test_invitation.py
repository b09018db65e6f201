"""Invitations in chromium: an administrator invites, a new person creates the account through
the link, and an existing account accepts after logging in."""

from __future__ import annotations

import pytest

from samverkan.accounts.choices import Role
from samverkan.accounts.models import Membership
from tests.e2e.test_coordinator_flow import field, login
from tests.factories import join, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _invite(page, axe, partnership, username: str) -> str:
    page.goto(f"/samverkan/{partnership.pk}/medlemmar/")
    page.get_by_role("link", name="Bjud in medlem").click()
    axe(page)
    field(page, "Användarnamn").fill(username)
    field(page, "Roll").select_option("member")
    page.get_by_role("button", name="Spara").click()
    assert "Inbjudan är skapad" in page.content()
    axe(page)
    return page.get_by_label("Länk till inbjudan").input_value()


def test_new_person_creates_the_account_through_the_link(page, axe, browser, live_server):
    world = make_partnership()
    join(make_user("kim"), world.kommun, Role.ADMIN)
    login(page, axe, "kim")
    link = _invite(page, axe, world.partnership, "dana")

    stranger = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    stranger.goto(link)
    axe(stranger)
    field(stranger, "Användarnamn").fill("dana")
    field(stranger, "Lösenord").fill("ett-bra-losenord-42")
    field(stranger, "Lösenordsbekräftelse").fill("ett-bra-losenord-42")
    stranger.get_by_role("button", name="Skapa konto och tacka ja").click()
    stranger.wait_for_url(f"**/samverkan/{world.partnership.pk}/")
    assert "Välkommen!" in stranger.content()
    assert Membership.objects.get(user__username="dana").party == world.kommun
    stranger.context.close()


def test_existing_account_accepts_after_logging_in(page, axe):
    world = make_partnership()
    join(make_user("kim"), world.kommun, Role.ADMIN)
    make_user("olle")
    login(page, axe, "kim")
    _invite(page, axe, world.partnership, "olle")
    page.get_by_role("button", name="Logga ut Kim").click()

    login(page, axe, "olle")
    assert "Inbjudningar till dig" in page.content()
    axe(page)
    page.get_by_role("link", name="Svara på inbjudningar").click()
    axe(page)
    page.get_by_role("button", name="Tacka ja").click()
    page.wait_for_url(f"**/samverkan/{world.partnership.pk}/")
    assert Membership.objects.filter(user__username="olle", party=world.kommun).exists()
