"""Tie an account to a person at the OpenID provider (an administrator's mapping), list an
account's links, or remove one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from samverkan.accounts import oidc
from samverkan.accounts.models import ProviderIdentity, User


class Command(BaseCommand):
    help = (
        "Tie USERNAME to the person SUBJECT at the provider (the 'sub' claim, or "
        "OIDC_SUBJECT_CLAIM, e.g. 'oid' for Entra ID; the link page shows it to the person). "
        "Without SUBJECT: list the account's links. --unlink removes the link."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("subject", nargs="?")
        parser.add_argument(
            "--issuer",
            default=None,
            help="The provider's issuer (default: OIDC_OP_ISSUER).",
        )
        parser.add_argument("--unlink", action="store_true", help="Remove the link instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        subject = (options["subject"] or "").strip()
        issuer = settings.OIDC_OP_ISSUER if options["issuer"] is None else options["issuer"]
        if not subject:
            for found in user.provider_identities.all():
                self.stdout.write(
                    f"{found.subject}\t{found.issuer or '(issuer not yet known)'}\t"
                    f"{found.method}\t{found.linked_at:%Y-%m-%d %H:%M}"
                )
            return
        if not issuer:
            raise CommandError("Give --issuer, or set OIDC_OP_ISSUER.")
        if options["unlink"]:
            deleted, _ = ProviderIdentity.objects.filter(
                user=user, issuer=issuer, subject=subject
            ).delete()
            if not deleted:
                raise CommandError(f"{user.username} is not linked to {subject!r} at {issuer}.")
            self.stdout.write(f"{user.username} is no longer linked to {subject!r} at {issuer}.")
            return
        try:
            with transaction.atomic():
                oidc.link(user, issuer, subject, ProviderIdentity.Method.ADMIN)
        except IntegrityError as exc:
            taken = ProviderIdentity.objects.filter(issuer=issuer, subject=subject).first()
            if taken is not None:
                raise CommandError(
                    f"{subject!r} at {issuer} is linked to {taken.user.username} already; "
                    "--unlink it there first."
                ) from exc
            raise CommandError(
                f"{user.username} is linked to another person at {issuer} already; "
                "--unlink that one first."
            ) from exc
        self.stdout.write(f"{user.username} is now linked to {subject!r} at {issuer}.")
