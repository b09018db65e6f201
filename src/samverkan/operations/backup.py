"""Back up and restore the whole service: database, uploaded files and issued documents.

An archive is a tar file holding

    the database   in one of three forms (the manifest names which):
                   database.pgdump       PostgreSQL's own dump (`pg_dump --format=custom`),
                   database.sqlite3.gz   a copy made by SQLite's online backup API, gzipped,
                   database.jsonl.gz     the portable form: every row of every model as JSON
                                         lines (Django's serialisation with ids, but with
                                         times to the microsecond), gzipped;
    media/...      every file under MEDIA_ROOT (uploads, issued documents, job results),
    manifest.json  format version, the database form, the migration state, row counts and
                   SHA-256 checksums.

A restore gives back every value exactly. By default the archive holds the engine's own
copy, which restores only into the same engine (byte-exact, and as fast as the engine's tools
are); `portable=True` (`backup --portable`) writes the JSON-lines form instead, which restores
into either engine (SQLite → PostgreSQL and back). Django's JSON encoder cuts times to the
millisecond, so the portable form has its own encoder that keeps every microsecond; decimals
are written as text, binary as base64, floats as their shortest exact repr.

The tar itself is not compressed: the database member is compressed by its own tool, and the
files under MEDIA_ROOT are mostly PDF, Word and spreadsheet files that are compressed already,
so a second gzip over everything would cost the time of the dump again for nothing. Archives
of format version 1 (a tar.gz with an uncompressed database.jsonl) are still read.

Every form is one consistent snapshot, taken while the service runs and without blocking
writers: on PostgreSQL a REPEATABLE READ, READ ONLY transaction exports its snapshot and
pg_dump dumps exactly that snapshot, so the row counts and migration state in the manifest
describe the very rows in the dump; SQLite's backup API copies the database in one step, in
one read transaction (with WAL, the service's setting, writers go on), and the counts are
read from the copy. Files are copied after the database snapshot, so every file the snapshot
names is there (unless it was deleted in between); a file written later is extra and harmless.

A restore reads and checks the whole archive before it writes anything. The portable form is
loaded into an empty database migrated to the archive's migration state, in one transaction;
an engine's own copy is restored into a new database without tables (pg_restore in one
transaction; SQLite's backup API onto the new database). Then the row counts are checked, the
files put in place and the database migrated to the current version.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "samverkan-backup"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"
# The three forms of the database part: form name → member name.
POSTGRESQL_DUMP = "postgresql-custom"
SQLITE_COPY = "sqlite"
PORTABLE = "jsonl"
DATABASE_MEMBERS = {
    POSTGRESQL_DUMP: "database.pgdump",
    SQLITE_COPY: "database.sqlite3.gz",
    PORTABLE: "database.jsonl.gz",
}
# Format version 1 held the portable form, uncompressed, under this name.
DATABASE_MEMBER_V1 = "database.jsonl"
# The engine (Django's connection.vendor) each native form restores into.
NATIVE_ENGINE = {POSTGRESQL_DUMP: "postgresql", SQLITE_COPY: "sqlite"}
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
    """Every concrete, managed model whose rows the archive holds."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and _label(model) not in EXCLUDED_MODELS
    ]


def _excluded_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in sorted(EXCLUDED_MODELS)]


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


def _row_counts(alias: str) -> dict[str, int]:
    return {_label(model): model._base_manager.using(alias).count() for model in backed_up_models()}


# -- the portable form ----------------------------------------------------------------------


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds.

    DjangoJSONEncoder follows ECMA-262 and cuts datetimes and times to milliseconds, so a row
    stored at 01:10:28.000123 came back as 01:10:28. Django's deserializer reads the full ISO
    form, so only the writing side needs to change.
    """

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            if o.utcoffset() is not None:
                raise ValueError("JSON can't represent timezone-aware times.")
            return o.isoformat()
        return super().default(o)


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

        serializers.serialize(
            "jsonl", counted(rows.iterator(chunk_size=2000)), stream=out, cls=ExactJSONEncoder
        )
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


@contextlib.contextmanager
def _postgresql_snapshot(alias: str) -> Iterator[str]:
    """A REPEATABLE READ, READ ONLY transaction; yields its exported snapshot's id."""
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


