"""/halsa/: the database always; with Celery also Redis and a worker, 503 when one is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from samverkan.celery import app as celery_app
from samverkan.operations import health
from tests.celery_broker import broker_to_ourselves


@pytest.fixture(autouse=True)
def _fresh_worker_status(settings):
    settings.HEALTH_WORKER_CACHE_SECONDS = 0
    health._worker_cache.clear()
    yield
    health._worker_cache.clear()


@pytest.fixture
def celery_on_redis(settings):
    # The same broker as tests/jobs (the app keeps its first broker connection), held alone.
    with broker_to_ourselves() as broker:
        yield from _on_broker(settings, broker)


def _on_broker(settings, broker):
    settings.JOBS_BACKEND = "celery"
    settings.CELERY_BROKER_URL = broker
    previous = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=broker, result_backend=None, task_always_eager=False)
    yield
    celery_app.conf.update(broker_url=previous)


def test_inprocess_reports_database_and_worker(client, db):
    response = client.get("/halsa/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "inprocess"}


def test_database_down_is_503(client, db, monkeypatch):
    class Gone:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Gone())
    response = client.get("/halsa/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["status"] == "error"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_celery_with_a_running_worker_is_ok(client, celery_on_redis):
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING"
    ):
        response = client.get("/halsa/")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.celery
def test_celery_without_a_worker_is_503(client, db, celery_on_redis):
    response = client.get("/halsa/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "redis": "ok",
        "worker": "no reply",
    }


def test_celery_without_redis_is_503(client, db, settings):
    settings.JOBS_BACKEND = "celery"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/halsa/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "redis": "unreachable",
        "worker": "unreachable",
    }


def test_worker_answer_is_kept_for_the_configured_time(client, db, settings, monkeypatch):
    settings.JOBS_BACKEND = "celery"
    settings.HEALTH_WORKER_CACHE_SECONDS = 60
    calls = []
    monkeypatch.setattr(health, "redis_status", lambda: "ok")
    monkeypatch.setattr(health, "_ping_workers", lambda: calls.append(1) or "ok")
    for _ in range(3):
        assert client.get("/halsa/").status_code == 200
    assert len(calls) == 1
    settings.HEALTH_WORKER_CACHE_SECONDS = 0
    health._worker_cache.clear()
    client.get("/halsa/")
    assert len(calls) == 2
