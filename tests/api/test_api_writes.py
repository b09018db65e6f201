"""Writes through the API for the objects of steps 3–5 (issue 21): problems, causes, goals,
measures, decisions, meetings and citizen promises go through the pages' forms and gate,
with the forms' optimistic locking; the history names the token's owner; deletions reach a
syncing client through /deleted; fixed values are enums; each object has one answer."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import audit
from samverkan.accounts.models import AuditEntry, User
from samverkan.api.models import ApiToken
from samverkan.problems.models import Cause, CitizenPromise, Goal, Measure

BASE = "/api/v1"


def bearer(username: str) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "test")
    return {"Authorization": f"Bearer {secret}"}


def _problem(demo) -> Any:
    return Measure.objects.get(partnership=demo, number=4).problem


def _payloads(demo) -> dict[str, tuple[dict, dict, dict]]:
    """Per collection: a valid create, a change (PATCH) and an invalid create with the word
    the form's message holds."""
    problem = _problem(demo)
    cause = Cause.objects.filter(partnership=demo, problem=problem, confidential=False).first()
    party = demo.municipality_party()
    group = demo.groups.first()
    publishable = Measure.objects.filter(
        partnership=demo, publishable=True, confidential=False
    ).first()
    return {
        "problems": (
            {"title": "Skadegörelse vid skolan", "crime_type": "Skadegörelse", "frequency": 3},
            {"title": "Skadegörelse vid skolorna"},
            {"title": ""},
        ),
        "causes": (
            {
                "problem_id": problem.pk,
                "text": "Mörk gång utan belysning",
                "perspective": "situation",
            },
            {"text": "Mörk gång utan belysning efter 18"},
            {"problem_id": problem.pk, "text": "", "perspective": "situation"},
        ),
        "goals": (
            {
                "problem_id": problem.pk,
                "kind": "process",
                "text": "Fler vuxna ute",
                "indicator": "Antal vandringar",
                "unit": "st",
                "baseline": 2,
                "target": 12,
            },
            {"target": 20},
            {"problem_id": problem.pk, "kind": "sub", "text": "Delmål utan orsak"},
        ),
        "measures": (
            {
                "problem_id": problem.pk,
                "title": "Belysning i gången",
                "cause_ids": [cause.pk],
                "responsible_party_id": party.pk,
                "starts_on": "2026-03-01",
                "ends_on": "2026-06-30",
            },
            {"title": "Belysning i gången och parken"},
            {
                "problem_id": problem.pk,
                "title": "Utan orsak",
                "cause_ids": [],
                "responsible_party_id": party.pk,
            },
        ),
        "decisions": (
            {
                "kind": "other",
                "title": "Belysningsplan",
                "body": "Styrgruppen",
                "decided_on": "2026-02-01",
                "reference": "KS 2026/123",
                "text": "Beslutades.",
            },
            {"reference": "KS 2026/124"},
            {
                "kind": "other",
                "title": "Okänt möte",
                "body": "Styrgruppen",
                "text": "x",
                "decided_on": "2026-02-01",
                "meeting_id": 999999,
            },
        ),
        "meetings": (
            {
                "group_id": group.pk,
                "title": "Styrgruppsmöte",
                "starts_at": "2026-09-01T09:00:00+02:00",
                "location": "Rådhuset",
            },
            {"location": "Polishuset"},
            {"group_id": 999999, "title": "Okänd grupp", "starts_at": "2026-09-01T09:00:00+02:00"},
        ),
        "citizen-promises": (
            {
                "wording": "Vi lovar mer belysning vid skolan.",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "party_ids": [party.pk],
                "measure_ids": [publishable.pk] if publishable else [],
                "follow_up": "På kommunens webbplats varje kvartal.",
                "feedback": "trygghet@kommun.se",
            },
            {"published": True},
            {
                "wording": "Baklänges",
                "starts_on": "2026-12-31",
                "ends_on": "2026-01-01",
                "party_ids": [party.pk],
                "follow_up": "x",
                "feedback": "y",
            },
        ),
    }


