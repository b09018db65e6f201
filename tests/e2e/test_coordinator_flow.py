"""A coordinator sets up a partnership in the browser and watches step 1's checklist turn green."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samverkan.partnerships.models import Decision, Partnership
from tests.e2e.helpers import field, go_to, login
from tests.factories import make_user

__all__ = ["field", "login"]  # other tests import these from here

pytestmark = pytest.mark.django_db(transaction=True)


def checklist_count(page) -> str:
    return page.locator("#step-1 + p + h3").inner_text()


def test_coordinator_builds_step_1_and_checklist_turns_green(page, axe, tmp_path):
    from samverkan.partnerships.services import create_permission

    make_user("anna").user_permissions.add(create_permission())
    login(page, axe, "anna")
    axe(page)

    # Start the partnership; the municipality and the police become signing parties.
    page.get_by_role("link", name="Ny samverkan").click()
    axe(page)
    field(page, "Namn").fill("Tryggare centrum")
    field(page, "Kommun").fill("Storby kommun")
    field(page, "Lokalpolisområde").fill("Lokalpolisområde Storby")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/samverkan/*/")
    assert "Klart när (2 av 7)" in page.content()
    axe(page)
    partnership = Partnership.objects.get(name="Tryggare centrum")

    # A participant that does not sign.
    go_to(page, "Parter")
    axe(page)
    page.get_by_role("link", name="Lägg till part").click()
    field(page, "Organisation").fill("Svenska kyrkan")
    field(page, "Typ av organisation").select_option("other")
    page.get_by_role("button", name="Spara").click()
    assert "Parten är tillagd." in page.content()

    # One coordinator per signing party.
    for org, name in (("Storby kommun", "Anna Ek"), ("Lokalpolisområde Storby", "Per Ås")):
        page.get_by_role("link", name=f"Samordnare för {org}").click()
        axe(page)
        field(page, "Namn").fill(name)
        field(page, "E-post").fill("inte-en-adress")
        page.get_by_role("button", name="Spara").click()
        # Bad input: a Swedish message next to the field, nothing saved.
        assert page.locator("#id_email_error").inner_text() == "Fyll i en giltig e-postadress."
        axe(page)
        field(page, "E-post").fill("samordnare@example.se")
        page.get_by_role("button", name="Spara").click()
        assert "Samordnaren är sparad." in page.content()

    # Steering group with a member from each signing party, and a preparation group.
    go_to(page, "Grupper")
    page.get_by_role("link", name="Ny grupp").click()
    field(page, "Typ av grupp").select_option("steering")
    field(page, "Namn").fill("Styrgruppen")
    page.get_by_role("button", name="Spara").click()
    axe(page)
    for party, person in (
        ("Storby kommun", "Kommunstyrelsens ordförande"),
        ("Lokalpolisområde Storby", "Lokalpolisområdeschef"),
    ):
        field(page, "Part").select_option(label=party)
        field(page, "Namn").fill(person)
        page.get_by_role("button", name="Lägg till").click()
        assert "Ledamoten är tillagd." in page.content()
    go_to(page, "Grupper")
    page.get_by_role("link", name="Ny grupp").click()
    field(page, "Typ av grupp").select_option("preparation")
    field(page, "Namn").fill("Brottsförebyggande rådet")
    page.get_by_role("button", name="Spara").click()

    # The decision to collaborate, with the signed minutes attached.
    signed = tmp_path / "beslut.pdf"
    signed.write_bytes(b"%PDF-1.4 signed decision")
    go_to(page, "Beslut")
    page.get_by_role("link", name="Nytt beslut").click()
    axe(page)
    field(page, "Typ av beslut").select_option("collaborate")
    field(page, "Rubrik").fill("Beslut om samverkan")
    field(page, "Beslutande organ").fill("Kommunstyrelsen")
    field(page, "Beslutsdatum").fill("2026-11-20")
    field(page, "Beslutstext").fill("Kommunen och polisen samverkar i fem steg.")
    field(page, "Bifogad fil").set_input_files(str(signed))
    page.get_by_role("button", name="Spara").click()
    assert "Beslutet är registrerat." in page.content()
    axe(page)
    assert Decision.objects.get(partnership=partnership).attachment.read() == signed.read_bytes()

    # The first meeting, held yesterday, with minutes.
    go_to(page, "Möten")
    page.get_by_role("link", name="Nytt möte").click()
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    field(page, "Grupp").select_option(label="Styrgruppen")
    field(page, "Rubrik").fill("Första mötet")
    field(page, "Tid").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Spara").click()
    axe(page)
    page.get_by_role("link", name="Skriv protokoll").click()
    field(page, "Protokoll").fill("Vi är överens om att samverka.")
    page.get_by_role("checkbox", name="Kommunstyrelsens ordförande").check()
    page.get_by_role("button", name="Spara").click()
    assert "Protokollet är sparat." in page.content()

    # The dashboard: step 1 is done, step 2 is next.
    go_to(page, "Översikt")
    assert "Klart när (7 av 7)" in page.content()
    assert "Nu: steg 2, Egna förberedelser" in page.content()
    axe(page)

    # History and calendar pages are accessible too.
    go_to(page, "Historik")
    assert "Beslut om samverkan" in page.content()
    axe(page)
    go_to(page, "Milstolpar och budgetprocess")
    page.get_by_role("button", name="Lägg in datum").click()
    assert "datum från budgetprocessen lades till" in page.content()
    axe(page)
    go_to(page, "Medlemmar")
    axe(page)


def test_reader_sees_no_edit_buttons_and_is_refused_on_edit_page(page, axe):
    from samverkan.accounts.choices import Role
    from tests.factories import join, make_partnership

    world = make_partnership()
    reader = make_user("rita")
    join(reader, world.kommun, Role.MEMBER)
    login(page, axe, "rita")
    page.goto(f"/samverkan/{world.partnership.pk}/beslut/")
    assert page.get_by_role("link", name="Nytt beslut").count() == 0
    response = page.goto(f"/samverkan/{world.partnership.pk}/beslut/nytt/")
    assert response.status == 403
    assert "Ingen behörighet" in page.content()
    axe(page)


def test_outsider_gets_not_found_page(page, axe):
    from tests.factories import make_partnership

    world = make_partnership()
    make_user("olle")
    login(page, axe, "olle")
    response = page.goto(f"/samverkan/{world.partnership.pk}/")
    assert response.status == 404
    assert "Sidan finns inte" in page.content()
    axe(page)
