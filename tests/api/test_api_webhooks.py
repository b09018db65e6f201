"""Webhooks (issue 21): a coordinator registers an address that is told, signed, when a document
version is issued or a decision registered; deliveries run as jobs, are tried again with
growing pauses, logged for the coordinators, and never go to an internal address unless the
settings allow it, nor tell what the webhook's owner may not read."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from samverkan.accounts.choices import Role
from samverkan.accounts.models import Membership
from samverkan.api import webhooks
from samverkan.api.models import DeliveryStatus, ServiceAccount, Webhook, WebhookDelivery
from samverkan.api.tasks import send_webhooks_task
from samverkan.documents.models import DocumentDecision, IssuedDocument
from samverkan.jobs import registry
from samverkan.jobs.models import Job
from tests.factories import join, make_user

SECRET = "whsec_test-secret"


class Receiver:
    """A local HTTP server that records what it is sent and answers with the given codes."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.codes: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(outer.codes.pop(0) if outer.codes else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?from=samverkan"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    # The receiver runs on this machine: the tests allow http and loopback, as a kommun's
    # internal set-up would through the two settings.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.SITE_URL = "https://samverkan.example.se"
    server = Receiver()
    yield server
    server.close()


def _hook(world, receiver, owner=None, events=("issued", "decided")) -> Webhook:
    return Webhook.objects.create(
        partnership=world.ours.partnership,
        owner=owner or world.alice,
        created_by=world.alice,
        name="Diariet",
        url=receiver.url,
        events=list(events),
        secret=SECRET,
    )


def _issue(world, number: int, confidential_access=()) -> IssuedDocument:
    return IssuedDocument.objects.create(
        partnership=world.ours.partnership, kind="lagesbild", edition="internal", format="pdf",
        number=number, file=ContentFile(b"%PDF-1.4", name=f"v{number}.pdf"), sha256="a" * 64,
        confidential_access=list(confidential_access),
    )  # fmt: skip


def _run_jobs() -> None:
    """Run the queued delivery jobs here (the test's transaction is this thread's)."""
    for job in Job.objects.filter(kind=webhooks.JOB, status="queued").order_by("pk"):
        assert registry.run_job(job.pk).status == "done"


def test_a_coordinator_registers_a_webhook_and_sees_its_secret_once(client, world, receiver):
    client.force_login(world.bob)
    url = reverse("api_pages:webhooks", kwargs={"pk": world.ours.partnership.pk})
    made = client.post(
        url, {"name": "Diariet", "url": receiver.url, "events": ["issued"], "owner": "self"}
    )
    assert made.status_code == 302
    hook = Webhook.objects.get(partnership=world.ours.partnership, name="Diariet", owner=world.bob)
    assert hook.events == ["issued"] and hook.created_by == world.bob
    assert hook.secret.startswith("whsec_")
    page = client.get(made.url).content.decode()
    assert hook.secret in page
    assert hook.secret not in client.get(made.url).content.decode()
    assert hook.secret not in client.get(url).content.decode()
    # A member who only reads, and an outsider, never reach the page.
    client.force_login(world.carol)
    assert client.get(url).status_code == 403
    client.force_login(world.mallory)
    assert client.get(url).status_code == 404
    assert client.get(made.url).status_code == 404


def test_an_issued_version_and_a_decision_are_posted_signed(client, world, receiver):
    hook = _hook(world, receiver)
    version = _issue(world, 7)
    decision = DocumentDecision.objects.create(
        partnership=world.ours.partnership, kind="atgardsplan", body="Kommunfullmäktige",
        decided_on=datetime.date(2026, 11, 30), reference="KS 2026/77",
    )  # fmt: skip
    before = int(time.time())
    _run_jobs()
    assert len(receiver.requests) == 2
    issued, decided = (json.loads(r["body"]) for r in receiver.requests)
    assert issued["event"] == "issued" and issued["document"]["id"] == version.pk
    assert issued["document"]["number"] == 7 and issued["partnership_id"] == hook.partnership_id
    base = f"https://samverkan.example.se/api/v1/partnerships/{hook.partnership_id}"
    assert issued["links"]["file"] == f"{base}/documents/{version.pk}/file"
    assert issued["links"]["feed"].startswith(f"{base}/documents/feed?after=")
    assert decided["event"] == "decided" and decided["decision"]["id"] == decision.pk
    assert decided["decision"]["reference"] == "KS 2026/77"
    assert decided["cursor"] > issued["cursor"]
    # The objects as the API's own answers give them (one builder per object).
    from samverkan.api.schemas import DocumentDecisionOut, IssuedOut

    assert decided["decision"] == DocumentDecisionOut.from_orm(decision).model_dump(mode="json")
    assert issued["document"] == IssuedOut.from_orm(version).model_dump(mode="json")
    for request in receiver.requests:
        headers, body = request["headers"], request["body"]
        stamp = headers["X-Samverkan-Timestamp"]
        assert before <= int(stamp) <= time.time()
        expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        assert headers["X-Samverkan-Signature"] == "sha256=" + expected.hexdigest()
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Samverkan-Event"] in ("issued", "decided")
        # Another timestamp with the same signature (a replay) does not verify.
        replay = hmac.new(SECRET.encode(), b"1." + body, hashlib.sha256).hexdigest()
        assert headers["X-Samverkan-Signature"] != "sha256=" + replay
    deliveries = WebhookDelivery.objects.filter(webhook=hook)
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    assert all(d.attempts == 1 and d.response_status == 204 for d in deliveries)
    # The log on the webhook's page, for a coordinator.
    client.force_login(world.bob)
    page = client.get(
        reverse(
            "api_pages:webhook_detail", kwargs={"pk": hook.partnership_id, "webhook_id": hook.pk}
        )
    ).content.decode()
    assert "Levererad" in page and "Beslut registrerat" in page and SECRET not in page


