"""Fuzz test of the import service (issue 10): generated bad files of every kind.

A per-push sample of 400 files on SQLite (200 on PostgreSQL, where each import costs more),
seeded so that a failure can be reproduced: no exception escapes, a rejected file changes no
table, an imported file adds exactly the rows it reports, and the party's pages still render.
The large run (thousands of files, any seed) is the command ``benchmarks/fuzz_imports.py``
(README, "Importformat").
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from tests.mapping.fuzz_files import bad_file, run_one

SEED = 20261201
PAGES = ("statistics", "map", "map_data", "report")


def _pages_render(client, world) -> None:
    kwargs = {"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk}
    for name in PAGES:
        response = client.get(reverse(f"mapping:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
    response = client.post(reverse("mapping:report_draft", kwargs=kwargs))
    assert response.status_code in (200, 302)


@pytest.mark.slow(reason="hundreds of generated files through the import service")
@pytest.mark.filterwarnings("ignore")
def test_generated_bad_files_never_crash_nor_half_save(world, client, tmp_path, caplog):
    files = 400 if connection.vendor == "sqlite" else 200
    rng = random.Random(SEED)
    client.force_login(world.alice)
    outcomes: Counter[str] = Counter()
    failures = []
    for number in range(files):
        bad = bad_file(rng)
        outcome = run_one(world.ours.kommun, bad, tmp_path, rng)
        outcomes[outcome.status] += 1
        if outcome.status in ("crash", "partial"):
            failures.append((number, bad.label, outcome.status, outcome.detail))
        if number % 100 == 99:
            _pages_render(client, world)
    _pages_render(client, world)
    assert failures == [], failures[:10]
    assert sum(outcomes.values()) == files
    # The generator must reach both ends: some files are good enough to import.
    assert outcomes["imported"] > files // 20 and outcomes["rejected"] > files // 3, outcomes
