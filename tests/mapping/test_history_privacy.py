"""Changes to a party's private mapping appear in the history only for that party."""

from django.urls import reverse

from samverkan.accounts import audit
from samverkan.mapping.models import ExperienceNote


def test_history_hides_other_partys_private_notes(client, world):
    with audit.acting_as(world.alice):
        ExperienceNote.objects.create(party=world.ours.kommun, title="Hemligt", text="Kvällsoro")
    url = reverse("partnerships:history", kwargs={"pk": world.ours.partnership.pk})
    client.force_login(world.bob)
    assert "Kvällsoro" not in client.get(url).content.decode()
    client.force_login(world.carol)
    assert "Kvällsoro" in client.get(url).content.decode()
