"""Step 4 objects for every test world (see tests/factories.py). Runs after tests/problems."""

import datetime

from samverkan.implementation.models import ActionItem, ActivityEntry
from samverkan.problems.models import Measure


def build(world) -> dict[str, int]:
    measure = Measure.objects.filter(partnership=world.partnership).first()
    ActivityEntry.objects.create(measure=measure, date=datetime.date(2026, 11, 1), what="Start")
    item = ActionItem.objects.create(
        meeting=world.meeting, text="Boka lokal", responsible="Anna", measure=measure
    )
    return {"measure_id": measure.pk, "meeting_id": world.meeting.pk, "action_id": item.pk}
