"""The production stack, started for real (issue 14): gunicorn with two workers, a Celery worker
and Celery beat as separate processes, on a new PostgreSQL database and Redis.

Over HTTP: log in as the demo users, import the example incidents and issue a document, both
through the worker; an upload declared over MAX_UPLOAD_MB is refused before its body is
sent, and a backup taken while everything runs passes restore's check. Then kill the worker
(SIGKILL) in the middle of a large import: not one row of it is left, and once a new worker
starts (its start runs the stale-job reaper) the job and the import end as failed with a
Swedish message. Everything stops cleanly at the end.

Runs in the PostgreSQL run of `make test` (marker "production"); a missing PostgreSQL or Redis
is a failure, never a skip, and scripts/check-test-reports checks that it ran and passed.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from samverkan.jobs.registry import ABANDONED
from samverkan.mapping.services import IMPORT_FAILED_SV
from tests.operations.production_stack import ROOT, Stack, StackError

pytestmark = [pytest.mark.production, pytest.mark.celery]

PARTNERSHIP = 1  # the demo partnership
POLICE_PARTY = 2  # its police party (demo.polis coordinates it)
BIG_IMPORT_ROWS = 200_000


def _wait(what: str, check, timeout: float = 60, every: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}")


def _job_of_import(stack: Stack, import_id: int) -> tuple[int, str, int, str]:
    with stack.db() as db:
        row = db.execute(
            "SELECT j.id, j.status, j.progress, j.error FROM mapping_import i "
            "JOIN jobs_job j ON j.id = i.job_id WHERE i.id = %s",
            [import_id],
        ).fetchone()
    assert row is not None
    return row


def _incidents(stack: Stack) -> int:
    with stack.db() as db:
        return db.execute(
            "SELECT count(*) FROM mapping_incident WHERE party_id = %s", [POLICE_PARTY]
        ).fetchone()[0]


def _upload_incidents(client, content: bytes, filename: str) -> int:  # type: ignore[no-untyped-def]
    status, headers, body = client.upload(
        f"/samverkan/{PARTNERSHIP}/kartlaggning/parter/{POLICE_PARTY}/import/",
        {"kind": "incidents"},
        "file",
        filename,
        content,
    )
    assert status == 302, body[:2000]
    found = re.search(r"/import/(\d+)/$", headers["Location"])
    assert found, headers["Location"]
    return int(found.group(1))


def _declared_upload(stack: Stack, client, length: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """POST an upload whose headers declare ``length`` bytes, sending none of them: a server
    that waited for the body would hang here instead of answering."""
    import socket
    import urllib.parse

    parts = urllib.parse.urlsplit(stack.base)
    cookies = "; ".join(f"{c.name}={c.value}" for c in client.jar)
    path = f"/samverkan/{PARTNERSHIP}/kartlaggning/parter/{POLICE_PARTY}/import/"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nCookie: {cookies}\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        conn.sendall(request.encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _sep, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, web_workers=2)
    try:
        # The large file for the kill is written while the database is being prepared.
        generator = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "generate_incidents.py"),
                str(BIG_IMPORT_ROWS),
                str(tmp_path / "big.csv"),
                "--seed",
                "14",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        stack.prepare()
        assert generator.wait(timeout=120) == 0
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        stack.wait_healthy()
    except StackError as exc:  # PostgreSQL or Redis missing, or a process that did not start
        stack.kill_all()
        pytest.fail(str(exc))
    try:
        yield stack
    finally:
        stack.kill_all()
        stack.drop_database()


@pytest.mark.slow(reason="starts gunicorn, a Celery worker and beat on PostgreSQL and Redis")
def test_production_stack(stack, tmp_path):
    from tests.operations.production_stack import Client

    status, report = stack.health()
    assert (status, report) == (
        200,
        {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"},
    )

    police = Client(stack.base)
    police.login("demo.polis")
    status, _headers, body = police.request("/")
    assert status == 302  # home sends a logged-in user on to the partnerships
    status, _headers, body = police.request("/samverkan/")
    assert status == 200 and "Samverkan för ett tryggare centrum" in body.decode()

    # 1. An import of the example file, through the worker.
    before = _incidents(stack)
    example = (ROOT / "docs" / "examples" / "handelser.csv").read_bytes()
    import_id = _upload_incidents(police, example, "handelser.csv")
    _wait("the example import", lambda: _job_of_import(stack, import_id)[1] == "done")
    rows = len(example.decode("utf-8").strip().splitlines()) - 1
    assert _incidents(stack) == before + rows
    status, _headers, body = police.request(
        f"/samverkan/{PARTNERSHIP}/kartlaggning/parter/{POLICE_PARTY}/import/{import_id}/"
    )
    assert status == 200

    # 2. A document issued through the worker: the agreement, internal edition.
    municipality = Client(stack.base)
    municipality.login("demo.kommun")
    status, headers, _body = municipality.post(
        f"/samverkan/{PARTNERSHIP}/dokument/agreement/internal/utfarda/", {}
    )
    assert status == 302, _body[:1000]
    job_id = int(re.search(r"/(\d+)/$", headers["Location"]).group(1))

    def issued() -> tuple | None:
        with stack.db() as db:
            row = db.execute(
                "SELECT status, error FROM jobs_job WHERE id = %s", [job_id]
            ).fetchone()
        return row if row[0] in ("done", "failed") else None

    assert _wait("the document job", issued, timeout=90) == ("done", "")
    with stack.db() as db:
        files = db.execute(
            "SELECT file FROM documents_issueddocument WHERE partnership_id = %s AND kind = %s",
            [PARTNERSHIP, "agreement"],
        ).fetchall()
    assert files, "no issued document"
    for (name,) in files:
        assert (Path(stack.env["MEDIA_ROOT"]) / name).stat().st_size > 1000
    # The finished job's page takes the reader on to the issued document.
    status, done_headers, _body = municipality.request(headers["Location"])
    assert status == 302, _body[:1000]
    status, _headers, body = municipality.request(done_headers["Location"])
    assert status == 200 and "Samverkansöverenskommelse" in body.decode()

    # 2b. The upload limit holds in front of the app: a body declared larger than
    # MAX_UPLOAD_MB (+1 MB for the form) is refused by gunicorn's worker before it is sent.
    status, body = _declared_upload(stack, police, (100 + 2) * 1024 * 1024)
    assert status == 413 and "Filen är för stor" in body and "100 MB" in body

    # 2c. A backup while the service runs, checked as a restore would check it.
    archive = tmp_path / "live-backup.tar.gz"
    stack.manage("backup", "--output", str(archive))
    assert archive.stat().st_size > 10_000
    stack.manage("restore", "--check", str(archive))

    # 3. The worker is killed in the middle of a large import.
    before = _incidents(stack)
    big = (tmp_path / "big.csv").read_bytes()
    import_id = _upload_incidents(police, big, "stor-export.csv")
    job_id, *_rest = _wait(
        "the large import to be under way",
        lambda: (row := _job_of_import(stack, import_id))[1] == "running" and row[2] >= 5 and row,
        timeout=120,
        every=0.05,
    )
    with stack.db() as db:
        (upload,) = db.execute(
            "SELECT file FROM mapping_import WHERE id = %s", [import_id]
        ).fetchone()
    assert upload and (Path(stack.env["MEDIA_ROOT"]) / upload).exists()
    worker_pid = stack.processes["worker"].pid
    assert stack.stop("worker", signal.SIGKILL) == -signal.SIGKILL
    _job, status, _progress, _error = _job_of_import(stack, import_id)
    assert status == "running"  # nobody has noticed yet
    assert _incidents(stack) == before  # the import's transaction died with the worker

    # A worker starting on this host reaps the jobs of the one that died.
    stack.start_worker("worker2")
    _wait("the reaper", lambda: _job_of_import(stack, import_id)[1] == "failed", timeout=60)
    _job, status, _progress, error = _job_of_import(stack, import_id)
    assert error == ABANDONED
    # The worker logs the reaping after writing it: the line may trail the row by a moment.
    _wait(
        "the reaper's log line",
        lambda: str(worker_pid) in stack.log("worker2") or "marked failed" in stack.log("worker2"),
        timeout=30,
    )
    assert _incidents(stack) == before
    with stack.db() as db:
        import_status, errors = db.execute(
            "SELECT status, errors FROM mapping_import WHERE id = %s", [import_id]
        ).fetchone()
    assert import_status == "failed"
    assert [entry["sv"] for entry in errors] == [IMPORT_FAILED_SV]
    assert not (Path(stack.env["MEDIA_ROOT"]) / upload).exists()  # its upload is deleted
    status, _headers, body = police.request(f"/samverkan/{PARTNERSHIP}/jobb/{job_id}/")
    assert status == 200
    assert "processen som körde det stannade" in body.decode()

    # The new worker answers; a small import works again.
    stack.wait_healthy(timeout=30)
    again = _upload_incidents(police, example.replace(b"5000-K", b"5001-K"), "handelser-2.csv")
    _wait("the import after the restart", lambda: _job_of_import(stack, again)[1] == "done")

    # 4. Everything stops cleanly.
    assert stack.processes["beat"].poll() is None
    assert "beat: Starting" in stack.log("beat")
    for name in ("gunicorn", "worker2", "beat"):
        assert stack.stop(name, signal.SIGTERM, timeout=30) == 0, stack.log(name)
