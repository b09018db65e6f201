"""A real job through a real Celery worker on the Redis at 127.0.0.1:6379 (production path)."""

import time
import uuid

import pytest

from samverkan.celery import app as celery_app
from samverkan.jobs import registry
from samverkan.jobs.models import Job, JobStatus
from tests.celery_broker import broker_to_ourselves


@pytest.fixture
def celery_worker_on_redis(settings):
    with broker_to_ourselves() as broker:
        yield from _worker(settings, broker)


def _worker(settings, broker):
    from celery.contrib.testing.worker import start_worker

    settings.JOBS_BACKEND = "celery"
    # A queue of this run's own: another test run on the same Redis (another checkout, a
    # second CI job) must not take this run's tasks, nor this worker theirs.
    queue = f"samverkan-test-{uuid.uuid4().hex}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.update(
        broker_url=broker,
        result_backend=None,
        task_always_eager=False,
        task_default_queue=queue,
    )
    with start_worker(
        celery_app,
        pool="threads",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=10,
        queues=[queue],
    ):
        yield
    celery_app.conf.task_default_queue = previous


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_export_job_runs_on_celery_worker_through_redis(world, celery_worker_on_redis):
    job = registry.enqueue(
        "partnerships.export", partnership=world.ours.partnership, user=world.alice
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished():
            break
        time.sleep(0.2)
    assert job.status == JobStatus.DONE, job.error or job.status
    assert job.result["sections"]["parties"] == 2
    assert Job.objects.get(pk=job.pk).output.name.endswith(".json")
