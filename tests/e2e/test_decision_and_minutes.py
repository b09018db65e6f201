"""A new coordinator's first decision and an early start on the minutes, in the browser."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samverkan.accounts.choices import Role
from samverkan.partnerships.models import Decision, Meeting
from tests import factories
from tests.e2e.test_coordinator_flow import field, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_decision_is_the_collaboration_and_early_minutes_are_kept(page, axe, shots, tmp_path):
    world = factories.make_partnership(complete=False)
    partnership = world.partnership
    Decision.objects.filter(partnership=partnership).delete()
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    login(page, axe, "anna")

    # The decision form starts on the decision to collaborate; nothing to change.
    page.goto(f"/samverkan/{partnership.pk}/beslut/nytt/")
    assert field(page, "Typ av beslut").input_value() == "collaborate"
    signed = tmp_path / "beslut.pdf"
    signed.write_bytes(b"%PDF-1.4 signed decision")
    field(page, "Rubrik").fill("Beslut om samverkan")
    field(page, "Beslutande organ").fill("Kommunstyrelsen")
    field(page, "Beslutstext").fill("Kommunen och polisen samverkar.")
    field(page, "Bifogad fil").set_input_files(str(signed))
    page.get_by_role("button", name="Spara").click()  # no date: refused
    assert "Du valde filen beslut.pdf. Välj den igen innan du sparar" in page.content()
    axe(page)
    shots(page, "decision-file-again")
    field(page, "Beslutsdatum").fill("2026-11-20")
    field(page, "Bifogad fil").set_input_files(str(signed))
    page.get_by_role("button", name="Spara").click()
    assert "Beslutet är registrerat." in page.content()
    assert Decision.objects.get(partnership=partnership).kind == "collaborate"

    # A meeting next week: the minutes page keeps a draft, starting from the agenda.
    meeting = Meeting.objects.create(
        partnership=partnership,
        group=world.steering,
        title="Nästa styrgruppsmöte",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        agenda="1. Läget i centrum",
    )
    page.goto(f"/samverkan/{partnership.pk}/moten/{meeting.pk}/")
    page.get_by_role("link", name="Skriv utkast till protokoll").click()
    text = field(page, "Utkast till protokoll")
    assert text.input_value() == "1. Läget i centrum"
    text.fill("1. Läget i centrum: färre rån sedan i somras.")
    axe(page)
    shots(page, "minutes-draft")
    page.get_by_role("button", name="Spara").click()
    assert "Protokoll kan föras först när mötet har ägt rum" in page.content()
    assert "färre rån sedan i somras" in page.content()
    meeting.refresh_from_db()
    assert meeting.minutes_draft.endswith("färre rån sedan i somras.") and meeting.minutes == ""
