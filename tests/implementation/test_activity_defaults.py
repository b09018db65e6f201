"""The activity form starts from a measure's only production goal."""

import datetime

from samverkan.implementation.forms import ActivityForm
from samverkan.problems.models import Goal, Measure


def _production_goal(world, text="Kvällsvandringar"):
    measure = Measure.objects.get(partnership=world.ours.partnership)
    goal = Goal.objects.create(
        partnership=world.ours.partnership,
        problem=measure.problem,
        kind="production",
        text=text,
        unit="vandringar",
    )
    measure.goals.add(goal)
    return measure, goal


def test_only_production_goal_is_preselected(world):
    measure, goal = _production_goal(world)
    assert ActivityForm(measure=measure)["production_goal"].value() == goal.pk


def test_preselected_goal_without_a_count_counts_nothing(world):
    measure, goal = _production_goal(world)
    form = ActivityForm(
        {"date": datetime.date(2026, 11, 3), "what": "Möte", "production_goal": goal.pk},
        measure=measure,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["production_goal"] is None


def test_two_production_goals_are_not_guessed(world):
    measure, _goal = _production_goal(world)
    _production_goal(world, "Affischer")
    assert ActivityForm(measure=measure)["production_goal"].value() is None
