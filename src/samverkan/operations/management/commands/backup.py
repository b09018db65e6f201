"""python manage.py backup --output FILE [--portable]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samverkan.operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar) with the whole database (one consistent snapshot, safe while "
        "the service runs), every uploaded file and issued document (MEDIA_ROOT) and a "
        "manifest with the migration state, row counts and checksums. The database is the "
        "engine's own exact copy (pg_dump's custom format on PostgreSQL, SQLite's backup API "
        "on SQLite), which `manage.py restore FILE` restores into the same engine; with "
        "--portable it is JSON lines (every value exact) that restore into either engine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", required=True, help="the archive to write (must not exist)"
        )
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--portable",
            action="store_true",
            help="write the database as JSON lines, to restore into the other engine",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.stdout.write if options["verbosity"] > 0 else (lambda _text: None)
        try:
            create_backup(
                Path(options["output"]),
                alias=options["database"],
                portable=options["portable"],
                report=report,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
