"""Partnership pages under load on the production stack, against /halsa/ under the same load.

    python benchmarks/bench_pages.py                      # starts its own stack
    python benchmarks/bench_pages.py --users 50 --seconds 20 --web-workers 3

Starts the production stack like the production test (gunicorn, a Celery worker and beat on a
new PostgreSQL database next to DATABASE_URL's, or TEST_POSTGRES_URL's, and Redis), loads the
demo, and logs in ``--users`` sessions (the demo users in turn). Each session then walks the
partnership pages without think time for ``--seconds``; afterwards the same number of clients
ask for /halsa/ for the same time. Everything stays on 127.0.0.1. Prints

    pages_p95: ratio R (ours X s, floor Y s)

where the floor is /halsa/'s p95 (one database query) under the same concurrency, then the
throughput, the p50 and the error counts, and the p95 per page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.operations.production_stack import Client, Stack, StackError  # noqa: E402

# The demo users and their party (the mapping workspace is a party's own).
USERS = [("demo.kommun", 1), ("demo.polis", 2), ("demo.styrgrupp", 1), ("demo.kyrkan", 3)]
PAGES = {
    "dashboard": "/samverkan/{pk}/",
    "parties": "/samverkan/{pk}/parter/",
    "groups": "/samverkan/{pk}/grupper/",
    "decisions": "/samverkan/{pk}/beslut/",
    "meetings": "/samverkan/{pk}/moten/",
    "calendar": "/samverkan/{pk}/planering/",
    "members": "/samverkan/{pk}/medlemmar/",
    "history": "/samverkan/{pk}/historik/",
    "mapping": "/samverkan/{pk}/kartlaggning/parter/{party}/",
    "step3": "/samverkan/{pk}/steg3/",
    "step4": "/samverkan/{pk}/steg4/",
    "step5": "/samverkan/{pk}/steg5/",
    "documents": "/samverkan/{pk}/dokument/",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load(
    clients: list[Client], paths: list[list[tuple[str, str]]], seconds: float
) -> tuple[dict[str, list[float]], dict[str, int]]:
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)
    stop_at = [0.0]

    def run(index: int, client: Client) -> None:
        start.wait()
        step = index  # the sessions start on different pages
        while time.monotonic() < stop_at[0]:
            own = paths[index % len(paths)]
            name, path = own[step % len(own)]
            step += 1
            began = time.perf_counter()
            try:
                status, _headers, _body = client.request(path, timeout=60)
            except Exception:  # noqa: BLE001 - a refused or dropped connection is an error
                status = 0
            took = time.perf_counter() - began
            with lock:
                if status == 200:
                    times[name].append(took)
                else:
                    errors[name] += 1

    threads = [
        threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return times, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--web-workers", type=int, default=3)
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.seconds <= 600:
        parser.error("--users must be 1..200 and --seconds 1..600")

    with tempfile.TemporaryDirectory(prefix="samverkan-bench-pages-") as folder:
        stack = Stack(Path(folder), web_workers=args.web_workers, name="bench_pages")
        assert stack.base.startswith("http://127.0.0.1:")
        try:
            stack.start()
            clients = []
            for index in range(args.users):
                client = Client(stack.base)
                client.login(USERS[index % len(USERS)][0])
                clients.append(client)
            paths = [
                [(name, path.format(pk=1, party=party)) for name, path in PAGES.items()]
                for _user, party in USERS
            ]
            # One warm-up round per session, not measured (templates, connections).
            load(clients, paths, 2.0)
            page_times, page_errors = load(clients, paths, args.seconds)
            health_times, health_errors = load(clients, [[("halsa", "/halsa/")]], args.seconds)
        except StackError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            stack.kill_all()
            stack.drop_database()

    every_page = [t for values in page_times.values() for t in values]
    health = health_times["halsa"]
    if not every_page or not health:
        print("error: no successful request to measure", file=sys.stderr)
        return 1
    ours, floor = percentile(every_page, 0.95), percentile(health, 0.95)
    print(f"pages_p95: ratio {ours / floor:.2f} (ours {ours:.3f} s, floor {floor:.3f} s)")
    print(
        f"pages: {len(every_page) / args.seconds:.1f} req/s, p50 "
        f"{statistics.median(every_page):.3f} s, errors {sum(page_errors.values())}; "
        f"halsa: {len(health) / args.seconds:.1f} req/s, p50 {statistics.median(health):.3f} s, "
        f"errors {sum(health_errors.values())}"
    )
    print(f"users {args.users}, web workers {args.web_workers}, {args.seconds:.0f} s each")
    for name in PAGES:
        values = page_times.get(name, [])
        if values:
            print(
                f"  {name:<10} p95 {percentile(values, 0.95):.3f} s  "
                f"p50 {statistics.median(values):.3f} s  n {len(values)}  "
                f"errors {page_errors.get(name, 0)}"
            )
        else:
            print(f"  {name:<10} no successful request, errors {page_errors.get(name, 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
