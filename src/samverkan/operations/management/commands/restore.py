"""python manage.py restore FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samverkan.operations.backup import (
    BackupError,
    check_archive,
    database_part,
    restore_backup,
)


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an empty database (a new one; "
        "it is migrated as needed) and an empty MEDIA_ROOT. The whole archive and its "
        "checksums are checked before anything is written; a damaged archive restores nothing. "
        "An archive with the engine's own copy restores into a new database without tables "
        "of the same engine; a portable one (backup --portable) into either engine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive written by manage.py backup")
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--check", action="store_true", help="only check the archive; restore nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = self.stdout.write if options["verbosity"] > 0 else (lambda _text: None)
        try:
            if options["check"]:
                manifest = check_archive(Path(options["archive"]))
                form, _member = database_part(manifest)
                report(
                    f"Archive is intact: {sum(manifest['counts'].values())} rows ({form}, "
                    f"from {manifest.get('database_engine')}), {manifest.get('files', 0)} "
                    f"files, made {manifest.get('created_at')}."
                )
                return
            restore_backup(Path(options["archive"]), alias=options["database"], report=report)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
