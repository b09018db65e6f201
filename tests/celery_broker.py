"""The Redis broker the Celery tests share, one test at a time across processes.

A health check pings every worker listening on its broker, so a test that expects no worker
to answer would hear the worker of a test running at the same moment in another process
(the other pytest-xdist worker, or the other engine's run of ``make test``). Each such test
holds this machine-wide lock while it uses the broker.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator

import pytest
import redis

BROKER = "redis://127.0.0.1:6379/15"
_LOCK = os.path.join(tempfile.gettempdir(), "samverkan-test-celery-broker.lock")


@contextlib.contextmanager
def broker_to_ourselves() -> Iterator[str]:
    """The broker's address, held for this test alone; a missing Redis fails the test."""
    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.ConnectionError as exc:  # a missing broker is a failure, never a skip
        pytest.fail(f"Redis is required at {BROKER}: {exc}")
    with open(_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield BROKER
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
