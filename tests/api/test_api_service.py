"""Service accounts for systems and the change feed of documents (issue 21): a diarium gets
its own account and token, and learns when a version is issued or a decision recorded."""

import datetime
from io import StringIO

from django.core.files.base import ContentFile
from django.core.management import call_command

from samverkan.accounts.models import AuditEntry, User
from samverkan.api.models import ApiToken, ServiceAccount
from samverkan.documents.models import DocumentDecision, IssuedDocument
from samverkan.problems.models import Measure

BASE = "/api/v1"


def bearer(username: str) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "test")
    return {"Authorization": f"Bearer {secret}"}


def _service(party, *extra) -> dict:
    out, err = StringIO(), StringIO()
    call_command("create_service_account", "Diariet", "--party", str(party.pk), *extra,
                 stdout=out, stderr=err)  # fmt: skip
    return {"Authorization": f"Bearer {out.getvalue().strip()}"}


def test_a_service_account_reads_as_its_membership_and_never_signs_in(client, demo):
    headers = _service(demo.municipality_party(), "--read-only", "--expires-days", "30")
    account = ServiceAccount.objects.get(system="Diariet")
    user = account.user
    assert user.username == "system.diariet" and not user.has_usable_password()
    token = ApiToken.objects.get(user=user)
    assert token.read_only and token.expires_at > datetime.datetime.now(datetime.UTC)
    listed = client.get(f"{BASE}/partnerships/{demo.pk}/measures", headers=headers)
    assert listed.status_code == 200 and listed.json()
    measure = Measure.objects.get(partnership=demo, number=4)
    url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/activities"
    write = client.post(url, {"date": "2026-05-08", "what": "x"}, content_type="application/json",
                        headers=headers)  # fmt: skip
    assert write.status_code == 403
    assert not client.login(username="system.diariet", password="")


def test_a_coordinating_service_accounts_changes_are_its_own(client, demo):
    headers = _service(demo.police_party(), "--role", "coordinator")
    measure = Measure.objects.get(partnership=demo, number=4)
    url = f"{BASE}/partnerships/{demo.pk}/measures/{measure.pk}/activities"
    made = client.post(url, {"date": "2026-05-08", "what": "Kontroll"},
                       content_type="application/json", headers=headers)  # fmt: skip
    assert made.status_code == 201, made.content
    entry = AuditEntry.objects.filter(model_label="implementation.activityentry").latest("pk")
    assert entry.user.username == "system.diariet"


def test_the_document_feed_tells_issued_versions_and_decisions(client, demo):
    headers = bearer("demo.kyrkan")
    url = f"{BASE}/partnerships/{demo.pk}/documents/feed"
    start = client.get(url, headers=headers).json()
    cursor = start["next_after"]
    while start["more"]:
        start = client.get(url, {"after": cursor}, headers=headers).json()
        cursor = start["next_after"]
    assert client.get(url, {"after": cursor}, headers=headers).json()["events"] == []

    def issue(number, confidential_access):
        return IssuedDocument.objects.create(
            partnership=demo, kind="lagesbild", edition="internal", format="pdf", number=number,
            file=ContentFile(b"%PDF-1.4", name=f"v{number}.pdf"), sha256="0" * 64,
            confidential_access=confidential_access,
        )  # fmt: skip

    open_version = issue(901, [])
    secret_version = issue(902, [[demo.police_party().pk]])
    DocumentDecision.objects.create(
        partnership=demo, kind="atgardsplan", body="KF", decided_on=datetime.date(2026, 3, 1),
        reference="KS 2026/4",
    )  # fmt: skip
    feed = client.get(url, {"after": cursor}, headers=headers).json()
    kinds = [(e["event"], (e["document"] or {}).get("id")) for e in feed["events"]]
    assert ("issued", open_version.pk) in kinds and ("issued", secret_version.pk) not in kinds
    decided = [e["decision"] for e in feed["events"] if e["event"] == "decided"]
    assert decided[0]["reference"] == "KS 2026/4"
    police = client.get(url, {"after": cursor}, headers=bearer("demo.polis")).json()
    assert ("issued", secret_version.pk) in [
        (e["event"], (e["document"] or {}).get("id")) for e in police["events"]
    ]
    # Paging by cursor: one at a time gives the same events.
    seen, at = [], cursor
    while True:
        page = client.get(url, {"after": at, "limit": 1}, headers=headers).json()
        seen += [e["cursor"] for e in page["events"]]
        at = page["next_after"]
        if not page["more"]:
            break
    assert seen == [e["cursor"] for e in feed["events"]]


def test_the_feeds_cursor_never_steps_over_a_withheld_version(client, demo):
    """The cursor and ``more`` refer only to events the reader may see: a withheld version
    after the last readable one neither sets ``more`` nor moves ``next_after``."""
    headers = bearer("demo.kyrkan")
    url = f"{BASE}/partnerships/{demo.pk}/documents/feed"
    cursor = AuditEntry.objects.latest("pk").pk

    def issue(number, confidential_access):
        return IssuedDocument.objects.create(
            partnership=demo, kind="lagesbild", edition="internal", format="pdf", number=number,
            file=ContentFile(b"%PDF-1.4", name=f"v{number}.pdf"), sha256="0" * 64,
            confidential_access=confidential_access,
        )  # fmt: skip

    secret_first = issue(911, [[demo.police_party().pk]])
    open_version = issue(912, [])
    secret_last = issue(913, [[demo.police_party().pk]])
    page = client.get(url, {"after": cursor, "limit": 1}, headers=headers).json()
    assert [e["document"]["id"] for e in page["events"]] == [open_version.pk]
    assert page["more"] is False
    assert page["next_after"] == page["events"][0]["cursor"]
    after = client.get(url, {"after": page["next_after"], "limit": 1}, headers=headers).json()
    assert after == {"events": [], "next_after": page["next_after"], "more": False}
    # The police, who may read them, page through all three, one at a time.
    seen, at, more = [], cursor, True
    while more:
        got = client.get(url, {"after": at, "limit": 1}, headers=bearer("demo.polis")).json()
        seen += [e["document"]["id"] for e in got["events"]]
        at, more = got["next_after"], got["more"]
    assert seen == [secret_first.pk, open_version.pk, secret_last.pk]
