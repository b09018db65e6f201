"""Webhooks: a signed POST to a registered address when a document version is issued or a
decision is registered (the events of the document feed, /documents/feed).

An event becomes one delivery per webhook of its partnership that asks for it and whose
owner may read it (``owner_may_read``); deliveries are sent by a background job
(``api.webhooks``, jobs/registry.py), tried again with a growing pause when they fail, and
logged for the coordinators. The body is JSON with the event, its ids and links into the
API, never the document itself: the receiver reads that with its own token.

Each request carries

    X-Samverkan-Event: issued | decided
    X-Samverkan-Delivery: <delivery id>      (the same on every retry)
    X-Samverkan-Timestamp: <unix seconds>
    X-Samverkan-Signature: sha256=<hex>

where the signature is HMAC-SHA256, keyed with the webhook's secret, of the timestamp, a
full stop and the body exactly as sent. The timestamp is inside what is signed, so a
receiver that refuses old timestamps (say, over five minutes) cannot be fed a recorded
request again with a new one.

Server-side request forgery (the shared guard, lib/outbound.py): only https (http when DEBUG
or WEBHOOK_ALLOW_HTTP), no user name or password in the address, and the host must resolve
only to public addresses unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES. The check runs when the
webhook is registered and again at every delivery, and the request goes to the address that
was checked (so a name that resolves differently a moment later cannot redirect it);
redirects are not followed.
"""

from __future__ import annotations

import datetime
import hmac
import http.client
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from samverkan.api.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from samverkan.lib import outbound
from samverkan.lib.outbound import AddressRefused, Target

log = logging.getLogger(__name__)

JOB = "api.webhooks"
LABELS = {
    "documents.issueddocument": WebhookEvent.ISSUED,
    "documents.documentdecision": WebhookEvent.DECIDED,
}
MAX_PAUSE_SECONDS = 12 * 3600
# A delivery left "sending" this long after its attempt began belongs to a process that died.
STALE_SENDING_SECONDS = 600
LOG_LENGTH = 20


# ---- the address --------------------------------------------------------------------------------


def check_address(url: str) -> Target:
    """The address's parts and the IP address to connect to; AddressRefused if it may not
    receive webhooks (the shared guard, lib/outbound.py, with the webhook settings)."""
    return outbound.check_address(
        url,
        allow_http=settings.DEBUG or settings.WEBHOOK_ALLOW_HTTP,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    )


