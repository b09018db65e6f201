"""Weekly e-mail of the field-report picture (last week unless --week is given)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.fieldwork import services
from samverkan.fieldwork.weekly_mail import previous_week, send_weekly_reports


class Command(BaseCommand):
    help = (
        "E-mail last week's weekly picture (veckolägesbild) to the members who subscribe to "
        "it, once per partnership and week. Run on Monday mornings (cron, or Celery beat in "
        "production)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: last week)")
        parser.add_argument(
            "--force", action="store_true", help="send again even if the week was already sent"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["week"]:
            try:
                year, week = services.parse_week(options["week"])
            except ValueError as exc:
                raise CommandError(f"bad --week: {exc}") from exc
        else:
            year, week = previous_week()
        partnerships, sent = send_weekly_reports(year, week, force=options["force"])
        self.stdout.write(
            f"Sent {sent} weekly e-mails for {services.week_label(year, week)} "
            f"in {partnerships} partnerships."
        )
