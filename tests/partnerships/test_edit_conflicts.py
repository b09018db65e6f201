"""Two people editing the same thing cannot silently overwrite each other."""

from django.urls import reverse

from samverkan.partnerships.models import Partnership


def _edit(client, partnership, name, version):
    return client.post(
        reverse("partnerships:edit", kwargs={"pk": partnership.pk}),
        {"name": name, "started_on": "2026-01-01", "version": version},
    )


def test_second_save_from_a_stale_form_is_refused_with_explanation(client, world):
    partnership = world.ours.partnership
    shown_version = partnership.version
    client.force_login(world.alice)
    assert _edit(client, partnership, "Alices namn", shown_version).status_code == 302
    client.force_login(world.bob)
    response = _edit(client, partnership, "Bobs namn", shown_version)
    assert response.status_code == 400
    assert "Någon annan har ändrat detta" in response.content.decode()
    assert Partnership.objects.get(pk=partnership.pk).name == "Alices namn"


def test_saves_in_sequence_both_succeed(client, world):
    partnership = world.ours.partnership
    client.force_login(world.alice)
    _edit(client, partnership, "Första", partnership.version)
    partnership.refresh_from_db()
    assert _edit(client, partnership, "Andra", partnership.version).status_code == 302
    partnership.refresh_from_db()
    assert partnership.name == "Andra"
