"""Step 4: status, activity log with production counts, flags, digest and action items."""

import datetime
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from samverkan.implementation.models import ActionItem, Progress, progress_for
from samverkan.implementation.services import measure_states, production
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Measure


def url(world, name, **kwargs):
    return reverse(f"implementation:{name}", kwargs={"pk": world.ours.partnership.pk, **kwargs})


def _measure(world):
    return Measure.objects.get(pk=world.ours.extra_ids["measure_id"])


def test_logging_production_counts_toward_the_target_and_starts_the_measure(client, world):
    measure = _measure(world)
    goal = Goal.objects.create(
        partnership=measure.partnership,
        problem=measure.problem,
        kind=GoalKind.PRODUCTION,
        text="Krogtillsyn",
        target=12,
        unit="tillsynsbesök",
    )
    client.force_login(world.bob)
    response = client.post(
        url(world, "activity", measure_id=measure.pk),
        {
            "date": "2026-11-20",
            "what": "Tillsyn vid tre krogar",
            "by_whom": "Tillståndsenheten",
            "production_goal": goal.pk,
            "count": 3,
        },
    )
    assert response.status_code == 302
    assert progress_for(measure).status == "started"
    assert [(p.done, p.target) for p in production(measure.partnership)] == [(3, 12.0)]


def test_count_without_production_goal_is_explained(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "activity", measure_id=_measure(world).pk),
        {"date": "2026-11-20", "what": "Något", "count": 2},
    )
    assert response.status_code == 400
    assert "Välj vilket produktionsmål" in response.content.decode()


def test_cancelling_needs_a_reason(client, world):
    measure = _measure(world)
    progress = progress_for(measure)
    client.force_login(world.alice)
    response = client.post(
        url(world, "progress", measure_id=measure.pk),
        {"status": "cancelled", "version": progress.version},
    )
    assert "Ange varför åtgärden pausas eller avbryts" in response.content.decode()
    assert Progress.objects.get(pk=progress.pk).status == "planned"


def test_overdue_and_silent_measures_are_flagged_and_mailed(client, world):
    measure = _measure(world)
    measure.ends_on = datetime.date(2026, 1, 31)
    measure.save()
    progress = progress_for(measure)
    progress.status, progress.owner = "started", world.alice
    progress.save()
    world.alice.email = "alice@kommun.se"
    world.alice.save()
    today = datetime.date(2026, 6, 1)
    state = measure_states(measure.partnership, today)[0]
    assert state.overdue and state.silent is False
    out = StringIO()
    call_command("send_digests", stdout=out)
    assert "Sent 1 digest e-mails covering 1 measures." in out.getvalue()
    assert mail.outbox[0].to == ["alice@kommun.se"]
    assert "Fler nattbussar" in mail.outbox[0].body
    client.force_login(world.carol)
    page = client.get(reverse("process:dashboard", kwargs={"pk": measure.partnership_id}))
    assert "1 försenade" in page.content.decode()


def test_action_item_from_meeting_tied_to_measure_and_closed(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "action_item", meeting_id=world.ours.meeting.pk),
        {"text": "Kontakta Länstrafiken", "responsible": "Per", "measure": _measure(world).pk},
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(text="Kontakta Länstrafiken")
    client.post(url(world, "action_item_done", action_id=item.pk))
    item.refresh_from_db()
    assert item.done


def test_confidential_measure_log_is_hidden_from_other_parties(client, world):
    measure = _measure(world)
    measure.confidential = True
    measure.save()
    measure.allowed_parties.set([world.ours.polis])
    client.force_login(world.carol)
    assert client.get(url(world, "log", measure_id=measure.pk)).status_code == 404
    assert "Fler nattbussar" not in client.get(url(world, "home")).content.decode()
    client.force_login(world.bob)
    assert client.get(url(world, "log", measure_id=measure.pk)).status_code == 200
