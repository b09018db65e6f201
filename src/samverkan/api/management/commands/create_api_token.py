"""manage.py create_api_token USERNAME [--name NAME]: print a new personal API token."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from samverkan.api.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="manage.py", help="what the token is for")
        parser.add_argument(
            "--read-only", action="store_true", help="the token may read but never change"
        )
        parser.add_argument(
            "--expires-days", type=int, default=None, help="the token stops working after this"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user named {options['username']!r}.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        _token, secret = ApiToken.issue(
            user,
            options["name"],
            read_only=options["read_only"],
            expires_at=None if days is None else timezone.now() + datetime.timedelta(days=days),
        )
        self.stdout.write(secret)
