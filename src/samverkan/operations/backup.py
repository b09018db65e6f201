"""Back up and restore the whole service: database, uploaded files and issued documents.

An archive is a gzip-compressed tar file holding

    database.jsonl   every row of every model (Django's JSON-lines serialisation, with ids),
    media/...        every file under MEDIA_ROOT (uploads, issued documents, job results),
    manifest.json    format version, the migration state, row counts and SHA-256 checksums.

The database part is portable: an archive made on SQLite restores on PostgreSQL and back.
It is consistent while the service runs: every row is read in one read-only transaction, so
the dump is one snapshot and writers are never blocked. On PostgreSQL that transaction is
REPEATABLE READ, READ ONLY; on SQLite it is a deferred read transaction, which in WAL mode
(the service's setting) sees one snapshot while writers go on.

Files are copied after the database snapshot, so every file the snapshot names is there
(unless it was deleted in between); a file written later is extra and harmless.

A restore reads and checks the whole archive before it writes anything, migrates an empty
database to the archive's migration state, loads the rows in one transaction, checks the row
counts, puts the files in place and migrates to the current version.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "samverkan-backup"
FORMAT_VERSION = 1
DATABASE_MEMBER = "database.jsonl"
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"
# Rows that are not worth keeping: a restored service starts with everybody logged out.
EXCLUDED_MODELS = {"sessions.session"}
# Rows that `migrate` creates by itself; a restore replaces them with the archive's own.
MIGRATE_CREATED = {"contenttypes.contenttype", "auth.permission"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (English)."""


Report = Callable[[str], None]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete, managed model whose rows the archive holds, parents before children."""
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and _label(model) not in EXCLUDED_MODELS
    ]
    return chosen


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _migration_state(alias: str) -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        state.setdefault(app_label, []).append(name)
    return state


# -- backup ---------------------------------------------------------------------------------


def _dump_rows(alias: str, out: io.TextIOBase) -> dict[str, int]:
    """Write every row through ``alias`` as JSON lines; returns the row count per model."""
    counts: dict[str, int] = {}
    for model in backed_up_models():
        rows = model._base_manager.using(alias).order_by(model._meta.pk.name)
        count = 0

        def counted(items: Iterator[models.Model]) -> Iterator[models.Model]:
            nonlocal count
            for item in items:
                count += 1
                yield item

        serializers.serialize("jsonl", counted(rows.iterator(chunk_size=2000)), stream=out)
        counts[_label(model)] = count
    return counts


@contextlib.contextmanager
def _sqlite_read_transaction(alias: str) -> Iterator[None]:
    """One deferred read transaction: with WAL, a snapshot that never blocks writers.

    Django's own transactions on SQLite begin IMMEDIATE (they take the write lock), which
    would hold every writer back for the whole backup; a plain BEGIN only reads.
    """
    connection = connections[alias]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            # The snapshot is taken at the first read; take it now.
            cursor.execute("SELECT count(*) FROM sqlite_master")
            yield
        finally:
            cursor.execute("ROLLBACK")


def _dump_database(alias: str, path: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Row counts and migration state, with the rows written to ``path``: one snapshot."""
    connection = connections[alias]
    with path.open("w", encoding="utf-8") as out:
        if connection.in_atomic_block:
            raise BackupError("A backup must run in its own transaction, not inside another one.")
        if connection.vendor == "sqlite":
            with _sqlite_read_transaction(alias):
                return _dump_rows(alias, out), _migration_state(alias)
        with transaction.atomic(using=alias):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return _dump_rows(alias, out), _migration_state(alias)