COLLECTIONS = [
    "problems",
    "causes",
    "goals",
    "measures",
    "decisions",
    "meetings",
    "citizen-promises",
]
LABELS = {
    "problems": "problems.problem",
    "causes": "problems.cause",
    "goals": "problems.goal",
    "measures": "problems.measure",
    "decisions": "partnerships.decision",
    "meetings": "partnerships.meeting",
    "citizen-promises": "problems.citizenpromise",
}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_create_and_update_follow_the_role_the_form_and_the_version(
    client, demo, world, collection
):
    made, change, invalid = _payloads(demo)[collection]
    url = f"{BASE}/partnerships/{demo.pk}/{collection}"

    def post(body: dict, username: str) -> Any:
        return client.post(url, body, content_type="application/json", headers=bearer(username))

    # A member and a steering-group member read but may not write; a field reporter's key
    # opens nothing; someone outside the partnership is told nothing (404).
    for username in ("demo.kyrkan", "demo.styrgrupp", "demo.falt"):
        assert post(made, username).status_code == 403, username
    assert post(made, "mallory").status_code == 404
    bad = post(invalid, "demo.polis")
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str), bad.content
    created = post(made, "demo.polis")
    assert created.status_code == 201, created.content
    body = created.json()
    # The history names the token's owner, as for a change on the page.
    entry = AuditEntry.objects.get(
        model_label=LABELS[collection], object_id=str(body["id"]), action="create"
    )
    assert entry.user.username == "demo.polis"
    # The detail answers as the create did (one builder per object).
    detail = client.get(f"{url}/{body['id']}", headers=bearer("demo.kyrkan"))
    assert detail.status_code == 200 and detail.json() == body
    assert client.get(f"{url}/{body['id']}", headers=bearer("mallory")).status_code == 404

    def patch(extra: dict, version: int, username: str = "demo.polis") -> Any:
        return client.patch(
            f"{url}/{body['id']}",
            {**extra, "version": version},
            content_type="application/json",
            headers=bearer(username),
        )

    assert patch(change, body["version"], "demo.kyrkan").status_code == 403
    # Two changes in a row, each with the version the answer before gave: never a 409.
    first = patch(change, body["version"])
    assert first.status_code == 200, first.content
    for key, value in change.items():
        assert first.json()[key] == value
    second = patch(change, first.json()["version"])
    assert second.status_code == 200, second.content
    # Fields not sent stay as they were.
    kept = next(k for k in made if k not in change and k in second.json())
    assert second.json()[kept] == made[kept] or kept.endswith("_at")
    # An old version: someone else changed it since.
    stale = patch(change, body["version"])
    assert stale.status_code == 409
    updated = AuditEntry.objects.filter(
        model_label=LABELS[collection], object_id=str(body["id"]), action="update"
    )
    assert {e.user.username for e in updated} == {"demo.polis"}
    # The new object is in the list, and in the list of what changed since a moment ago.
    since = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    listed = client.get(url, {"changed_since": since}, headers=bearer("demo.polis")).json()
    assert body["id"] in [row["id"] for row in listed]


def test_a_value_outside_an_enum_is_refused_with_the_allowed_values(client, demo):
    made = _payloads(demo)["goals"][0]
    answer = client.post(
        f"{BASE}/partnerships/{demo.pk}/goals",
        {**made, "kind": "wish"},
        content_type="application/json",
        headers=bearer("demo.polis"),
    )
    assert answer.status_code == 422
    problem = answer.json()["detail"][0]
    assert problem["loc"][-1] == "kind"
    assert "effect" in problem["ctx"]["expected"] and "process" in problem["ctx"]["expected"]


def test_a_confidential_cause_is_neither_readable_nor_writable_for_others(client, demo):
    secret = Cause.objects.get(partnership=demo, confidential=True)
    url = f"{BASE}/partnerships/{demo.pk}/causes/{secret.pk}"
    change = {"text": "Ändrad", "version": secret.version}
    # A coordinator of a party that may not read it: as if it did not exist.
    assert client.get(url, headers=bearer("demo.kommun")).status_code == 404
    assert (
        client.patch(
            url, change, content_type="application/json", headers=bearer("demo.kommun")
        ).status_code
        == 404
    )
    assert client.get(url, headers=bearer("demo.polis")).status_code == 200


