"""Writes for step 1 through the API (issue 21): the groups with their members, each party's
coordinator and the planning calendar go through the step 1 pages' forms and gates, with their
optimistic locking; the history names the token's owner; a read-only token writes nothing;
the lists page and take changed_since."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from samverkan.partnerships.models import Coordinator
from tests.api.calls import bearer, send, updated_by

BASE = "/api/v1"


def _written_as_the_page_does(
    client: Any,
    world: Any,
    *,
    create: str,
    item: str | None,
    listed: str,
    label: str,
    made: dict,
    changes: list[dict],
    bad: tuple[dict, str],
    writer: Any,
    without_right: Any,
    reader: Any = None,
) -> dict:
    """The whole round for one kind: who may create, a 422 that names what is wrong, 201, the
    single read, PATCHes in turn with the versions read, a stale version, the history, the
    list since a moment. ``item`` is the object's own path (None: the id's, under create)."""
    outsider, reader = world.mallory, reader or world.carol
    assert send(client, "post", create, made, outsider).status_code == 404
    assert send(client, "post", create, made, without_right).status_code == 403
    assert send(client, "post", create, made, writer, read_only=True).status_code == 403
    wrong, named = bad
    refused = send(client, "post", create, {**made, **wrong}, writer)
    assert refused.status_code == 422 and named in str(refused.json()), refused.content
    since = timezone.now().isoformat()
    created = send(client, "post", create, made, writer)
    assert created.status_code == 201, created.content
    body = created.json()
    for key, value in made.items():
        assert body.get(key, value) == value, key  # what the answer shows is what was sent
    url = item or f"{create}/{body['id']}"
    assert client.get(url, headers=bearer(reader)).json() == body
    assert client.get(url, headers=bearer(outsider)).status_code == 404

    first = {**changes[0], "version": body["version"]}
    assert send(client, "patch", url, first, outsider).status_code == 404
    assert send(client, "patch", url, first, without_right).status_code == 403
    assert send(client, "patch", url, first, writer, read_only=True).status_code == 403
    version = body["version"]
    for change in changes:  # each with the version the answer before gave: never a 409
        answer = send(client, "patch", url, {**change, "version": version}, writer)
        assert answer.status_code == 200, answer.content
        last = answer.json()
        for key, value in change.items():
            assert last[key] == value, key
        assert last["version"] == version + 1
        version = last["version"]
    stale = send(client, "patch", url, {**changes[0], "version": body["version"]}, writer)
    assert stale.status_code == 409, stale.content
    refused = send(client, "patch", url, {**wrong, "version": version}, writer)
    assert refused.status_code == 422 and named in str(refused.json()), refused.content
    assert updated_by(label, body["id"]) == {writer.username}

    rows = client.get(listed, {"changed_since": since}, headers=bearer(reader))
    assert rows.status_code == 200 and rows.json() == [last], rows.content
    assert rows["X-Total-Count"] == "1"
    one = client.get(listed, {"limit": 1}, headers=bearer(reader))
    assert len(one.json()) == 1 and 'rel="first"' in one["Link"]
    return last


def test_a_group_is_written_as_the_groups_page_does(client, kept_world):
    p = kept_world.ours.partnership
    url = f"{BASE}/partnerships/{p.pk}/groups"
    made = {"kind": "working", "name": "Arbetsgrupp Centrum", "mandate": "Trygghetsvandringar."}
    last = _written_as_the_page_does(
        client,
        kept_world,
        create=url,
        item=None,
        listed=url,
        label="partnerships.group",
        made=made,
        changes=[{"meeting_frequency": "Varannan vecka"}, {"name": "Arbetsgrupp Torget"}],
        bad=({"kind": "council"}, "steering"),  # the allowed values are named
        writer=kept_world.bob,
        without_right=kept_world.carol,
    )
    assert last["mandate"] == made["mandate"] and last["kind"] == "working"
    # The form's own rule, in English: one steering group per partnership.
    second = send(client, "post", url, {**made, "kind": "steering"}, kept_world.bob)
    assert second.status_code == 422
    assert "already has a steering group" in second.json()["detail"], second.content


def test_a_party_is_written_as_the_parties_page_does(client, kept_world):
    ours = kept_world.ours
    url = f"{BASE}/partnerships/{ours.partnership.pk}/parties"
    made = {
        "organisation_name": "Fastighetsbolaget Centrum AB",
        "organisation_kind": "other",
        "kind": "participant",
        "contribution": "Lokaler och belysning.",
    }
    last = _written_as_the_page_does(
        client,
        kept_world,
        create=url,
        item=None,
        listed=url,
        label="partnerships.party",
        made=made,
        changes=[{"signatory_name": "Eva Vd"}, {"contribution": "Lokaler, belysning, väktare."}],
        bad=({"organisation_kind": "company"}, "municipality"),  # the allowed values are named
        writer=kept_world.bob,  # an editor sets up a party that has had no leader yet
        without_right=kept_world.carol,
    )
    assert last["organisation"] == "Fastighetsbolaget Centrum AB"
    # The form's own rule, in English: a signing party names who signs.
    sign = {"kind": "signatory", "version": last["version"]}
    unsigned = send(client, "patch", f"{url}/{last['id']}", sign, kept_world.bob)
    assert unsigned.status_code == 422 and "signatory_title" in unsigned.json()["detail"]
    # A party with leaders governs itself: another party's administrator gets the page's 403.
    polis = f"{url}/{ours.polis.pk}"
    version = client.get(polis, headers=bearer(kept_world.bob)).json()["version"]
    change = {"contribution": "Kartor.", "version": version}
    refused = send(client, "patch", polis, change, kept_world.alice)
    assert refused.status_code == 403 and "Only the own administrators" in refused.json()["detail"]
    assert send(client, "patch", polis, change, kept_world.bob).status_code == 200


def test_a_group_member_is_written_as_the_group_page_does(client, kept_world):
    ours = kept_world.ours
    url = f"{BASE}/partnerships/{ours.partnership.pk}/groups/{ours.steering.pk}/members"
    made = {"party_id": ours.polis.pk, "name": "Lena Lokalpolis", "title": "", "is_chair": False}
    last = _written_as_the_page_does(
        client,
        kept_world,
        create=url,
        item=None,
        listed=url,
        label="partnerships.groupmember",
        made=made,
        changes=[{"title": "Lokalpolisområdeschef"}, {"is_chair": True}],
        bad=({"party_id": kept_world.foreign.kommun.pk}, "party"),  # not a party here
        writer=kept_world.bob,
        without_right=kept_world.steve,
    )
    assert last["group_id"] == ours.steering.pk and last["party_id"] == ours.polis.pk
    # A member is found only under its own group.
    other = ours.partnership.groups.exclude(pk=ours.steering.pk).first()
    elsewhere = f"{BASE}/partnerships/{ours.partnership.pk}/groups/{other.pk}/members/{last['id']}"
    assert client.get(elsewhere, headers=bearer(kept_world.bob)).status_code == 404


def test_a_coordinator_is_named_as_the_party_page_does(client, kept_world):
    ours = kept_world.ours
    Coordinator.objects.filter(party=ours.polis).delete()
    url = f"{BASE}/partnerships/{ours.partnership.pk}/parties/{ours.polis.pk}/coordinator"
    made = {"name": "Per Polis", "title": "Kommunpolis", "email": "per@example.org", "phone": ""}
    last = _written_as_the_page_does(
        client,
        kept_world,
        create=url,
        item=url,
        listed=f"{BASE}/partnerships/{ours.partnership.pk}/coordinators",
        label="partnerships.coordinator",
        made=made,
        changes=[{"phone": "0701234567"}, {"title": "Områdespolis"}],
        bad=({"email": "per at polisen"}, "email"),
        writer=kept_world.bob,
        # The municipality's administrator leads her own party, not the police's.
        without_right=kept_world.alice,
        reader=kept_world.bob,
    )
    assert last["party_id"] == ours.polis.pk and last["phone"] == "0701234567"
    # The phone number is the party's leaders' (as on its form); the rest every member reads.
    seen = client.get(url, headers=bearer(kept_world.carol)).json()
    assert seen == {**last, "phone": None}
    again = send(client, "post", url, made, kept_world.bob)
    assert again.status_code == 409 and "PATCH" in again.json()["detail"]
    # The page's own refusal, in English.
    other = send(client, "patch", url, {"phone": "1", "version": last["version"]}, kept_world.alice)
    assert other.status_code == 403 and "Only the own administrators" in other.json()["detail"]
    # A member without a leading role does not name coordinators.
    assert send(client, "post", url, made, kept_world.carol).status_code == 403


def test_a_milestone_is_written_as_the_calendar_does(client, kept_world):
    p = kept_world.ours.partnership
    url = f"{BASE}/partnerships/{p.pk}/milestones"
    made = {"date": "2027-03-01", "title": "Lägesbild klar", "kind": "step", "step": 2}
    last = _written_as_the_page_does(
        client,
        kept_world,
        create=url,
        item=None,
        listed=url,
        label="partnerships.milestone",
        made=made,
        changes=[{"done": True}, {"note": "Klar i tid.", "step": 3}],
        bad=({"kind": "deadline"}, "budget"),  # the allowed values are named
        writer=kept_world.bob,
        without_right=kept_world.steve,
    )
    assert last["done"] is True and last["kind"] == "step"
    out_of_range = send(client, "post", url, {**made, "step": 9}, kept_world.bob)
    assert out_of_range.status_code == 422 and "step" in str(out_of_range.json())
