"""The API as one door (issue 21): no-store and a rate limit on every answer, paging and
changed_since on every list, enums in the schema and in 422s, numbers as numbers, 403 versus
404, changes attributed to the token's owner, read-only and expiring tokens."""

import datetime

from django.core.cache import cache
from django.utils import timezone

from samverkan.accounts.models import AuditEntry, User
from samverkan.api.models import ApiToken
from samverkan.problems.models import Measure

BASE = "/api/v1"


def bearer(username: str, **options) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "test", **options)
    return {"Authorization": f"Bearer {secret}"}


def test_every_answer_is_no_store(client, demo):
    headers = bearer("demo.polis")
    answers = [
        client.get(f"{BASE}/partnerships", headers=headers),  # 200
        client.get(f"{BASE}/partnerships"),  # 401
        client.get(f"{BASE}/partnerships/999999", headers=headers),  # 404
        client.get(f"{BASE}/partnerships?limit=0", headers=headers),  # 422
        client.get(f"{BASE}/openapi.json"),
    ]
    for answer in answers:
        assert answer["Cache-Control"] == "no-store", (answer.status_code, answer.request)
    assert [a.status_code for a in answers] == [200, 401, 404, 422, 200]


def test_the_rate_limit_is_per_token_with_retry_after(client, demo, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    cache.clear()
    first, second = bearer("demo.polis"), bearer("demo.polis")
    codes = [client.get(f"{BASE}/partnerships", headers=first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get(f"{BASE}/partnerships", headers=first)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Cache-Control"] == "no-store"
    # Another token of the same user counts on its own.
    assert client.get(f"{BASE}/partnerships", headers=second).status_code == 200
    cache.clear()


def test_lists_page_with_link_headers_to_the_end(client, demo):
    headers = bearer("demo.polis")
    everything = client.get(f"{BASE}/partnerships/{demo.pk}/measures", headers=headers)
    total = int(everything["X-Total-Count"])
    assert total == len(everything.json()) >= 3 and 'rel="next"' not in everything["Link"]
    seen, url, pages = [], f"{BASE}/partnerships/{demo.pk}/measures?limit=2", 0
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200 and len(answer.json()) <= 2
        assert int(answer["X-Total-Count"]) == total
        seen += [m["id"] for m in answer.json()]
        links = dict(
            (part.split(";")[1].strip(), part.split(";")[0].strip(" <>"))
            for part in answer["Link"].split(",")
        )
        url = links.get('rel="next"', "").replace("http://testserver", "")
        pages += 1
    assert seen == [m["id"] for m in everything.json()] and pages == (total + 1) // 2
    too_big = client.get(f"{BASE}/partnerships/{demo.pk}/measures?limit=5000", headers=headers)
    assert too_big.status_code == 422


def test_changed_since_gives_only_what_changed(client, demo):
    headers = bearer("demo.polis")
    url = f"{BASE}/partnerships/{demo.pk}/measures"
    # The mark is taken after the demo is built (it may be built within the same second), so
    # nothing but the change below is newer.
    mark = timezone.now().isoformat()
    assert client.get(url, {"changed_since": mark}, headers=headers).json() == []
    measure = Measure.objects.get(partnership=demo, number=4)
    read = next(m for m in client.get(url, headers=headers).json() if m["id"] == measure.pk)
    change = {"status": "paused", "reason": "Väntar", "version": read["status_version"]}
    answer = client.put(f"{url}/{measure.pk}/progress", change, content_type="application/json",
                        headers=headers)  # fmt: skip
    assert answer.status_code == 200, answer.content
    changed = client.get(url, {"changed_since": mark}, headers=headers).json()
    assert [m["id"] for m in changed] == [measure.pk] and changed[0]["status"] == "paused"
    # The change is the token owner's in the history, not "system".
    entry = AuditEntry.objects.filter(model_label="implementation.progress").latest("at")
    assert entry.user.username == "demo.polis"
    problems = client.get(f"{BASE}/partnerships/{demo.pk}/problems",
                          {"changed_since": mark}, headers=headers)  # fmt: skip
    assert problems.status_code == 200 and problems.json() == []


def test_allowed_values_are_enums_and_a_wrong_one_says_which(client, demo):
    schema = client.get(f"{BASE}/openapi.json").json()
    components = schema["components"]["schemas"]
    assert set(components["Status"]["enum"]) >= {"planned", "started", "done"}
    status = components["MeasureOut"]["properties"]["status"]
    assert status == {"$ref": "#/components/schemas/Status"}
    assert "enum" in components["ProblemStatus"] and "enum" in components["Role"]
    measures = schema["paths"]["/api/v1/partnerships/{pk}/measures"]["get"]
    assert {"limit", "offset", "changed_since"} <= {p["name"] for p in measures["parameters"]}
    assert {"Link", "X-Total-Count"} <= set(measures["responses"]["200"]["headers"])
    assert "Retry-After" in measures["responses"]["429"]["headers"]
    measure = Measure.objects.get(partnership=demo, number=4)
    url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/progress"
    wrong = client.put(url, {"status": "finished", "version": 1},
                       content_type="application/json", headers=bearer("demo.polis"))  # fmt: skip
    assert wrong.status_code == 422
    problem = wrong.json()["detail"][0]
    assert "'done'" in problem["msg"] and "'planned'" in problem["ctx"]["expected"]


def test_evaluation_figures_are_numbers(client, demo):
    answer = client.get(f"{BASE}/partnerships/{demo.pk}/evaluations",
                        headers=bearer("demo.polis"))  # fmt: skip
    findings = [f for ev in answer.json() for f in ev["findings"]]
    assert findings and all(f["key"] for f in findings)
    e_test = next(f for f in findings if f["key"] == "e_test")
    assert isinstance(e_test["values"]["before"], int | float)
    assert 0 <= e_test["values"]["p_value"] <= 1
    for finding in findings:
        assert all(v is None or isinstance(v, int | float) for v in finding["values"].values())


def test_read_only_and_expired_tokens(client, demo):
    measure = Measure.objects.get(partnership=demo, number=4)
    url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/activities"
    entry = {"date": "2026-05-08", "what": "Kontroll"}
    reader = bearer("demo.polis", read_only=True)
    assert client.get(url, headers=reader).status_code == 200
    refused = client.post(url, entry, content_type="application/json", headers=reader)
    assert refused.status_code == 403 and "read" in refused.json()["detail"]
    past = timezone.now() - datetime.timedelta(minutes=1)
    expired = bearer("demo.polis", expires_at=past)
    assert client.get(url, headers=expired).status_code == 401
    later = bearer("demo.polis", expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get(url, headers=later).status_code == 200


def test_an_unknown_query_parameter_is_refused_with_the_known_ones(client, demo):
    headers = bearer("demo.polis")
    url = f"{BASE}/partnerships/{demo.pk}/measures"
    assert (
        client.get(f"{url}?changed_since=2020-01-01T00:00:00Z", headers=headers).status_code == 200
    )
    for query in ("changed_sinse=2020-01-01T00:00:00Z", "=null", "limit=2&Limit=3"):
        answer = client.get(f"{url}?{query}", headers=headers)
        assert answer.status_code == 422, query
        problem = answer.json()["detail"][0]
        assert problem["loc"][0] == "query"
        assert {"changed_since", "limit", "offset"} <= set(problem["ctx"]["expected"])
        assert "changed_since" in problem["msg"]
        assert answer["Cache-Control"] == "no-store"


def test_every_operation_accepts_exactly_the_query_parameters_its_schema_lists(client):
    from samverkan.api.api import _query_names, api

    schema = client.get(f"{BASE}/openapi.json").json()
    documented = {
        operation["operationId"]: {
            p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
        }
        for methods in schema["paths"].values()
        for operation in methods.values()
    }
    checked = 0
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                operation_id = api.get_openapi_operation_id(operation)
                assert _query_names(operation) == documented[operation_id], operation_id
                assert getattr(operation.run, "strict_query", False), operation_id
                checked += 1
    assert checked == len(documented) > 40
