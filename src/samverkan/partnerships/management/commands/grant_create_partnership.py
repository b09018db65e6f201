"""Give (or take back) an account's right to start new partnerships."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.accounts.models import User
from samverkan.partnerships.services import create_permission


class Command(BaseCommand):
    help = (
        "Let USERNAME start new partnerships (the partnerships.add_partnership permission); "
        "--revoke takes the right back. Superusers always have it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="Take the right back.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        permission = create_permission()
        if options["revoke"]:
            user.user_permissions.remove(permission)
            self.stdout.write(f"{user.username} may no longer start partnerships.")
        else:
            user.user_permissions.add(permission)
            self.stdout.write(f"{user.username} may now start partnerships.")
