"""python manage.py send_webhooks"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samverkan.api import webhooks


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due: new ones not yet sent and failed ones whose "
        "pause is over. Celery beat does this every minute; with JOBS_BACKEND=inprocess run it "
        "from cron (e.g. every minute) so failed deliveries are tried again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = webhooks.deliver()
        if options["verbosity"] > 0:
            summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            self.stdout.write(
                f"webhook deliveries tried: {sum(counts.values())} ({summary or 'none due'})"
            )
