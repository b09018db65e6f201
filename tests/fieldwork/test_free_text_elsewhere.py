"""The other free-text fields that leave the party refuse identity numbers too (issue 19):
the activity log, meeting minutes and action items, and the 5I parts. No box can pass them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from samverkan.followup.forms import WriteUpSectionForm
from samverkan.followup.models import WriteUpPart, WriteUpSection
from samverkan.implementation.forms import ActivityForm
from samverkan.partnerships.forms import MinutesForm
from samverkan.partnerships.models import Meeting
from samverkan.problems.models import Measure

NUMBERS = ["Pers. nr 080512-1234", "850101\u20131234", "8501 01 1234", "19850101-1234"]


@pytest.mark.parametrize("number", NUMBERS)
def test_activity_log_refuses_an_identity_number(world, number):
    measure = Measure.objects.get(partnership=world.ours.partnership)
    form = ActivityForm(
        {"date": timezone.localdate().isoformat(), "what": f"Samtal med pojken {number}"},
        measure=measure,
    )
    assert not form.is_valid()
    assert "personnummer" in " ".join(form.errors["what"])
    clean = ActivityForm(
        {"date": timezone.localdate().isoformat(), "what": "Samtal med tre ungdomar"},
        measure=measure,
    )
    assert "what" not in clean.errors


@pytest.mark.parametrize("number", NUMBERS)
def test_minutes_refuse_an_identity_number(world, number):
    meeting = Meeting.objects.create(
        partnership=world.ours.partnership,
        group=world.ours.steering,
        title="Styrgruppsmöte",
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    form = MinutesForm(
        {"minutes": f"§ 1 Ärendet om {number}", "version": meeting.version}, instance=meeting
    )
    assert not form.is_valid()
    assert "personnummer" in " ".join(form.errors["minutes"])


@pytest.mark.parametrize("number", NUMBERS)
def test_5i_parts_refuse_an_identity_number(world, number):
    section = WriteUpSection(partnership=world.ours.partnership, part=WriteUpPart.INTERVENTION)
    form = WriteUpSectionForm(
        {"text": f"Insatsen riktades mot {number}", "version": 0},
        instance=section,
        partnership=world.ours.partnership,
        user=world.bob,
    )
    assert not form.is_valid()
    assert "personnummer" in " ".join(form.errors["text"])
