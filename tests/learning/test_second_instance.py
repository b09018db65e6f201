"""Federation with a real second instance (issue 24, Done when): the test starts another
Samverkan (``manage.py runserver`` in a subprocess, on its own port, with its own SQLite
database and data folder), loads the demo county there, harvests that instance's catalogue
over HTTP and finds its results in this instance's evidence bank."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from samverkan.learning.harvest import harvest
from samverkan.learning.models import HarvestedResult, RemoteCatalogue

ROOT = Path(__file__).resolve().parents[2]

# It starts server processes of its own, as the production test does: it runs once, in the
# PostgreSQL run of `make test` (this instance on PostgreSQL, the other on SQLite).
pytestmark = pytest.mark.production


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DJANGO_", "PYTEST", "CACHE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="samverkan.settings",
        DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'other.sqlite3'}",
        DEBUG="1",  # plain http on the loopback, as a developer's second instance
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JOBS_BACKEND="inprocess",
        PYTHONPATH=str(ROOT / "src"),
        OPEN_DATA_PUBLISHER="Andra instansen",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture
def second_instance(tmp_path):
    env = _environment(tmp_path)
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_demo_region")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/oppna-data/katalog.jsonld", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow(reason="migrates and starts a second instance of the service in a subprocess")
def test_harvests_a_second_running_instance_into_the_evidence_bank(
    client, db, settings, second_instance
):
    settings.HARVEST_ALLOW_HTTP = True
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    remote = RemoteCatalogue.objects.create(
        name="Exempellänets instans", url=second_instance + "/oppna-data/katalog.jsonld"
    )
    outcome = harvest(remote, timeout=30)
    assert outcome.kept > 0 and outcome.dropped == 0
    rows = list(HarvestedResult.objects.filter(catalogue=remote))
    assert len(rows) == outcome.kept
    # Every harvested row names a kommun of the other instance's demo county.
    kommuner = {r.kommun for r in rows}
    assert kommuner and all("exempel" in k.casefold() for k in kommuner), kommuner
    html = client.get(reverse("learning:evidence")).content.decode()
    for kommun in kommuner:
        assert kommun in html
    assert f"{outcome.kept} resultat av {outcome.kept}" in html
    assert "Exempellänets instans" in html  # the source column names the other instance