def test_a_measure_keeps_the_causes_its_editor_may_not_read(client, demo):
    """A PATCH that does not send cause_ids leaves the causes as they are, as the page does for
    the causes it offers; a coordinator cannot name a cause they may not read."""
    measure = Measure.objects.get(partnership=demo, number=4)
    url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}"
    before = set(measure.causes.values_list("pk", flat=True))
    changed = client.patch(
        url,
        {"how_where": "Busstorget", "version": measure.version},
        content_type="application/json",
        headers=bearer("demo.polis"),
    )
    assert changed.status_code == 200, changed.content
    assert set(measure.causes.values_list("pk", flat=True)) == before
    secret = Cause.objects.get(partnership=demo, confidential=True)
    named = client.patch(
        url,
        {"cause_ids": [secret.pk], "version": changed.json()["version"]},
        content_type="application/json",
        headers=bearer("demo.kommun"),
    )
    assert named.status_code in (404, 422)


def test_a_measure_at_a_listed_place_has_its_point(client, demo):
    place = demo.field_places.filter(latitude__isnull=False).first()
    measure = Measure.objects.get(partnership=demo, number=4)
    Measure.objects.filter(pk=measure.pk).update(how_where=f"Vid {place.name} kvällstid")
    other = Measure.objects.filter(partnership=demo, confidential=False).exclude(pk=measure.pk)
    other.update(how_where="Ingenstans särskilt")
    listed = client.get(f"{BASE}/partnerships/{demo.pk}/measures", headers=bearer("demo.polis"))
    rows = {row["id"]: row for row in listed.json()}
    assert rows[measure.pk]["geometry"] == {
        "type": "Point",
        "coordinates": [place.longitude, place.latitude],
    }
    assert rows[other.first().pk]["geometry"] is None
    detail = client.get(
        f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}", headers=bearer("demo.polis")
    ).json()
    assert detail == rows[measure.pk]


# ---- deletions ----------------------------------------------------------------------------------


def test_deletions_by_the_api_and_by_the_page_reach_the_deletion_feed(client, demo, world):
    start = timezone.now() - datetime.timedelta(seconds=1)
    promises = list(CitizenPromise.objects.filter(partnership=demo))
    url = f"{BASE}/partnerships/{demo.pk}/citizen-promises"
    first = promises[0]
    # A reader may not delete; an old version is refused; the version read works.
    assert client.delete(f"{url}/{first.pk}", headers=bearer("demo.kyrkan")).status_code == 403
    stale = client.delete(
        f"{url}/{first.pk}?version={first.version + 5}", headers=bearer("demo.polis")
    )
    assert stale.status_code == 409
    gone = client.delete(f"{url}/{first.pk}?version={first.version}", headers=bearer("demo.polis"))
    assert gone.status_code == 204
    assert client.get(f"{url}/{first.pk}", headers=bearer("demo.polis")).status_code == 404
    entry = AuditEntry.objects.get(
        model_label="problems.citizenpromise", object_id=str(first.pk), action="delete"
    )
    assert entry.user.username == "demo.polis"
    # The page's own delete is recorded the same way.
    second = CitizenPromise.objects.create(
        partnership=demo,
        wording="Ett till",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 2, 1),
        follow_up="x",
        feedback="y",
    )
    client.force_login(User.objects.get(username="demo.kommun"))
    page = reverse("problems:promise_delete", kwargs={"pk": demo.pk, "promise_id": second.pk})
    assert client.post(page).status_code in (200, 302)
    client.logout()

    feed = f"{BASE}/partnerships/{demo.pk}/deleted"
    answer = client.get(feed, {"changed_since": start.isoformat()}, headers=bearer("demo.kyrkan"))
    assert answer.status_code == 200
    rows = answer.json()
    assert [(r["collection"], r["id"]) for r in rows] == [
        ("citizen-promises", first.pk),
        ("citizen-promises", second.pk),
    ]
    assert answer["X-Total-Count"] == "2"
    # Paged as every list, and narrowed to one collection.
    one = client.get(
        feed, {"changed_since": start.isoformat(), "limit": 1}, headers=bearer("demo.kyrkan")
    )
    assert len(one.json()) == 1 and 'rel="next"' in one["Link"]
    assert (
        client.get(
            feed,
            {"collection": "measures", "changed_since": start.isoformat()},
            headers=bearer("demo.kyrkan"),
        ).json()
        == []
    )
    bad = client.get(feed, {"collection": "secrets"}, headers=bearer("demo.kyrkan"))
    assert bad.status_code == 422 and "citizen-promises" in str(bad.json())
    # Later than the deletions: nothing.
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert client.get(feed, {"changed_since": later}, headers=bearer("demo.kyrkan")).json() == []
    assert client.get(feed, headers=bearer("mallory")).status_code == 404


