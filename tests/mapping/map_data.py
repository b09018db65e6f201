"""A small hand-built set of located incidents for the map tests (unit and browser).

A 10 × 10 block of 200 m cells near Stockholm's centre (SWEREF 99 TM), one incident in the
middle of every cell, a cluster of twenty more on "Torget" in cell (row 5, column 5), and six
at "Stationen" in the cells north and east of it. Gi* must find the cluster; the rest is background.
"""

from __future__ import annotations

import datetime
import json

import numpy as np
from django.utils import timezone

from samverkan.mapping.models import Incident

E0, N0, CELL = 674_000.0, 6_580_000.0, 200.0
HOT_ROW, HOT_COL = 5, 5


def centre(row: int, col: int) -> tuple[float, float]:
    return E0 + (col + 0.5) * CELL, N0 + (row + 0.5) * CELL


def add_incidents(party, year: int = 2024) -> list[tuple[float, float]]:
    """Create the incidents; return their (x, y) so a test can rerun the analysis itself."""
    when = timezone.make_aware(datetime.datetime(year, 6, 1, 21, 0))
    rows = []
    for r in range(10):
        for c in range(10):
            x, y = centre(r, c)
            rows.append((f"bg-{r}-{c}", x + 7, y - 11, "Skadegörelse", "Skadegörelse", ""))
    hx, hy = centre(HOT_ROW, HOT_COL)
    for i in range(20):
        rows.append(
            (f"hot-{i}", hx - 60 + 6 * i, hy + 40 - 4 * i, "Rån", "Brott mot person", "Torget")
        )
    # North and east of the square only, so the station's marker stands apart from Torget's.
    for i, (dr, dc) in enumerate([(0, 1), (1, 0), (1, 1), (0, 1), (1, 0), (1, 1)]):
        x, y = centre(HOT_ROW + dr, HOT_COL + dc)
        rows.append((f"near-{i}", x + 13, y + 17, "Rån", "Brott mot person", "Stationen"))
    # Two placed incidents without coordinates: counted per place, not drawn.
    rows.append(("noxy-1", None, None, "Stöld", "Stöld", "Parken"))
    rows.append(("noxy-2", None, None, "Stöld", "Stöld", "Parken"))
    Incident.objects.bulk_create(
        Incident(
            party=party, key=key, x=x, y=y, offence=offence, category=category, place=place,
            occurred_from=when,
        )
        for key, x, y, offence, category, place in rows
    )  # fmt: skip
    return [(x, y) for _k, x, y, *_rest in rows if x is not None]


def points(xy: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array(xy, dtype=float)
    return arr[:, 0], arr[:, 1]


def polygon_geojson(ring: list[list[float]], **extra) -> bytes:
    return json.dumps({"type": "Polygon", "coordinates": [ring], **extra}).encode()


# Around the block above: a WGS 84 ring (lon, lat) and the same area in SWEREF 99 TM.
WGS84_RING = [[18.03, 59.31], [18.12, 59.31], [18.12, 59.35], [18.03, 59.35], [18.03, 59.31]]
SWEREF_RING = [
    [673_000.0, 6_579_000.0],
    [677_000.0, 6_579_000.0],
    [677_000.0, 6_583_000.0],
    [673_000.0, 6_583_000.0],
    [673_000.0, 6_579_000.0],
]