def _post(target: Target, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body``; the response's status code (its body is not read beyond a little)."""
    sent = outbound.send(
        target,
        "POST",
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        limit=1024,
        body=body,
        headers=headers,
    )
    return sent.status


# ---- signing ------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the HMAC-SHA256 of ``timestamp.body`` keyed with ``secret``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + mac.hexdigest()


# ---- who may be told ----------------------------------------------------------------------------


def owner_may_read(webhook: Webhook, event: str, obj: Any) -> bool:
    """Whether the webhook's owner may read the event's object now: an active member of the
    partnership beyond field reporting and, for a version holding confidential items, allowed
    to read each of them (as the feed decides)."""
    from samverkan.accounts import access

    owner = webhook.owner
    if obj is None or not owner.is_active:
        return False
    partnership = webhook.partnership
    if not access.partnerships_for(owner).filter(pk=partnership.pk).exists():
        return False
    if access.is_reporter_only(owner, partnership):
        return False
    if event == WebhookEvent.ISSUED:
        return access.may_download_issued(owner, obj)
    return True


def _object(event: str, object_id: int) -> Any:
    from samverkan.documents.models import DocumentDecision, IssuedDocument

    model = IssuedDocument if event == WebhookEvent.ISSUED else DocumentDecision
    return model.objects.filter(pk=object_id).first()


# ---- the body -----------------------------------------------------------------------------------


def _api(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("api-v1:api-root") + path


def body_for(entry: Any, event: str, obj: Any) -> str:
    """The JSON body of the event (the same for every webhook that receives it)."""
    pk = obj.partnership_id
    links = {
        "partnership": _api(f"partnerships/{pk}"),
        "feed": _api(f"partnerships/{pk}/documents/feed?after={entry.pk - 1}"),
    }
    data: dict[str, Any] = {
        "event": event,
        "cursor": entry.pk,
        "occurred_at": entry.at.isoformat(),
        "partnership_id": pk,
    }
    # Each object as every answer of the API gives it (one builder per object, api.schemas).
    from samverkan.api.schemas import DocumentDecisionOut, IssuedOut

    if event == WebhookEvent.ISSUED:
        data["document"] = IssuedOut.from_orm(obj).model_dump(mode="json")
        links["documents"] = _api(f"partnerships/{pk}/documents")
        links["file"] = _api(f"partnerships/{pk}/documents/{obj.pk}/file")
    else:
        data["decision"] = DocumentDecisionOut.from_orm(obj).model_dump(mode="json")
        links["decisions"] = _api(f"partnerships/{pk}/document-decisions")
    data["links"] = links
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---- from event to deliveries -------------------------------------------------------------------


def on_audit_entry(sender: type, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    """post_save of an audit entry: an issued version or a recorded decision becomes a
    delivery for each webhook that asks for it and whose owner may read it."""
    if raw or not created or instance.model_label not in LABELS or instance.action == "delete":
        return
    if instance.partnership_id is None:
        return
    try:
        with transaction.atomic():
            queue_event(instance)
    except Exception:
        # A webhook must never stop a document from being issued; the feed still has it.
        log.exception("webhook deliveries for audit entry %s could not be queued", instance.pk)


def queue_event(entry: Any) -> list[int]:
    """Create the event's deliveries and a job to send them; their ids."""
    from samverkan.jobs.registry import enqueue

    event = LABELS[entry.model_label]
    hooks = list(
        Webhook.objects.filter(partnership_id=entry.partnership_id, active=True).select_related(
            "owner", "partnership"
        )
    )
    hooks = [h for h in hooks if event in h.events]
    if not hooks:
        return []
    obj = _object(event, int(entry.object_id))
    if obj is None:
        return []
    body = body_for(entry, event, obj)
    now = timezone.now()
    ids = [
        WebhookDelivery.objects.create(
            webhook=hook, event=event, cursor=entry.pk, body=body, next_attempt_at=now
        ).pk
        for hook in hooks
        if owner_may_read(hook, event, obj)
    ]
    if ids:
        enqueue(JOB, partnership=hooks[0].partnership, deliveries=ids)
    return ids


# ---- sending ------------------------------------------------------------------------------------


def pause_after(attempts: int) -> datetime.timedelta:
    """The pause before the next try after ``attempts`` failed ones: the base, then five
    times longer each time, at most 12 hours."""
    seconds = settings.WEBHOOK_RETRY_SECONDS * 5 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, MAX_PAUSE_SECONDS))


def due(now: datetime.datetime | None = None) -> Any:
    """The deliveries to try now: pending ones whose time has come, and ones left sending by a
    process that died."""
    from django.db.models import Q

    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=STALE_SENDING_SECONDS)
    return WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=stale)
    )


def _claim(delivery: WebhookDelivery, now: datetime.datetime) -> bool:
    """Take the delivery for this process (a conditional update: two workers never both
    send it)."""
    rows = WebhookDelivery.objects.filter(pk=delivery.pk, status=delivery.status)
    if delivery.status == DeliveryStatus.SENDING:
        rows = rows.filter(last_attempt_at=delivery.last_attempt_at)
    return rows.update(status=DeliveryStatus.SENDING, last_attempt_at=now) == 1