def test_a_deleted_confidential_item_is_named_only_to_those_who_could_read_it(client, demo):
    from samverkan.implementation.models import Progress

    start = timezone.now() - datetime.timedelta(seconds=1)
    secret = Measure.objects.get(partnership=demo, confidential=True)
    Progress.objects.filter(measure=secret).delete()
    secret_id = secret.pk
    # Removed by one of its own party's coordinators (the history's restriction falls back to
    # the acting user's parties once the allowed parties are gone with the item).
    with audit.acting_as(User.objects.get(username="demo.polis")):
        secret.delete()
    feed = f"{BASE}/partnerships/{demo.pk}/deleted"
    query = {"changed_since": start.isoformat(), "collection": "measures"}
    polis = client.get(feed, query, headers=bearer("demo.polis")).json()
    assert [r["id"] for r in polis] == [secret_id]
    assert client.get(feed, query, headers=bearer("demo.kyrkan")).json() == []


# ---- one answer per object ----------------------------------------------------------------------


def test_a_goal_with_its_indicator_answers_the_same_everywhere(client, demo):
    goal = Goal.objects.filter(partnership=demo).first()
    listed = client.get(f"{BASE}/partnerships/{demo.pk}/goals", headers=bearer("demo.kyrkan"))
    row = next(g for g in listed.json() if g["id"] == goal.pk)
    detail = client.get(
        f"{BASE}/partnerships/{demo.pk}/goals/{goal.pk}", headers=bearer("demo.kyrkan")
    ).json()
    assert row == detail and detail["indicator"] == goal.indicator
    assert detail["version"] == goal.version


def test_fixed_values_are_enums_in_the_schema(client, demo):
    from samverkan.jobs.registry import _REGISTRY

    schema = client.get(f"{BASE}/openapi.json").json()["components"]["schemas"]

    def enum_of(name: str, field: str) -> list[str]:
        prop = schema[name]["properties"][field]
        ref = prop.get("$ref") or next(
            (o["$ref"] for o in prop.get("anyOf", []) if "$ref" in o), None
        )
        if ref is None:
            return prop["enum"]
        return schema[ref.rsplit("/", 1)[1]]["enum"]

    # Every kind the apps register (test modules register their own kinds after the schema
    # was built, in whatever order the tests run; those are not part of the API).
    app_kinds = {k for k, f in _REGISTRY.items() if f.__module__.startswith("samverkan.")}
    assert set(enum_of("JobOut", "kind")) == app_kinds
    assert "done" in enum_of("ImportOut", "status")
    assert set(enum_of("DocumentEventOut", "event")) == {"issued", "decided"}
    assert "harm" in enum_of("CriterionScore", "criterion")
    assert "e_test" in enum_of("FindingOut", "key")
    assert "baseline" in enum_of("ResultPointOut", "source")
    assert "lagesbild" in enum_of("DocumentDecisionOut", "kind")
    assert "public" in enum_of("DocumentDecisionOut", "approved_edition")
    assert "process" in enum_of("GoalIn", "kind")
    assert "citizen-promises" in enum_of("DeletedOut", "collection")
    assert "lagesbild" in enum_of("RequirementOut", "key")
    assert set(enum_of("TrendOut", "source")) == {"statistics", "incidents"}


def test_every_lagkrav_key_answered_is_in_the_schema(client, demo):
    from samverkan.process.compliance import REQUIREMENT_KEYS

    answer = client.get(f"{BASE}/partnerships/{demo.pk}/lagkrav", headers=bearer("demo.kyrkan"))
    assert answer.status_code == 200
    assert {item["key"] for item in answer.json()["items"]} == set(REQUIREMENT_KEYS)


