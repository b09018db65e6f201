"""Load the handbook's worked example as the demo partnership and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samverkan.lib.env import env_str
from samverkan.process.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create the demo partnership from the handbook's worked example, with one demo user "
        "per party. Safe to run again: existing data is kept unless --reset is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="Recreate the demo partnership.")
        parser.add_argument("--quiet", action="store_true", help="Print only the summary line.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = env_str("DEMO_PASSWORD", "samverkan-demo")
        partnership, logins = load_demo(password, reset=options["reset"])
        if not options["quiet"]:
            self.stdout.write(f"Demo logins (password: {password}):")
            for login in logins:
                self.stdout.write(
                    f"  {login.username:<16} {login.name:<14} {login.party:<28} {login.role}"
                )
        self.stdout.write(
            f"Demo partnership #{partnership.pk} '{partnership.name}' "
            f"ready with {len(logins)} users."
        )
