"""Minutes before the meeting are kept as a draft; after it, the minutes start from the draft
or from the agenda."""

import datetime

from django.urls import reverse
from django.utils import timezone

from samverkan.partnerships.models import Meeting


def _meeting(world, days: int, **fields) -> Meeting:
    return Meeting.objects.create(
        partnership=world.ours.partnership,
        group=world.ours.steering,
        title="Styrgruppsmöte",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        **fields,
    )


def _url(world, meeting):
    return reverse(
        "partnerships:meeting_minutes",
        kwargs={"pk": world.ours.partnership.pk, "meeting_id": meeting.pk},
    )


def test_page_before_the_meeting_offers_a_draft(client, world):
    meeting = _meeting(world, 3, agenda="1. Läget\n2. Budget")
    client.force_login(world.bob)
    detail = client.get(
        reverse(
            "partnerships:meeting_detail",
            kwargs={"pk": world.ours.partnership.pk, "meeting_id": meeting.pk},
        )
    ).content.decode()
    assert "Skriv utkast till protokoll" in detail and "Skriv protokoll" not in detail
    page = client.get(_url(world, meeting)).content.decode()
    assert "Utkast till protokoll" in page and "1. Läget" in page  # starts from the agenda
    assert "närvarande" not in page.lower().split("<main")[1]


def test_minutes_after_the_meeting_start_from_the_draft(client, world):
    meeting = _meeting(world, -1, agenda="Dagordning", minutes_draft="Utkast från i förrgår")
    client.force_login(world.bob)
    page = client.get(_url(world, meeting)).content.decode()
    assert "Utkast från i förrgår" in page
    response = client.post(
        _url(world, meeting),
        {"minutes": "Utkast från i förrgår, justerat.", "version": meeting.version},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Utkast från i förrgår, justerat." and meeting.is_held()


def test_a_draft_saved_over_someone_elses_change_is_refused_and_kept_on_screen(client, world):
    meeting = _meeting(world, 3)
    stale = meeting.version
    Meeting.objects.filter(pk=meeting.pk).update(version=stale + 1)
    client.force_login(world.bob)
    response = client.post(_url(world, meeting), {"minutes": "Min text", "version": stale})
    assert response.status_code == 400
    assert "Min text" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes_draft == ""
