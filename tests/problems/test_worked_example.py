"""Acceptance: the handbook's worked example loads with its chain intact (issue 4)."""

from samverkan.accounts.models import User
from samverkan.problems import services
from samverkan.problems.models import Cause, Goal, Measure
from samverkan.process import checklists


def test_worked_example_has_ten_causes_nine_measures_and_the_handbooks_links(demo):
    p = demo
    assert Cause.objects.filter(partnership=p).count() == 10
    assert Measure.objects.filter(partnership=p).count() == 9
    links = {m.number: m.causes_answered() for m in Measure.objects.filter(partnership=p)}
    assert links == {
        1: [1, 2, 3],
        2: [4],
        3: [6],
        4: [5],
        5: [8],
        6: [7, 9],
        7: [5, 7],
        8: [7, 9],
        9: [10],
    }
    # Texts with commas survive whole (the project's copy of the scenario quotes them).
    assert Measure.objects.get(partnership=p, number=3).title == (
        "Arbetsgrupp (polis, kommun, Länstrafiken, taxi) mot svarttaxi"
    )
    assert Goal.objects.filter(partnership=p, kind="effect").count() == 1
    assert Goal.objects.filter(partnership=p, kind="sub").count() == 6
    assert Goal.objects.filter(partnership=p, kind__in=["process", "production"]).count() == 5


def test_cause_10_and_measure_9_are_confidential_to_the_police(demo):
    p = demo
    police, municipal = (
        User.objects.get(username="demo.polis"),
        User.objects.get(username="demo.kommun"),
    )
    assert Cause.objects.get(partnership=p, number=10).confidential
    assert Measure.objects.get(partnership=p, number=9).confidential
    assert Cause.objects.visible_to(police).filter(partnership=p).count() == 10
    assert Cause.objects.visible_to(municipal).filter(partnership=p).count() == 9
    assert not Measure.objects.visible_to(municipal).filter(partnership=p, number=9).exists()


def test_traceability_finds_only_what_the_example_truly_lacks(demo):
    """The handbook's example names every cause link, but gives sub-goals and process goals no
    indicators, no baselines (the transcript lost the base figures) and no follow-up plans."""
    p = demo
    trace = services.traceability(p, User.objects.get(username="demo.polis"))
    found = {issue.code: len(issue.objects) for issue in trace.issues}
    assert found == {
        "goal_without_indicator": 9,  # six sub-goals, three process goals
        "goal_without_baseline": 7,  # the overall effect goal and the six sub-goals
        "goal_without_followup": 11,  # every goal but the overall effect goal
    }


def test_step_3_checklist_of_the_example_misses_only_plans_and_signed_copy(demo):
    """The example has no follow-up plan per goal, and no signed copy has been uploaded."""
    p = demo
    open_items = [str(i.label) for i in checklists.checklist_for(p, 3).items if not i.done]
    assert open_items == [
        "Uppföljningen är planerad för varje mål",
        "Samverkansöverenskommelsen är undertecknad och uppladdad",
    ]
