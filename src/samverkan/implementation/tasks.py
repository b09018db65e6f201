"""Scheduled tasks for Celery beat (production)."""

from celery import shared_task
from django.utils import timezone

from samverkan.implementation.digest import send_digests


@shared_task(name="samverkan.send_digests")
def send_digests_task() -> str:
    sent, lines = send_digests(timezone.localdate())
    return f"{sent} e-mails, {lines} measures"
