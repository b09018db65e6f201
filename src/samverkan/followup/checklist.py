"""Step 5's "klart när" checklist, computed from the data (handbook p. 98)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from samverkan.followup.models import EffectEvaluation, SteeringResponse
from samverkan.partnerships.models import Partnership
from samverkan.problems.choices import GoalKind
from samverkan.process.checklists import Checklist, ChecklistItem, register


@register(5)
def step5(partnership: Partnership) -> Checklist:
    from samverkan.implementation.models import Progress

    measures = partnership.measures.count()
    reported = (
        Progress.objects.filter(measure__partnership=partnership).exclude(status="planned").count()
    )
    effect_goals = partnership.goals.filter(kind=GoalKind.EFFECT)
    evaluated = EffectEvaluation.objects.filter(partnership=partnership).values_list(
        "goal_id", flat=True
    )
    cycle = partnership.current_cycle()
    responses = SteeringResponse.objects.filter(partnership=partnership, cycle=cycle)
    items = (
        ChecklistItem(
            _("Processuppföljningen omfattar varje åtgärd"), measures > 0 and reported == measures
        ),
        ChecklistItem(
            _("Varje övergripande effektmål har en effektuppföljning"),
            effect_goals.exists() and all(g.pk in set(evaluated) for g in effect_goals),
        ),
        ChecklistItem(_("Styrgruppen har tagit emot uppföljningen och svarat"), responses.exists()),
        ChecklistItem(
            _("Beslut om fortsättning eller ny omgång är fattat"),
            responses.filter(continue_next_cycle=True).exists() or bool(cycle and cycle.number > 1),
        ),
    )
    return Checklist(5, items)
