"""Step 4's "klart när" checklist, computed from the data (handbook p. 86)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.implementation.models import Status
from samverkan.implementation.services import measure_states, summary
from samverkan.partnerships.models import Partnership
from samverkan.process.checklists import Checklist, ChecklistItem, register


@register(4)
def step4(partnership: Partnership) -> Checklist:
    states = measure_states(partnership, timezone.localdate())
    closed = {Status.DONE, Status.CANCELLED}
    items = (
        ChecklistItem(
            _("Varje åtgärd är påbörjad, genomförd eller avbruten med skäl"),
            bool(states) and all(s.progress.status != Status.PLANNED for s in states),
        ),
        ChecklistItem(
            _("Varje påbörjad eller genomförd åtgärd har en aktivitetslogg"),
            bool(states)
            and all(
                s.entries for s in states if s.progress.status in (Status.STARTED, Status.DONE)
            ),
        ),
        ChecklistItem(
            _("Pausade och avbrutna åtgärder har ett skäl"),
            all(
                s.progress.reason.strip()
                for s in states
                if s.progress.status in (Status.PAUSED, Status.CANCELLED)
            ),
        ),
        ChecklistItem(
            _("Alla åtgärder är avslutade (genomförda eller avbrutna)"),
            bool(states) and all(s.progress.status in closed for s in states),
        ),
    )
    return Checklist(4, items, facts={"measure_summary": summary(states)})
