"""A party with a million incidents against the demo: are its pages as fast? Not a test.

    python benchmarks/bench_big_party.py [--rows 1000000] [--requests 7]
    DATABASE_URL=postgres://... python benchmarks/bench_big_party.py

Loads the demo into a fresh database (SQLite in a temporary folder unless DATABASE_URL
names a PostgreSQL database, which it then fills: give it an empty one), measures three pages
of the demo's kommun party through Django's test client, signed in as its coordinator:

- statistics: ``/samverkan/<id>/kartlaggning/parter/<party>/statistik/``
- map_data: ``…/karta/data.geojson``
- lagesbild: the internal lägesbild preview, ``/samverkan/<id>/dokument/lagesbild/internal/``

then imports a generated police export of ``--rows`` incidents (benchmarks/generate_incidents)
into that party through the import service (the path ``manage.py import`` takes: stored
upload, validation, COPY, then the stored figures refreshed), and measures the pages again.
Each page: one warm-up request, then ``--requests`` requests; the median is compared. Prints

    page_statistics: ratio R (ours X s, floor Y s)

where ours is the page with the million incidents and the floor the same page on the demo
alone (goal: within 2). The import's own time and the refresh of the figures are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def measure(client, urls: dict[str, str], requests: int) -> dict[str, float]:
    medians = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        took = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            took.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, url, response.status_code)
        medians[name] = statistics.median(took)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="samverkan-bigparty-"))
    os.environ.setdefault("DATA_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from benchmarks.generate_incidents import generate
    from samverkan.accounts.models import User
    from samverkan.mapping.services import import_file
    from samverkan.partnerships.models import Partnership

    setup_test_environment()  # the test client's hosts and e-mail settings
    from django.conf import settings
    from django.test import override_settings

    # Static files unhashed (no collectstatic in a temporary folder): the same for both runs.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    call_command("migrate", verbosity=0)
    call_command("load_demo", "--quiet", stdout=StringIO())
    demo = Partnership.objects.get(name="Samverkan för ett tryggare centrum")
    party = demo.municipality_party()
    assert party is not None
    base = f"/samverkan/{demo.pk}/"
    own = f"{base}kartlaggning/parter/{party.pk}/"
    urls = {
        "statistics": own + "statistik/",
        "map_data": own + "karta/data.geojson",
        "lagesbild": base + "dokument/lagesbild/internal/",
    }
    client = Client()
    client.force_login(User.objects.get(username="demo.kommun"))
    before = measure(client, urls, args.requests)

    path = work / "incidents.csv"
    generate(args.rows, path, args.seed)
    start = time.perf_counter()
    _record, result = import_file(party, "incidents", path, area_choice="all")
    took = time.perf_counter() - start
    assert result.ok, result.errors[:3]
    print(
        f"import of {result.rows_imported} incidents with the figures' refresh: {took:.1f} s",
        flush=True,
    )
    after = measure(client, urls, args.requests)
    for name in urls:
        ours, floor = after[name], before[name]
        print(f"page_{name}: ratio {ours / floor:.2f} (ours {ours:.3f} s, floor {floor:.3f} s)")


if __name__ == "__main__":
    main()
