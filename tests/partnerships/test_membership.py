"""Membership: people are invited into their own party by that party's leaders, say yes
themselves, and the answer never tells whether an account exists; the last administrator
stays (issue 11, "Sign-in and membership", leak 4)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import membership
from samverkan.accounts.choices import InvitationStatus, Role
from samverkan.accounts.models import Invitation, Membership, User
from samverkan.partnerships.models import Party
from tests.factories import make_user

NEW_PASSWORD = "ett-bra-losenord-42"


def url(world, name, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": world.ours.partnership.pk, **kwargs})


def _invite(client, world, username, party=None, role="member", **extra):
    party = party or world.ours.kommun
    return client.post(
        url(world, "member_add"), {"username": username, "party": party.pk, "role": role, **extra}
    )


def _sign_up(client, link, username):
    return client.post(
        link,
        {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


# ---- leak 4 on the demo -----------------------------------------------------------------------


def test_municipality_admin_cannot_place_a_new_account_in_the_police_party(client, demo):
    police = demo.police_party()
    client.force_login(User.objects.get(username="demo.kommun"))
    members_url = reverse("partnerships:member_add", kwargs={"pk": demo.pk})
    response = client.post(
        members_url,
        {"username": "ny.polis", "party": police.pk, "role": "coordinator", "password": "x" * 20},
    )
    assert response.status_code == 400
    assert "Du kan bara bjuda in till en part där du själv är" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not User.objects.filter(username="ny.polis").exists()
    assert not Membership.objects.filter(party=police).exclude(user__username="demo.polis")

    # What the admin can do, invite into the municipality's own party, opens nothing of the
    # police's private mapping to the new account.
    response = client.post(
        members_url,
        {"username": "ny.polis", "party": demo.municipality_party().pk, "role": "coordinator"},
    )
    link = response.context["link"]
    client.logout()
    _sign_up(client, link, "ny.polis")
    newcomer = User.objects.get(username="ny.polis")
    assert Membership.objects.get(user=newcomer).party == demo.municipality_party()
    for name in ("workspace", "map", "map_data", "statistics", "report"):
        page = reverse(f"mapping:{name}", kwargs={"pk": demo.pk, "party_id": police.pk})
        assert client.get(page).status_code == 404, name


def test_demo_coordinators_may_start_partnerships_and_others_may_not(demo):
    allowed = {
        u.username
        for u in User.objects.filter(username__startswith="demo.")
        if u.has_perm("partnerships.add_partnership")
    }
    assert allowed == {"demo.kommun", "demo.polis"}


# ---- who may invite into which party ------------------------------------------------------------


def test_coordinator_invites_into_own_party_but_not_as_administrator(client, world):
    client.force_login(world.bob)  # coordinator of the police party
    assert _invite(client, world, "pia", party=world.ours.polis).status_code == 200
    response = _invite(client, world, "per", party=world.ours.polis, role="admin")
    assert response.status_code == 400
    assert "Som samordnare kan du inte utse administratörer" in response.content.decode()
    response = _invite(client, world, "kim", party=world.ours.kommun)
    assert response.status_code == 400
    assert list(Invitation.objects.filter(invited_by=world.bob).values_list("username")) == [
        ("pia",)
    ]


def test_invite_form_offers_only_the_inviters_own_parties(client, world):
    client.force_login(world.alice)
    choices = client.get(url(world, "member_add")).context["form"].fields["party"].queryset
    assert list(choices) == [world.ours.kommun]


@pytest.mark.parametrize("reader", ["carol", "steve"])
def test_readers_cannot_invite(client, world, reader):
    client.force_login(getattr(world, reader))
    assert client.get(url(world, "member_add")).status_code == 403
    assert _invite(client, world, "x").status_code == 403
    assert not Invitation.objects.filter(username="x").exists()


# ---- the answer never reveals an account ---------------------------------------------------


def _answer_text(response, username):
    """The page without what differs by nature: the name, the link and the CSRF token."""
    text = re.sub(r'"X-CSRFToken": "[^"]+"|value="[^"]+"', "", response.content.decode())
    return text.replace(response.context["link"], "LINK").replace(username, "NAME")


def test_same_answer_for_an_existing_and_a_non_existing_account(client, world):
    client.force_login(world.alice)
    existing = _invite(client, world, "mallory")  # an account in another partnership
    missing = _invite(client, world, "nobody")
    assert existing.status_code == missing.status_code == 200
    assert _answer_text(existing, "mallory") == _answer_text(missing, "nobody")


def test_existing_account_is_invited_not_attached(client, world):
    client.force_login(world.alice)
    _invite(client, world, "mallory", role="coordinator")
    assert not Membership.objects.filter(user=world.mallory, party=world.ours.kommun).exists()

    client.force_login(world.mallory)
    listing = client.get(reverse("partnerships:list")).content.decode()
    assert "Inbjudningar till dig" in listing and world.ours.partnership.name in listing
    invitation = Invitation.objects.get(username="mallory")
    page = client.get(reverse("accounts:invitations")).content.decode()
    assert "Tacka ja" in page
    client.post(
        reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk}),
        {"answer": "accept"},
    )
    joined = Membership.objects.get(user=world.mallory, party=world.ours.kommun)
    assert joined.role == Role.COORDINATOR
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.answered_by == world.mallory


def test_declined_invitation_attaches_nobody(client, world):
    client.force_login(world.alice)
    _invite(client, world, "mallory")
    invitation = Invitation.objects.get(username="mallory")
    client.force_login(world.mallory)
    client.post(
        reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk}),
        {"answer": "decline"},
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Membership.objects.filter(
        user=world.mallory, party__partnership=world.ours.partnership
    )


def test_nobody_else_can_answer_an_invitation_in_the_list(client, world):
    client.force_login(world.alice)
    _invite(client, world, "mallory")
    invitation = Invitation.objects.get(username="mallory")
    other = make_user("olle")
    client.force_login(other)
    response = client.post(
        reverse("accounts:invitation_answer", kwargs={"invitation_id": invitation.pk}),
        {"answer": "accept"},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=other).exists()


def test_invitation_matches_the_name_without_regard_to_case(client, world):
    client.force_login(world.alice)
    _invite(client, world, "ＭＡＬＬＯＲＹ")
    assert list(membership.invitations_for(world.mallory)) == [
        Invitation.objects.get(username="MALLORY")
    ]


# ---- the invitation link -------------------------------------------------------------------


def test_link_works_once(client, world):
    client.force_login(world.alice)
    link = _invite(client, world, "dana").context["link"]
    client.logout()
    assert _sign_up(client, link, "dana").status_code == 302
    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "Inbjudan gäller inte" in again.content.decode()
    assert _sign_up(client, link, "dana2").status_code == 404
    assert not User.objects.filter(username="dana2").exists()


def test_expired_link_is_refused(client, world):
    client.force_login(world.alice)
    link = _invite(client, world, "dana").context["link"]
    Invitation.objects.filter(username="dana").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    client.logout()
    assert client.get(link).status_code == 404
    assert not User.objects.filter(username="dana").exists()


def test_invitation_lapses_when_the_inviter_loses_the_role(client, world):
    client.force_login(world.bob)
    link = _invite(client, world, "pia", party=world.ours.polis).context["link"]
    Membership.objects.filter(user=world.bob).update(role=Role.MEMBER)
    client.logout()
    response = _sign_up(client, link, "pia")
    assert "den som bjöd in kan inte längre bjuda in" in response.content.decode()
    assert not User.objects.filter(username="pia").exists()


def test_logged_in_member_of_the_partnership_cannot_accept_a_second_place(client, world):
    client.force_login(world.alice)
    link = _invite(client, world, "dana").context["link"]
    client.force_login(world.carol)  # already a member through the municipality
    response = client.post(link, {"answer": "accept"}, follow=True)
    assert "Du är redan medlem" in response.content.decode()
    assert Membership.objects.filter(user=world.carol).count() == 1


def test_existing_account_logs_in_from_the_link_and_accepts(client, world):
    client.force_login(world.alice)
    link = _invite(client, world, "someone").context["link"]
    client.logout()
    page = client.get(link).content.decode()
    assert "Logga in för att svara" in page
    client.force_login(world.mallory)
    client.post(link, {"answer": "accept"})
    assert Membership.objects.filter(user=world.mallory, party=world.ours.kommun).exists()


def test_unknown_token_gets_the_same_page_as_a_used_one(client, db):
    response = client.get(reverse("accounts:invitation_link", kwargs={"token": "x" * 43}))
    assert response.status_code == 404
    assert "Inbjudan gäller inte" in response.content.decode()


def test_invitation_mail_carries_the_link(client, world, mailoutbox):
    client.force_login(world.alice)
    response = _invite(client, world, "dana", email="dana@example.se")
    assert response.context["mailed"] is True
    assert mailoutbox[0].to == ["dana@example.se"]
    assert response.context["link"] in mailoutbox[0].body


def test_a_mail_that_cannot_go_is_said_and_the_link_still_shown(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(membership, "send_mail", broken)
    client.force_login(world.alice)
    response = _invite(client, world, "dana", email="dana@example.se")
    assert response.status_code == 200
    assert response.context["mailed"] is False
    assert "kunde inte skickas; skicka länken själv" in response.content.decode()
    assert Invitation.objects.filter(username="dana").exists()


# ---- pending invitations on the member page; revoking --------------------------------------


def test_revoked_invitation_link_stops_working(client, world):
    client.force_login(world.alice)
    link = _invite(client, world, "dana").context["link"]
    invitation = Invitation.objects.get(username="dana")
    assert "dana" in client.get(url(world, "members")).content.decode()
    client.post(url(world, "invitation_revoke", invitation_id=invitation.pk))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    client.logout()
    assert client.get(link).status_code == 404


def test_another_partys_coordinator_cannot_revoke(client, world):
    client.force_login(world.alice)
    _invite(client, world, "dana")
    invitation = Invitation.objects.get(username="dana")
    client.force_login(world.bob)
    client.post(url(world, "invitation_revoke", invitation_id=invitation.pk))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_a_second_invitation_to_the_same_name_and_party_is_refused(client, world):
    client.force_login(world.alice)
    _invite(client, world, "dana")
    response = _invite(client, world, "Dana")
    assert response.status_code == 400
    assert "En inbjudan till namnet väntar redan" in response.content.decode()


def test_a_member_cannot_be_invited_again(client, world):
    client.force_login(world.alice)
    response = _invite(client, world, "carol")
    assert "Personen är redan medlem i samverkan" in response.content.decode()


# ---- the last administrator ----------------------------------------------------------------


def test_second_last_administrator_can_go_but_not_the_last(world):
    partnership = world.ours.partnership
    other = make_user("ada")
    second = Membership.objects.create(user=other, party=world.ours.kommun, role=Role.ADMIN)
    first = Membership.objects.get(user=world.alice)
    membership.remove_member(partnership, second.pk, actor=world.alice)
    with pytest.raises(membership.MembershipError, match="sista administratören"):
        membership.remove_member(partnership, first.pk, actor=world.alice)
    assert Membership.objects.filter(pk=first.pk).exists()


def test_removal_of_another_partnerships_membership_is_not_found(world):
    foreign = Membership.objects.get(user=world.mallory)
    with pytest.raises(Membership.DoesNotExist):
        membership.remove_member(world.ours.partnership, foreign.pk, actor=world.alice)


def test_member_page_refuses_removing_the_last_administrator(client, world):
    client.force_login(world.alice)
    own = Membership.objects.get(user=world.alice)
    response = client.post(url(world, "member_remove", membership_id=own.pk), follow=True)
    assert "Den sista administratören kan inte tas bort." in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def _police_never_led(world):
    """The police party as in a new partnership: no members, and nobody has ever led it.
    (Deleting bob's membership alone would leave a party that *has had* a leader, which the
    other parties may no longer staff: issue 19, finding 6.)"""
    Membership.objects.filter(user=world.bob).delete()
    Party.objects.filter(pk=world.ours.polis.pk).update(has_had_leader=False)
    world.ours.polis.refresh_from_db()


def test_the_partnership_admin_invites_the_first_leader_of_a_party_no_one_leads(client, world):
    """A new partnership's police party has no members: its first leader is invited by the
    partnership's administrator; after that, only the party's own leaders bring people in."""
    _police_never_led(world)
    client.force_login(world.alice)
    choices = client.get(url(world, "member_add")).context["form"].fields["party"].queryset
    assert set(choices) == {world.ours.kommun, world.ours.polis}
    # Only a leading role: the party's own leader then invites its other members.
    response = _invite(client, world, "pia", party=world.ours.polis)
    assert response.status_code == 400
    assert "har ingen administratör eller samordnare ännu" in response.content.decode()
    assert (
        _invite(client, world, "per", party=world.ours.polis, role="coordinator").status_code == 200
    )
    invitation = Invitation.objects.get(username="per")
    assert (invitation.party, invitation.role) == (world.ours.polis, Role.COORDINATOR)
    per = make_user("per")
    membership.accept(invitation, per)
    assert Membership.objects.get(user=per).party == world.ours.polis
    # The police party is led now: the municipality's administrator cannot invite into it.
    choices = client.get(url(world, "member_add")).context["form"].fields["party"].queryset
    assert list(choices) == [world.ours.kommun]
    assert _invite(client, world, "olle", party=world.ours.polis, role="admin").status_code == 400


def test_an_open_invitation_to_lead_lapses_once_the_party_has_a_leader(world):
    _police_never_led(world)
    first, _token = membership.invite(world.alice, world.ours.polis, "per", Role.COORDINATOR)
    second, _token = membership.invite(world.alice, world.ours.polis, "pia", Role.ADMIN)
    membership.accept(first, make_user("per"))
    with pytest.raises(membership.MembershipError, match="Inbjudan gäller inte längre"):
        membership.accept(second, make_user("pia"))


def test_coordinators_and_readers_cannot_invite_into_a_party_no_one_leads(world):
    _police_never_led(world)
    coordinator = make_user("kalle")
    Membership.objects.create(user=coordinator, party=world.ours.kommun, role=Role.COORDINATOR)
    for user in (coordinator, world.carol, world.steve):
        assert membership.grantable_roles(user, world.ours.polis) == []
        assert world.ours.polis not in membership.inviting_parties(user, world.ours.partnership)
    # Nor does an administrator of another partnership.
    assert membership.grantable_roles(world.mallory, world.ours.polis) == []
