"""A party governs itself (issue 19, finding 6): only its own leaders change its roles, remove
its members or edit it; the first-leader exception holds only for a party that has never had
a leader; nobody outside the party takes away its last leader (a superuser may, with a reason);
a party that loses its last leader is recorded and its members told."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from samverkan.accounts import membership
from samverkan.accounts.choices import Role
from samverkan.accounts.models import AuditEntry, Invitation, Membership, User
from samverkan.partnerships.choices import PartyKind
from samverkan.partnerships.models import Party
from samverkan.problems.models import Measure
from tests.factories import join, make_user


def _url(partnership, name, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": partnership.pk, **kwargs})


def _police_coordinator(demo):
    return Membership.objects.get(party=demo.police_party(), user__username="demo.polis")


# ---- finding 6, step by step on the demo -----------------------------------------------------


def test_kommun_admin_cannot_demote_the_police_coordinator_and_then_invite_a_police_admin(
    client, demo
):
    police = demo.police_party()
    coordinator = _police_coordinator(demo)
    client.force_login(User.objects.get(username="demo.kommun"))

    # Step 1: demote the police coordinator through the URL.
    response = client.post(
        _url(demo, "member_edit", membership_id=coordinator.pk), {"role": Role.MEMBER}
    )
    assert response.status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR

    # Step 2: invite their own person as the police's "first" administrator.
    response = client.post(
        _url(demo, "member_add"), {"username": "kommunens.man", "party": police.pk, "role": "admin"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(party=police).exists()
    with pytest.raises(membership.MembershipError):
        membership.invite(User.objects.get(username="demo.kommun"), police, "x", Role.ADMIN)

    # Even when the police party has lost its leader by its own act, it is not open to the
    # municipality: it has had a leader.
    with membership.audit.acting_as(coordinator.user):
        membership.change_role(
            demo, coordinator.pk, Role.MEMBER, actor=coordinator.user
        )  # the police's own leader steps down
    assert not Membership.objects.filter(party=police, role__in=membership.LEADER_ROLES)
    police.refresh_from_db()
    assert police.has_had_leader
    response = client.post(
        _url(demo, "member_add"), {"username": "kommunens.man", "party": police.pk, "role": "admin"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(party=police).exists()
    choices = client.get(_url(demo, "member_add")).context["form"].fields["party"].queryset
    assert police not in choices
    # And the police's private mapping and confidential measures stay closed to the kommun.
    assert (
        client.get(
            reverse("mapping:workspace", kwargs={"pk": demo.pk, "party_id": police.pk})
        ).status_code
        == 404
    )
    secret = Measure.objects.filter(partnership=demo, confidential=True).first()
    if secret is not None:
        assert not secret.allowed_parties.filter(memberships__user__username="demo.kommun")


def test_kommun_admin_cannot_remove_the_police_coordinator(client, demo):
    coordinator = _police_coordinator(demo)
    client.force_login(User.objects.get(username="demo.kommun"))
    response = client.post(_url(demo, "member_remove", membership_id=coordinator.pk))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=coordinator.pk, role=Role.COORDINATOR).exists()
    with pytest.raises(membership.NotPartyLeader):
        membership.remove_member(
            demo, coordinator.pk, actor=User.objects.get(username="demo.kommun")
        )
    assert Membership.objects.filter(pk=coordinator.pk).exists()


def test_an_editor_outside_the_police_cannot_make_it_a_participant(client, demo):
    police = demo.police_party()
    assert police.kind == PartyKind.SIGNATORY
    kommun_editor = make_user("kommun.samordnare")
    join(kommun_editor, demo.municipality_party(), Role.COORDINATOR)
    for user in (User.objects.get(username="demo.kommun"), kommun_editor):
        client.force_login(user)
        edit = _url(demo, "party_edit", party_id=police.pk)
        assert client.get(edit).status_code == 403
        response = client.post(
            edit,
            {
                "kind": PartyKind.PARTICIPANT,
                "signatory_title": "",
                "contribution": "",
                "version": police.version,
            },
        )
        assert response.status_code == 403
        assert (
            client.post(
                _url(demo, "coordinator_edit", party_id=police.pk), {"name": "Kommunens val"}
            ).status_code
            == 403
        )
        police.refresh_from_db()
        assert police.kind == PartyKind.SIGNATORY
        # The page offers no such action either.
        page = client.get(_url(demo, "parties")).content.decode()
        assert _url(demo, "party_edit", party_id=police.pk) not in page
        assert _url(demo, "party_edit", party_id=demo.municipality_party().pk) in page


def test_the_police_itself_may_change_its_kind(client, demo):
    police = demo.police_party()
    client.force_login(User.objects.get(username="demo.polis"))
    response = client.post(
        _url(demo, "party_edit", party_id=police.pk),
        {
            "kind": PartyKind.PARTICIPANT,
            "signatory_title": "",
            "contribution": "",
            "version": police.version,
        },
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.kind == PartyKind.PARTICIPANT


# ---- the rules in detail -----------------------------------------------------------------------


def test_members_page_offers_changes_only_in_the_users_own_led_party(client, world):
    bob_in_police = Membership.objects.get(user=world.bob)
    carol = Membership.objects.get(user=world.carol)
    client.force_login(world.alice)
    page = client.get(_url(world.ours.partnership, "members")).content.decode()
    assert _url(world.ours.partnership, "member_edit", membership_id=carol.pk) in page
    assert _url(world.ours.partnership, "member_edit", membership_id=bob_in_police.pk) not in page
    assert _url(world.ours.partnership, "member_remove", membership_id=bob_in_police.pk) not in page
    # The police coordinator manages the police's members, not the municipality's.
    pelle = join(make_user("pelle", world.ours.polis.organisation), world.ours.polis, Role.MEMBER)
    client.force_login(world.bob)
    page = client.get(_url(world.ours.partnership, "members")).content.decode()
    assert _url(world.ours.partnership, "member_edit", membership_id=pelle.pk) in page
    assert _url(world.ours.partnership, "member_edit", membership_id=carol.pk) not in page
    assert (
        client.post(
            _url(world.ours.partnership, "member_edit", membership_id=pelle.pk),
            {"role": Role.STEERING},
        ).status_code
        == 302
    )
    pelle.refresh_from_db()
    assert pelle.role == Role.STEERING


def test_a_coordinator_neither_gives_nor_takes_the_administrator_role(client, world):
    pelle = join(make_user("pelle"), world.ours.polis, Role.MEMBER)
    polly = join(make_user("polly"), world.ours.polis, Role.ADMIN)
    client.force_login(world.bob)
    form = client.get(_url(world.ours.partnership, "member_edit", membership_id=pelle.pk))
    assert "admin" not in dict(form.context["form"].fields["role"].choices)
    response = client.post(
        _url(world.ours.partnership, "member_edit", membership_id=pelle.pk), {"role": Role.ADMIN}
    )
    assert response.status_code == 400
    with pytest.raises(membership.NotPartyLeader, match="samordnare kan inte ge eller ta"):
        membership.change_role(world.ours.partnership, pelle.pk, Role.ADMIN, actor=world.bob)
    assert (
        client.post(
            _url(world.ours.partnership, "member_edit", membership_id=polly.pk),
            {"role": Role.MEMBER},
        ).status_code
        == 403
    )
    polly.refresh_from_db()
    pelle.refresh_from_db()
    assert (polly.role, pelle.role) == (Role.ADMIN, Role.MEMBER)


def test_losing_the_last_leader_is_recorded_and_the_members_are_told(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    pelle = make_user("pelle", world.ours.polis.organisation)
    pelle.email = "pelle@polisen.se"
    pelle.save()
    join(pelle, world.ours.polis, Role.MEMBER)
    world.bob.email = "bob@polisen.se"
    world.bob.save()
    bob = Membership.objects.get(user=world.bob)
    client.force_login(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(world.ours.partnership, "member_edit", membership_id=bob.pk),
            {"role": Role.MEMBER},
        )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        partnership=world.ours.partnership,
        model_label="partnerships.party",
        object_id=str(world.ours.polis.pk),
        changes__has_key="leaders",
    )
    assert entry.party_id is None  # every member of the partnership may read it
    assert entry.user == world.bob
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@polisen.se", "pelle@polisen.se"]
    assert "har ingen ledare längre" in mailoutbox[0].subject
    # The history and the members page say it too.
    client.force_login(world.carol)
    history = client.get(_url(world.ours.partnership, "history")).content.decode()
    assert "Ledare (administratörer och samordnare)" in history
    client.force_login(world.alice)
    page = client.get(_url(world.ours.partnership, "members")).content.decode()
    assert "har ingen administratör eller samordnare längre" in page


def test_a_superuser_may_take_away_the_last_leader_with_a_reason(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    root = User.objects.create_superuser("root", "root@example.se", "x")
    bob = Membership.objects.get(user=world.bob)
    with pytest.raises(membership.MembershipError, match="Ange en motivering"):
        membership.change_role(world.ours.partnership, bob.pk, Role.MEMBER, actor=root)
    bob.refresh_from_db()
    assert bob.role == Role.COORDINATOR
    with membership.audit.acting_as(root), django_capture_on_commit_callbacks(execute=True):
        membership.remove_member(
            world.ours.partnership, bob.pk, actor=root, reason="Polisen bad om det, ärende 12"
        )
    assert not Membership.objects.filter(pk=bob.pk).exists()
    removal = AuditEntry.objects.get(
        model_label="accounts.membership", object_id=str(bob.pk), action="delete"
    )
    assert removal.reason == "Polisen bad om det, ärende 12"
    leaderless = AuditEntry.objects.get(
        model_label="partnerships.party",
        object_id=str(world.ours.polis.pk),
        changes__has_key="leaders",
    )
    assert leaderless.reason == "Polisen bad om det, ärende 12"
    assert leaderless.user == root


def test_the_admin_asks_a_superuser_for_a_reason_before_removing(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.test_two_factor import code_for

    root = User.objects.create_superuser("root", "root@example.se", "x")
    device = TOTPDevice.objects.create(user=root, name="telefon", confirmed=True)
    client.force_login(root)
    verified = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert verified.status_code == 302
    bob = Membership.objects.get(user=world.bob)
    delete = reverse("admin:accounts_membership_delete", args=[bob.pk])
    page = client.get(delete)
    assert page.status_code == 200 and "Motivering" in page.content.decode()
    refused = client.post(delete, {"reason": ""})
    assert refused.status_code == 400
    assert Membership.objects.filter(pk=bob.pk).exists()
    done = client.post(delete, {"reason": "Bob har slutat; polisen utser ny samordnare"})
    assert done.status_code == 302
    assert not Membership.objects.filter(pk=bob.pk).exists()
    assert AuditEntry.objects.filter(
        model_label="accounts.membership",
        object_id=str(bob.pk),
        reason="Bob har slutat; polisen utser ny samordnare",
    ).exists()


def test_a_party_keeps_its_flag_once_it_has_had_a_leader(world):
    police = Party.objects.get(pk=world.ours.polis.pk)
    assert police.has_had_leader
    Membership.objects.filter(user=world.bob).delete()
    police.refresh_from_db()
    assert police.has_had_leader
    # A party nobody ever led is open to its first leader.
    region = Party.objects.create(
        partnership=world.ours.partnership,
        organisation=world.foreign.kommun.organisation,
        kind=PartyKind.PARTICIPANT,
    )
    assert membership.grantable_roles(world.alice, region) == [Role.ADMIN, Role.COORDINATOR]
    assert membership.grantable_roles(world.alice, police) == []


def test_the_migration_marks_parties_that_had_a_leader(world):
    import importlib

    migration = importlib.import_module(
        "samverkan.partnerships.migrations.0007_party_has_had_leader"
    )
    bob = Membership.objects.get(user=world.bob)
    # The police coordinator was demoted before the flag existed: only the history knows.
    Membership.objects.filter(pk=bob.pk).update(role=Role.MEMBER)
    never = Party.objects.create(
        partnership=world.ours.partnership,
        organisation=world.foreign.polis.organisation,
        kind=PartyKind.PARTICIPANT,
    )
    Party.objects.update(has_had_leader=False)
    migration.mark_parties_that_had_a_leader(apps, None)
    flags = dict(Party.objects.values_list("pk", "has_had_leader"))
    assert flags[world.ours.kommun.pk] and flags[world.ours.polis.pk]
    assert not flags[never.pk]


def test_a_superuser_member_gives_a_reason_on_the_role_page(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.test_two_factor import code_for

    root = User.objects.create_superuser("root", "root@example.se", "x")
    join(root, world.ours.kommun, Role.MEMBER)
    device = TOTPDevice.objects.create(user=root, name="telefon", confirmed=True)
    client.force_login(root)
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    bob = Membership.objects.get(user=world.bob)
    edit = _url(world.ours.partnership, "member_edit", membership_id=bob.pk)
    page = client.get(edit)
    assert page.status_code == 200 and "Motivering" in page.content.decode()
    refused = client.post(edit, {"role": Role.MEMBER})
    assert refused.status_code == 400
    assert "Ange en motivering" in refused.content.decode()
    bob.refresh_from_db()
    assert bob.role == Role.COORDINATOR
    done = client.post(edit, {"role": Role.MEMBER, "reason": "Bob har bytt tjänst"})
    assert done.status_code == 302
    bob.refresh_from_db()
    assert bob.role == Role.MEMBER
    assert AuditEntry.objects.filter(
        model_label="accounts.membership", object_id=str(bob.pk), reason="Bob har bytt tjänst"
    ).exists()