def test_a_failing_receiver_is_tried_again_with_growing_pauses_then_given_up(
    world, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_SECONDS = 60
    _hook(world, receiver)
    receiver.codes = [500, 503, 500]
    _issue(world, 8)
    _run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.error == "Mottagaren svarade 500."
    first_pause = delivery.next_attempt_at - delivery.last_attempt_at
    assert first_pause == datetime.timedelta(seconds=60)
    # Not due yet: nothing is sent.
    assert webhooks.deliver() == {}
    later = delivery.next_attempt_at + datetime.timedelta(seconds=1)
    assert webhooks.deliver(now=later) == {DeliveryStatus.PENDING: 1}
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - delivery.last_attempt_at == datetime.timedelta(seconds=300)
    last = delivery.next_attempt_at + datetime.timedelta(seconds=1)
    assert webhooks.deliver(now=last) == {DeliveryStatus.FAILED: 1}
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None and delivery.attempts == 3
    assert [e["status"] for e in delivery.log] == [500, 503, 500]
    assert len(receiver.requests) == 3
    # Every try carries the same delivery id, so the receiver can tell a retry apart.
    assert len({r["headers"]["X-Samverkan-Delivery"] for r in receiver.requests}) == 1


def test_retries_are_sent_by_the_command_and_the_beat_task(world, receiver, settings):
    _hook(world, receiver)
    receiver.codes = [502]
    _issue(world, 9)
    _run_jobs()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    # The beat task hands due deliveries to a job; nothing is due yet.
    assert send_webhooks_task() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert send_webhooks_task() == 1
    assert Job.objects.filter(kind=webhooks.JOB, status="queued").count() == 1
    out = StringIO()
    call_command("send_webhooks", stdout=out)
    assert "1 delivered" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2


def test_only_what_the_owner_may_read_is_sent(client, world, receiver):
    own = _hook(world, receiver, owner=world.alice, events=["issued"])
    police = _hook(world, receiver, owner=world.bob, events=["issued"])
    only_police = _issue(world, 10, [[world.ours.polis.pk]])
    _run_jobs()
    assert not WebhookDelivery.objects.filter(webhook=own).exists()
    sent = WebhookDelivery.objects.get(webhook=police)
    assert json.loads(sent.body)["document"]["id"] == only_police.pk
    assert len(receiver.requests) == 1
    # alice's page does not show the delivery of a version she may not read.
    client.force_login(world.alice)
    page = client.get(
        reverse(
            "api_pages:webhook_detail",
            kwargs={"pk": police.partnership_id, "webhook_id": police.pk},
        )
    ).content.decode()
    assert "En leverans av en version som du inte får läsa visas inte." in page


def test_an_owner_who_left_the_partnership_is_sent_nothing_more(world, receiver):
    hook = _hook(world, receiver, owner=world.bob, events=["decided"])
    receiver.codes = [500]
    # A registered decision changed (a new diarienummer) is an event as well.
    decision = DocumentDecision.objects.get(partnership=world.ours.partnership, kind="lagesbild")
    decision.reference = "KS 2026/99"
    decision.save()
    _run_jobs()
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == DeliveryStatus.PENDING
    Membership.objects.filter(user=world.bob).delete()
    webhooks.deliver(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED and len(receiver.requests) == 1


@pytest.mark.parametrize(
    "url,message",
    [
        ("http://diarium.example.se/hook", "Adressen måste börja med https://."),
        ("ftp://diarium.example.se/hook", "Adressen måste börja med https://."),
        ("https://user:pw@diarium.example.se/", "användarnamn eller lösenord"),
        ("https://127.0.0.1/hook", "pekar på en intern adress (127.0.0.1)"),
        ("https://localhost:8443/hook", "pekar på en intern adress"),
        ("https://10.1.2.3/hook", "pekar på en intern adress (10.1.2.3)"),
        ("https://169.254.169.254/latest/meta-data", "pekar på en intern adress"),
        ("https://[::1]/hook", "pekar på en intern adress (::1)"),
        ("https://[::ffff:192.168.0.1]/hook", "pekar på en intern adress"),
        ("https://0.0.0.0/hook", "pekar på en intern adress"),
        ("https://nowhere.invalid/hook", "går inte att slå upp"),
        ("https:///hook", "saknar värdnamn"),
    ],
)
def test_addresses_that_could_reach_inside_are_refused(client, world, settings, url, message):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(webhooks.AddressRefused) as refused:
        webhooks.check_address(url)
    assert message in refused.value.message
    client.force_login(world.alice)
    page = client.post(
        reverse("api_pages:webhooks", kwargs={"pk": world.ours.partnership.pk}),
        {"name": "X", "url": url, "events": ["issued"], "owner": "self"},
    )
    assert page.status_code == 400 and message in page.content.decode()
    assert not Webhook.objects.filter(name="X").exists()


def test_a_public_address_is_accepted_and_http_needs_a_setting(settings):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP = False
    target = webhooks.check_address("https://93.184.215.14:8443/hook?x=1")
    assert (target.ip, target.port, target.path) == ("93.184.215.14", 8443, "/hook?x=1")
    with pytest.raises(webhooks.AddressRefused):
        webhooks.check_address("http://93.184.215.14/hook")
    settings.WEBHOOK_ALLOW_HTTP = True
    assert webhooks.check_address("http://93.184.215.14/hook").port == 80


def test_an_address_that_turns_internal_is_not_sent_to_nor_tried_again(world, receiver, settings):
    hook = _hook(world, receiver)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    _issue(world, 11)
    _run_jobs()
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert "intern adress" in delivery.error and receiver.requests == []
    # The log says what kind of fault it was, never the address it resolved to.
    assert "127.0.0.1" not in delivery.error and "127.0.0.1" not in json.dumps(delivery.log)


def test_an_administrator_registers_one_for_a_service_account_a_coordinator_cannot(
    client, world, receiver
):
    system = make_user("system.diariet")
    ServiceAccount.objects.create(user=system, system="Diariet")
    join(system, world.ours.kommun, Role.MEMBER)
    url = reverse("api_pages:webhooks", kwargs={"pk": world.ours.partnership.pk})
    data = {"name": "Ärendesystemet", "url": receiver.url, "events": ["issued", "decided"],
            "owner": str(system.pk)}  # fmt: skip
    client.force_login(world.bob)
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert not Webhook.objects.filter(name="Ärendesystemet").exists()
    client.force_login(world.alice)
    assert client.post(url, data).status_code == 302
    hook = Webhook.objects.get(name="Ärendesystemet")
    assert hook.owner == system and hook.created_by == world.alice
    # Every coordinator of the partnership sees it and may remove it.
    client.force_login(world.bob)
    assert "Ärendesystemet" in client.get(url).content.decode()
    delete = reverse(
        "api_pages:webhook_delete", kwargs={"pk": hook.partnership_id, "webhook_id": hook.pk}
    )
    assert client.post(delete).status_code == 302
    assert not Webhook.objects.filter(pk=hook.pk).exists()


def test_a_name_that_cannot_be_looked_up_is_tried_again(world, receiver):
    hook = _hook(world, receiver)
    Webhook.objects.filter(pk=hook.pk).update(url="http://nowhere.invalid/hook")
    _issue(world, 12)
    _run_jobs()
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    assert "går inte att slå upp" in delivery.error


@pytest.mark.parametrize(
    ("exc", "category"),
    [
        (TimeoutError("timed out talking to 10.1.2.3:8443"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused by 10.1.2.3"), "connection refused"),
        (ConnectionResetError(104, "reset by peer 10.1.2.3"), "connection reset"),
        (__import__("ssl").SSLError(1, "certificate verify failed for intra.local"), "TLS"),
        (__import__("socket").gaierror(-2, "Name or service not known: intra.local"), "DNS"),
        (__import__("http.client").client.BadStatusLine("garbage from 10.1.2.3"), "bad response"),
        (OSError(113, "No route to host 10.1.2.3"), "connection error"),
        (
            webhooks.AddressRefused("intra.local pekar på en intern adress (10.1.2.3)"),
            "address refused",
        ),
    ],
)
def test_a_failed_delivery_is_logged_by_its_kind_not_its_text(exc, category):
    assert webhooks.failure_category(exc) == category
    text = webhooks.failure_text(exc)
    assert category in text and "10.1.2.3" not in text and "intra.local" not in text


@given(
    kind=st.sampled_from([TimeoutError, ConnectionRefusedError, ConnectionResetError, OSError]),
    detail=st.text(min_size=4, max_size=60).filter(lambda t: t.strip()),
)
def test_no_failure_text_carries_the_exceptions_own_words(kind, detail):
    text = webhooks.failure_text(kind(f"[{detail}]"))
    assert f"[{detail}]" not in text and text in webhooks.FAILURE_TEXTS.values()
