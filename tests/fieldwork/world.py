"""Field work's objects in every test world: a category, a place and one report."""

from __future__ import annotations

import datetime

from django.utils import timezone

from samverkan.fieldwork.models import FieldCategory, FieldPlace, FieldReport

WEEK = "2026-W48"


def build(world) -> dict:
    partnership = world.partnership
    category = FieldCategory.objects.create(partnership=partnership, name="Klotter", position=1)
    place = FieldPlace.objects.create(
        partnership=partnership, name="Torget", latitude=59.33, longitude=18.06
    )
    report = FieldReport.objects.create(
        partnership=partnership,
        observed_at=timezone.make_aware(datetime.datetime(2026, 11, 25, 21, 30)),
        place=place,
        category=category,
        people=3,
        text="Nytt klotter vid fontänen",
    )
    return {"report_id": report.pk, "week": WEEK}
