"""SQLite (the embedded default): WAL and a busy timeout, so that one long write (an import)
makes other users' saves wait instead of failing with "database is locked"."""

import threading
import time

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def connect(path, **options):
    """A connection to a file database configured as settings.py configures SQLite."""
    wrapper = DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {**settings.SQLITE_OPTIONS, **options},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        },
        alias="locking-test",
    )
    wrapper.ensure_connection()
    return wrapper


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own file databases, whatever the suite's database is."""
    with django_db_blocker.unblock():
        yield


def pragma(wrapper, name):
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    db = connect(tmp_path / "s.sqlite3")
    try:
        assert pragma(db, "journal_mode") == "wal"
        assert pragma(db, "busy_timeout") == settings.SQLITE_BUSY_TIMEOUT_SECONDS * 1000
        assert settings.SQLITE_BUSY_TIMEOUT_SECONDS >= 30  # longer than a large import's write
    finally:
        db.close()


def test_a_save_waits_for_a_long_write_and_a_read_does_not_wait(tmp_path):
    path = tmp_path / "s.sqlite3"
    setup = connect(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    setup.close()
    locked, release = threading.Event(), threading.Event()

    def long_import():
        db = connect(path)
        try:
            with db.cursor() as cursor:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("INSERT INTO t VALUES (2)")
                locked.set()
                release.wait(10)
                cursor.execute("COMMIT")
        finally:
            db.close()

    importer = threading.Thread(target=long_import)
    importer.start()
    assert locked.wait(10)
    other = connect(path)
    try:
        assert pragma(other, "journal_mode") == "wal"
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")  # WAL: readers are not blocked
            assert cursor.fetchone()[0] == 1
        threading.Timer(1.0, release.set).start()
        started = time.monotonic()
        with other.cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")  # a user's save while the import writes
            cursor.execute("INSERT INTO t VALUES (3)")
            cursor.execute("COMMIT")
        assert time.monotonic() - started >= 0.5  # it waited for the import, then saved
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            assert cursor.fetchone()[0] == 3
    finally:
        other.close()
        importer.join(10)
