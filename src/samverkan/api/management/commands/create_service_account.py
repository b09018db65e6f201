"""manage.py create_service_account SYSTEM --party PARTY_ID [--role member] [--read-only]
[--expires-days N] [--contact TEXT]: a system's own account with one membership, and a token.

A system (a diarium, a BI tool) gets its own account rather than a person's token: its access
is the membership's role in the party (``member`` reads, ``coordinator`` also writes), its
changes are its own in the history, and it can never sign in on the pages.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from samverkan.accounts.choices import Role
from samverkan.accounts.models import Membership
from samverkan.api.models import ApiToken, ServiceAccount
from samverkan.partnerships.models import Party

ROLES = (Role.MEMBER, Role.COORDINATOR)


class Command(BaseCommand):
    help = "Create a service account for a system, with a membership in one party, and print " \
        "its first API token (shown only once)."  # fmt: skip

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("system", help="which system the account is for, e.g. Diariet")
        parser.add_argument("--party", type=int, required=True, help="the party's id")
        parser.add_argument("--role", default=Role.MEMBER, choices=[str(r) for r in ROLES])
        parser.add_argument("--contact", default="", help="who answers for the account")
        parser.add_argument("--read-only", action="store_true", help="the token may only read")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        party = Party.objects.select_related("organisation").filter(pk=options["party"]).first()
        if party is None:
            raise CommandError(f"No party with id {options['party']}.")
        slug = slugify(options["system"])[:60]
        if not slug:
            raise CommandError("Name the system with letters or digits.")
        username = f"system.{slug}"
        users = get_user_model().objects
        if users.filter(username=username).exists():
            raise CommandError(f"There is already an account {username!r}.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        with transaction.atomic():
            user = users.create_user(
                username=username,
                password=None,  # unusable: the account never signs in on the pages
                first_name=options["system"][:150],
                organisation=party.organisation,
            )
            ServiceAccount.objects.create(
                user=user, system=options["system"][:100], contact=options["contact"][:200]
            )
            Membership.objects.create(user=user, party=party, role=options["role"])
            _token, secret = ApiToken.issue(
                user,
                options["system"],
                read_only=options["read_only"],
                expires_at=None if days is None else timezone.now() + datetime.timedelta(days=days),
            )
        self.stderr.write(f"Created {username} ({options['role']} in {party}).")
        self.stdout.write(secret)
