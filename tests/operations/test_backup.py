"""manage.py backup and restore: one archive, restored into a fresh database (issues 14, 20).

The round trip restores through a separate process into a second database (a new SQLite file,
or a new PostgreSQL database beside the test database) and compares its `dumpdata` with the
source's, row by row, and a few values that Django's JSON would have rounded (times with a
microsecond part under 1 000 and exactly 0, a large decimal, JSON with floats) exactly. The
test suite runs on both engines, so both engines' own copies are proven; the portable form is
restored into the other engine (SQLite → PostgreSQL in the SQLite run, PostgreSQL → SQLite in
the PostgreSQL run).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import dj_database_url
import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

import samverkan
from samverkan.documents.models import IssuedDocument
from samverkan.jobs.models import Job
from samverkan.mapping.models import CrimeCost, Incident
from samverkan.operations.backup import (
    DATABASE_MEMBERS,
    MANIFEST_MEMBER,
    BackupError,
    create_backup,
    database_part,
    restore_backup,
)
from samverkan.partnerships.models import Decision

SRC = Path(samverkan.__file__).resolve().parents[1]
ROOT = SRC.parent


def _canonical(jsonl: str) -> list[str]:
    # PostgreSQL's jsonb keeps its own key order: compare parsed rows, not bytes.
    # One row a line, split at "\n" only: str.splitlines() would also split at a U+2028 in a
    # value, which JSON lines leave as it is.
    return sorted(
        json.dumps(json.loads(line), sort_keys=True) for line in jsonl.split("\n") if line
    )


def _source_dump() -> list[str]:
    out = io.StringIO()
    call_command("dumpdata", format="jsonl", exclude=["sessions"], stdout=out)
    return _canonical(out.getvalue())


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextlib.contextmanager
def _new_database(tmp_path: Path, engine: str):
    """Environment for a second process on a new, empty database of ``engine``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATA_DIR": str(tmp_path / "target-data"),
        "MEDIA_ROOT": str(tmp_path / "target-media"),
        "JOBS_BACKEND": "inprocess",
    }
    if engine == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        name = f"{params['NAME']}_restore"[:63]
    else:
        # The SQLite run has no PostgreSQL database of its own: the server the PostgreSQL
        # run uses (scripts/test-all), a database named after this process.
        url = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/samverkan")
        params = dj_database_url.parse(url)
        name = f"samverkan_portable_{os.getpid()}"
    try:
        admin = psycopg.connect(
            host=params["HOST"],
            port=params["PORT"] or 5432,
            user=params["USER"],
            password=params["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        pytest.fail(f"The PostgreSQL server for the restore is not reachable: {exc}")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    env["DATABASE_URL"] = (
        f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    )
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def restore_target(tmp_path):
    """A new, empty database of the same engine as the test database."""
    with _new_database(tmp_path, connection.vendor) as env:
        yield env


@pytest.fixture
def other_engine_target(tmp_path):
    """A new, empty database of the other engine."""
    with _new_database(
        tmp_path, "postgresql" if connection.vendor == "sqlite" else "sqlite"
    ) as env:
        yield env


# Values Django's JSON serialisation does not keep: a time 123 µs after the second (it wrote
# milliseconds, so this came back as 01:10:28), one exactly on the second, one with six
# significant digits; a 14-digit decimal; JSON with a float, a big integer and a line separator.
EXACT_TIMES = (
    datetime.datetime(2026, 3, 1, 1, 10, 28, 123, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 1, 1, 10, 29, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 1, 1, 10, 30, 999999, tzinfo=datetime.UTC),
)
EXACT_PARAMS = {"share": 0.1, "big": 2**62 + 1, "text": "Rad\u2028två å"}
EXACT_AMOUNT = decimal.Decimal("123456789012.34")
# Run in the restored database by `manage.py shell -c`: one line with the values as read back.
EXACT_X = 674129.123456789
EXACT_PROBE = (
    "import json; from samverkan.jobs.models import Job; "
    "from samverkan.mapping.models import CrimeCost, Incident; "
    "job = Job.objects.get(kind='backup-exact'); "
    "cost = CrimeCost.objects.get(item='Klotter (exakt)'); "
    "incident = Incident.objects.get(key='K-exakt'); "
    "print('exact:', json.dumps([job.created_at.isoformat(), job.started_at.isoformat(), "
    "job.finished_at.isoformat(), job.params, str(cost.amount), "
    "incident.occurred_from.isoformat(), incident.x], sort_keys=True))"
)


def _expected_exact_line() -> str:
    values = [moment.isoformat() for moment in EXACT_TIMES]
    values += [EXACT_PARAMS, str(EXACT_AMOUNT), EXACT_TIMES[0].isoformat(), EXACT_X]
    return "exact: " + json.dumps(values, sort_keys=True)


@pytest.fixture
def filled(world, settings):
    """The two partnerships, an uploaded decision file and an issued document."""
    ours = world.ours.partnership
    decision = Decision(
        partnership=ours,
        title="Beslut om samverkan",
        body="Kommunstyrelsen",
        decided_on=datetime.date(2026, 3, 1),
        text="Vi samverkar.",
    )
    decision.attachment.save("beslut.pdf", ContentFile(b"%PDF-1.4 signed\n"), save=False)
    decision.save()
    issued = IssuedDocument(
        partnership=ours,
        kind="agreement",
        edition="internal",
        format="pdf",
        number=1,
        sha256="0" * 64,
        source_lines=[{"text": "Åtgärd", "confidential": False}],
    )
    issued.file.save("overenskommelse-v1.pdf", ContentFile(b"%PDF-1.4 issued\n"), save=False)
    issued.save()
    job = Job.objects.create(
        partnership=ours,
        kind="backup-exact",
        params=EXACT_PARAMS,
        started_at=EXACT_TIMES[1],
        finished_at=EXACT_TIMES[2],
    )
    Job.objects.filter(pk=job.pk).update(created_at=EXACT_TIMES[0])  # not auto_now_add's
    CrimeCost.objects.create(
        party=world.ours.kommun, item="Klotter (exakt)", amount=EXACT_AMOUNT, year=2025
    )
    # A composite primary key, a float with all its digits.
    Incident.objects.create(
        party=world.ours.polis,
        key="K-exakt",
        occurred_from=EXACT_TIMES[0],
        offence="Skadegörelse",
        x=EXACT_X,
    )
    return SimpleNamespace(world=world, files=[decision.attachment.name, issued.file.name])


@pytest.mark.slow(reason="backs up and restores whole databases (pg_dump, migrations)")
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_the_same_data(filled, settings, tmp_path, restore_target):
    archive = tmp_path / "backup.tar"
    manifest = create_backup(archive, report=lambda _text: None)
    assert manifest["database_engine"] == connection.vendor
    # The engine's own copy: pg_dump's custom format, or SQLite's backup API.
    native = "postgresql-custom" if connection.vendor == "postgresql" else "sqlite"
    assert manifest["database"] == {"form": native, "member": DATABASE_MEMBERS[native]}
    assert manifest["counts"]["partnerships.partnership"] == 2
    for name in filled.files:
        assert f"media/{name}" in manifest["checksums"]
    assert "partnerships" in manifest["migrations"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    restored = _manage(restore_target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "Restore complete." in restored.stdout

    # In the restored database: its dumpdata, then a new row, which must get a new id after
    # the restored ones (PostgreSQL's sequences were moved on).
    dump = tmp_path / "restored.jsonl"
    checked = _manage(
        restore_target,
        "shell",
        "-c",
        "from django.core.management import call_command; "
        f"call_command('dumpdata', format='jsonl', exclude=['sessions'], output={str(dump)!r}); "
        "from samverkan.accounts.models import Organisation as O; "
        "highest = max(O.objects.values_list('id', flat=True)); "
        "print('new id after restored ones:', "
        "O.objects.create(name='Ny organisation', kind='other').id > highest); " + EXACT_PROBE,
    )
    assert checked.returncode == 0, checked.stderr
    assert _canonical(dump.read_text(encoding="utf-8")) == _source_dump()
    assert "new id after restored ones: True" in checked.stdout
    # dumpdata itself rounds to milliseconds: the exact values are compared on their own.
    assert _expected_exact_line() in checked.stdout.splitlines()

    target_media = Path(restore_target["MEDIA_ROOT"])
    source_media = Path(settings.MEDIA_ROOT)
    for name in filled.files:
        assert (target_media / name).read_bytes() == (source_media / name).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_with_rows_is_refused(filled, settings, tmp_path):
    archive = tmp_path / "backup.tar"
    create_backup(archive, report=lambda _text: None)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(BackupError, match="The database is not empty") as refused:
        restore_backup(archive, report=lambda _text: None)
    assert "accounts.auditentry: " in str(refused.value)
    assert "nothing was restored" in str(refused.value)
    assert not (tmp_path / "empty-media").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_media_folder_with_files_is_refused(filled, tmp_path):
    archive = tmp_path / "backup.tar"
    create_backup(archive, report=lambda _text: None)
    with pytest.raises(CommandError, match="already holds files"):
        call_command("restore", str(archive))


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_to_overwrite(filled, tmp_path):
    archive = tmp_path / "backup.tar"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(archive))
    assert archive.read_bytes() == b"keep me"


@pytest.fixture
def archive_bytes(filled, tmp_path) -> bytes:
    archive = tmp_path / "good.tar"
    create_backup(archive, report=lambda _text: None)
    return archive.read_bytes()


def _restore_refused(path: Path, settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path))
    assert not (tmp_path / "empty-media").exists()  # nothing written
    return str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_check_only_reads_the_archive(archive_bytes, settings, tmp_path):
    archive = tmp_path / "checked.tar"
    archive.write_bytes(archive_bytes)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    out = io.StringIO()
    call_command("restore", "--check", str(archive), stdout=out)
    assert "Archive is intact" in out.getvalue()
    assert not (tmp_path / "empty-media").exists()


@pytest.mark.django_db(transaction=True)
def test_truncated_archive_is_refused(archive_bytes, settings, tmp_path):
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive_bytes[: len(archive_bytes) // 2])
    message = _restore_refused(truncated, settings, tmp_path)
    assert "is damaged or incomplete" in message
    assert "Nothing was restored." in message


@pytest.mark.django_db(transaction=True)
def test_corrupted_archive_is_refused(archive_bytes, settings, tmp_path):
    corrupt = tmp_path / "corrupt.tar"
    data = bytearray(archive_bytes)
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    assert "is damaged or incomplete" in _restore_refused(corrupt, settings, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_changed_member_fails_its_checksum(archive_bytes, settings, tmp_path):
    """A well-formed archive whose database part was edited after the manifest was written."""
    tampered = tmp_path / "tampered.tar"
    with (
        tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:") as source,
        tarfile.open(tampered, mode="w") as target,
    ):
        database = database_part(json.loads(source.extractfile(MANIFEST_MEMBER).read()))[1]
        for member in source:
            data = bytearray(source.extractfile(member).read())
            if member.name == database:
                data[len(data) // 2] ^= 0x01
            target.addfile(member, io.BytesIO(bytes(data)))
    message = _restore_refused(tampered, settings, tmp_path)
    assert f"the checksum of {database} does not match" in message


@pytest.mark.django_db(transaction=True)
def test_archive_without_manifest_or_not_an_archive_is_refused(archive_bytes, settings, tmp_path):
    bare = tmp_path / "bare.tar"
    with (
        tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:") as source,
        tarfile.open(bare, mode="w") as target,
    ):
        for member in source:
            if member.name != MANIFEST_MEMBER:
                target.addfile(member, source.extractfile(member))
    assert "it has no manifest.json" in _restore_refused(bare, settings, tmp_path)

    text = tmp_path / "notes.tar.gz"
    text.write_bytes(gzip.compress(b"just some text, not a tar file"))
    assert "is damaged or incomplete" in _restore_refused(text, settings, tmp_path)

    with pytest.raises(CommandError, match="There is no file"):
        call_command("restore", str(tmp_path / "missing.tar"))


@pytest.mark.slow(reason="backs up and restores whole databases (pg_dump, migrations)")
@pytest.mark.django_db(transaction=True)
def test_portable_backup_restores_exactly_into_the_other_engine(
    filled, tmp_path, other_engine_target
):
    native = tmp_path / "native.tar"
    create_backup(native, report=lambda _text: None)
    refused = _manage(other_engine_target, "restore", str(native))
    assert refused.returncode != 0
    assert "restores only into" in refused.stderr
    assert "backup --portable" in refused.stderr

    portable = tmp_path / "portable.tar"
    call_command("backup", "--portable", "--output", str(portable), verbosity=0)
    restored = _manage(other_engine_target, "restore", str(portable))
    assert restored.returncode == 0, restored.stderr
    assert "Restore complete." in restored.stdout

    dump = tmp_path / "restored.jsonl"
    checked = _manage(
        other_engine_target,
        "shell",
        "-c",
        "from django.core.management import call_command; "
        f"call_command('dumpdata', format='jsonl', exclude=['sessions'], output={str(dump)!r}); "
        + EXACT_PROBE,
    )
    assert checked.returncode == 0, checked.stderr
    assert _expected_exact_line() in checked.stdout.splitlines()
    assert _canonical(dump.read_text(encoding="utf-8")) == _source_dump()


@pytest.mark.django_db(transaction=True)
def test_portable_form_writes_times_to_the_microsecond(filled, tmp_path):
    archive = tmp_path / "portable.tar"
    manifest = create_backup(archive, portable=True, report=lambda _text: None)
    assert manifest["database"] == {"form": "jsonl", "member": "database.jsonl.gz"}
    with tarfile.open(archive) as source:
        lines = gzip.decompress(source.extractfile("database.jsonl.gz").read()).splitlines()
    job = next(
        json.loads(line)["fields"]
        for line in lines
        if b'"jobs.job"' in line and b"backup-exact" in line
    )
    assert job["created_at"] == "2026-03-01T01:10:28.000123Z"
    assert job["started_at"] == "2026-03-01T01:10:29Z"
    assert job["finished_at"] == "2026-03-01T01:10:30.999999Z"


@pytest.mark.django_db(transaction=True)
def test_archive_of_format_version_1_is_still_checked(filled, tmp_path, settings):
    """Version 1: a tar.gz with the rows as uncompressed JSON lines (Django's own encoder)."""
    archive = tmp_path / "old.tar.gz"
    out = io.StringIO()
    call_command("dumpdata", format="jsonl", exclude=["sessions"], stdout=out)
    rows = out.getvalue().encode("utf-8")
    manifest = {
        "format": "samverkan-backup",
        "format_version": 1,
        "created_at": "2026-03-01T00:00:00+00:00",
        "database_engine": connection.vendor,
        "migrations": {"partnerships": ["0001_initial"]},
        "counts": {"partnerships.partnership": 2},
        "files": 0,
        "checksums": {"database.jsonl": hashlib.sha256(rows).hexdigest()},
    }
    with tarfile.open(archive, mode="w:gz") as target:
        for name, data in (
            ("database.jsonl", rows),
            (MANIFEST_MEMBER, json.dumps(manifest).encode("utf-8")),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    out = io.StringIO()
    call_command("restore", "--check", str(archive), stdout=out)
    assert "Archive is intact: 2 rows (jsonl" in out.getvalue()
    assert database_part(manifest) == ("jsonl", "database.jsonl")
