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
    # NumPy loads with the first figure computed, psycopg with a PostgreSQL connection or
    # import, and the API (django-ninja, pydantic) with its first request or reverse()
    # (samverkan/urls.py: lazy_include).
    "numpy",
    "psycopg",
    "ninja",
    "pydantic",
)
# The goal for a web worker at rest (issue 23): apps and URLconf loaded, no request.
AT_REST_MB = 120

_PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
import django
django.setup()
from django.db import connection
from django.urls import get_resolver, resolve, reverse
get_resolver().url_patterns  # what the first request loads
# A page's own work: resolving its address and naming others (but not the API's).
resolve("/halsa/")
resolve("/samverkan/1/")
pages = [reverse(name) for name in ("home", "health", "partnerships:list", "api_pages:tokens")]
with open("/proc/self/status") as status:
    rss_kb = int(status.read().split("VmRSS:")[1].split()[0])
at_rest = sorted({name.split(".")[0] for name in sys.modules})
# Then the API, loaded by its first use: naming one of its addresses, and answering at it.
api_root = reverse("api-v1:api-root")
gis = reverse("api-gis:landing")
match = resolve(api_root + "openapi.json")
from django.core.checks.urls import check_url_config
url_errors = [str(error) for error in check_url_config(None)]
print(json.dumps({"modules": at_rest, "rss_mb": rss_kb / 1024, "vendor": connection.vendor,
                  "pages": pages, "api_root": api_root, "gis": gis,
                  "api_view": match.url_name, "api_namespace": match.namespace,
                  "api_loaded": "ninja" in sys.modules, "url_errors": url_errors}))
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
    heavy = set(HEAVY)
    if started["vendor"] == "postgresql":
        heavy.discard("psycopg")  # Django's PostgreSQL backend loads it with the settings
    loaded = set(started["modules"])
    assert not loaded & heavy, f"loaded at start-up: {sorted(loaded & heavy)}"


@pytest.mark.slow(reason="starts a fresh interpreter that loads every app and the URLconf")
def test_the_api_loads_with_its_first_use_and_its_urls_pass_the_checks(started):
    # Naming other pages left it unloaded (above); naming its own addresses loads it.
    assert started["pages"] == ["/", "/halsa/", "/samverkan/", "/konto/api-nycklar/"]
    assert started["api_root"] == "/api/v1/"
    assert started["gis"] == "/api/gis/"
    assert started["api_loaded"]
    assert (started["api_namespace"], started["api_view"]) == ("api-v1", "openapi-json")
    assert started["url_errors"] == []


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_process_at_rest_stays_within_its_memory_goal(started):
    assert started["rss_mb"] <= AT_REST_MB, f"{started['rss_mb']:.0f} MB at rest"
