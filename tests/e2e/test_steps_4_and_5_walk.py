"""Steps 4 and 5 in the browser, by the coordinators of both parties and the steering group:
measures started and logged, the effect followed up from the goal's own figures, the steering
group's answer, and the round closed on a page that shows what changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from samverkan.accounts.choices import Role
from samverkan.problems.models import Measure
from tests import factories
from tests.e2e.helpers import (
    field,
    log_activity,
    login,
    logout,
    start_and_log,
    steering_group_answers,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_both_parties_carry_a_round_through_steps_4_and_5(page, axe, shots):
    world = factories.make_partnership()
    partnership = world.partnership
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    factories.join(
        factories.make_user("per", world.polis.organisation), world.polis, Role.COORDINATOR
    )
    factories.join(
        factories.make_user("sara", world.kommun.organisation), world.kommun, Role.STEERING
    )
    goal = partnership.goals.get(kind="effect")
    goal.baseline, goal.target, goal.baseline_period = Decimal(110), Decimal(88), "2025"
    goal.save()
    goal.evaluations.all().delete()  # step 5 starts with nothing followed up
    first = Measure.objects.get(partnership=partnership)
    police = Measure.objects.create(
        partnership=partnership,
        problem=first.problem,
        number=2,
        title="Riktade kontroller vid stängning",
        responsible_party=world.polis,
    )
    police.causes.set(first.causes.all())

    # Step 4, the police: the measure is started (its start date filled in) and logged.
    login(page, axe, "per")
    page.goto(f"/samverkan/{partnership.pk}/")
    nav = page.get_by_role("navigation", name="Samverkan")
    nav.get_by_role("link", name="Genomförande").click()
    page.get_by_role("link", name="Riktade kontroller vid stängning").click()
    start_and_log(page, "Kontroller vid tre krogar på fredagskvällen.")
    police.progress.refresh_from_db()
    assert police.progress.started_on is not None
    axe(page)
    shots(page, "walk-step4-police")
    logout(page, "Per")

    # Step 4 and 5, the municipality: log work, then follow up the effect from the goal.
    login(page, axe, "anna")
    page.goto(f"/samverkan/{partnership.pk}/steg4/")
    page.get_by_role("link", name="Fler nattbussar").click()
    log_activity(page, "Nattbussar varje fredag och lördag.")
    page.goto(f"/samverkan/{partnership.pk}/steg5/")
    page.get_by_role("link", name="Färre våldsbrott").click()
    assert field(page, "Indikator").input_value() == "Anmälda våldsbrott"
    assert field(page, "Period före").input_value() == "2025"
    assert field(page, "Insatsområdet före").input_value() == "110"
    field(page, "Period efter").fill("2026")
    field(page, "Insatsområde").fill("Centrum")
    field(page, "Insatsområdet efter").fill("92")
    axe(page)
    page.get_by_role("button", name="Spara").click()
    assert "Effektuppföljningen är sparad." in page.content()
    assert "Målet är inte nått: 92 (2026) mot målvärdet 88" in page.content()
    axe(page)
    shots(page, "walk-step5-followup")
    logout(page, "Anna")

    # The steering group answers.
    login(page, axe, "sara")
    page.goto(f"/samverkan/{partnership.pk}/steg5/")
    steering_group_answers(page, "2026-12-01", "Fortsätt, men förstärk kvällarna.")
    logout(page, "Sara")

    # The administrator closes the round after seeing what changes.
    login(page, axe, "anna")
    page.goto(f"/samverkan/{partnership.pk}/steg5/omgangar/ny/")
    content = page.content()
    assert "Styrgruppen har svarat på uppföljningen för omgång 1." in content
    assert "Steg 5 klart när (4 av 4)" in content
    shots(page, "walk-close-round")
    page.get_by_label("målvärdet räknas om till 73,6", exact=False).check()
    page.get_by_role("button", name="Avsluta omgången och starta nästa").click()
    assert "Omgång 1 är avslutad och omgång 2 är startad." in page.content()
    goal.refresh_from_db()
    assert (goal.baseline, goal.target) == (92, Decimal("73.60"))
    axe(page)
    shots(page, "walk-cycles")
