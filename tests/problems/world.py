"""Step 3 objects for every test world (see tests/factories.py)."""

import datetime

from samverkan.problems.choices import GoalKind, ProblemStatus
from samverkan.problems.models import Cause, CitizenPromise, GlossaryTerm, Goal, Measure, Problem


def build(world) -> dict[str, int]:
    p = world.partnership
    problem = Problem.objects.create(
        partnership=p, title="Våld i centrum", status=ProblemStatus.PRIORITISED
    )
    cause = Cause.objects.create(
        partnership=p, problem=problem, number=1, text="Trängsel vid stängning"
    )
    goal = Goal.objects.create(
        partnership=p,
        problem=problem,
        kind=GoalKind.EFFECT,
        text="Färre våldsbrott",
        indicator="Anmälda våldsbrott",
    )
    measure = Measure.objects.create(
        partnership=p,
        problem=problem,
        number=1,
        title="Fler nattbussar",
        responsible_party=world.kommun,
        # A measure a citizen promise rests on, so one that may be named in public.
        publishable=True,
    )
    measure.causes.set([cause])
    term = GlossaryTerm.objects.create(
        partnership=p, term="Effektmål", definition="Vad som ska ändras"
    )
    promise = CitizenPromise.objects.create(
        partnership=p,
        wording="Fler nattbussar när krogarna stänger",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 6, 30),
        follow_up="På kommunens webbplats",
        feedback="kontakt@example.se",
    )
    promise.parties.set([world.kommun])
    return {
        "promise_id": promise.pk,
        "problem_id": problem.pk,
        "cause_id": cause.pk,
        "goal_id": goal.pk,
        "measure_id": measure.pk,
        "term_id": term.pk,
    }
