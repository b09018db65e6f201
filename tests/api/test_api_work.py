"""The rest of the work through the API (issue 21): problem picture and prioritisation,
citizen promises, document decisions with diarienummer and the Lagkrav status, goals' results
over time, and a party's own registers (403 for another party's)."""

from samverkan.accounts.models import User
from samverkan.api.models import ApiToken
from samverkan.problems.models import Measure

BASE = "/api/v1"


def bearer(username: str) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "test")
    return {"Authorization": f"Bearer {secret}"}


def test_problem_picture_and_prioritisation_are_numbers(client, demo):
    headers = bearer("demo.kyrkan")
    picture = client.get(f"{BASE}/partnerships/{demo.pk}/problem-picture", headers=headers)
    assert picture.status_code == 200 and picture.json()["text"]
    ranked = client.get(f"{BASE}/partnerships/{demo.pk}/prioritisation", headers=headers).json()
    totals = [p["total"] for p in ranked["problems"]]
    assert totals == sorted(totals, reverse=True) and all(isinstance(t, float) for t in totals)
    first = ranked["problems"][0]
    assert first["rank"] == 1 and first["total"] == sum(
        c["score"] * c["weight"] for c in first["criteria"]
    )


def test_promises_name_only_the_measures_the_reader_may_read(client, demo):
    secret = Measure.objects.get(partnership=demo, confidential=True)
    promise = demo.citizen_promises.first()
    promise.measures.add(secret)
    url = f"{BASE}/partnerships/{demo.pk}/citizen-promises"
    for username, sees in (("demo.kyrkan", False), ("demo.polis", True)):
        listed = client.get(url, headers=bearer(username)).json()
        row = next(p for p in listed if p["id"] == promise.pk)
        assert (secret.pk in row["measure_ids"]) is sees, username
        assert row["measure_ids"], username


def test_lagkrav_and_the_decisions_with_their_diarienummer(client, demo):
    import datetime

    from samverkan.documents.models import DocumentDecision

    DocumentDecision.objects.update_or_create(
        partnership=demo,
        kind="lagesbild",
        defaults={
            "body": "Kommunstyrelsen",
            "decided_on": datetime.date.today(),
            "reference": "KS 2026/17",
        },
    )
    answer = client.get(f"{BASE}/partnerships/{demo.pk}/lagkrav", headers=bearer("demo.kyrkan"))
    body = answer.json()
    assert answer.status_code == 200 and body["done_count"] == sum(i["done"] for i in body["items"])
    assert {"4 §", "5 §"} <= {i["law"] for i in body["items"]}
    lagesbild = next(i for i in body["items"] if i["key"] == "lagesbild")
    assert lagesbild["done"] is True
    assert [d["reference"] for d in body["decisions"] if d["kind"] == "lagesbild"] == ["KS 2026/17"]
    decisions = client.get(f"{BASE}/partnerships/{demo.pk}/document-decisions",
                           headers=bearer("demo.kyrkan")).json()  # fmt: skip
    assert decisions == body["decisions"]


def test_a_goals_results_over_time(client, demo):
    evaluation = demo.evaluations.first()
    url = f"{BASE}/partnerships/{demo.pk}/goals/{evaluation.goal_id}/results"
    body = client.get(url, headers=bearer("demo.kyrkan")).json()
    after = [p for p in body["points"] if p["source"] == "evaluation_after"]
    assert after and after[0]["value"] == float(evaluation.treated_after)
    assert any(p["source"] == "baseline" for p in body["points"])
    assert client.get(f"{BASE}/partnerships/{demo.pk}/goals/999999/results",
                      headers=bearer("demo.kyrkan")).status_code == 404  # fmt: skip


def test_a_partys_registers_stay_with_the_party(client, demo):
    police = demo.police_party()
    url = f"{BASE}/partnerships/{demo.pk}/parties/{police.pk}/registers"
    own = client.get(f"{url}/crime-statistics", headers=bearer("demo.polis"))
    assert own.status_code == 200 and own.json() and int(own["X-Total-Count"]) >= len(own.json())
    assert all(isinstance(v, int | float | str | None) for row in own.json() for v in row.values())
    for kind in ("safety-walks", "surveys", "key-figures", "crime-costs", "resources"):
        assert client.get(f"{url}/{kind}", headers=bearer("demo.polis")).status_code == 200
    refused = client.get(f"{url}/crime-statistics", headers=bearer("demo.kommun"))
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    wrong = client.get(f"{url}/diaries", headers=bearer("demo.polis"))
    assert wrong.status_code == 422 and "'safety-walks'" in str(wrong.json())


def test_a_production_goals_activities_count_once_for_a_reader_of_two_parties(client, demo):
    """A confidential measure shared with two of the reader's parties: each entry counts once."""
    import datetime

    from samverkan.accounts.choices import Role
    from samverkan.implementation.models import ActivityEntry
    from tests.factories import join, make_user

    reader = make_user("dual.reader")
    join(reader, demo.municipality_party(), Role.MEMBER)
    join(reader, demo.police_party(), Role.MEMBER)
    goal = demo.evaluations.first().goal
    measure = Measure.objects.filter(partnership=demo).first()
    Measure.objects.filter(pk=measure.pk).update(confidential=True)
    measure.allowed_parties.set([demo.municipality_party(), demo.police_party()])
    ActivityEntry.objects.create(measure=measure, date=datetime.date(2019, 5, 8), what="Tillsyn",
                                 production_goal=goal, count=7)  # fmt: skip
    url = f"{BASE}/partnerships/{demo.pk}/goals/{goal.pk}/results"
    body = client.get(url, headers=bearer("dual.reader")).json()
    may = [p for p in body["points"] if p["source"] == "activities" and p["period"] == "2019-05"]
    assert [p["value"] for p in may] == [7.0]


def test_a_measures_cause_numbers_leave_out_causes_the_reader_may_not_read(client, demo):
    from samverkan.problems.models import Cause

    measure = Measure.objects.filter(partnership=demo, confidential=False).first()
    secret = Cause.objects.filter(partnership=demo).exclude(measures=measure).first()
    Cause.objects.filter(pk=secret.pk).update(confidential=True)
    secret.allowed_parties.set([demo.police_party()])
    measure.causes.add(secret)
    url = f"{BASE}/partnerships/{demo.pk}/measures"

    def numbers(username):
        rows = client.get(url, {"limit": 1000}, headers=bearer(username)).json()
        return next(r["cause_numbers"] for r in rows if r["id"] == measure.pk)

    assert secret.number in numbers("demo.polis")
    assert secret.number not in numbers("demo.kyrkan")
    assert sorted(numbers("demo.kyrkan")) == sorted(
        c.number for c in measure.causes.exclude(pk=secret.pk)
    )
