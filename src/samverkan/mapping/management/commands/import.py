"""python manage.py import <kind> FILE --partnership ID --party ID"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.importers import IMPORTERS
from samverkan.mapping.services import import_file, party_for_command


class Command(BaseCommand):
    help = (
        "Import a file into a party's mapping. Every row is validated; if any row is bad "
        "nothing is saved and the bad lines are listed. Importing the same file again adds "
        "nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--partnership", type=int, required=True)
        parser.add_argument("--party", type=int, required=True)
        parser.add_argument(
            "--areas",
            choices=("own", "all"),
            default="",
            help="for a file with other municipalities than the partnership's own and its "
            "comparison municipalities: import only those ('own') or every area ('all'); "
            "without it such a file is not imported",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        party = party_for_command(options["partnership"], options["party"])
        if party is None:
            raise CommandError(
                f"party {options['party']} is not part of partnership {options['partnership']}"
            )
        record, result = import_file(party, options["kind"], path, area_choice=options["areas"])
        if record.status == ImportStatus.DUPLICATE:
            self.stdout.write(f"{path.name}: already imported (import {record.pk}); nothing added")
            return
        if record.status == ImportStatus.FAILED:
            raise CommandError(
                f"{path.name}: the import was stopped by an unexpected error (logged above); "
                f"nothing saved (import {record.pk})"
            )
        if record.status == ImportStatus.NEEDS_MAPPING:
            raise CommandError(
                f"{path.name}: the column headers were not recognised "
                f"({', '.join(result.headers)}); rename them or map them in the web interface"
            )
        if record.status == ImportStatus.NEEDS_AREAS:
            others = ", ".join(f"{a['name']} ({a['code']})" for a in record.other_areas())
            raise CommandError(
                f"{path.name}: the file holds other municipalities than the partnership's own "
                f"and its comparison municipalities ({others}); nothing saved. Run again with "
                "--areas own (leave them out) or --areas all (import them too)"
            )
        if not result.ok:
            lines = [
                f"  {issue.en}" if issue.line else f"  file: {issue.en}" for issue in result.errors
            ]
            more = result.error_count - len(result.errors)
            if more:
                lines.append(f"  ... and {more} more")
            if any(issue.whole_file for issue in result.errors):
                summary = "rejected as a whole"
            else:
                what = "entry" if result.errors and result.errors[0].unit == "post" else "row"
                summary = f"rejected, {result.error_count} bad {what}(s)"
            raise CommandError(f"{path.name}: {summary}, nothing saved\n" + "\n".join(lines))
        left_out = (
            f", {result.rows_left_out} of other municipalities left out"
            if (result.rows_left_out)
            else ""
        )
        self.stdout.write(
            f"{path.name}: {result.rows_total} rows read, {result.rows_imported} imported, "
            f"{result.rows_skipped} already present{left_out} (import {record.pk})"
        )
