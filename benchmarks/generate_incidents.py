# ruff: noqa: E501 - the tables of offences and places read better one entry per line
"""Write a realistic synthetic incident file (CSV, the way police exports look).

    python benchmarks/generate_incidents.py 1000000 /tmp/incidents.csv --seed 7

Offences with Swedish names and realistic shares, weekday/hour patterns per offence (violence
on weekend nights, burglary in daytime, shoplifting in opening hours), named places with a
few hot spots, SWEREF 99 TM coordinates around a town centre, and time spans for offences
found afterwards (burglary, car crime, vandalism over a weekend).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
from pathlib import Path

CENTRE = (674_000.0, 6_580_000.0)  # SWEREF 99 TM, a town centre

# offence, weight, hour weights (24), weekend factor, span probability, span hours (min, max)
NIGHT = [3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 4]
DAY = [1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1]
SHOP = [0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3, 1, 0, 0]
EVEN = [1] * 24
OFFENCES = [
    ("Misshandel utomhus", 8, NIGHT, 2.0, 0.0, (0, 0)),
    ("Misshandel inomhus", 6, NIGHT, 1.6, 0.05, (1, 6)),
    ("Olaga hot", 7, EVEN, 1.2, 0.1, (1, 24)),
    ("Ofredande", 6, NIGHT, 1.3, 0.1, (1, 12)),
    ("Snatteri", 10, SHOP, 1.1, 0.0, (0, 0)),
    ("Stöld ur eller från motorfordon", 7, NIGHT, 1.2, 0.8, (4, 14)),
    ("Cykelstöld", 9, DAY, 1.0, 0.7, (2, 10)),
    ("Inbrott i bostad", 5, DAY, 0.9, 0.9, (3, 60)),
    ("Skadegörelse", 9, NIGHT, 1.5, 0.6, (4, 48)),
    ("Klotter", 5, NIGHT, 1.3, 0.8, (6, 48)),
    ("Rån", 2, NIGHT, 1.5, 0.0, (0, 0)),
    ("Bedrägeri", 8, DAY, 0.7, 0.3, (2, 72)),
    ("Ringa narkotikabrott", 6, NIGHT, 1.4, 0.0, (0, 0)),
    ("Rattfylleri", 3, NIGHT, 2.0, 0.0, (0, 0)),
    ("Brott mot knivlagen", 2, NIGHT, 1.8, 0.0, (0, 0)),
]
PLACES = [  # name, area, offset from centre (m), weight: a few hot spots carry much
    ("Stortorget", "Centrum", (0, 0), 14), ("Resecentrum", "Centrum", (-350, 420), 12),
    ("Köpcentret Gallerian", "Centrum", (250, -180), 10), ("Stadsparken", "Centrum", (-120, -400), 6),
    ("Storgatan", "Centrum", (120, 150), 8), ("Idrottsplatsen", "Norr", (900, 1800), 3),
    ("Skolgården Norrskolan", "Norr", (600, 2100), 3), ("Villaområdet Björkdalen", "Väster", (-2500, 300), 4),
    ("Hamnen", "Öster", (1800, -600), 3), ("Industriområdet Syd", "Söder", (400, -2600), 3),
    ("Badplatsen", "Väster", (-3100, -900), 2), ("Pendelparkeringen", "Söder", (-700, -1500), 4),
]  # fmt: skip
HEADER = [
    "Ärendenummer",
    "Datum",
    "Tid",
    "Till datum",
    "Till tid",
    "Brott",
    "Plats",
    "Område",
    "X",
    "Y",
]


def generate(rows: int, path: Path, seed: int = 1, start_year: int = 2021, years: int = 4) -> None:
    rng = random.Random(seed)
    offences = [o for o in OFFENCES]
    weights = [o[1] for o in offences]
    place_weights = [p[3] for p in PLACES]
    first = datetime.datetime(start_year, 1, 1)
    days = 365 * years
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(HEADER)
        for n in range(rows):
            name, _w, hours, weekend, span_p, (lo, hi) = rng.choices(offences, weights)[0]
            while True:
                day = first + datetime.timedelta(days=rng.randrange(days))
                if day.weekday() < 4 or rng.random() < weekend / 2:
                    break
            hour = rng.choices(range(24), hours)[0]
            start = day.replace(hour=hour, minute=rng.randrange(60))
            place, area, (dx, dy), _pw = rng.choices(PLACES, place_weights)[0]
            x = CENTRE[0] + dx + rng.gauss(0, 60)
            y = CENTRE[1] + dy + rng.gauss(0, 60)
            to_date = to_time = ""
            if rng.random() < span_p:
                end = start + datetime.timedelta(hours=rng.uniform(lo, hi))
                to_date, to_time = end.strftime("%Y-%m-%d"), end.strftime("%H:%M")
            out.writerow([
                f"{5000 + n // 100000:04d}-K{n:07d}", start.strftime("%Y-%m-%d"),
                start.strftime("%H:%M"), to_date, to_time, name, place, area,
                f"{x:.0f}", f"{y:.0f}",
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.rows, args.output, args.seed)


if __name__ == "__main__":
    main()
