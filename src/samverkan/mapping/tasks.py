"""Scheduled tasks of step 2 for Celery beat (production)."""

from celery import shared_task

from samverkan.mapping.official import fetch_polisen_daily


@shared_task(name="samverkan.fetch_polisen_events")
def fetch_polisen_events_task() -> str:
    """Polisen's latest events for every party that uses the source (see official.py)."""
    return "; ".join(fetch_polisen_daily()) or "no party uses Polisen's events"
