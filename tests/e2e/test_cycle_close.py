"""An administrator closes a round in the browser: sees what changes, is stopped until the
steering group has answered or a reason is given, and undoes the closing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from samverkan.accounts.choices import Role
from tests import factories
from tests.e2e.test_coordinator_flow import field, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_confirms_closing_with_a_reason_and_undoes_it(page, axe, shots):
    world = factories.make_partnership()
    partnership = world.partnership
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    goal = partnership.goals.get(kind="effect")
    goal.baseline, goal.target, goal.baseline_period = Decimal(110), Decimal(88), "2025"
    goal.save()
    goal.evaluations.update(treated_before=110, treated_after=92)

    login(page, axe, "anna")
    page.goto(f"/samverkan/{partnership.pk}/steg5/")
    # The effect follow-up leads with the verdict; the methods are folded away until asked for.
    verdict = page.locator(".verdict").first
    assert verdict.inner_text().startswith("Målet är inte nått: 92 (2026) mot målvärdet 88")
    assert not page.get_by_text("E-test för två Poissontal", exact=False).first.is_visible()
    shots(page, "followup-verdict")
    page.get_by_text("Hur det är beräknat").first.click()
    assert page.get_by_text("E-test för två Poissontal", exact=False).first.is_visible()
    axe(page)
    page.get_by_role("link", name="Avsluta omgången och starta nästa …").click()
    page.wait_for_url("**/omgangar/ny/")
    content = page.content()
    assert "Styrgruppen har inte svarat på uppföljningen för omgång 1." in content
    assert "73,6" in content and "110" in content
    axe(page)
    shots(page, "cycle-close")

    # No answer and no reason: refused, nothing changed.
    page.get_by_role("button", name="Avsluta ändå och starta nästa omgång").click()
    assert "Skriv varför omgången ändå ska avslutas" in page.content()
    assert partnership.cycles.count() == 1
    axe(page)

    page.get_by_label("Nytt utgångsvärde 92, målvärdet räknas om till 73,6", exact=False).check()
    field(page, "Varför omgången avslutas utan styrgruppens svar").fill("Styrgruppen möts i mars.")
    page.get_by_role("button", name="Avsluta ändå och starta nästa omgång").click()
    page.wait_for_url("**/omgangar/")
    assert "Omgång 1 är avslutad och omgång 2 är startad." in page.content()
    assert "Styrgruppen möts i mars." in page.content()
    goal.refresh_from_db()
    assert (goal.baseline, goal.target) == (92, Decimal("73.60"))
    axe(page)
    shots(page, "cycles-after-close")

    page.get_by_role("button", name="Ångra avslutningen av omgången").click()
    assert "Omgång 1 är öppen igen." in page.content()
    goal.refresh_from_db()
    assert (goal.baseline, goal.target, goal.baseline_period) == (110, 88, "2025")
    assert list(partnership.cycles.values_list("number", flat=True)) == [1]
