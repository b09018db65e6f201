"""python manage.py backup --output FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samverkan.operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) with the whole database (one consistent snapshot, safe "
        "while the service runs), every uploaded file and issued document (MEDIA_ROOT) and a "
        "manifest with the migration state, row counts and checksums. Restore it with "
        "`manage.py restore FILE`, on SQLite or PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", required=True, help="the archive to write (must not exist)"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.stdout.write if options["verbosity"] > 0 else (lambda _text: None)
        try:
            create_backup(Path(options["output"]), alias=options["database"], report=report)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
