"""A member's role is changed in place; the last administrator keeps theirs."""

from django.urls import reverse

from samverkan.accounts.models import Membership, Role


def _url(world, membership):
    return reverse(
        "partnerships:member_edit",
        kwargs={"pk": world.ours.partnership.pk, "membership_id": membership.pk},
    )


def test_admin_changes_a_members_role(client, world):
    carol = Membership.objects.get(user=world.carol, party=world.ours.kommun)
    client.force_login(world.alice)
    members = client.get(
        reverse("partnerships:members", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()
    assert _url(world, carol) in members and "Ändra roll" in members
    page = client.get(_url(world, carol)).content.decode()
    assert "Ändra roll för" in page and 'value="member" selected' in page
    response = client.post(_url(world, carol), {"role": Role.COORDINATOR})
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.role == Role.COORDINATOR


def test_last_admin_cannot_lose_the_role_and_a_bad_role_is_refused(client, world):
    alice = Membership.objects.get(user=world.alice, party=world.ours.kommun)
    assert (
        not Membership.objects.filter(party__partnership=world.ours.partnership, role=Role.ADMIN)
        .exclude(pk=alice.pk)
        .exists()
    )
    client.force_login(world.alice)
    response = client.post(_url(world, alice), {"role": Role.MEMBER})
    assert response.status_code == 400
    assert "Den sista administratören kan inte få en annan roll" in response.content.decode()
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN
    bad = client.post(_url(world, alice), {"role": "kung"})
    assert bad.status_code == 400 and "Välj en av rollerna i listan." in bad.content.decode()


def test_only_managers_change_roles_and_outsiders_see_nothing(client, world):
    carol = Membership.objects.get(user=world.carol, party=world.ours.kommun)
    client.force_login(world.bob)  # a coordinator edits content, does not manage members
    assert client.post(_url(world, carol), {"role": Role.ADMIN}).status_code == 403
    client.force_login(world.mallory)  # another partnership's admin
    assert client.post(_url(world, carol), {"role": Role.ADMIN}).status_code == 404
    carol.refresh_from_db()
    assert carol.role == Role.MEMBER
    # A membership of another partnership is not reachable through ours.
    theirs = Membership.objects.get(user=world.mallory)
    client.force_login(world.alice)
    assert client.get(_url(world, theirs)).status_code == 404
