"""The job interface every step uses: register a function, enqueue it, follow its progress.

    @job("partnerships.export")
    def export(job: Job, progress: Progress, **params) -> dict: ...

    job = enqueue("partnerships.export", partnership=p, user=request.user)

Where the job runs is a setting (JOBS_BACKEND): "inprocess" uses a small thread pool in the
web process, so the embedded default needs no extra server; "celery" hands the job id to a
Celery worker through Redis. The function and its progress reporting are the same in both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections, transaction
from django.utils import timezone

from samverkan.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
JobFunction = Callable[..., dict[str, Any] | None]

_REGISTRY: dict[str, JobFunction] = {}
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# Progress of the jobs running in this process, for the progress page of the in-process
# backend: a job inside a transaction (an import) cannot always show its row to others.
_live: dict[int, tuple[int, str]] = {}
_live_lock = threading.Lock()


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``func`` under ``name`` so workers can find it."""

    def register(func: JobFunction) -> JobFunction:
        _REGISTRY[name] = func
        return func

    return register


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


def run_job(job_id: int) -> Job:
    """Run one queued job to completion, recording progress, result or error."""
    from samverkan.accounts import audit

    record = Job.objects.select_related("created_by").get(pk=job_id)
    if record.status != JobStatus.QUEUED:
        return record  # delivered twice (at-least-once brokers): the first run owns it
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())

    progress = _Progress(job_id)
    try:
        with audit.acting_as(record.created_by):
            result = _function(record.kind)(record, progress, **record.params) or {}
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, record.kind)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.DONE, progress=100, result=result, finished_at=timezone.now()
        )
    finally:
        progress.close()
    record.refresh_from_db()
    return record


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
