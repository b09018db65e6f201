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
)

_PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # what the first request loads
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.slow(reason="starts a fresh interpreter that loads every app and the URLconf")
def test_app_loading_imports_no_heavy_library():
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True, text=True, env=env, cwd=root, timeout=120, check=True,
    )  # fmt: skip
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not loaded & set(HEAVY), f"loaded at start-up: {sorted(loaded & set(HEAVY))}"
