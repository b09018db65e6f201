"""Start-up of a web worker and of a management command, against a bare Django project.

    python benchmarks/bench_startup.py [--repeat 7]

Prints ``name: ratio R (ours X, floor Y)`` lines:

- startup_ready: wall time from starting a fresh interpreter until its WSGI application
  (``samverkan.wsgi``) has answered a first ``GET /halsa/``, as a web worker does when it
  starts. The floor is the same for a bare Django project made here in a temporary directory
  (``startproject``'s apps and middleware, SQLite, one view that runs ``SELECT 1`` like our
  health check), run by the same interpreter and virtual environment.
- startup_rss: resident memory of that worker once it has answered (at rest), the same floor.
- startup_check: wall time of ``manage.py check`` (every app, the URLconf and its checks),
  against ``manage.py check`` of the bare project.

Each side runs ``--repeat`` times after one warm-up, alternating, and the medians are
compared. Both get bytecode caches (in a directory of their own under the system's temporary
directory) as an installed application has, even where PYTHONDONTWRITEBYTECODE is set. The
goals (issue 23): ready within 1 s, at rest within 120 MB; the absolute figures are printed
with the ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_GOAL_SECONDS = 1.0
AT_REST_GOAL_MB = 120

# What a WSGI server does with a worker: import the application, then hand it a request.
WORKER = """
import io, os, sys
sys.path[:0] = {paths!r}
os.environ["DJANGO_SETTINGS_MODULE"] = {settings!r}
from {module} import application
environ = {{
    "REQUEST_METHOD": "GET", "PATH_INFO": "/halsa/", "QUERY_STRING": "", "SCRIPT_NAME": "",
    "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
    "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
    "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
}}
answered = []
body = b"".join(application(environ, lambda status, headers, exc=None: answered.append(status)))
with open("/proc/self/status") as status:
    rss_kb = int(status.read().split("VmRSS:")[1].split()[0])
print("ready", answered[0].split()[0], rss_kb, flush=True)
"""

BARE_SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "bench-startup-bare-project-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bare.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "bare.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
LANGUAGE_CODE = "sv"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

BARE_URLS = """
from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import path


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [path("admin/", admin.site.urls), path("halsa/", health)]
"""

BARE_WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
application = get_wsgi_application()
"""

BARE_MANAGE = """
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""


def bare_project(where: Path) -> Path:
    package = where / "bare"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(BARE_SETTINGS)
    (package / "urls.py").write_text(BARE_URLS)
    (package / "wsgi.py").write_text(BARE_WSGI)
    (where / "manage.py").write_text(BARE_MANAGE)
    return where


def environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # both sides on SQLite, each in its own directory
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "samverkan-bench-pycache")
    env["DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def ready(script: str, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from starting the interpreter to the first answer, and the RSS then (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    answer = process.stdout.readline().split()
    took = time.perf_counter() - started
    _out, errors = process.communicate(timeout=120)
    if len(answer) != 3 or answer[0] != "ready" or answer[1] != "200":
        raise SystemExit(f"the worker did not answer 200: {answer} {errors[-2000:]}")
    return took, int(answer[2]) / 1024


def command(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=300
    )
    return time.perf_counter() - started


def line(name: str, ours: float, floor: float, unit: str, digits: int = 2) -> None:
    print(
        f"{name}: ratio {ours / floor:.2f} (ours {ours:.{digits}f} {unit}, "
        f"floor {floor:.{digits}f} {unit})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        where = Path(tmp)
        bare = bare_project(where / "project")
        (where / "data").mkdir()
        env = environment(where / "data")
        ours_script = WORKER.format(
            paths=[str(ROOT / "src")], settings="samverkan.settings", module="samverkan.wsgi"
        )
        bare_script = WORKER.format(paths=[str(bare)], settings="bare.settings", module="bare.wsgi")
        manage = [str(ROOT / "manage.py"), "check"]
        bare_manage = [str(bare / "manage.py"), "check"]
        # Warm-up: bytecode caches, the SQLite files, the operating system's file cache.
        ready(ours_script, env, ROOT)
        ready(bare_script, env, bare)
        command(manage, env, ROOT)
        command(bare_manage, env, bare)
        ours_ready, bare_ready, ours_rss, bare_rss, ours_check, bare_check = ([] for _ in range(6))
        for _ in range(args.repeat):
            took, rss = ready(ours_script, env, ROOT)
            ours_ready.append(took)
            ours_rss.append(rss)
            took, rss = ready(bare_script, env, bare)
            bare_ready.append(took)
            bare_rss.append(rss)
            ours_check.append(command(manage, env, ROOT))
            bare_check.append(command(bare_manage, env, bare))
    median = statistics.median
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average {load}; {args.repeat} runs each, medians; "
          f"ready: ours {min(ours_ready):.2f}–{max(ours_ready):.2f} s, "
          f"floor {min(bare_ready):.2f}–{max(bare_ready):.2f} s", flush=True)  # fmt: skip
    line("startup_ready", median(ours_ready), median(bare_ready), "s")
    line("startup_rss", median(ours_rss), median(bare_rss), "MB", 0)
    line("startup_check", median(ours_check), median(bare_check), "s")
    print(
        f"  goals: ready within {READY_GOAL_SECONDS:.0f} s "
        f"({'met' if median(ours_ready) <= READY_GOAL_SECONDS else 'NOT met'}), "
        f"at rest within {AT_REST_GOAL_MB} MB "
        f"({'met' if median(ours_rss) <= AT_REST_GOAL_MB else 'NOT met'})",
        flush=True,
    )


if __name__ == "__main__":
    main()
