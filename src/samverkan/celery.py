"""Celery application for production background jobs.

Start a worker with ``celery -A samverkan worker -l info`` (see README, "Drift").
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")

app = Celery("samverkan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["samverkan.jobs"])
