"""Parties, coordinators, groups, decisions, meetings, calendar and members, as a coordinator."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.models import Membership, User
from samverkan.partnerships.models import Decision, Group, GroupMember, Meeting, Party


def url(world, name, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": world.ours.partnership.pk, **kwargs})


def test_coordinator_adds_participant_party(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "party_create"),
        {
            "organisation_name": "Svenska kyrkan",
            "organisation_kind": "other",
            "kind": "participant",
        },
    )
    assert response.status_code == 302
    party = Party.objects.get(organisation__name="Svenska kyrkan")
    assert party.partnership == world.ours.partnership
    assert not party.is_signatory()


def test_signing_party_needs_a_signatory_title(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "party_create"),
        {"organisation_name": "Region Test", "organisation_kind": "region", "kind": "signatory"},
    )
    assert response.status_code == 400
    assert "Ange vem som undertecknar" in response.content.decode()
    assert not Party.objects.filter(organisation__name="Region Test").exists()


def test_same_organisation_cannot_be_added_twice(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "party_create"),
        {
            "organisation_name": "testkommun",
            "organisation_kind": "municipality",
            "kind": "participant",
        },
    )
    assert "redan part i denna samverkan" in response.content.decode()


def test_coordinator_is_named_for_a_party(client, world):
    # By the party's own leader: the police coordinator names the police's coordinator.
    client.force_login(world.bob)
    party = world.ours.polis
    response = client.post(
        url(world, "coordinator_edit", party_id=party.pk),
        {
            "name": "Ny Samordnare",
            "title": "Kommunpolis",
            "email": "ny@polisen.se",
            "version": party.coordinator.version,
        },
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.coordinator.name == "Ny Samordnare"


def test_bad_email_for_coordinator_is_explained(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "coordinator_edit", party_id=world.ours.polis.pk),
        {"name": "X", "email": "inte-en-adress", "version": 1},
    )
    assert response.status_code == 400
    assert "Fyll i en giltig e-postadress" in response.content.decode()


def test_second_steering_group_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(url(world, "group_create"), {"kind": "steering", "name": "Styrgrupp 2"})
    assert "redan en styrgrupp" in response.content.decode()
    assert Group.objects.filter(partnership=world.ours.partnership, kind="steering").count() == 1


def test_working_group_gets_members_from_own_parties_only(client, world):
    client.force_login(world.alice)
    client.post(url(world, "group_create"), {"kind": "working", "name": "Krogarbetsgruppen"})
    group = Group.objects.get(name="Krogarbetsgruppen")
    ok = client.post(
        url(world, "group_member_add", group_id=group.pk),
        {"party": world.ours.polis.pk, "name": "Eva", "title": "Kommunpolis"},
    )
    assert ok.status_code == 302
    foreign = client.post(
        url(world, "group_member_add", group_id=group.pk),
        {"party": world.foreign.kommun.pk, "name": "Inkräktare"},
    )
    assert foreign.status_code == 400
    assert list(group.members.values_list("name", flat=True)) == ["Eva"]


def test_removing_a_group_member(client, world):
    client.force_login(world.alice)
    member = world.ours.member
    client.post(
        url(
            world, "group_member_remove", group_id=world.ours.steering.pk, group_member_id=member.pk
        )
    )
    assert not GroupMember.objects.filter(pk=member.pk).exists()


def test_decision_with_attachment_is_recorded_and_downloadable(client, world):
    client.force_login(world.alice)
    response = client.post(
        url(world, "decision_create"),
        {
            "kind": "collaborate",
            "title": "Samverkansbeslut",
            "body": "Kommunstyrelsen",
            "decided_on": "2026-11-20",
            "reference": "KS 2026/12",
            "text": "Kommunen och polisen samverkar.",
            "attachment": SimpleUploadedFile("protokoll.pdf", b"%PDF-1.4 hello"),
        },
    )
    decision = Decision.objects.get(title="Samverkansbeslut")
    assert response.status_code == 302
    client.force_login(world.carol)
    download = client.get(url(world, "decision_attachment", decision_id=decision.pk))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 hello"


def test_decision_rejects_executable_attachment_and_saves_nothing(client, world):
    client.force_login(world.alice)
    response = client.post(
        url(world, "decision_create"),
        {
            "kind": "other",
            "title": "Farligt",
            "body": "Styrgruppen",
            "decided_on": "2026-11-20",
            "text": "x",
            "attachment": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    assert response.status_code == 400
    assert "Filtypen .exe tas inte emot" in response.content.decode()
    assert not Decision.objects.filter(title="Farligt").exists()


def test_bad_date_gets_swedish_message(client, world):
    client.force_login(world.alice)
    response = client.post(
        url(world, "decision_create"),
        {"kind": "other", "title": "X", "body": "Y", "decided_on": "31/31/2026", "text": "x"},
    )
    assert "Fyll i ett giltigt datum" in response.content.decode()


def test_meeting_is_scheduled_and_minutes_recorded_after_it(client, world):
    client.force_login(world.bob)
    start = timezone.localtime() - datetime.timedelta(hours=2)
    client.post(
        url(world, "meeting_create"),
        {
            "group": world.ours.steering.pk,
            "title": "Styrgruppsmöte",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    meeting = Meeting.objects.get(title="Styrgruppsmöte")
    response = client.post(
        url(world, "meeting_minutes", meeting_id=meeting.pk),
        {
            "minutes": "Vi beslutade om nästa steg.",
            "attendees": [world.ours.member.pk],
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_held()
    assert list(meeting.attendees.all()) == [world.ours.member]


def test_minutes_before_the_meeting_are_refused(client, world):
    client.force_login(world.bob)
    meeting = Meeting.objects.create(
        partnership=world.ours.partnership,
        group=world.ours.steering,
        title="Framtida möte",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    response = client.post(
        url(world, "meeting_minutes", meeting_id=meeting.pk),
        {"minutes": "För tidigt", "version": meeting.version},
        follow=True,
    )
    assert "Protokoll kan föras först när mötet har ägt rum" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    # What was typed is kept as a draft, shown on the meeting page, and is not minutes.
    assert meeting.minutes_draft == "För tidigt" and not meeting.is_held()
    assert "För tidigt" in response.content.decode()


def test_budget_process_dates_are_added_once(client, world):
    client.force_login(world.alice)
    milestones = world.ours.partnership.milestones
    before = milestones.count()
    client.post(url(world, "budget_process_add"), {"year": 2027})
    added = milestones.count() - before
    client.post(url(world, "budget_process_add"), {"year": 2027})
    assert added == 5
    assert milestones.count() == before + 5
    assert milestones.filter(title="Kommunfullmäktige beslutar om budget och mål").exists()


def test_admin_invites_a_new_member_who_creates_the_account_through_the_link(client, world):
    client.force_login(world.alice)
    response = client.post(
        url(world, "member_add"),
        {"username": "dana", "party": world.ours.kommun.pk, "role": "member"},
    )
    assert response.status_code == 200
    link = response.context["link"]
    assert not User.objects.filter(username="dana").exists()  # nothing until dana says yes
    client.logout()
    client.post(
        link,
        {
            "username": "dana",
            "first_name": "Dana",
            "password1": "ett-bra-losenord-42",
            "password2": "ett-bra-losenord-42",
        },
    )
    dana = User.objects.get(username="dana")
    assert dana.check_password("ett-bra-losenord-42")
    assert Membership.objects.get(user=dana).party == world.ours.kommun


def test_weak_password_for_new_member_is_refused(client, world):
    client.force_login(world.alice)
    link = client.post(
        url(world, "member_add"),
        {"username": "dana", "party": world.ours.kommun.pk, "role": "member"},
    ).context["link"]
    client.logout()
    response = client.post(link, {"username": "dana", "password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert not User.objects.filter(username="dana").exists()


def test_last_administrator_cannot_be_removed(client, world):
    client.force_login(world.alice)
    own = Membership.objects.get(user=world.alice)
    client.post(url(world, "member_remove", membership_id=own.pk))
    assert Membership.objects.filter(pk=own.pk).exists()
