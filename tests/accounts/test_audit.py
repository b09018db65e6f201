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