def attempt(delivery: WebhookDelivery, now: datetime.datetime | None = None) -> str:
    """Try one delivery once (if no other process has it); its status afterwards."""
    now = now or timezone.now()
    if not _claim(delivery, now):
        delivery.refresh_from_db()
        return delivery.status
    webhook = delivery.webhook
    retry = True
    status_code: int | None = None
    started = time.monotonic()
    obj = _object(delivery.event, _object_id(delivery))
    if not webhook.active:
        outcome, error, retry = DeliveryStatus.SKIPPED, "Webbkroken är avstängd.", False
    elif not owner_may_read(webhook, delivery.event, obj):
        outcome, error, retry = (
            DeliveryStatus.SKIPPED,
            "Webbkrokens ägare får inte längre läsa det här (eller det finns inte längre).",
            False,
        )
    else:
        outcome, error = DeliveryStatus.DELIVERED, ""
        try:
            target = check_address(webhook.url)
            body = delivery.body.encode("utf-8")
            stamp = str(int(time.time()))
            status_code = _post(
                target,
                body,
                {
                    "Content-Type": "application/json",
                    "User-Agent": "Samverkan-webhook/1",
                    "X-Samverkan-Event": delivery.event,
                    "X-Samverkan-Delivery": str(delivery.pk),
                    "X-Samverkan-Timestamp": stamp,
                    "X-Samverkan-Signature": signature(webhook.secret, stamp, body),
                },
            )
            if not 200 <= status_code < 300:
                outcome = DeliveryStatus.FAILED
                error = f"Mottagaren svarade {status_code}" + (
                    " (omdirigeringar följs inte)." if 300 <= status_code < 400 else "."
                )
        except AddressRefused as exc:
            # Resolving to an internal address now is not a passing fault: no more tries.
            outcome, error, retry = DeliveryStatus.FAILED, failure_text(exc), exc.passing
        except (OSError, http.client.HTTPException) as exc:
            outcome = DeliveryStatus.FAILED
            error = failure_text(exc)
    attempts = delivery.attempts + 1
    next_at = None
    if outcome == DeliveryStatus.FAILED and retry and attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        outcome = DeliveryStatus.PENDING
        next_at = now + pause_after(attempts)
    entry = {
        "at": now.isoformat(),
        "status": status_code,
        "error": error,
        "ms": round((time.monotonic() - started) * 1000),
    }
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=outcome,
        attempts=attempts,
        next_attempt_at=next_at,
        response_status=status_code,
        error=error[:300],
        log=(delivery.log + [entry])[-LOG_LENGTH:],
    )
    delivery.refresh_from_db()
    return delivery.status


# What the delivery log says of a failed connection: a category, never the exception's own
# text (it may name internal addresses, ports or the resolver's answer).
FAILURE_TEXTS = {
    "timeout": "Mottagaren svarade inte i tid (timeout).",
    "connection refused": "Mottagaren tog inte emot anslutningen (connection refused).",
    "connection reset": "Anslutningen bröts (connection reset).",
    "TLS": "Den krypterade anslutningen gick inte att upprätta (TLS).",
    "DNS": "Värdnamnet går inte att slå upp (DNS).",
    "address refused": "Adressen får inte ta emot webbkrokar: den pekar på en intern adress "
    "eller är ogiltig (address refused).",
    "bad response": "Mottagarens svar gick inte att tolka (bad response).",
    "connection error": "Kunde inte nå mottagaren (connection error).",
}


def failure_category(exc: BaseException) -> str:
    """The category of a failed delivery's exception (a key of FAILURE_TEXTS)."""
    import socket
    import ssl

    if isinstance(exc, AddressRefused):
        return "DNS" if exc.passing or "slå upp" in exc.message else "address refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "connection reset"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "TLS"
    if isinstance(exc, socket.gaierror):
        return "DNS"
    if isinstance(exc, http.client.HTTPException):
        return "bad response"
    return "connection error"


def failure_text(exc: BaseException) -> str:
    return FAILURE_TEXTS[failure_category(exc)]


def _object_id(delivery: WebhookDelivery) -> int:
    data = json.loads(delivery.body)
    return int(data["document" if delivery.event == WebhookEvent.ISSUED else "decision"]["id"])


def deliver(ids: list[int] | None = None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Try the due deliveries (of ``ids`` only, if given) once each; counts by outcome."""
    rows = due(now).select_related("webhook__owner", "webhook__partnership").order_by("pk")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    counts: dict[str, int] = {}
    for delivery in rows:
        status = attempt(delivery, now)
        counts[status] = counts.get(status, 0) + 1
    return counts
