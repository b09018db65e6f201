"""Step 1's "klart när" checklist is computed from the data and turns green item by item."""

from django.urls import reverse

from samverkan.partnerships.choices import DecisionKind, GroupKind
from samverkan.partnerships.models import Coordinator, Group, GroupMember
from samverkan.process import checklists
from tests.factories import make_partnership


def _open_items(partnership):
    return [str(i.label) for i in checklists.checklist_for(partnership, 1).items if not i.done]


def test_complete_partnership_has_finished_step_1_and_stands_in_step_2(db):
    world = make_partnership()
    assert checklists.checklist_for(world.partnership, 1).done
    assert checklists.current_step(world.partnership) == 2


def test_checklist_turns_green_as_the_data_arrives(db):
    world = make_partnership(complete=False)
    p = world.partnership
    assert checklists.current_step(p) == 1
    assert len(_open_items(p)) == 5

    Coordinator.objects.create(party=world.kommun, name="A")
    Coordinator.objects.create(party=world.polis, name="B")
    GroupMember.objects.create(group=world.steering, party=world.polis, name="C")
    Group.objects.create(partnership=p, kind=GroupKind.PREPARATION, name="Råd")
    assert len(_open_items(p)) == 2

    world.decision.kind = DecisionKind.COLLABORATE
    world.decision.save()
    world.meeting.minutes = "Protokoll"
    world.meeting.save()
    assert _open_items(p) == []


def test_steering_group_missing_a_signing_party_is_named(db):
    world = make_partnership(complete=False)
    item = checklists.checklist_for(world.partnership, 1).items[3]
    assert not item.done
    assert world.polis.organisation.name in item.detail


def test_dashboard_shows_checklist_and_guidance_with_handbook_pages(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("process:dashboard", kwargs={"pk": world.ours.partnership.pk}))
    text = page.content.decode()
    assert "Klart när (7 av 7)" in text
    assert "Nu: steg 2, Egna förberedelser" in text
    assert "s. 29–37" in text


def test_dashboard_reads_the_measures_once(client, world):
    """Step 4's checklist and the dashboard's measure flags share one query of the measures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/samverkan/{world.ours.partnership.pk}/")
    assert response.status_code == 200
    measure_reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "problems_measure"' in q["sql"] and "implementation_activityentry" in q["sql"]
    ]
    assert len(measure_reads) == 1, measure_reads