def _media_files(root: Path) -> list[tuple[Path, str]]:
    """(absolute path, archive name) of every regular file under MEDIA_ROOT, sorted."""
    if not root.is_dir():
        return []
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path, MEDIA_PREFIX + path.relative_to(root).as_posix()))
    return sorted(found, key=lambda item: item[1])


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(output: Path, *, alias: str = DEFAULT_DB_ALIAS, report: Report = print) -> dict:
    """Write the archive to ``output`` (refused if it exists); returns the manifest."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; choose a new file name.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    media_root = Path(settings.MEDIA_ROOT)
    partial = output.with_name(f".{output.name}.{secrets.token_hex(4)}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="samverkan-backup-") as folder:
            dump = Path(folder) / DATABASE_MEMBER
            counts, migrations = _dump_database(alias, dump)
            report(f"Database: {sum(counts.values())} rows from {len(counts)} tables.")
            checksums = {DATABASE_MEMBER: _sha256_file(dump)}
            files = _media_files(media_root)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
            ):
                archive.add(dump, arcname=DATABASE_MEMBER, recursive=False)
                for path, name in files:
                    checksums[name] = _sha256_file(path)
                    archive.add(path, arcname=name, recursive=False)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                    "database_engine": connections[alias].vendor,
                    "migrations": migrations,
                    "counts": counts,
                    "files": len(files),
                    "checksums": checksums,
                }
                _add_bytes(
                    archive,
                    MANIFEST_MEMBER,
                    json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"),
                )
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    report(f"Files: {len(files)} from {media_root}.")
    report(f"Backup written to {output}.")
    return manifest


# -- restore --------------------------------------------------------------------------------


def _damaged(path: Path, detail: str) -> BackupError:
    return BackupError(
        f"The archive {path} is damaged or incomplete ({detail}). Nothing was restored."
    )


def _safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name == pure.as_posix()


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        handle = archive.extractfile(MANIFEST_MEMBER)
    except KeyError:
        raise _damaged(path, "it has no manifest.json") from None
    if handle is None:
        raise _damaged(path, "manifest.json is not a file")
    try:
        manifest = json.loads(handle.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _damaged(path, f"manifest.json is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Samverkan backup archive.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format version {manifest.get('format_version')!r}; this "
            f"version of Samverkan reads version {FORMAT_VERSION}."
        )
    for key, kind in (("migrations", dict), ("counts", dict), ("checksums", dict)):
        if not isinstance(manifest.get(key), kind):
            raise _damaged(path, f"the manifest lacks {key!r}")
    if DATABASE_MEMBER not in manifest["checksums"]:
        raise _damaged(path, f"the manifest lists no {DATABASE_MEMBER}")
    return manifest


def _verify_members(archive: tarfile.TarFile, manifest: dict, path: Path) -> None:
    """Every member is listed with the right checksum, and every listed member is there."""
    expected = dict(manifest["checksums"])
    for member in archive:
        if member.name == MANIFEST_MEMBER:
            continue
        if member.name not in expected:
            raise _damaged(path, f"{member.name} is not listed in the manifest")
        if not member.isfile() or not _safe_member_name(member.name):
            raise _damaged(path, f"{member.name} is not a plain file inside the archive")
        handle = archive.extractfile(member)
        assert handle is not None
        digest = hashlib.sha256()
        for block in iter(functools.partial(handle.read, CHUNK), b""):
            digest.update(block)
        if digest.hexdigest() != expected.pop(member.name):
            raise _damaged(path, f"the checksum of {member.name} does not match")
    if expected:
        missing = ", ".join(sorted(expected)[:5])
        raise _damaged(path, f"{len(expected)} listed member(s) are missing: {missing}")


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            yield archive
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupError(f"There is no file {path}.") from None
        raise _damaged(path, str(exc) or type(exc).__name__) from None


def check_archive(path: Path) -> dict[str, Any]:
    """Read the whole archive and check every checksum; returns the manifest."""
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive, path)
        _verify_members(archive, manifest, path)
    return manifest


def _rows_present(alias: str) -> dict[str, int]:
    """Models (other than those migrate fills itself) that hold rows, with their counts."""
    present = {}
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy or _label(model) in MIGRATE_CREATED:
            continue
        count = model._base_manager.using(alias).count()
        if count:
            present[_label(model)] = count
    return present


def _check_migrations_known(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            "The archive was made by a newer or different version of Samverkan: migrations "
            f"{', '.join(unknown[:5])} are unknown here. Restore with that version."
        )


def _migrate_to_archive_state(alias: str, manifest: dict, report: Report) -> None:
    """Bring the database to the archive's migrations, or check it is there already."""
    connection = connections[alias]
    applied = MigrationRecorder(connection).applied_migrations()
    wanted = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    if applied:
        present = _rows_present(alias)
        if present:
            first = ", ".join(f"{label}: {count}" for label, count in sorted(present.items())[:4])
            raise BackupError(
                f"The database is not empty: it holds {sum(present.values())} rows in "
                f"{len(present)} tables ({first}, ...). Restore only into an empty database "
                "(create a new one); nothing was restored."
            )
        if set(applied) != wanted:
            raise BackupError(
                "The database has already been migrated to another state than the archive's. "
                "Restore into a new, empty database (not migrated): the restore migrates it."
            )
        return
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    targets = _targets(loader, wanted)
    for app_label, name in targets:
        call_command("migrate", app_label, name, database=alias, verbosity=0, interactive=False)
    report(f"Database migrated to the archive's state ({len(wanted)} migrations).")


