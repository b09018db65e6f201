"""manage.py backup and restore: one archive, restored into a fresh database (issue 14).

The round trip restores through a separate process into a second database (a new SQLite file,
or a new PostgreSQL database beside the test database) and compares its `dumpdata` with the
source's, row by row. The test suite runs on both engines, so both are proven.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

import samverkan
from samverkan.documents.models import IssuedDocument
from samverkan.operations.backup import (
    DATABASE_MEMBER,
    MANIFEST_MEMBER,
    BackupError,
    create_backup,
    restore_backup,
)
from samverkan.partnerships.models import Decision

SRC = Path(samverkan.__file__).resolve().parents[1]
ROOT = SRC.parent


def _canonical(jsonl: str) -> list[str]:
    # PostgreSQL's jsonb keeps its own key order: compare parsed rows, not bytes.
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in jsonl.splitlines())


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


@pytest.fixture
def restore_target(tmp_path):
    """Environment for a second process on a new, empty database of the same engine."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATA_DIR": str(tmp_path / "target-data"),
        "MEDIA_ROOT": str(tmp_path / "target-media"),
        "JOBS_BACKEND": "inprocess",
    }
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    params = connection.settings_dict
    name = f"{params['NAME']}_restore"[:63]
    admin = psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
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
    return SimpleNamespace(world=world, files=[decision.attachment.name, issued.file.name])


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_the_same_data(filled, settings, tmp_path, restore_target):
    archive = tmp_path / "backup.tar.gz"
    manifest = create_backup(archive, report=lambda _text: None)
    assert manifest["database_engine"] == connection.vendor
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
        "O.objects.create(name='Ny organisation', kind='other').id > highest)",
    )
    assert checked.returncode == 0, checked.stderr
    assert _canonical(dump.read_text(encoding="utf-8")) == _source_dump()
    assert "new id after restored ones: True" in checked.stdout

    target_media = Path(restore_target["MEDIA_ROOT"])
    source_media = Path(settings.MEDIA_ROOT)
    for name in filled.files:
        assert (target_media / name).read_bytes() == (source_media / name).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_with_rows_is_refused(filled, settings, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    create_backup(archive, report=lambda _text: None)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(BackupError, match="The database is not empty") as refused:
        restore_backup(archive, report=lambda _text: None)
    assert "accounts.auditentry: " in str(refused.value)
    assert "nothing was restored" in str(refused.value)
    assert not (tmp_path / "empty-media").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_media_folder_with_files_is_refused(filled, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    create_backup(archive, report=lambda _text: None)
    with pytest.raises(CommandError, match="already holds files"):
        call_command("restore", str(archive))


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_to_overwrite(filled, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(archive))
    assert archive.read_bytes() == b"keep me"


@pytest.fixture
def archive_bytes(filled, tmp_path) -> bytes:
    archive = tmp_path / "good.tar.gz"
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
    archive = tmp_path / "checked.tar.gz"
    archive.write_bytes(archive_bytes)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    out = io.StringIO()
    call_command("restore", "--check", str(archive), stdout=out)
    assert "Archive is intact" in out.getvalue()
    assert not (tmp_path / "empty-media").exists()


@pytest.mark.django_db(transaction=True)
def test_truncated_archive_is_refused(archive_bytes, settings, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive_bytes[: len(archive_bytes) // 2])
    message = _restore_refused(truncated, settings, tmp_path)
    assert "is damaged or incomplete" in message
    assert "Nothing was restored." in message


@pytest.mark.django_db(transaction=True)
def test_corrupted_archive_is_refused(archive_bytes, settings, tmp_path):
    corrupt = tmp_path / "corrupt.tar.gz"
    data = bytearray(archive_bytes)
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    assert "is damaged or incomplete" in _restore_refused(corrupt, settings, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_changed_member_fails_its_checksum(archive_bytes, settings, tmp_path):
    """A well-formed archive whose database part was edited after the manifest was written."""
    tampered = tmp_path / "tampered.tar.gz"
    with (
        tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:gz") as source,
        tarfile.open(tampered, mode="w:gz") as target,
    ):
        for member in source:
            data = source.extractfile(member).read()
            if member.name == DATABASE_MEMBER:
                data = data.replace(b"Kommunstyrelsen", b"Kommunfullm\xc3\xa4ktige")
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    message = _restore_refused(tampered, settings, tmp_path)
    assert f"the checksum of {DATABASE_MEMBER} does not match" in message


@pytest.mark.django_db(transaction=True)
def test_archive_without_manifest_or_not_an_archive_is_refused(archive_bytes, settings, tmp_path):
    bare = tmp_path / "bare.tar.gz"
    with (
        tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:gz") as source,
        tarfile.open(bare, mode="w:gz") as target,
    ):
        for member in source:
            if member.name != MANIFEST_MEMBER:
                target.addfile(member, source.extractfile(member))
    assert "it has no manifest.json" in _restore_refused(bare, settings, tmp_path)

    text = tmp_path / "notes.tar.gz"
    text.write_bytes(gzip.compress(b"just some text, not a tar file"))
    assert "is damaged or incomplete" in _restore_refused(text, settings, tmp_path)

    with pytest.raises(CommandError, match="There is no file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))
