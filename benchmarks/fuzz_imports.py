"""Fuzz run of the import service (issue 10). Not part of the test suite.

    python benchmarks/fuzz_imports.py --files 10000
    DATABASE_URL=postgres://... python benchmarks/fuzz_imports.py --files 2000

Generates bad files of every kind (tests/mapping/fuzz_files.py, seeded) and imports each
through the service as an upload would be, into a fresh database. A file counts as:

- crash: an exception escaped, or the importers' last guard caught one (it is logged);
- hang: it took longer than --budget seconds (a watchdog thread interrupts it after
  --hard-limit seconds, so one endless file cannot stop the run);
- partial save: rejected but some table changed, or imported with another number of rows
  than it reported;
- imported or rejected otherwise.

Every --pages files the party's statistics, map and lägesbild pages are rendered. Failing
files are written to the work directory to be replayed. The last line reads:
``files N, imported N, rejected N, crashes N, hangs N, partial saves N``.
"""

from __future__ import annotations

import _thread
import argparse
import logging
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def setup(data_dir: Path) -> None:
    os.environ.setdefault("DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Watchdog:
    """Interrupts the main thread when one file runs past ``hard_limit`` seconds."""

    def __init__(self, hard_limit: float) -> None:
        self.hard_limit = hard_limit
        self.started: float | None = None
        self.fired = False
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(0.5)
            started = self.started
            if started is not None and time.monotonic() - started > self.hard_limit:
                self.fired = True
                self.started = None
                _thread.interrupt_main()

    def start(self) -> None:
        self.fired = False
        self.started = time.monotonic()

    def stop(self) -> float:
        started, self.started = self.started, None
        return time.monotonic() - (started or time.monotonic())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds before a hang")
    parser.add_argument("--hard-limit", type=float, default=60.0)
    parser.add_argument("--pages", type=int, default=500, help="render pages every N files")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="samverkan-fuzz-"))
    os.environ.setdefault("MEDIA_ROOT", str(work / "media"))
    setup(work)
    logging.disable(logging.CRITICAL)  # the last guard logs each crash; counted here instead

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from tests import factories
    from tests.mapping.fuzz_files import bad_file, run_one

    from samverkan.accounts.choices import Role

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    suffix = f" {time.time():.0f}"
    world = factories.make_partnership(suffix)
    user = factories.make_user(f"fuzz{suffix.strip()}", world.kommun.organisation)
    factories.join(user, world.kommun, Role.ADMIN)
    client = Client()
    client.force_login(user)
    kwargs = {"pk": world.partnership.pk, "party_id": world.kommun.pk}

    def pages_render() -> bool:
        for name in ("statistics", "map", "map_data", "report"):
            if client.get(reverse(f"mapping:{name}", kwargs=kwargs)).status_code != 200:
                return False
        return client.post(reverse("mapping:report_draft", kwargs=kwargs)).status_code in (
            200,
            302,
        )

    rng = random.Random(args.seed)
    folder = work / "files"
    folder.mkdir()
    failed = work / "failed"
    failed.mkdir()
    counts = {"imported": 0, "rejected": 0, "crash": 0, "hang": 0, "partial": 0}
    page_failures = 0
    slowest = (0.0, "")
    watchdog = Watchdog(args.hard_limit)
    started = time.monotonic()
    for number in range(1, args.files + 1):
        bad = bad_file(rng)
        watchdog.start()
        try:
            outcome = run_one(world.kommun, bad, folder, rng)
            status, detail = outcome.status, outcome.detail
        except KeyboardInterrupt:
            if not watchdog.fired:
                raise
            status, detail = "hang", f"interrupted after {args.hard_limit} s"
        elapsed = watchdog.stop()
        if elapsed > args.budget and status != "hang":
            status, detail = "hang", f"{elapsed:.1f} s"
        slowest = max(slowest, (elapsed, bad.label))
        counts[status] += 1
        if status in ("crash", "hang", "partial"):
            target = failed / f"{number:05d}-{status}-{bad.kind}-{bad.name}"
            target.write_bytes(bad.data)
            print(f"file {number} ({bad.label}): {status}: {detail}", flush=True)
        if number % args.pages == 0:
            page_failures += not pages_render()
            rate = number / (time.monotonic() - started)
            print(f"{number} files, {rate:.0f} files/s, {counts}", flush=True)
    page_failures += not pages_render()
    total = time.monotonic() - started
    print(f"database: {os.environ.get('DATABASE_URL', 'sqlite').split('@')[-1]}")
    print(f"time: {total:.0f} s; slowest file {slowest[0]:.2f} s ({slowest[1]})")
    print(f"page renders that failed: {page_failures}; failing files kept in {failed}")
    print(
        f"files {args.files}, imported {counts['imported']}, rejected {counts['rejected']}, "
        f"crashes {counts['crash']}, hangs {counts['hang']}, partial saves {counts['partial']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
