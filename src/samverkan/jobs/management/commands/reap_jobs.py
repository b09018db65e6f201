"""python manage.py reap_jobs"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samverkan.jobs.registry import reap_stale_jobs


class Command(BaseCommand):
    help = (
        "Mark as failed the background jobs nobody will finish: queued or running jobs of a "
        "process on this host that no longer runs, and jobs older than JOBS_TIMEOUT_MINUTES. "
        "Their clean-up runs (a failed import's file is deleted). Run at start-up."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reaped = reap_stale_jobs()
        if options["verbosity"] > 0:
            self.stdout.write(f"{reaped} stale job(s) marked failed")
