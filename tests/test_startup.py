"""App loading stays small: the heavy libraries load when first used, not at start-up.

Every web worker, job worker and ``manage.py`` command loads every app (and the URLconf, on
its first request). Loading scipy.stats, matplotlib, pyarrow, python-docx or the spatial
stack there cost each process about a second and over a hundred megabytes it mostly never
used. A fresh interpreter shows what loading really imports: this process has imported
everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "scipy",
    "matplotlib",
    "pyarrow",
    "docx",
    "lxml",
    "weasyprint",
    "openpyxl",
    "pyproj",
    "shapely",
    "libpysal",
    "esda",
    "pandas",
    "geopandas",
    "sklearn",
    "PIL",
    # The OpenID Connect client loads with the first SSO request (accounts/urls.py).
    "requests",
    "jwt",
    "mozilla_django_oidc",
    "cryptography",
)
# The goal for a web worker at rest (issue 23): apps and URLconf loaded, no request.
AT_REST_MB = 120

_PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # what the first request loads
with open("/proc/self/status") as status:
    rss_kb = int(status.read().split("VmRSS:")[1].split()[0])
print(json.dumps({"modules": sorted({name.split(".")[0] for name in sys.modules}),
                  "rss_mb": rss_kb / 1024}))
"""


@pytest.fixture(scope="module")
def started():
    """What a fresh process holds once its apps and URLconf are loaded: its top-level modules
    and its resident memory."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True, text=True, env=env, cwd=root, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow(reason="starts a fresh interpreter that loads every app and the URLconf")
def test_app_loading_imports_no_heavy_library(started):
    loaded = set(started["modules"])
    assert not loaded & set(HEAVY), f"loaded at start-up: {sorted(loaded & set(HEAVY))}"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_process_at_rest_stays_within_its_memory_goal(started):
    assert started["rss_mb"] <= AT_REST_MB, f"{started['rss_mb']:.0f} MB at rest"