def test_a_decision_on_the_action_plan_is_recorded_and_changed_with_its_version(
    client, demo, world
):
    from samverkan.documents.models import DocumentDecision

    DocumentDecision.objects.filter(partnership=demo, kind="atgardsplan").delete()
    url = f"{BASE}/partnerships/{demo.pk}/document-decisions/atgardsplan"
    version = demo.issued_documents.filter(kind="atgardsplan", format="pdf").order_by("-pk").first()
    body = {"body": "Kommunstyrelsen", "decided_on": "2026-04-01", "reference": "KS 2026/55",
            "approved_id": version.pk if version else None}  # fmt: skip

    def put(extra: dict, username: str = "demo.polis", kind: str = "atgardsplan") -> Any:
        return client.put(url.replace("atgardsplan", kind), {**body, **extra},
                          content_type="application/json", headers=bearer(username))  # fmt: skip

    assert put({}, "demo.kyrkan").status_code == 403
    assert put({}, "mallory").status_code == 404
    assert put({}, kind="agreement").status_code == 422
    made = put({})
    assert made.status_code == 201, made.content
    assert made.json()["reference"] == "KS 2026/55" and made.json()["kind"] == "atgardsplan"
    record = DocumentDecision.objects.get(partnership=demo, kind="atgardsplan")
    entry = AuditEntry.objects.filter(model_label="documents.documentdecision",
                                      object_id=str(record.pk)).latest("pk")  # fmt: skip
    assert entry.user.username == "demo.polis"
    # It exists now: a change names the version read, twice in a row without a 409.
    assert put({"reference": "KS 2026/56"}).status_code == 409
    first = put({"reference": "KS 2026/56", "version": made.json()["version"]})
    assert first.status_code == 200, first.content
    second = put({"reference": "KS 2026/57", "version": first.json()["version"]})
    assert second.status_code == 200 and second.json()["reference"] == "KS 2026/57"
    assert put({"version": made.json()["version"]}).status_code == 409
    listed = client.get(f"{BASE}/partnerships/{demo.pk}/document-decisions",
                        headers=bearer("demo.kyrkan")).json()  # fmt: skip
    assert second.json() in listed


def test_the_problem_picture_is_changed_with_its_version_and_loses_its_confirmations(
    client, demo, world
):
    from samverkan.problems.models import Confirmation, ProblemPicture

    url = f"{BASE}/partnerships/{demo.pk}/problem-picture"
    read = client.get(url, headers=bearer("demo.kyrkan")).json()

    def put(body: dict, username: str = "demo.polis") -> Any:
        return client.put(url, body, content_type="application/json", headers=bearer(username))

    assert put({"text": "Ny", "version": read["version"]}, "demo.kyrkan").status_code == 403
    assert put({"text": "Ny", "version": read["version"]}, "mallory").status_code == 404
    picture = ProblemPicture.objects.get(partnership=demo)
    Confirmation.objects.get_or_create(picture=picture, party=demo.municipality_party())
    assert picture.confirmations.exists()
    first = put({"text": "Skadegörelsen har ökat vid skolorna.", "version": read["version"]})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["text"].startswith("Skadegörelsen") and body["conditions"] == read["conditions"]
    assert body["confirmed_party_ids"] == [] and not picture.confirmations.exists()
    second = put({"conditions": "Skolan äger gården.", "version": body["version"]})
    assert second.status_code == 200 and second.json()["text"] == body["text"]
    assert put({"text": "Gammal", "version": read["version"]}).status_code == 409
    entry = AuditEntry.objects.filter(model_label="problems.problempicture").latest("pk")
    assert entry.user.username == "demo.polis"


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_writable_collection_pages(client, demo, collection):
    url = f"{BASE}/partnerships/{demo.pk}/{collection}"
    everything = client.get(url, headers=bearer("demo.polis"))
    total = int(everything["X-Total-Count"])
    assert total == len(everything.json())
    while total < 2:  # one more, made through the API itself
        made = client.post(url, _payloads(demo)[collection][0], content_type="application/json",
                           headers=bearer("demo.polis"))  # fmt: skip
        assert made.status_code == 201, made.content
        total += 1
    first = client.get(url, {"limit": 1}, headers=bearer("demo.polis"))
    assert len(first.json()) == 1 and int(first["X-Total-Count"]) == total
    assert 'rel="next"' in first["Link"]
    last = client.get(url, {"limit": 1, "offset": total - 1}, headers=bearer("demo.polis"))
    assert len(last.json()) == 1 and 'rel="next"' not in last["Link"]
