"""The production stack as separate processes: gunicorn, a Celery worker and beat, on a new
PostgreSQL database and Redis. Used by the production test and by benchmarks/bench_pages.py.

Everything listens on 127.0.0.1 only. PostgreSQL and Redis must be running; a missing one
raises ``StackError`` (the test turns that into a failure, never a skip).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/samverkan"
DEMO_PASSWORD = "samverkan-demo"


class StackError(Exception):
    pass


def server_url() -> str:
    """The PostgreSQL server of the test run (DATABASE_URL when it is PostgreSQL)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres:", "postgresql:")):
        url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_SERVER)
    return url


def _pg_params(url: str) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "postgres"),
        "password": urllib.parse.unquote(parts.password) if parts.password else None,
        "dbname": parts.path.lstrip("/") or "postgres",
    }


def pg_connect(url: str, **extra: Any):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(**{**_pg_params(url), **extra}, connect_timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """A logged-in browser without a browser: cookies, CSRF token, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(
        self,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise StackError("no CSRF cookie")

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        status, _h, body = self.request("/konto/logga-in/")
        if status != 200:
            raise StackError(f"login page answered {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token is None:
            raise StackError("no CSRF token on the login page")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            }
        ).encode()
        status, headers, body = self.request(
            "/konto/logga-in/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + "/"},
        )
        if status != 302:
            raise StackError(f"login as {username} answered {status}: {body[:300]!r}")

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **fields}).encode()
        return self.request(
            path,
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + "/"},
        )

    def upload(
        self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrfmiddlewaretoken": self.csrf(), **fields}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            b"".join(parts),
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + "/",
            },
            timeout=120,
        )


class Stack:
    """A production stack on a new database; ``start()`` / ``stop()``, or use ``running()``."""

    def __init__(self, workdir: Path, *, web_workers: int = 2, name: str = "production") -> None:
        self.workdir = workdir
        self.web_workers = web_workers
        server = server_url()
        self.admin_url = server
        base = _pg_params(server)["dbname"]
        self.dbname = f"{base}_{name}"[:63]
        self.database_url = urllib.parse.urlunsplit(
            urllib.parse.urlsplit(server)._replace(path="/" + self.dbname)
        )
        self.broker = os.environ.get("PRODUCTION_TEST_BROKER", "redis://127.0.0.1:6379/12")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "samverkan.settings",
            "DATABASE_URL": self.database_url,
            "DATA_DIR": str(workdir / "data"),
            "MEDIA_ROOT": str(workdir / "media"),
            "SECRET_KEY": "production-test-" + "k" * 60,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "JOBS_BACKEND": "celery",
            "CELERY_BROKER_URL": self.broker,
            "CACHE_URL": self.broker,  # one cache for every gunicorn process, as in production
            "HEALTH_WORKER_CACHE_SECONDS": "0",
            "MAX_UPLOAD_MB": "100",
            "LOG_LEVEL": "WARNING",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            # Many logins from one address in the benchmark; the limit is not under test.
            "LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
        }

    # -- services the stack needs ------------------------------------------------------------

    def check_services(self) -> None:
        import redis

        try:
            pg_connect(self.admin_url, dbname="postgres").close()
        except Exception as exc:
            raise StackError(f"PostgreSQL is required at {self.admin_url}: {exc}") from None
        try:
            redis.Redis.from_url(self.broker, socket_connect_timeout=3).ping()
        except Exception as exc:
            raise StackError(f"Redis is required at {self.broker}: {exc}") from None

    def create_database(self) -> None:
        with pg_connect(self.admin_url, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.dbname}"')

    def drop_database(self) -> None:
        with pg_connect(self.admin_url, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def db(self):  # type: ignore[no-untyped-def]
        return pg_connect(self.database_url, autocommit=True)

    # -- processes -----------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def prepare(self) -> None:
        """New database, migrated, demo loaded, static files collected (in parallel)."""
        import redis

        self.check_services()
        redis.Redis.from_url(self.broker).flushdb()  # no messages from an earlier run
        self.create_database()
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        static = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.manage(
            "shell",
            "-c",
            "from django.core.management import call_command as c; "
            "c('migrate', verbosity=0); c('load_demo', verbosity=0)",
        )
        _out, err = static.communicate(timeout=300)
        if static.returncode != 0:
            raise StackError(f"collectstatic failed:\n{err[-3000:]}")

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        self.logs[name] = log
        handle = log.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        self.processes[name] = process
        return process

    def start_web(self) -> subprocess.Popen:
        return self._spawn(
            "gunicorn",
            [
                "gunicorn",
                "samverkan.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--timeout",
                "120",
            ],
        )

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        # The solo pool runs a job in the worker process itself: killing it kills the job.
        return self._spawn(
            name,
            [
                "celery",
                "-A",
                "samverkan",
                "worker",
                "--pool",
                "solo",
                "-l",
                "info",
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
            ],
        )

    def start_beat(self) -> subprocess.Popen:
        return self._spawn(
            "beat",
            [
                "celery",
                "-A",
                "samverkan",
                "beat",
                "-l",
                "info",
                "-s",
                str(self.workdir / "beat-schedule"),
                "--pidfile=",
            ],
        )

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.base + "/halsa/", timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return 0, {}

    def wait_healthy(self, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        report: dict[str, Any] = {}
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise StackError(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            status, report = self.health()
            if status == 200 and report.get("worker") == "ok":
                return report
            time.sleep(0.3)
        raise StackError(f"the stack did not become healthy: {report}")

    def log(self, name: str) -> str:
        path = self.logs.get(name)
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        process = self.processes.pop(name)
        if process.poll() is None:
            process.send_signal(sig)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise StackError(f"{name} did not stop within {timeout} s") from None

    def kill_all(self) -> None:
        for name in list(self.processes):
            with contextlib.suppress(Exception):
                self.stop(name, signal.SIGKILL, timeout=10)

    def start(self) -> None:
        self.prepare()
        self.start_web()
        self.start_worker()
        self.start_beat()
        self.wait_healthy()


@contextlib.contextmanager
def running(workdir: Path, **kwargs: Any) -> Iterator[Stack]:
    stack = Stack(workdir, **kwargs)
    try:
        stack.start()
        yield stack
    finally:
        stack.kill_all()
        with contextlib.suppress(Exception):
            stack.drop_database()
