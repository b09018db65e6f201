"""Step 5's "klart när" checklist, computed from the data (handbook p. 98)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from samverkan.followup.models import EffectEvaluation, SteeringResponse
from samverkan.partnerships.models import Partnership
from samverkan.problems.choices import GoalKind
from samverkan.process.checklists import Checklist, ChecklistItem, register, shared_goals


@register(5)
def step5(partnership: Partnership) -> Checklist:
    from django.db.models import Count, Q

    # Few queries whatever the partnership holds (issue 23): both counts in one, the goals
    # and the steering group's answers as values.
    counts = partnership.measures.aggregate(
        measures=Count("pk", distinct=True),
        reported=Count("progress", filter=~Q(progress__status="planned")),
    )
    measures, reported = counts["measures"], counts["reported"]
    effect_goals = [g.pk for g in shared_goals(partnership) if g.kind == GoalKind.EFFECT]
    evaluated = set(
        EffectEvaluation.objects.filter(partnership=partnership).values_list("goal_id", flat=True)
    )
    cycle = partnership.current_cycle()
    responses = list(
        SteeringResponse.objects.filter(partnership=partnership, cycle=cycle).values_list(
            "continue_next_cycle", flat=True
        )
    )
    items = (
        ChecklistItem(
            _("Processuppföljningen omfattar varje åtgärd"), measures > 0 and reported == measures
        ),
        ChecklistItem(
            _("Varje övergripande effektmål har en effektuppföljning"),
            bool(effect_goals) and all(pk in evaluated for pk in effect_goals),
        ),
        ChecklistItem(_("Styrgruppen har tagit emot uppföljningen och svarat"), bool(responses)),
        ChecklistItem(
            _("Beslut om fortsättning eller ny omgång är fattat"),
            any(responses) or bool(cycle and cycle.number > 1),
        ),
    )
    return Checklist(5, items)
