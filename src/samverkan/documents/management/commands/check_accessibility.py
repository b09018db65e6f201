"""Check every public document edition against the machine-checkable PDF/UA-1 rules and
record the result for the accessibility statement (tillgänglighetsredogörelse)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.documents import accessibility, data, render
from samverkan.documents.models import AccessibilityCheck
from samverkan.partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Build the public edition of every document kind for a partnership, check each PDF "
        "with the installed PDF/UA-1 checkers (outloud, pdfua: the dev extra) and record "
        "the result that the accessibility statement shows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--partnership", type=int, required=True)
        parser.add_argument("--kind", action="append", choices=list(data.KINDS))

    def handle(self, *args: Any, **options: Any) -> None:
        if not accessibility.available():
            raise CommandError("no PDF/UA checker installed: pip install -e '.[dev]'")
        partnership = Partnership.objects.filter(pk=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"no partnership with id {options['partnership']}")
        failed = 0
        for kind in options["kind"] or list(data.KINDS):
            doc = data.build(kind, partnership, data.PUBLIC)
            result = accessibility.check_pdf(render.to_pdf(doc))
            AccessibilityCheck.objects.create(
                kind=kind,
                checkers=", ".join(result.checkers),
                errors=len(result.errors),
                warnings=len(result.warnings),
                findings=[str(f) for f in result.findings],
            )
            verdict = "ok" if result.passed else "FAIL"
            failed += not result.passed
            self.stdout.write(
                f"{kind}: {verdict} ({len(result.errors)} errors, "
                f"{len(result.warnings)} warnings; {', '.join(result.checkers)})"
            )
            for finding in result.findings:
                self.stdout.write(f"  {finding}")
        if failed:
            raise CommandError(f"{failed} public edition(s) do not pass PDF/UA-1")
