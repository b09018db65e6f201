"""Write the archival information package of an adopted document (documents/archive.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samverkan.documents import archive
from samverkan.documents.models import DocumentDecision, IssuedDocument
from samverkan.partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Write the archival information package (FGS Paketstruktur 2.0 = E-ARK CSIP/SIP 2.1: "
        "METS, PREMIS, SHA-256 checksums, the document as PDF/A-2) of the adopted version of "
        "a lagesbild or atgardsplan. Without --number the package holds the version the "
        "registered decision approved."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=list(archive.ARCHIVABLE_KINDS))
        parser.add_argument("--partnership", type=int, required=True)
        parser.add_argument(
            "--number",
            type=int,
            help="the issued version number (refused unless it is the adopted one)",
        )
        parser.add_argument(
            "--container",
            choices=["zip", "tar"],
            default="zip",
            help="zip (the default) or tar, as the receiving e-archive takes it",
        )
        parser.add_argument(
            "--output", help="file to write (default: <package id>.<container>, here)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(pk=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"no partnership with id {options['partnership']}")
        kind = options["kind"]
        if options["number"] is None:
            decision = DocumentDecision.objects.filter(partnership=partnership, kind=kind).first()
            if decision is None or decision.approved is None:
                raise CommandError(
                    f"{kind} has no registered decision naming the version it approved: "
                    "register the decision first (the documents page, 'Registrera beslut')"
                )
            version = decision.approved
        else:
            found = IssuedDocument.objects.filter(
                partnership=partnership, kind=kind, format="pdf", number=options["number"]
            ).first()
            if found is None:
                raise CommandError(f"{kind} has no issued PDF version {options['number']}")
            version = found
        try:
            archive.adopting_decision(version)
            # The adopted document with its decision on the cover, while the content is still
            # the decided one (laid out here, as the operator's build shows it).
            adopted = archive.adopted_rendering(archive.adopted_pdf(version), None, store=False)
            package = archive.build_package(
                version, adopted=adopted, container=options["container"]
            )
        except archive.NotArchivable as exc:
            raise CommandError(str(exc)) from exc
        output = Path(options["output"] or package.filename)
        try:
            output.write_bytes(package.content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc}") from exc
        self.stdout.write(
            f"Wrote the archival package {package.package_id} of {kind} version "
            f"{version.number} ({version.edition}) for '{partnership.name}' to {output} "
            f"({len(package.content)} bytes; PDF/A SHA-256 {package.pdf_sha256})."
        )
        if adopted is None:
            self.stdout.write(
                "The content has changed since the decision: the package holds the decided "
                "file only (marked as a draft, as it was issued), not a copy marked adopted."
            )
