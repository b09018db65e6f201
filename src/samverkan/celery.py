"""Celery application for production background jobs.

Start a worker with ``celery -A samverkan worker -l info`` (see README, "Drift").
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")

app = Celery("samverkan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "samverkan.jobs",
        "samverkan.api",
        "samverkan.implementation",
        "samverkan.mapping",
        "samverkan.fieldwork",
    ]
)

# Scheduled work (run `celery -A samverkan beat` beside the worker).
app.conf.beat_schedule = {
    "daily-digest": {
        "task": "samverkan.send_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Last week's field-report picture to its subscribers (fieldwork), Monday mornings.
    "weekly-field-reports": {
        "task": "samverkan.send_weekly_reports",
        "schedule": crontab(day_of_week=1, hour=7, minute=15),
    },
    # Free text of field reports past their partnership's retention period (fieldwork).
    "erase-field-report-text": {
        "task": "samverkan.erase_field_report_text",
        "schedule": crontab(hour=3, minute=15),
    },
    # Polisen's latest events for the parties that use that source (fetch_statistics polisen).
    "polisen-events-daily": {
        "task": "samverkan.fetch_polisen_events",
        "schedule": crontab(hour=6, minute=30),
    },
    # Webhook deliveries that failed and are due again (api/webhooks.py).
    "send-webhooks": {
        "task": "samverkan.send_webhooks",
        "schedule": crontab(minute="*"),
    },
    # Jobs left behind by a worker that died, or hanging past JOBS_TIMEOUT_MINUTES.
    "reap-stale-jobs": {
        "task": "samverkan.reap_jobs",
        "schedule": crontab(minute="*/10"),
    },
}