def wanted_nodes(wanted: set[tuple[str, str]], app_label: str) -> list[tuple[str, str]]:
    return [node for node in wanted if node[0] == app_label]


def _targets(loader: MigrationLoader, wanted: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Per app, the archive's migration that all its other ones lead to."""
    targets = []
    for app_label in sorted({app for app, _name in wanted}):
        nodes = wanted_nodes(wanted, app_label)
        last = [
            node
            for node in nodes
            if not any(
                node != other and node in loader.graph.forwards_plan(other) for other in nodes
            )
        ]
        if len(last) != 1:
            raise BackupError(f"The archive's migrations of {app_label} do not form one line.")
        targets.append(last[0])
    return targets


def _stage_media(archive: tarfile.TarFile, manifest: dict, staging: Path) -> int:
    files = 0
    for member in archive:
        if not member.name.startswith(MEDIA_PREFIX):
            continue
        relative = member.name[len(MEDIA_PREFIX) :]
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = archive.extractfile(member)
        assert handle is not None
        digest = hashlib.sha256()
        with target.open("xb") as out:
            for block in iter(functools.partial(handle.read, CHUNK), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != manifest["checksums"][member.name]:
            raise BackupError(f"The checksum of {member.name} changed while restoring.")
        files += 1
    return files


@contextlib.contextmanager
def _quiet_signals() -> Iterator[None]:
    """No history and no recomputed restrictions while rows are loaded as they were."""
    from django.db.models.signals import m2m_changed

    from samverkan.accounts import audit
    from samverkan.problems.models import Cause, Measure

    senders = [
        (model.allowed_parties.through, f"audit_allowed_{model.__name__}")
        for model in (Cause, Measure)
    ]
    for sender, uid in senders:
        m2m_changed.disconnect(sender=sender, dispatch_uid=uid)
    try:
        with audit.suppressed():
            yield
    finally:
        audit.connect_signals()


def _load_rows(alias: str, archive: tarfile.TarFile, manifest: dict, report: Report) -> None:
    from django.contrib.contenttypes.models import ContentType

    with tempfile.TemporaryDirectory(prefix="samverkan-restore-") as folder:
        dump = Path(folder) / DATABASE_MEMBER
        handle = archive.extractfile(DATABASE_MEMBER)
        assert handle is not None
        with dump.open("wb") as out:
            shutil.copyfileobj(handle, out, CHUNK)
        if _sha256_file(dump) != manifest["checksums"][DATABASE_MEMBER]:
            raise BackupError(f"The checksum of {DATABASE_MEMBER} changed while restoring.")
        with transaction.atomic(using=alias), _quiet_signals():
            # migrate created these with its own ids; the archive's rows refer to its ids.
            ContentType.objects.using(alias).all().delete()
            call_command("loaddata", str(dump), database=alias, verbosity=0)
            ContentType.objects.clear_cache()
            counts = {
                label: apps.get_model(label)._base_manager.using(alias).count()
                for label in manifest["counts"]
            }
            wrong = {
                label: (counts[label], expected)
                for label, expected in manifest["counts"].items()
                if counts[label] != expected
            }
            if wrong:
                listed = ", ".join(f"{k}: {have} not {want}" for k, (have, want) in wrong.items())
                raise BackupError(f"Row counts differ after loading ({listed}); rolled back.")
    report(f"Database: {sum(manifest['counts'].values())} rows restored.")


def restore_backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS, report: Report = print) -> dict:
    """Restore the archive into an empty database and an empty MEDIA_ROOT."""
    path = Path(path)
    manifest = check_archive(path)
    report(f"Archive checked: {len(manifest['checksums'])} members, every checksum matches.")
    for label in manifest["counts"]:
        try:
            apps.get_model(label)
        except LookupError:
            raise BackupError(f"The archive holds rows of {label}, unknown here.") from None
    _check_migrations_known(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(
            f"MEDIA_ROOT ({media_root}) already holds files. Restore only into an empty "
            "folder, beside an empty database."
        )
    _migrate_to_archive_state(alias, manifest, report)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = media_root.parent / f".restore-{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        with _open_archive(path) as archive:
            files = _stage_media(archive, manifest, staging)
        with _open_archive(path) as archive:
            _load_rows(alias, archive, manifest, report)
        media_root.mkdir(parents=True, exist_ok=True)
        for entry in staging.iterdir():
            os.replace(entry, media_root / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(f"Files: {files} restored into {media_root}.")
    call_command("migrate", database=alias, verbosity=0, interactive=False)
    report("Database migrated to this version. Restore complete.")
    return manifest
