"""More writes through the API (issue 21): step 5's effect evaluations, the glossary, the harm
weights of the prioritisation and a party's own step 2 registers go through the pages' forms
and gates, with their optimistic locking; the history names the token's owner; a read-only
token writes nothing; the deletion feed is paged in the database."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samverkan.accounts import audit
from samverkan.accounts.models import AuditEntry, User
from samverkan.problems.choices import GoalKind
from tests.api.calls import bearer, send, updated_by

BASE = "/api/v1"


@pytest.fixture
def outsider(db) -> str:
    """Someone with an account and a token, outside the demo partnership."""
    User.objects.create_user(username="utomstaende", password="x")
    return "utomstaende"


def _writes_in_turn(client: Any, url: str, changes: list[dict], version: int,
                    username: str, method: str = "patch") -> dict:  # fmt: skip
    """Each change with the version the answer before gave: never a 409."""
    body: dict = {}
    for change in changes:
        answer = send(client, method, url, {**change, "version": version}, username)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        for key, value in change.items():
            assert body[key] == value, key
        assert body["version"] == version + 1
        version = body["version"]
    return body


# ---- step 5: effect evaluations -----------------------------------------------------------------


def test_an_effect_evaluation_is_written_as_the_step_5_page_does(client, demo, outsider):
    goal = demo.goals.filter(kind__in=[GoalKind.EFFECT, GoalKind.SUB]).first()
    url = f"{BASE}/partnerships/{demo.pk}/evaluations"
    made = {
        "goal_id": goal.pk,
        "indicator": "Anmälda skadegörelsebrott",
        "interpretation": "victim_no_interaction",
        "period_before": "2024",
        "period_after": "2025",
        "treated_area": "Centrum",
        "treated_before": 120,
        "treated_after": 80,
        "control_area": "Norr",
        "control_before": 100,
        "control_after": 98,
    }
    for username in ("demo.kyrkan", "demo.styrgrupp"):
        assert send(client, "post", url, made, username).status_code == 403, username
    assert send(client, "post", url, made, outsider).status_code == 404
    assert send(client, "post", url, made, "demo.polis", read_only=True).status_code == 403
    # The model's own rule, in English: both counts of the control area or neither.
    bad = send(client, "post", url, {**made, "control_after": None}, "demo.polis")
    assert bad.status_code == 422
    assert "Enter both a before and an after value" in bad.json()["detail"], bad.content
    # Only an effect goal or a sub-goal is followed up by an evaluation (the form's choice).
    process = demo.goals.filter(kind=GoalKind.PROCESS).first()
    if process is not None:
        wrong = send(client, "post", url, {**made, "goal_id": process.pk}, "demo.polis")
        assert wrong.status_code == 422 and "goal" in wrong.json()["detail"]
    since = timezone.now().isoformat()
    created = send(client, "post", url, made, "demo.polis")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["interpretation"] == "victim_no_interaction" and body["control_after"] == 98
    assert body["change_percent"] == pytest.approx(-33.3, abs=0.1)
    assert any(f["key"] for f in body["findings"])
    item = f"{url}/{body['id']}"
    assert client.get(item, headers=bearer("demo.kyrkan")).json() == body
    assert client.get(item, headers=bearer(outsider)).status_code == 404

    assert send(client, "patch", item, {"treated_after": 70, "version": body["version"]},
                 "demo.kyrkan").status_code == 403  # fmt: skip
    last = _writes_in_turn(client, item, [{"treated_after": 70}, {"note": "Ny belysning."}],
                           body["version"], "demo.polis")  # fmt: skip
    assert last["treated_after"] == 70 and last["indicator"] == made["indicator"]
    stale = send(client, "patch", item, {"note": "Gammal", "version": body["version"]},
                  "demo.polis")  # fmt: skip
    assert stale.status_code == 409
    invalid = send(client, "patch", item, {"control_before": None, "version": last["version"]},
                    "demo.polis")  # fmt: skip
    assert invalid.status_code == 422
    assert updated_by("followup.effectevaluation", body["id"]) == {"demo.polis"}
    listed = client.get(url, {"changed_since": since}, headers=bearer("demo.kyrkan"))
    assert [row["id"] for row in listed.json()] == [body["id"]]
    assert listed.json()[0] == last


def test_the_steering_groups_response_is_recorded_as_its_page_does(client, demo, outsider):
    url = f"{BASE}/partnerships/{demo.pk}/steering-responses"
    made = {"date": "2026-11-20", "response": "Arbetet har gett effekt i centrum.",
            "decisions": "Fortsätt med belysningen."}  # fmt: skip
    # The steering group and the administrators answer; a coordinator may not (403).
    for username in ("demo.polis", "demo.kyrkan"):
        assert send(client, "post", url, made, username).status_code == 403, username
    assert send(client, "post", url, made, outsider).status_code == 404
    assert send(client, "post", url, made, "demo.styrgrupp", read_only=True).status_code == 403
    missing = send(client, "post", url, {**made, "response": ""}, "demo.styrgrupp")
    assert missing.status_code == 422
    assert missing.json()["detail"].startswith("response: "), missing.content
    since = timezone.now().isoformat()
    created = send(client, "post", url, made, "demo.styrgrupp")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["continue_next_cycle"] is True and body["version"] == 1
    assert body["cycle_id"] == demo.current_cycle().pk
    assert client.get(f"{url}/{body['id']}", headers=bearer("demo.kyrkan")).json() == body
    assert client.get(f"{url}/{body['id']}", headers=bearer(outsider)).status_code == 404
    changed = client.get(url, {"changed_since": since}, headers=bearer("demo.kyrkan")).json()
    assert changed == [body]
    assert updated_by("followup.steeringresponse", body["id"]) == {"demo.styrgrupp"}


def test_a_part_of_the_5i_write_up_is_changed_as_its_page_does(client, demo, outsider):
    from samverkan.followup.models import WriteUpSection
    from samverkan.problems.models import Cause

    WriteUpSection.objects.filter(partnership=demo, part="impact").delete()
    listed = client.get(f"{BASE}/partnerships/{demo.pk}/write-up", headers=bearer("demo.kyrkan"))
    assert [p["part"] for p in listed.json()] == [
        "intelligence", "intervention", "implementation", "involvement", "impact"
    ]  # fmt: skip
    impact = listed.json()[-1]
    assert impact["version"] == 0 and impact["reviewed"] is False
    url = f"{BASE}/partnerships/{demo.pk}/write-up/impact"
    change = {"text": "Skadegörelsen minskade i centrum.", "version": 0}
    assert send(client, "put", url, change, "demo.kyrkan").status_code == 403
    assert send(client, "put", url, change, outsider).status_code == 404
    assert send(client, "put", url, change, "demo.polis", read_only=True).status_code == 403
    # The page form's guard: the text is for everyone, so no confidential cause in it.
    secret = Cause.objects.get(partnership=demo, confidential=True)
    quoting = send(client, "put", url, {**change, "text": secret.text}, "demo.polis")
    assert quoting.status_code == 422
    assert "The text quotes confidential items" in quoting.json()["detail"], quoting.content
    last = _writes_in_turn(client, url, [{"text": change["text"]}, {"text": "Andra stycket."}],
                           0, "demo.polis", method="put")  # fmt: skip
    assert last["reviewed"] is True and last["edited"] is True
    assert send(client, "put", url, change, "demo.polis").status_code == 409
    stored = WriteUpSection.objects.get(partnership=demo, part="impact")
    assert updated_by("followup.writeupsection", stored.pk) == {"demo.polis"}


# ---- the glossary -------------------------------------------------------------------------------


def test_a_glossary_term_is_written_with_its_version(client, demo, outsider):
    url = f"{BASE}/partnerships/{demo.pk}/glossary"
    made = {"term": "Trygghetsvandring", "definition": "En promenad där man ser efter brister."}
    assert send(client, "post", url, made, "demo.kyrkan").status_code == 403
    assert send(client, "post", url, made, outsider).status_code == 404
    assert send(client, "post", url, made, "demo.polis", read_only=True).status_code == 403
    since = timezone.now().isoformat()
    created = send(client, "post", url, made, "demo.polis")
    assert created.status_code == 201, created.content
    body = created.json()
    again = send(client, "post", url, {**made, "term": "trygghetsvandring "}, "demo.kommun")
    assert again.status_code == 422
    assert again.json()["detail"] == "term: The term is already in the glossary."
    item = f"{url}/{body['id']}"
    assert client.get(item, headers=bearer("demo.kyrkan")).json() == body
    last = _writes_in_turn(client, item, [{"definition": "Ändrad."}, {"term": "Vandring"}],
                           body["version"], "demo.kommun")  # fmt: skip
    assert last["definition"] == "Ändrad."
    assert send(client, "patch", item, {"term": "X", "version": body["version"]},
                 "demo.polis").status_code == 409  # fmt: skip
    assert updated_by("problems.glossaryterm", body["id"]) == {"demo.polis", "demo.kommun"}
    creator = AuditEntry.objects.get(
        model_label="problems.glossaryterm", object_id=str(body["id"]), action="create"
    )
    assert creator.user.username == "demo.polis"
    # Paged like every list.
    total = int(client.get(url, headers=bearer("demo.kyrkan"))["X-Total-Count"])
    assert total >= 1
    first = client.get(url, {"limit": 1}, headers=bearer("demo.kyrkan"))
    assert len(first.json()) == 1 and ('rel="next"' in first["Link"]) == (total > 1)
    changed = client.get(url, {"changed_since": since}, headers=bearer("demo.kyrkan")).json()
    assert changed == [last]


# ---- the harm weights ---------------------------------------------------------------------------


def test_the_harm_weights_are_read_and_changed_as_their_page_does(client, demo, outsider):
    from samverkan.problems.models import HarmWeights

    HarmWeights.objects.filter(partnership=demo).delete()
    url = f"{BASE}/partnerships/{demo.pk}/harm-weights"
    read = client.get(url, headers=bearer("demo.kyrkan"))
    assert read.status_code == 200
    assert read.json()["version"] == 0 and read.json()["is_default"] is True
    assert not HarmWeights.objects.filter(partnership=demo).exists()  # a read writes nothing
    assert client.get(url, headers=bearer(outsider)).status_code == 404
    change = {"liv_halsa": 40, "version": 0}
    assert send(client, "put", url, change, "demo.kyrkan").status_code == 403
    assert send(client, "put", url, change, outsider).status_code == 404
    assert send(client, "put", url, change, "demo.polis", read_only=True).status_code == 403
    zero = {name: 0 for name in read.json() if name not in ("source", "is_default", "version")}
    bad = send(client, "put", url, {**zero, "version": 0}, "demo.polis")
    assert bad.status_code == 422 and "weight above 0" in bad.json()["detail"], bad.content
    too_big = send(client, "put", url, {"trafik": 10**6, "version": 0}, "demo.polis")
    assert too_big.status_code == 422 and "at most" in too_big.json()["detail"]
    first = send(client, "put", url, change, "demo.polis")
    assert first.status_code == 200, first.content
    assert first.json()["liv_halsa"] == 40 and first.json()["is_default"] is False
    assert first.json()["trafik"] == read.json()["trafik"]  # not sent: kept
    last = _writes_in_turn(client, url, [{"source": "BRÅ 2024"}, {"trafik": 2}],
                           first.json()["version"], "demo.polis", method="put")  # fmt: skip
    assert last["liv_halsa"] == 40
    assert send(client, "put", url, change, "demo.polis").status_code == 409  # 0: stale now
    assert client.get(url, headers=bearer("demo.kyrkan")).json() == last
    weights = HarmWeights.objects.get(partnership=demo)
    assert updated_by("problems.harmweights", weights.pk) == {"demo.polis"}


# ---- step 2: a party's own registers ------------------------------------------------------------


def test_a_party_writes_its_own_registers_and_no_one_else_does(client, demo, outsider):
    party = demo.municipality_party()
    other = demo.parties.exclude(pk=party.pk).first()
    url = f"{BASE}/partnerships/{demo.pk}/parties/{party.pk}/registers/resources"
    made = {"who": "Fritidsgården", "what": "Kvällsöppet", "budget": 250000, "staff": 1.5,
            "target_group": "Unga 13–17", "area": "Centrum"}  # fmt: skip
    # Another party's coordinator knows the party exists (the parties are listed): 403; a
    # member of the party without a right to change: 403; outside the partnership: 404.
    assert send(client, "post", url, made, "demo.polis").status_code == 403
    assert send(client, "post", url, made, "demo.styrgrupp").status_code == 403
    assert send(client, "post", url, made, outsider).status_code == 404
    assert send(client, "post", url, made, "demo.kommun", read_only=True).status_code == 403
    created = send(client, "post", url, made, "demo.kommun")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["who"] == "Fritidsgården" and body["budget"] == 250000 and body["staff"] == 1.5
    item = f"{url}/{body['id']}"
    assert client.get(item, headers=bearer("demo.styrgrupp")).json() == body
    assert client.get(item, headers=bearer("demo.polis")).status_code == 403
    # The row is not another party's, whatever the path says.
    elsewhere = f"{BASE}/partnerships/{demo.pk}/parties/{other.pk}/registers/resources"
    assert client.get(f"{elsewhere}/{body['id']}", headers=bearer("demo.polis")).status_code in (
        403,
        404,
    )
    assert send(client, "patch", item, {"what": "X", "version": body["version"]},
                 "demo.styrgrupp").status_code == 403  # fmt: skip
    assert send(client, "patch", item, {"what": "X", "version": body["version"]},
                 "demo.polis").status_code == 403  # fmt: skip
    last = _writes_in_turn(client, item, [{"what": "Kvällsöppet fredagar"}, {"staff": 2.0}],
                           body["version"], "demo.kommun")  # fmt: skip
    assert last["who"] == "Fritidsgården"
    assert send(client, "patch", item, {"what": "Y", "version": body["version"]},
                 "demo.kommun").status_code == 409  # fmt: skip
    assert updated_by("mapping.resource", body["id"]) == {"demo.kommun"}
    listed = client.get(url, headers=bearer("demo.kommun")).json()
    assert last in listed

    # Another register's body, and its form's own rule, in English.
    surveys = url.replace("resources", "surveys")
    survey = {"question": "Känner du dig trygg?", "area": "Centrum", "year": 2025,
              "share": 150, "n": 300}  # fmt: skip
    refused = send(client, "post", surveys, survey, "demo.kommun")
    assert refused.status_code == 422
    assert "between 0 and 100" in refused.json()["detail"], refused.content
    missing = send(client, "post", surveys, {"who": "Fel register"}, "demo.kommun")
    assert missing.status_code == 422 and isinstance(missing.json()["detail"], list)
    made_survey = send(client, "post", surveys, {**survey, "share": 62.5}, "demo.kommun")
    assert made_survey.status_code == 201 and made_survey.json()["share"] == 62.5
    # A safety walk's point picked in degrees is stored in SWEREF 99 TM, as on its page.
    walks = url.replace("resources", "safety-walks")
    walk = {"observed_on": "2026-10-01", "place": "Torget", "category": "lighting",
            "latitude": 59.3293, "longitude": 18.0686}  # fmt: skip
    made_walk = send(client, "post", walks, walk, "demo.kommun")
    assert made_walk.status_code == 201, made_walk.content
    point = made_walk.json()
    assert 600_000 < point["x"] < 700_000 and 6_500_000 < point["y"] < 6_700_000
    abroad = send(client, "post", walks, {**walk, "latitude": 40.0}, "demo.kommun")
    assert abroad.status_code == 422 and "outside Sweden" in abroad.json()["detail"]
    # A register filled only by imports is not written here.
    figures = url.replace("resources", "key-figures")
    assert send(client, "post", figures, made, "demo.kommun").status_code == 422


# ---- the deletion feed --------------------------------------------------------------------------


def _delete_terms(demo: Any, count: int) -> None:
    from samverkan.problems.models import GlossaryTerm

    with audit.acting_as(User.objects.get(username="demo.polis")):
        for n in range(count):
            GlossaryTerm.objects.create(partnership=demo, term=f"Ord {n}", definition="x").delete()


def test_the_deletion_feed_is_paged_in_the_database(client, demo):
    start = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    feed = f"{BASE}/partnerships/{demo.pk}/deleted"
    headers = bearer("demo.kyrkan")
    query = {"changed_since": start, "limit": 2}
    client.get(feed, query, headers=headers)  # what a first request sets up, once

    def queries() -> tuple[int, list[dict], Any]:
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(feed, query, headers=headers)
        assert answer.status_code == 200
        return len(captured.captured_queries), answer.json(), answer

    _delete_terms(demo, 3)
    few, rows, answer = queries()
    assert [r["collection"] for r in rows] == ["glossary", "glossary"]
    assert answer["X-Total-Count"] == "3"
    _delete_terms(demo, 40)
    many, rows, answer = queries()
    assert many == few and len(rows) == 2 and answer["X-Total-Count"] == "43"
    page = client.get(feed, {**query, "offset": 42}, headers=headers)
    assert len(page.json()) == 1 and 'rel="next"' not in page["Link"]
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert client.get(feed, {"changed_since": later}, headers=headers).json() == []


def test_the_new_writes_name_their_enums_in_the_schema(client, demo):
    schema = client.get(f"{BASE}/openapi.json").json()["components"]["schemas"]
    assert "police_initiated" in schema["Interpretation"]["enum"]
    assert "glossary" in schema["Collection"]["enum"]
    assert set(schema["WritableRegister"]["enum"]) == {
        "safety-walks", "surveys", "crime-costs", "resources", "activities"
    }  # fmt: skip
