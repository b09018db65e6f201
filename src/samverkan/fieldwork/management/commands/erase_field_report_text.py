"""Erase the free text of field reports past their partnership's retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samverkan.fieldwork.services import erase_expired_text


class Command(BaseCommand):
    help = (
        "Erase the free text and typed place of every field report observed longer ago than "
        "its partnership's retention period (default 12 months); the reports and their counts "
        "stay. Run daily (cron, or Celery beat in production)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        partnerships, erased = erase_expired_text()
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Erased the free text of {erased} field reports in {partnerships} "
                "partnerships."
            )
