"""The effect follow-up leads with a verdict on the goal and does not contradict itself."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samverkan.followup import services
from samverkan.followup.forms import EvaluationForm


@pytest.fixture
def ev(world):
    goal = world.ours.partnership.goals.get(kind="effect")
    goal.baseline, goal.target, goal.baseline_period = Decimal(110), Decimal(88), "2025"
    goal.save()
    evaluation = goal.evaluations.get()
    evaluation.treated_before, evaluation.treated_after = 110, 92
    evaluation.save()
    return evaluation


def test_goal_not_met_is_said_first(ev):
    verdict = services.evaluate(ev).verdict
    assert verdict.kind == "not_met"
    assert verdict.sentence == "Målet är inte nått: 92 (2026) mot målvärdet 88 (utgångsvärde 110)."
    assert "kan bero på slumpen" in verdict.certainty


def test_goal_met_with_a_clear_change(ev):
    ev.treated_after = 60
    verdict = services.evaluate(ev).verdict
    assert verdict.kind == "met" and verdict.sentence.startswith("Målet är nått: 60")
    assert "större än vad slumpen brukar ge" in verdict.certainty


def test_cannot_be_told_without_a_target_or_before_the_deadline(ev):
    goal = ev.goal
    goal.deadline = datetime.date.today() + datetime.timedelta(days=200)
    assert services.evaluate(ev).verdict.sentence.startswith("Det går inte att säga än")
    goal.target = None
    verdict = services.evaluate(ev).verdict
    assert verdict.kind == "unknown" and "inget målvärde" in verdict.sentence


def test_an_increase_goal_is_met_when_the_result_reaches_up_to_the_target(ev):
    ev.goal.baseline, ev.goal.target = Decimal(20), Decimal(30)
    ev.treated_before, ev.treated_after = 20, 31
    assert services.evaluate(ev).verdict.kind == "met"


def test_displacement_examined_is_not_called_unexamined(ev):
    ev.control_area, ev.control_before, ev.control_after = "Väster", 100, 120
    ev.buffer_area, ev.buffer_before, ev.buffer_after = "Runt torget", 30, 31
    text = " ".join(s for f in services.evaluate(ev).findings for s in f.reading)
    assert "Vi har inte undersökt om brotten flyttat" not in text
    # 30 → 31 is not "better" in itself, only against the control area's rise.
    assert "fick det bättre" not in text
    assert "utvecklades bättre än kontrollområdet (omgivande området 30 → 31" in text


def test_survey_shares_keep_their_decimals(ev):
    ev.survey_question = "Känner dig trygg"
    ev.survey_before, ev.survey_before_n = 28.0, 400
    ev.survey_after, ev.survey_after_n = 23.5, 400
    survey = services.evaluate(ev).findings[-1]
    assert dict(survey.figures)["Efter"] == "23,5\u00a0%"
    assert "till 23,5\u00a0% (n = 400)" in survey.reading[0]


def test_page_leads_with_the_verdict_and_folds_the_methods(client, world, ev):
    client.force_login(world.carol)
    page = client.get(
        reverse("followup:home", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()
    verdict = page.index("Målet är inte nått: 92")
    assert verdict < page.index("<details>") < page.index("E-test för två Poissontal")


def test_new_evaluation_starts_from_the_goal(world):
    partnership = world.ours.partnership
    goal = partnership.goals.get(kind="effect")
    goal.baseline, goal.baseline_period = Decimal(110), "2025"
    goal.save()
    form = EvaluationForm(partnership=partnership, goal_id=str(goal.pk))
    assert form["goal"].value() == goal.pk
    assert form["indicator"].value() == "Anmälda våldsbrott"
    assert form["period_before"].value() == "2025"
    assert form["treated_before"].value() == 110
    # A bad goal id falls back to the partnership's own goals.
    assert EvaluationForm(partnership=partnership, goal_id="x")["goal"].value() == goal.pk
