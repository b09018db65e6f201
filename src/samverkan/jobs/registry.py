"""The job interface every step uses: register a function, enqueue it, follow its progress.

    @job("partnerships.export")
    def export(job: Job, progress: Progress, **params) -> dict: ...

    job = enqueue("partnerships.export", partnership=p, user=request.user)

Where the job runs is a setting (JOBS_BACKEND): "inprocess" uses a small thread pool in the
web process, so the embedded default needs no extra server; "celery" hands the job id to a
Celery worker through Redis. The function and its progress reporting are the same in both.

A job ends as done or failed, whatever happens: an exception is logged with its traceback and
the user sees a Swedish message (``JobFailed`` carries one of the job's own choosing); a job's
``on_failure`` hook cleans up after it (an import deletes its uploaded file). A worker claims a
job with a conditional update, so two workers never run the same job, and records itself on
it, so jobs left behind by a process that died are found and failed (``reap_stale_jobs``),
as are jobs older than JOBS_TIMEOUT_MINUTES.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from samverkan.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
JobFunction = Callable[..., dict[str, Any] | None]

FailureHook = Callable[[Job], None]

_REGISTRY: dict[str, JobFunction] = {}
_ON_FAILURE: dict[str, FailureHook] = {}
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# Progress of the jobs running in this process, for the progress page of the in-process
# backend: a job inside a transaction (an import) cannot always show its row to others.
_live: dict[int, tuple[int, str]] = {}
_live_lock = threading.Lock()


UNEXPECTED = (
    "Jobbet avbröts av ett oväntat fel. Felet är loggat; försök igen, eller kontakta den som "
    "driver tjänsten om det händer igen."
)
ABANDONED = (
    "Jobbet avbröts eftersom processen som körde det stannade (till exempel vid en omstart). "
    "Försök igen."
)
TIMED_OUT = "Jobbet avbröts eftersom det inte blev klart inom %(minutes)s minuter. Försök igen."


@dataclass(frozen=True)
class JobText:
    """What a job's page says to its reader: a headline in plain Swedish and, once the job is
    done, where to find what it made."""

    headline: str
    url: str = ""
    link_text: str = ""
    # The url is a file to download (a document rendered for its reader), not a page to go to.
    file: bool = False


Describer = Callable[[Job], JobText]
_DESCRIBERS: dict[str, Describer] = {}


def describes(name: str) -> Callable[[Describer], Describer]:
    """Register the function that words a job of kind ``name`` for its page."""

    def register(func: Describer) -> Describer:
        _DESCRIBERS[name] = func
        return func

    return register


def description_for(record: Job) -> JobText:
    """The job's headline and destination; a neutral sentence for kinds that have none."""
    if record.kind not in _DESCRIBERS:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
    describer = _DESCRIBERS.get(record.kind)
    if describer is not None:
        return describer(record)
    neutral: dict[str, str] = {
        JobStatus.QUEUED: "Arbetet väntar på att starta.",
        JobStatus.RUNNING: "Arbetet pågår.",
        JobStatus.DONE: "Arbetet är klart.",
        JobStatus.FAILED: "Arbetet kunde inte slutföras.",
    }
    return JobText(neutral.get(record.status, ""))


