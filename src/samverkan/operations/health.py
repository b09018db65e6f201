"""``/halsa/`` for load balancers and monitoring: the parts the service needs, each checked.

Always the database. With JOBS_BACKEND=celery also the broker (Redis) and the Celery workers:
without them nothing queued would ever run, so either one down makes the answer 503. The
workers are asked with a Celery ping, whose answer is kept for HEALTH_WORKER_CACHE_SECONDS so a
load balancer polling every web process does not flood the broker; the database and Redis
are checked on every request.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

TIMEOUT_SECONDS = 1.0

_worker_cache: dict[str, Any] = {}
_worker_lock = threading.Lock()


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return "unreachable"
    return "ok"


def redis_status() -> str:
    """ "ok", "unreachable", or "not used" when the broker is not Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "not used"
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any broker failure means "not healthy"
        return "unreachable"
    return "ok"


def _ping_workers() -> str:
    from samverkan.celery import app

    try:
        replies = app.control.ping(timeout=TIMEOUT_SECONDS, limit=1)
    except Exception:  # noqa: BLE001 - a broker that cannot carry the ping: no worker known
        return "unreachable"
    return "ok" if replies else "no reply"


def worker_status() -> str:
    """ "inprocess", or for Celery "ok" / "no reply" / "unreachable" (kept a few seconds)."""
    if settings.JOBS_BACKEND != "celery":
        return "inprocess"
    ttl = settings.HEALTH_WORKER_CACHE_SECONDS
    now = time.monotonic()
    with _worker_lock:
        cached = _worker_cache.get("status")
        if cached and cached[0] > now:
            return cached[1]
    status = _ping_workers()
    with _worker_lock:
        _worker_cache["status"] = (time.monotonic() + ttl, status)
    return status


def health(request: HttpRequest) -> JsonResponse:
    report = {"database": database_status()}
    if settings.JOBS_BACKEND == "celery":
        report["redis"] = redis_status()
        report["worker"] = worker_status() if report["redis"] != "unreachable" else "unreachable"
        required: tuple[str, ...] = ("database", "redis", "worker")
    else:
        report["worker"] = "inprocess"
        required = ("database",)
    healthy = all(report[part] in ("ok", "not used") for part in required)
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )


# The access rule rides on the view for the URL access test (mypy knows no function attributes).
health.access = "public"  # type: ignore[attr-defined]
