"""Closing a cycle: a confirmation page that shows what changes, a refusal without the
steering group's answer (unless an administrator gives a reason), and an undo."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry
from samverkan.followup import services
from samverkan.followup.models import SteeringResponse
from samverkan.problems.models import Measure


@pytest.fixture
def ours(world):
    """Our partnership's effect goal: 110 → 88 (−20 %), last evaluated at 92 (world: 40 → 30)."""
    partnership = world.ours.partnership
    goal = partnership.goals.get(kind="effect")
    goal.baseline, goal.target, goal.baseline_period = Decimal(110), Decimal(88), "2025"
    goal.save()
    evaluation = goal.evaluations.get()
    evaluation.treated_after = 92
    evaluation.save()
    return world


def _url(world, name="followup:cycle_start"):
    return reverse(name, kwargs={"pk": world.ours.partnership.pk})


def _answer(partnership):
    return SteeringResponse.objects.create(
        partnership=partnership,
        cycle=partnership.current_cycle(),
        date=datetime.date(2026, 11, 20),
        response="Fortsätt.",
    )


def test_scaled_target_keeps_the_relative_change():
    assert services.scaled_target(Decimal(110), Decimal(88), Decimal(92)) == Decimal("73.60")
    assert services.scaled_target(None, Decimal(88), Decimal(92)) is None
    assert services.scaled_target(Decimal(0), Decimal(88), Decimal(92)) is None


def test_confirmation_page_shows_what_will_change(client, ours):
    client.force_login(ours.alice)
    page = client.get(_url(ours)).content.decode()
    assert "Avsluta omgång 1 och starta nästa" in page
    # Baseline old → new, the target kept and the target scaled.
    assert "110" in page and "92" in page and "88" in page and "73,6" in page
    assert "Styrgruppen har inte svarat på uppföljningen för omgång 1." in page
    assert "Steg 5 klart när" in page
    assert "Fler nattbussar" in page  # the measure that is not done yet
    assert "1 av dem har inte påbörjats" in page
    # Looking is not closing.
    assert ours.ours.partnership.cycles.count() == 1


def test_closing_is_refused_without_the_steering_groups_answer(client, ours):
    client.force_login(ours.alice)
    goal = ours.ours.partnership.goals.get(kind="effect")
    response = client.post(_url(ours), {f"goal_{goal.pk}": "new_baseline"})
    assert response.status_code == 400
    assert "Styrgruppen har inte svarat. Skriv varför" in response.content.decode()
    assert ours.ours.partnership.cycles.count() == 1
    goal.refresh_from_db()
    assert goal.baseline == 110


def test_the_service_refuses_too(ours):
    with pytest.raises(services.CycleRefused):
        services.start_next_cycle(ours.ours.partnership)


def test_administrator_overrides_with_a_reason_that_is_shown(client, ours):
    client.force_login(ours.alice)
    goal = ours.ours.partnership.goals.get(kind="effect")
    response = client.post(
        _url(ours),
        {f"goal_{goal.pk}": "scale_target", "override_reason": "Styrgruppen möts först i mars."},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.baseline, goal.target) == (Decimal(92), Decimal("73.60"))
    assert "omgång 1" in goal.baseline_period
    first = ours.ours.partnership.cycles.get(number=1)
    assert first.summary["override_reason"] == "Styrgruppen möts först i mars."
    page = client.get(_url(ours, "followup:cycles")).content.decode()
    assert "Avslutad utan styrgruppens svar." in page
    assert "Styrgruppen möts först i mars." in page


def test_closing_after_the_answer_keeps_the_target_when_asked(client, ours):
    partnership = ours.ours.partnership
    _answer(partnership)
    client.force_login(ours.alice)
    goal = partnership.goals.get(kind="effect")
    assert client.post(_url(ours), {f"goal_{goal.pk}": "new_baseline"}).status_code == 302
    goal.refresh_from_db()
    assert (goal.baseline, goal.target) == (Decimal(92), Decimal(88))
    assert partnership.cycles.count() == 2


def test_keep_all_leaves_the_goal_untouched(ours):
    partnership = ours.ours.partnership
    _answer(partnership)
    goal = partnership.goals.get(kind="effect")
    services.start_next_cycle(partnership, choices={goal.pk: "keep_all"})
    goal.refresh_from_db()
    assert (goal.baseline, goal.target, goal.baseline_period) == (110, 88, "2025")


def test_closing_can_be_undone_until_the_new_cycle_is_answered(client, ours):
    partnership = ours.ours.partnership
    _answer(partnership)
    goal = partnership.goals.get(kind="effect")
    services.start_next_cycle(partnership, choices={goal.pk: "scale_target"})
    client.force_login(ours.alice)
    page = client.get(_url(ours, "followup:cycles")).content.decode()
    assert "Ångra avslutningen av omgången" in page
    response = client.post(_url(ours, "followup:cycle_reopen"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.baseline, goal.target, goal.baseline_period) == (110, 88, "2025")
    first = partnership.cycles.get()
    assert first.number == 1 and first.ends_on is None and first.summary == {}
    # Closed again and answered for cycle 2: no more undo.
    services.start_next_cycle(partnership, choices={goal.pk: "new_baseline"})
    _answer(partnership)
    assert not services.may_reopen(partnership)
    with pytest.raises(services.CycleRefused):
        services.reopen_last_cycle(partnership)
    assert partnership.cycles.count() == 2


def test_only_an_administrator_may_close_or_reopen(client, ours):
    client.force_login(ours.bob)
    assert client.get(_url(ours)).status_code == 403
    assert client.post(_url(ours, "followup:cycle_reopen")).status_code == 403


def test_summary_keeps_no_confidential_title_and_stays_out_of_the_history(ours):
    partnership = ours.ours.partnership
    Measure.objects.filter(partnership=partnership).update(confidential=True)
    _answer(partnership)
    services.start_next_cycle(partnership)
    first = partnership.cycles.get(number=1)
    assert first.summary["measures"] == [{"number": 1, "confidential": True}]
    assert "Fler nattbussar" not in str(first.summary)
    entries = AuditEntry.objects.filter(model_label="partnerships.cycle")
    assert entries.exists()
    assert all("summary" not in e.changes for e in entries)