def _dump_portable(alias: str, path: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    connection = connections[alias]
    # Level 6 (gzip's default): JSON lines shrink some tenfold.
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
        if connection.vendor == "sqlite":
            with _sqlite_read_transaction(alias):
                return _dump_rows(alias, out), _migration_state(alias)
        if connection.vendor == "postgresql":
            with _postgresql_snapshot(alias):
                return _dump_rows(alias, out), _migration_state(alias)
        with transaction.atomic(using=alias):
            return _dump_rows(alias, out), _migration_state(alias)


# -- PostgreSQL's own tools -----------------------------------------------------------------

# libpq's environment variables for the connection options DATABASE_URL may carry.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _libpq_environment(alias: str) -> dict[str, str]:
    """The environment that points pg_dump / pg_restore at ``alias``'s database."""
    params = connections[alias].settings_dict
    # libpq reads the same PG* variables for what the settings leave out, as Django's own
    # connection does: start from them and override with the settings.
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        if params.get("OPTIONS", {}).get(option):
            env[variable] = str(params["OPTIONS"][option])
    return env


def _postgresql_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install PostgreSQL's client programs (the same "
            "major version as the server, or newer), or use `backup --portable`."
        )
    return found


def _run_tool(command: list[str], env: dict[str, str]) -> None:
    name = Path(command[0]).name
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{name} could not be started: {exc}") from None
    if finished.returncode != 0:
        detail = finished.stderr.strip() or f"exit status {finished.returncode}"
        raise BackupError(f"{name} failed: {detail}")


