"""Celery tasks of the job system (production backend)."""

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from samverkan.jobs.registry import reap_stale_jobs, run_job

log = logging.getLogger(__name__)


@shared_task(name="samverkan.run_job", acks_late=True)
def run_job_task(job_id: int) -> str:
    return run_job(job_id).status


@shared_task(name="samverkan.reap_jobs")
def reap_jobs_task() -> int:
    """Fail the jobs nobody will finish (scheduled by Celery beat, see samverkan.celery)."""
    return reap_stale_jobs()


@worker_ready.connect
def _reap_at_start(**_kwargs: Any) -> None:
    # A worker that starts on this host may be the restart of one that died mid-job.
    try:
        reap_stale_jobs()
    except Exception:  # the worker still starts; beat tries again
        log.exception("could not reap stale jobs at worker start")
