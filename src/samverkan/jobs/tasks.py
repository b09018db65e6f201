"""Celery task that runs a job by id (production backend)."""

from celery import shared_task

from samverkan.jobs.registry import run_job


@shared_task(name="samverkan.run_job", acks_late=True)
def run_job_task(job_id: int) -> str:
    return run_job(job_id).status
