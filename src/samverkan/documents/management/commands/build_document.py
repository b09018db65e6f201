"""Build a document from the command line (same data and rendering as the pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.accounts.models import User
from samverkan.documents import data, services
from samverkan.partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Build one document (agreement, lagesbild, atgardsplan, medborgarlofte, followup, fem-i) "
        "as PDF, DOCX or (public edition) HTML, in the public edition unless --edition internal "
        "is given. Without --user the internal edition "
        "holds every confidential item: give --user to build it as that person may see it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=list(data.KINDS))
        parser.add_argument("--partnership", type=int, required=True)
        parser.add_argument("--format", choices=["pdf", "docx", "html"], default="pdf")
        parser.add_argument(
            "--edition",
            choices=list(data.EDITIONS),
            help="public (the default: the edition safe to hand on) or internal",
        )
        parser.add_argument(
            "--output", help="file to write (default: the document's own file name, here)"
        )
        parser.add_argument("--user", help="username whose view the internal edition shows")
        parser.add_argument(
            "--week",
            help="ISO week for 'vecka', e.g. 2026-W48 (default: the latest week with reports)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(pk=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"no partnership with id {options['partnership']}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        if options["edition"] is None:
            options["edition"] = data.PUBLIC
            self.stdout.write(
                "No --edition given: writing the public edition (without confidential items "
                "and small counts), the one safe to hand on. Give --edition internal for "
                "the internal one."
            )
        if options["format"] == "html" and options["edition"] != data.PUBLIC:
            raise CommandError("--format html is made for the public edition only")
        extra = {}
        if options["week"]:
            if options["kind"] != "vecka":
                raise CommandError("--week applies only to the document 'vecka'")
            extra["week"] = options["week"]
        try:
            doc = data.build(options["kind"], partnership, options["edition"], user, **extra)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        content = services.render_as(doc, options["format"])
        output = Path(
            options["output"]
            or services.file_name(
                partnership, options["kind"], options["edition"], options["format"]
            )
        )
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc}") from exc
        self.stdout.write(
            f"Wrote {options['kind']} ({options['edition']}, {options['format']}) for "
            f"'{partnership.name}' to {output} ({len(content)} bytes)."
        )