def _dump_postgresql(alias: str, path: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """pg_dump of exactly the snapshot whose counts and migrations the manifest records."""
    command = [
        _postgresql_tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--file={path}",
    ]
    command += [f"--exclude-table-data={table}" for table in _excluded_tables()]
    with _postgresql_snapshot(alias) as snapshot:
        counts, migrations = _row_counts(alias), _migration_state(alias)
        # The exporting transaction stays open until pg_dump has imported the snapshot,
        # which it does at its start; it is held to the end for simplicity.
        _run_tool([*command, f"--snapshot={snapshot}"], _libpq_environment(alias))
    return counts, migrations


def _restore_postgresql(alias: str, dump: Path) -> None:
    connection = connections[alias]
    connection.close()  # pg_restore works alone; Django reconnects afterwards
    _run_tool(
        [
            _postgresql_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        _libpq_environment(alias),
    )


# -- SQLite's online backup API -------------------------------------------------------------


def _raw_sqlite(alias: str) -> sqlite3.Connection:
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _dump_sqlite(alias: str, path: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """A copy by the backup API (one step: one snapshot), counted, then gzipped to ``path``."""
    copy = path.with_name("database.sqlite3")
    target = sqlite3.connect(copy)
    try:
        # pages=-1 copies everything in one step, inside one read transaction on the
        # source: a consistent snapshot; in WAL mode writers carry on meanwhile.
        _raw_sqlite(alias).backup(target, pages=-1)
        target.execute("PRAGMA secure_delete=ON")  # the deleted sessions leave no trace
        for table in _excluded_tables():
            target.execute(f'DELETE FROM "{table}"')
        target.commit()
        counts = {
            _label(model): target.execute(
                f'SELECT count(*) FROM "{model._meta.db_table}"'
            ).fetchone()[0]
            for model in backed_up_models()
        }
        migrations: dict[str, list[str]] = {}
        for app_label, name in target.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name"
        ):
            migrations.setdefault(app_label, []).append(name)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite's backup failed: {exc}") from None
    finally:
        target.close()
    # Level 1: a database file shrinks well even so, at a fraction of the time of level 6.
    with copy.open("rb") as source, gzip.open(path, "wb", compresslevel=1) as out:
        shutil.copyfileobj(source, out, CHUNK)
    copy.unlink()
    return counts, migrations


def _restore_sqlite(alias: str, dump: Path) -> None:
    source = sqlite3.connect(dump)
    try:
        source.backup(_raw_sqlite(alias), pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite's backup API could not write the database: {exc}") from None
    finally:
        source.close()


# -- backup ---------------------------------------------------------------------------------


def _dump_database(
    alias: str, folder: Path, *, portable: bool
) -> tuple[str, Path, dict[str, int], dict[str, list[str]]]:
    """(form, file, row counts, migration state) of one snapshot of the database."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("A backup must run in its own transaction, not inside another one.")
    if portable:
        form = PORTABLE
    elif connection.vendor == "postgresql":
        form = POSTGRESQL_DUMP
    elif connection.vendor == "sqlite":
        form = SQLITE_COPY
    else:
        raise BackupError(
            f"No native backup for the {connection.vendor} engine; use `backup --portable`."
        )
    path = folder / DATABASE_MEMBERS[form]
    dump = {PORTABLE: _dump_portable, POSTGRESQL_DUMP: _dump_postgresql, SQLITE_COPY: _dump_sqlite}
    counts, migrations = dump[form](alias, path)
    return form, path, counts, migrations


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


def create_backup(
    output: Path,
    *,
    alias: str = DEFAULT_DB_ALIAS,
    portable: bool = False,
    report: Report = print,
) -> dict:
    """Write the archive to ``output`` (refused if it exists); returns the manifest.

    ``portable`` writes the database as JSON lines that restore into either engine; without
    it the archive holds the engine's own copy, which restores into the same engine only.
    """
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; choose a new file name.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    media_root = Path(settings.MEDIA_ROOT)
    partial = output.with_name(f".{output.name}.{secrets.token_hex(4)}.partial")
    try:
        # Beside the archive: the dump is as large as the archive, and /tmp may be small.
        with tempfile.TemporaryDirectory(prefix=".samverkan-backup-", dir=output.parent) as tmp:
            form, dump, counts, migrations = _dump_database(alias, Path(tmp), portable=portable)
            report(f"Database: {sum(counts.values())} rows from {len(counts)} tables ({form}).")
            member = DATABASE_MEMBERS[form]
            checksums = {member: _sha256_file(dump)}
            files = _media_files(media_root)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
                archive.add(dump, arcname=member, recursive=False)
                for path, name in files:
                    checksums[name] = _sha256_file(path)
                    archive.add(path, arcname=name, recursive=False)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                    "database_engine": connections[alias].vendor,
                    "database": {"form": form, "member": member},
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
                archive.close()
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


def database_part(manifest: dict[str, Any]) -> tuple[str, str]:
    """(form, member name) of the archive's database part; version 1 held JSON lines."""
    if manifest["format_version"] == 1:
        return PORTABLE, DATABASE_MEMBER_V1
    part = manifest["database"]
    return part["form"], part["member"]


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
    if manifest.get("format_version") not in READABLE_VERSIONS:
        raise BackupError(
            f"{path} has backup format version {manifest.get('format_version')!r}; this "
            f"version of Samverkan reads versions {', '.join(map(str, READABLE_VERSIONS))}. "
            "Restore it with the version of Samverkan that wrote it."
        )
    for key, kind in (("migrations", dict), ("counts", dict), ("checksums", dict)):
        if not isinstance(manifest.get(key), kind):
            raise _damaged(path, f"the manifest lacks {key!r}")
    if manifest["format_version"] > 1:
        part = manifest.get("database")
        if (
            not isinstance(part, dict)
            or part.get("form") not in DATABASE_MEMBERS
            or part.get("member") != DATABASE_MEMBERS[part["form"]]
        ):
            raise _damaged(path, "the manifest does not say which form the database is in")
    _form, member = database_part(manifest)
    if member not in manifest["checksums"]:
        raise _damaged(path, f"the manifest lists no {member}")
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
    # "r:*": version 2 archives are plain tar, version 1 archives tar.gz.
    try:
        with tarfile.open(path, mode="r:*") as archive:
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


def _refuse_unless_empty(alias: str) -> None:
    present = _rows_present(alias)
    if present:
        first = ", ".join(f"{label}: {count}" for label, count in sorted(present.items())[:4])
        raise BackupError(
            f"The database is not empty: it holds {sum(present.values())} rows in "
            f"{len(present)} tables ({first}, ...). Restore only into an empty database "
            "(create a new one); nothing was restored."
        )


def _require_new_database(alias: str, form: str) -> None:
    """An engine's own copy replaces the whole database: only a new one without tables."""
    connection = connections[alias]
    if MigrationRecorder(connection).has_table():
        _refuse_unless_empty(alias)
    tables = connection.introspection.table_names()
    if tables:
        what = "pg_dump" if form == POSTGRESQL_DUMP else "SQLite's backup API"
        raise BackupError(
            f"The database already has {len(tables)} tables (e.g. {tables[0]}). This archive "
            f"holds a copy made by {what}, which restores only into a new database without "
            "tables: create a new one (not migrated) and restore into it; nothing was restored."
        )


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
        _refuse_unless_empty(alias)
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


def _extract_database(
    archive: tarfile.TarFile, manifest: dict, folder: Path, *, gunzip: bool
) -> Path:
    """The database member as a file in ``folder``, checked again as it is written."""
    _form, member = database_part(manifest)
    extracted = archive.extractfile(member)
    assert extracted is not None
    handle: IO[bytes] = extracted
    digest = hashlib.sha256()

    class Hashing(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            data = handle.read(len(buffer))
            digest.update(data)
            buffer[: len(data)] = data
            return len(data)

    source: BinaryIO = io.BufferedReader(Hashing(), CHUNK)
    target = folder / (member.removesuffix(".gz") if gunzip else member)
    with target.open("wb") as out:
        if gunzip:
            try:
                with gzip.open(source, "rb") as unpacked:
                    shutil.copyfileobj(unpacked, out, CHUNK)
            except (OSError, EOFError, zlib.error) as exc:
                raise BackupError(f"{member} could not be unpacked: {exc}") from None
        else:
            shutil.copyfileobj(source, out, CHUNK)
    if digest.hexdigest() != manifest["checksums"][member]:
        raise BackupError(f"The checksum of {member} changed while restoring.")
    return target


def _wrong_counts(alias: str, manifest: dict) -> str:
    counts = {
        label: apps.get_model(label)._base_manager.using(alias).count()
        for label in manifest["counts"]
    }
    return ", ".join(
        f"{label}: {counts[label]} not {expected}"
        for label, expected in manifest["counts"].items()
        if counts[label] != expected
    )


def _load_rows(alias: str, archive: tarfile.TarFile, manifest: dict, report: Report) -> None:
    from django.contrib.contenttypes.models import ContentType

    with tempfile.TemporaryDirectory(prefix="samverkan-restore-") as folder:
        # loaddata reads database.jsonl.gz as gzipped JSON lines by its name.
        dump = _extract_database(archive, manifest, Path(folder), gunzip=False)
        with transaction.atomic(using=alias), _quiet_signals():
            # migrate created these with its own ids; the archive's rows refer to its ids.
            ContentType.objects.using(alias).all().delete()
            call_command("loaddata", str(dump), database=alias, verbosity=0)
            ContentType.objects.clear_cache()
            wrong = _wrong_counts(alias, manifest)
            if wrong:
                raise BackupError(f"Row counts differ after loading ({wrong}); rolled back.")
    report(f"Database: {sum(manifest['counts'].values())} rows restored.")


def _copy_native(alias: str, archive: tarfile.TarFile, manifest: dict, report: Report) -> None:
    from django.contrib.contenttypes.models import ContentType

    form, _member = database_part(manifest)
    with tempfile.TemporaryDirectory(prefix="samverkan-restore-") as folder:
        dump = _extract_database(archive, manifest, Path(folder), gunzip=form == SQLITE_COPY)
        if form == POSTGRESQL_DUMP:
            _restore_postgresql(alias, dump)
        else:
            _restore_sqlite(alias, dump)
    ContentType.objects.clear_cache()
    wrong = _wrong_counts(alias, manifest)
    if wrong:
        raise BackupError(
            f"Row counts differ after restoring ({wrong}). Drop this database and restore "
            "into a new one."
        )
    report(f"Database: {sum(manifest['counts'].values())} rows restored ({form}).")


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
    form, _member = database_part(manifest)
    vendor = connections[alias].vendor
    native = NATIVE_ENGINE.get(form)
    if native is not None and native != vendor:
        raise BackupError(
            f"This archive holds the {native} engine's own copy of the database, which "
            f"restores only into {native}, not into {vendor}. To move between engines, make "
            "the backup with `manage.py backup --portable`. Nothing was restored."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(
            f"MEDIA_ROOT ({media_root}) already holds files. Restore only into an empty "
            "folder, beside an empty database."
        )
    if native is None:
        _migrate_to_archive_state(alias, manifest, report)
    else:
        _require_new_database(alias, form)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = media_root.parent / f".restore-{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        with _open_archive(path) as archive:
            files = _stage_media(archive, manifest, staging)
        with _open_archive(path) as archive:
            if native is None:
                _load_rows(alias, archive, manifest, report)
            else:
                _copy_native(alias, archive, manifest, report)
        media_root.mkdir(parents=True, exist_ok=True)
        for entry in staging.iterdir():
            os.replace(entry, media_root / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(f"Files: {files} restored into {media_root}.")
    call_command("migrate", database=alias, verbosity=0, interactive=False)
    report("Database migrated to this version. Restore complete.")
    return manifest
