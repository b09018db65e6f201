"""Every change is recorded (who, when, what) and visible as history on the object."""

from django.urls import reverse

from samverkan.accounts.models import AuditEntry


def test_editing_a_decision_records_who_and_what_changed(client, world):
    decision = world.ours.decision
    client.force_login(world.bob)
    response = client.post(
        reverse(
            "partnerships:decision_edit",
            kwargs={"pk": world.ours.partnership.pk, "decision_id": decision.pk},
        ),
        {
            "kind": decision.kind,
            "title": "Nytt namn på beslutet",
            "body": decision.body,
            "decided_on": "2026-01-15",
            "text": decision.text,
            "version": decision.version,
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(model_label="partnerships.decision", action="update").get()
    assert entry.user == world.bob
    assert entry.partnership == world.ours.partnership
    assert entry.changes["title"] == {
        "label": "rubrik",
        "old": "Beslut om samverkan",
        "new": "Nytt namn på beslutet",
    }


def test_history_page_shows_changes_of_one_object(client, world):
    client.force_login(world.carol)
    url = reverse("partnerships:history", kwargs={"pk": world.ours.partnership.pk})
    page = client.get(url, {"model": "partnerships.decision", "object": world.ours.decision.pk})
    text = page.content.decode()
    assert "Beslut om samverkan" in text
    assert "Första mötet" not in text


def test_history_of_another_partnership_is_not_shown(client, world):
    client.force_login(world.alice)
    url = reverse("partnerships:history", kwargs={"pk": world.ours.partnership.pk})
    assert world.foreign.partnership.name not in client.get(url).content.decode()


def test_history_of_confidential_cause_hides_its_text_from_other_parties(client, world):
    from samverkan.accounts import audit
    from samverkan.problems.models import Cause

    problem_id = world.ours.extra_ids["problem_id"]
    with audit.acting_as(world.bob):
        cause = Cause.objects.create(
            partnership=world.ours.partnership,
            problem_id=problem_id,
            number=9,
            text="Namngiven person på gatan",
            confidential=True,
        )
    cause.allowed_parties.set([world.ours.polis])
    url = reverse("partnerships:history", kwargs={"pk": world.ours.partnership.pk})
    client.force_login(world.alice)
    page = client.get(url).content.decode()
    assert "Namngiven person" not in page
    assert "Uppgift under sekretess" in page
    client.force_login(world.bob)
    assert "Namngiven person" in client.get(url).content.decode()


def test_private_party_entries_are_shown_only_to_that_party(client, world):
    from samverkan.accounts.models import AuditEntry

    AuditEntry.objects.create(
        partnership=world.ours.partnership,
        party=world.ours.kommun,
        action="create",
        model_label="x.y",
        object_id="1",
        object_repr="Kommunens egna anteckning",
    )
    url = reverse("partnerships:history", kwargs={"pk": world.ours.partnership.pk})
    client.force_login(world.bob)
    assert "Kommunens egna anteckning" not in client.get(url).content.decode()
    client.force_login(world.carol)
    assert "Kommunens egna anteckning" in client.get(url).content.decode()


def test_an_incident_with_a_long_composite_key_is_recorded_whole(world):
    """Incidents are keyed by party and a key of up to 300 characters: the history names the
    object by both, and PostgreSQL must not refuse the entry (it did, at 40 characters)."""
    import datetime

    from django.utils import timezone

    from samverkan.accounts.audit import acting_as
    from samverkan.mapping.models import Incident

    key = "2024-0000123 " + "Skadegörelse genom klotter på offentlig plats " * 6
    key = key[:300]
    with acting_as(world.carol):
        incident = Incident.objects.create(
            party=world.ours.kommun, key=key, offence="Skadegörelse", place="Torget",
            occurred_from=timezone.make_aware(datetime.datetime(2024, 5, 3, 22, 15)),
        )  # fmt: skip
        Incident.objects.filter(pk=incident.pk).delete()
    deleted = AuditEntry.objects.get(model_label="mapping.incident", action="delete")
    assert deleted.object_id == f"{world.ours.kommun.pk}/{key}"
