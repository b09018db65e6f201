"""Daily reminder e-mail: overdue measures and measures without recent log entries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from samverkan.implementation.digest import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each responsible person the measures that are overdue or have had no log "
        "entry for 30 days. Run daily (cron, or Celery beat in production)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent, lines = send_digests(timezone.localdate())
        self.stdout.write(f"Sent {sent} digest e-mails covering {lines} measures.")