class JobFailed(Exception):
    """Raised by a job function to fail with a message meant for the user (in Swedish)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def job(name: str, on_failure: FailureHook | None = None) -> Callable[[JobFunction], JobFunction]:
    """Register ``func`` under ``name`` so workers can find it.

    ``on_failure(job)`` is called once the job is marked failed: after an exception, or when
    it is found abandoned or timed out. It should undo what a half-done run leaves behind.
    """

    def register(func: JobFunction) -> JobFunction:
        _REGISTRY[name] = func
        if on_failure is not None:
            _ON_FAILURE[name] = on_failure
        return func

    return register


_worker: tuple[int, str] | None = None


def worker_id() -> str:
    """This process as "host/pid/start-id" (computed again after a fork)."""
    global _worker
    pid = os.getpid()
    if _worker is None or _worker[0] != pid:
        _worker = (pid, f"{socket.gethostname()[:120]}/{pid}/{secrets.token_hex(6)}")
    return _worker[1]


def _is_dead(worker: str) -> bool:
    """True when ``worker`` names a process on this host that no longer runs.

    A process on another host cannot be checked from here: the timeout covers it. The
    start-id tells a restarted process apart from its predecessor under the same pid.
    """
    host, _, rest = worker.partition("/")
    pid_text, _, _token = rest.partition("/")
    if host != socket.gethostname()[:120] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return worker != worker_id()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, under another user
        return False
    return False


def _function(name: str) -> JobFunction:
    if name not in _REGISTRY:
        # Job modules register on import; make sure every app's jobs are loaded.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
    try:
        return _REGISTRY[name]
    except KeyError as exc:
        raise LookupError(f"no job registered as {name!r}") from exc


def enqueue(name: str, *, partnership: Any = None, user: Any = None, **params: Any) -> Job:
    """Create the job row and hand it to the configured backend once the transaction commits."""
    _function(name)  # fail now, in the caller, if the name is wrong
    record = Job.objects.create(
        kind=name,
        partnership=partnership,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        params=params,
        # In-process jobs belong to this process from the start: if it dies before running
        # them, nobody else will.
        worker=worker_id() if settings.JOBS_BACKEND == "inprocess" else "",
    )
    transaction.on_commit(lambda: _dispatch(record.pk))
    return record


def _dispatch(job_id: int) -> None:
    if settings.JOBS_BACKEND == "celery":
        from samverkan.jobs.tasks import run_job_task

        run_job_task.delay(job_id)
        return
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="samverkan-job")
    _pool.submit(_run_in_thread, job_id)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        close_old_connections()


def retry_when_locked(write: Callable[[], Any], attempts: int = 100) -> Any:
    """Run a short write, waiting out a momentarily locked SQLite table.

    On SQLite a writer can find a table locked for a moment by another connection (at once,
    without the busy timeout, when the database is in memory with a shared cache). A job's
    bookkeeping must not be lost to that: the write waits and tries again.
    """
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def claim(job_id: int) -> bool:
    """Take a queued job for this process; False if another worker (or run) has it."""
    taken = retry_when_locked(
        lambda: Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), worker=worker_id()
        )
    )
    return taken == 1


def run_job(job_id: int) -> Job:
    """Run one queued job to completion, recording progress, result or error."""
    from samverkan.accounts import audit

    record = Job.objects.select_related("created_by").get(pk=job_id)
    if not claim(job_id):
        # Delivered twice (at-least-once brokers), or run by another worker: it owns it.
        record.refresh_from_db()
        return record

    progress = _Progress(job_id)
    try:
        with audit.acting_as(record.created_by):
            result = _function(record.kind)(record, progress, **record.params) or {}
        retry_when_locked(
            lambda: Job.objects.filter(pk=job_id).update(
                status=JobStatus.DONE, progress=100, result=result, finished_at=timezone.now()
            )
        )
    except JobFailed as exc:
        log.warning("job %s (%s) failed: %s", job_id, record.kind, exc.message)
        _fail_safely(record, exc.message[:2000])
    except BaseException:
        # The traceback is for the logs; the user gets a plain message, never the raw text.
        log.exception("job %s (%s) failed", job_id, record.kind)
        _fail_safely(record, UNEXPECTED)
        if not isinstance(sys.exc_info()[1], Exception):
            raise  # a shutdown (KeyboardInterrupt, SystemExit) goes on after the bookkeeping
    finally:
        progress.close()
    record.refresh_from_db()
    return record


def _fail_safely(record: Job, message: str) -> None:
    """``_fail``, but a database that is gone too leaves the job to ``reap_stale_jobs``."""
    try:
        _fail(record, message)
    except Exception:
        log.exception("job %s (%s) could not be marked failed", record.pk, record.kind)


def _fail(record: Job, message: str, *, only_if: str | None = None) -> bool:
    """Mark the job failed and run its clean-up; False if its status was no longer ``only_if``.

    Runs outside any transaction the job function left open: a failed import's transaction is
    rolled back before its exception reaches here.
    """
    rows = Job.objects.filter(pk=record.pk)
    if only_if is not None:
        rows = rows.filter(status=only_if)
    changed = retry_when_locked(
        lambda: rows.update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())
    )
    if not changed:
        return False
    record.status, record.error = JobStatus.FAILED, message
    hook = _ON_FAILURE.get(record.kind)
    if hook is None:
        try:
            _function(record.kind)  # loads the job modules, which register their hooks
        except LookupError:
            return True
        hook = _ON_FAILURE.get(record.kind)
    if hook is not None:
        try:
            hook(record)
        except Exception:
            log.exception("clean-up after failed job %s (%s) failed", record.pk, record.kind)
    return True


def reap_stale_jobs(ids: list[int] | None = None) -> int:
    """Fail the jobs nobody will finish; returns how many.

    A queued or running job is abandoned when the process that owns it (this host's) no
    longer runs, and timed out when it was created (queued) or started (running) more than
    JOBS_TIMEOUT_MINUTES ago. Each is failed with a conditional update, so a job that ends
    at the same moment keeps its own outcome. Called at start-up (``manage.py reap_jobs``,
    the Celery worker), periodically from Celery beat, and when a job's page is read.
    """
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.JOBS_TIMEOUT_MINUTES)
    live = Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    if ids is not None:
        live = live.filter(pk__in=ids)
    reaped = 0
    for record in live.only("id", "kind", "params", "status", "worker", "created_at", "started_at"):
        if record.worker and _is_dead(record.worker):
            message = ABANDONED
        elif (record.started_at or record.created_at) < cutoff:
            message = TIMED_OUT % {"minutes": settings.JOBS_TIMEOUT_MINUTES}
        else:
            continue
        if _fail(record, message, only_if=record.status):
            log.warning("job %s (%s) marked failed: %s", record.pk, record.kind, message)
            reaped += 1
    return reaped


def live_progress(job_id: int) -> tuple[int, str] | None:
    """(percent, message) of a job running in this process, if it has reported any."""
    with _live_lock:
        return _live.get(job_id)


class _Progress:
    """Records a job's progress where others can see it, also from inside a transaction.

    Outside a transaction the job's row is simply updated. Inside one (an import is one
    transaction, all or nothing) that update would stay invisible until the end: PostgreSQL
    gets the update through a second, autocommitting connection; SQLite allows one writer at
    a time, so there the progress lives in this process (the in-process backend serves the
    progress page from the same process) and the row catches up after the transaction.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side: Any = None

    def __call__(self, percent: int, message: str = "") -> None:
        percent, message = max(0, min(100, int(percent))), message[:300]
        with _live_lock:
            _live[self.job_id] = (percent, message)
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(progress=percent, message=message)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self.side.ops.quote_name(Job._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress = %s, message = %s WHERE id = %s",
                    [percent, message, self.job_id],
                )

    def close(self) -> None:
        with _live_lock:
            _live.pop(self.job_id, None)
        if self.side is not None:
            self.side.close()


def wait_for_inprocess_jobs() -> None:
    """Block until the in-process pool is idle (tests and management commands)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
