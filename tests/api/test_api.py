"""The open API: tokens, the visibility gate, writes with the forms' rules, jobs (issue 13)."""

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.api.models import ApiToken
from samverkan.jobs.models import Job
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Cause, Measure

BASE = "/api/v1"


def bearer(username: str) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "test")
    return {"Authorization": f"Bearer {secret}"}


def test_create_api_token_command_prints_a_working_token(client, demo):
    out = StringIO()
    call_command("create_api_token", "demo.kyrkan", "--name", "BI", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("sv_") and ApiToken.objects.get(name="BI").hint == secret[:10]
    assert secret not in str(ApiToken.objects.values_list("key_hash", flat=True))
    response = client.get(f"{BASE}/partnerships", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()[0]["id"] == demo.pk


def test_no_token_a_wrong_token_and_a_revoked_token_get_401(client, demo):
    assert client.get(f"{BASE}/partnerships").status_code == 401
    bad = {"Authorization": "Bearer sv_notatoken"}
    assert client.get(f"{BASE}/partnerships", headers=bad).status_code == 401
    headers = bearer("demo.kyrkan")
    ApiToken.objects.get().revoke()
    assert client.get(f"{BASE}/partnerships", headers=headers).status_code == 401
    # A session is not enough either: the API takes tokens only (no CSRF surface).
    client.force_login(User.objects.get(username="demo.kommun"))
    assert client.get(f"{BASE}/partnerships").status_code == 401


def test_an_outsider_gets_404_for_everything_in_a_partnership(client, demo, world):
    headers = bearer("mallory")
    assert client.get(f"{BASE}/partnerships", headers=headers).json() == [
        {
            **client.get(
                f"{BASE}/partnerships/{world.foreign.partnership.pk}", headers=headers
            ).json()
        }  # fmt: skip
    ]
    measure = Measure.objects.filter(partnership=demo).first()
    for path in (
        f"/partnerships/{demo.pk}",
        f"/partnerships/{demo.pk}/measures",
        f"/partnerships/{demo.pk}/members",
        f"/partnerships/{demo.pk}/measures/{measure.pk}/activities",
        f"/partnerships/{demo.pk}/documents",
    ):
        assert client.get(BASE + path, headers=headers).status_code == 404, path


def test_confidential_items_reach_only_the_allowed_party(client, demo):
    secret_measure = Measure.objects.get(partnership=demo, confidential=True)
    secret_cause = Cause.objects.get(partnership=demo, confidential=True)
    for username, sees in (("demo.kyrkan", False), ("demo.kommun", False), ("demo.polis", True)):
        headers = bearer(username)
        measures = client.get(f"{BASE}/partnerships/{demo.pk}/measures", headers=headers).json()
        causes = client.get(f"{BASE}/partnerships/{demo.pk}/causes", headers=headers).json()
        assert (secret_measure.pk in [m["id"] for m in measures]) is sees, username
        assert (secret_cause.pk in [c["id"] for c in causes]) is sees, username
        url = f"{BASE}/partnerships/{demo.pk}/measures/{secret_measure.pk}/activities"
        assert client.get(url, headers=headers).status_code == (200 if sees else 404)
        text = str(measures) + str(causes)
        assert ("LVM" in text) is sees and ("livsstilskriminella" in text) is sees


def test_a_partys_own_mapping_stays_with_the_party(client, demo):
    police = demo.police_party()
    url = f"{BASE}/partnerships/{demo.pk}/parties/{police.pk}/statistics"
    # The parties are listed to every member: another party's statistics are 403, not a
    # 404 that looks like a wrong id; and nothing of them comes with the answer.
    refused = client.get(url, headers=bearer("demo.kommun"))
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    wrong = f"{BASE}/partnerships/{demo.pk}/parties/999999/statistics"
    assert client.get(wrong, headers=bearer("demo.kommun")).status_code == 404
    response = client.get(url, headers=bearer("demo.polis"))
    assert response.status_code == 200 and response.json()["years"]
    summary = client.get(
        url.replace("statistics", "incidents/summary"), headers=bearer("demo.polis")
    )
    assert summary.status_code == 200 and len(summary.json()["weekday_hour"]) == 7
    assert summary.json()["top_places"]


def test_writes_follow_roles_forms_and_versions(client, demo):
    from samverkan.implementation.models import Progress, progress_for

    measure = Measure.objects.get(partnership=demo, number=4)
    Progress.objects.filter(pk=progress_for(measure).pk).update(status="planned")
    url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/activities"
    entry = {"date": "2026-05-08", "what": "Fyra poliser på busstorget 02.00–03.30"}
    assert client.post(url, entry, content_type="application/json",
                       headers=bearer("demo.kyrkan")).status_code == 403  # fmt: skip
    police = bearer("demo.polis")
    bad = client.post(url, {**entry, "count": 3}, content_type="application/json",
                      headers=police)  # fmt: skip
    assert bad.status_code == 422 and "production goal" in bad.json()["detail"]  # in English
    made = client.post(url, entry, content_type="application/json", headers=police)
    assert made.status_code == 201 and made.json()["what"] == entry["what"]
    progress_url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/progress"
    listed = client.get(f"{BASE}/partnerships/{demo.pk}/measures", headers=police).json()
    assert next(m for m in listed if m["id"] == measure.pk)["status"] == "started"
    version = measure.progress.version
    change = {"status": "done", "finished_on": "2026-06-30", "version": version}
    ok = client.put(progress_url, change, content_type="application/json", headers=police)
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    stale = client.put(progress_url, {**change, "status": "paused", "reason": "x"},
                       content_type="application/json", headers=police)  # fmt: skip
    assert stale.status_code == 409
    measure.progress.refresh_from_db()
    assert measure.progress.status == "done"


def test_status_updates_in_a_row_with_the_version_read_never_conflict(client, demo):
    """Read the list, set the status, set it again with the version the answer gave: no 409
    (the list once gave the measure's version while the update checked the status row's)."""
    measure = Measure.objects.get(partnership=demo, number=4)
    police = bearer("demo.polis")
    listing = f"{BASE}/partnerships/{demo.pk}/measures"
    progress_url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/progress"
    read = next(m for m in client.get(listing, headers=police).json() if m["id"] == measure.pk)
    version = read["status_version"]
    for status, extra in [("paused", {"reason": "Väntar på nya poliser"}),
                          ("started", {"started_on": "2010-05-01"}),
                          ("done", {"finished_on": "2010-06-30"})]:  # fmt: skip
        answer = client.put(progress_url, {"status": status, "version": version, **extra},
                            content_type="application/json", headers=police)  # fmt: skip
        assert answer.status_code == 200, answer.json()
        assert answer.json()["status"] == status
        version = answer.json()["status_version"]
    again = next(m for m in client.get(listing, headers=police).json() if m["id"] == measure.pk)
    assert again["status"] == "done" and again["status_version"] == version
    # Someone else's change in between: the old version is refused, the new one read works.
    stale = client.put(progress_url, {"status": "paused", "reason": "x", "version": version - 1},
                       content_type="application/json", headers=police)  # fmt: skip
    assert stale.status_code == 409 and "status_version" in stale.json()["detail"]


def test_an_import_uploaded_through_the_api_is_followed_as_a_job(client, demo):
    kommun = demo.municipality_party()
    headers = bearer("demo.kommun")
    csv = b"Datum;Brott;Plats\n2025-03-12;Misshandel;Torget\n"
    url = f"{BASE}/partnerships/{demo.pk}/parties/{kommun.pk}/imports"
    response = client.post(
        url,
        {"kind": "incidents", "file": SimpleUploadedFile("h.csv", csv, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 202, response.content
    body = response.json()
    job_url = f"{BASE}/partnerships/{demo.pk}/jobs/{body['job_id']}"
    assert client.get(job_url, headers=headers).json()["kind"] == "mapping.import"
    assert client.get(job_url, headers=bearer("demo.polis")).status_code == 404
    detail = client.get(f"{url}/{body['id']}", headers=headers).json()
    assert detail["file_name"] == "h.csv"
    assert Job.objects.get(pk=body["job_id"]).created_by.username == "demo.kommun"


def test_documents_are_issued_as_a_job_and_listed_as_the_reader_may_see(client, demo):
    headers = bearer("demo.kommun")
    response = client.post(f"{BASE}/partnerships/{demo.pk}/documents/lagesbild/public/issue",
                           headers=headers)  # fmt: skip
    assert response.status_code == 202 and response.json()["kind"] == "documents.issue"
    # A kind outside the enum is a 422 that lists the kinds there are.
    wrong = client.post(f"{BASE}/partnerships/{demo.pk}/documents/nope/public/issue",
                        headers=headers)  # fmt: skip
    assert wrong.status_code == 422 and "'lagesbild'" in str(wrong.json())


def test_token_page_shows_a_new_token_once_and_revokes(client, demo):
    client.force_login(User.objects.get(username="demo.kyrkan"))
    url = reverse("api_pages:tokens")
    page = client.post(url, {"name": "GIS"}, follow=True).content.decode()
    token = ApiToken.objects.get(name="GIS")
    assert "sv_" in page and token.hint in page
    assert "sv_" not in client.get(url).content.decode().replace(token.hint, "")
    client.post(reverse("api_pages:token_revoke", kwargs={"token_id": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Someone else's token cannot be revoked by id.
    other, _secret = ApiToken.issue(User.objects.get(username="demo.polis"), "x")
    client.post(reverse("api_pages:token_revoke", kwargs={"token_id": other.pk}))
    other.refresh_from_db()
    assert other.revoked_at is None


@pytest.mark.slow(reason="builds the OpenAPI document of every operation and renders the docs")
def test_docs_page_and_openapi_describe_every_endpoint(client, db):
    schema = client.get(f"{BASE}/openapi.json").json()
    page = client.get(reverse("api_pages:docs")).content.decode()
    assert len(schema["paths"]) > 15
    for path in schema["paths"]:
        assert path.replace("{", "").split("/")[-1] in page.replace("{", "")
    assert "Authorization: Bearer" in page and "cdn" not in page.lower()


def test_every_partnership_operation_answers_an_outsider_with_404(client, demo, world):
    """Walk the OpenAPI description: nothing in a partnership is confirmed to an outsider."""
    headers = bearer("mallory")
    schema = client.get(f"{BASE}/openapi.json").json()
    fill = {"kind": "agreement", "edition": "internal"}
    checked = 0
    for path, operations in schema["paths"].items():
        if "{pk}" not in path:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(fill.get(m[1], demo.pk if m[1] == "pk" else 1)),
                     path)  # fmt: skip
        for method in operations:
            response = getattr(client, method)(
                url, headers=headers, content_type="application/json"
            )
            assert response.status_code in (404, 422), (method, url, response.status_code)
            checked += 1
    assert checked >= 20


def test_a_partnership_that_requires_two_factor_is_closed_to_tokens(client, demo):
    """A token carries no second factor: such a partnership answers 403, never its data."""
    Partnership.objects.filter(pk=demo.pk).update(require_two_factor=True)
    headers = bearer("demo.kommun")
    response = client.get(f"{BASE}/partnerships/{demo.pk}/measures", headers=headers)
    assert response.status_code == 403 and "detail" in response.json()
    assert client.get(f"{BASE}/partnerships", headers=headers).status_code == 200
