"""Celery task of the webhooks (production backend): the retries, every minute."""

from celery import shared_task

from samverkan.api import webhooks
from samverkan.jobs.registry import enqueue


@shared_task(name="samverkan.send_webhooks")
def send_webhooks_task() -> int:
    """Hand the due deliveries (retries) to a job; scheduled by Celery beat."""
    ids = list(webhooks.due().values_list("pk", flat=True)[:1000])
    if ids:
        enqueue(webhooks.JOB, deliveries=ids)
    return len(ids)
