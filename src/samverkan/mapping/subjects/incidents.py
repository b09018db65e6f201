"""The party's own incidents: how many, where, when, hot spots, and counts for a follow-up.

The figures that read the whole incident table are stored when an import changes it
(``mapping.figures``); inside ``subjects.one_build()`` a party's stored figures are read in
one query and each is decoded once. NumPy loads with the first figure computed, not with
the module.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q

from samverkan.analysis.concentration import top_share
from samverkan.analysis.periods import MONTHS_SV
from samverkan.analysis.timeprofile import (
    WEEKDAYS_SV,
    aoristic_weekday_hour,
    to_local_minutes,
    weekday_hour_matrix,
)
from samverkan.lib.lazy import lazy
from samverkan.mapping import figures
from samverkan.mapping.models import Incident, IncidentFigure
from samverkan.mapping.subjects import memo, per_party
from samverkan.partnerships.models import Party

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

T = TypeVar("T")

UNCATEGORISED = "Okategoriserat"

# The stored figures a page or document may ask for, read together in one query per party.
_PRELOADED = (
    "incident_count", "top_places", "weekday_hour", "hotspots", "incident_years",
    "incident_changes", "place_names", "incident_categories",
)  # fmt: skip


def _stored(party: Party, name: str, params: str, compute: Callable[[], T]) -> T:
    """``figures.stored``, but inside one build the party's stored figures are fetched at once
    (one query instead of one per figure) and each is decoded once."""
    found = memo()
    if found is None or name not in _PRELOADED or figures.recomputing():
        return figures.stored(party, name, params, compute)
    key = ("stored figures", party.pk)
    if key not in found:
        preload([party])
    rows = found[key]
    if (name, params) in rows:
        import json

        return figures.decode(json.loads(rows[(name, params)]))
    value = figures.stored(party, name, params, compute)
    rows[(name, params)] = json_text(value)
    return value


def preload(parties: list[Party]) -> None:
    """Inside one build: read the parties' stored figures (those pages and documents show) in
    one query, for all of them (a document over several parties)."""
    found = memo()
    if found is None:
        return
    wanted = [p.pk for p in parties if ("stored figures", p.pk) not in found]
    if not wanted:
        return
    by_party: dict[int, dict[tuple[str, str], str]] = {pk: {} for pk in wanted}
    for party_id, name, params, text in IncidentFigure.objects.filter(
        party_id__in=wanted, name__in=_PRELOADED
    ).values_list("party_id", "name", "params", "value"):
        by_party[party_id][(name, params)] = text
    for pk, rows in by_party.items():
        found[("stored figures", pk)] = rows


def json_text(value: Any) -> str:
    import json

    return json.dumps(figures.encode(value))


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@per_party
def incident_years(
    party: Party,
) -> tuple[list[dict], datetime.datetime | None, datetime.datetime | None]:
    """Incidents per local calendar year and category, the first and the last (stored)."""
    return _stored(party, "incident_years", "", lambda: _incident_years(party))


@per_party
def changes(party: Party) -> tuple[int, int, str, dict[str, int], dict[str, int]] | None:
    """Incidents per category in the latest year to its latest day and in the year before to
    the same day (stored; see ``_incident_changes``)."""
    return _stored(party, "incident_changes", "", lambda: _incident_changes(party))


def complete_years(
    years: list[int], first: datetime.datetime | None, last: datetime.datetime | None
) -> tuple[int, ...]:
    """Years the incident data covers from January to December (first and last: local time).

    Only the first and last year can be partial; a first incident after January or a last
    one before December marks that year as partial (an approximation: a quiet month looks
    the same as a missing one).
    """
    if first is None or last is None:
        return ()
    return tuple(
        y
        for y in years
        if not (y == first.year and first.month > 1) and not (y == last.year and last.month < 12)
    )


def _incident_changes(
    party: Party,
) -> tuple[int, int, str, dict[str, int], dict[str, int]] | None:
    """Incidents per category in the latest year to its latest day, and the year before to
    the same day: (previous year, latest year, period label, before, now)."""
    incidents = Incident.objects.filter(party=party)
    latest = incidents.aggregate(m=Max("occurred_from"))["m"]
    if latest is None:
        return None
    latest = latest.astimezone(_zone())
    last, prev = latest.year, latest.year - 1
    period = ""
    if (latest.month, latest.day) != (12, 31):
        period = f"1 januari–{latest.day} {MONTHS_SV[latest.month - 1]}"

    def counts(year: int) -> dict[str, int]:
        start = datetime.datetime(year, 1, 1, tzinfo=_zone())
        end = (
            latest.replace(year=year)
            if not (latest.month == 2 and latest.day == 29)
            else latest.replace(year=year, day=28)
        )
        qs = incidents.filter(occurred_from__gte=start, occurred_from__lte=end)
        return {
            r["category"] or UNCATEGORISED: r["n"]
            for r in qs.values("category").annotate(n=Count("*"))
        }

    return prev, last, period, counts(prev), counts(last)


@dataclass(frozen=True)
class Places:
    n: int
    total: int
    share: float | None
    places: tuple
    first: int | None
    last: int | None

    @property
    def share_percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


# The place lists pages and documents show (statistics page, lägesbild, step 3): computed
# ahead when the data changes (mapping.figures.refresh).
PLACE_COUNTS = (5, 8, 10)


@per_party
def incident_count(party: Party) -> int:
    """How many incidents the party holds (stored: counting a million rows takes a while)."""
    return _stored(
        party, "incident_count", "", lambda: Incident.objects.filter(party=party).count()
    )


@per_party
def top_places(party: Party, n: int = 10) -> Places:
    """The n places with most incidents and their share of all incidents with a place."""
    return _stored(party, "top_places", str(n), lambda: _top_places(party, n))


def _top_places(party: Party, n: int) -> Places:
    rows = (
        Incident.objects.filter(party=party)
        .exclude(place="")
        .values_list("place")
        .annotate(c=Count("*"), a=Min("occurred_from"), b=Max("occurred_from"))
        .order_by()
    )  # one pass: counts and the period they cover
    counts = {place: c for place, c, _a, _b in rows}
    if not counts:
        return Places(n, 0, None, (), None, None)
    result = top_share(counts, n)
    return Places(
        result.n,
        result.total,
        result.share,
        result.places,
        min(a for _p, _c, a, _b in rows).astimezone(_zone()).year,
        max(b for _p, _c, _a, b in rows).astimezone(_zone()).year,
    )


@per_party
def weekday_hour(party: Party) -> np.ndarray:
    """7 × 24 profile of the party's incidents (stored; see ``_weekday_hour``)."""
    return _stored(party, "weekday_hour", "", lambda: _weekday_hour(party))


def _weekday_hour(party: Party) -> np.ndarray:
    """7 × 24 profile: exact times counted in the database, time spans spread aoristically.

    Incidents with an exact time are counted per UTC hour in SQL; spans come as (start, end)
    in UTC minutes. Both are whole numbers of the epoch, the cheapest thing either database
    can compute per row; the few thousand distinct hours then move to Swedish time in numpy
    (``_to_local``). Django's time-zone aware Extract functions would instead call Python
    once per row on SQLite.
    """
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        epoch = "date_part('epoch', {})::bigint"
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS" in UTC
        epoch = "unixepoch({})"
    start, end = epoch.format("occurred_from"), epoch.format("occurred_to")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {start} / 3600, COUNT(*) FROM {table} "
            "WHERE party_id = %s AND occurred_to IS NULL GROUP BY 1",
            [party.pk],
        )
        exact = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        matrix = np.zeros((7, 24), dtype=float)
        if len(exact):
            hours = (exact[:, 0] * 60).astype("datetime64[m]")
            matrix += weekday_hour_matrix(np.repeat(_to_local(hours), exact[:, 1]))
        cursor.execute(
            f"SELECT {start} / 60, {end} / 60 FROM {table} "
            "WHERE party_id = %s AND occurred_to IS NOT NULL",
            [party.pk],
        )
        # In bounded batches: a million spans as Python tuples at once would cost the process
        # a hundred megabytes; the profile is a sum, so batches add up to the same matrix.
        while batch := cursor.fetchmany(50_000):
            minutes = np.array(batch, dtype=np.int64).reshape(-1, 2).astype("datetime64[m]")
            matrix += aoristic_weekday_hour(_to_local(minutes[:, 0]), _to_local(minutes[:, 1]))
    return matrix


def _incident_years(
    party: Party,
) -> tuple[list[dict], datetime.datetime | None, datetime.datetime | None]:
    """Incidents per local calendar year and category, and the first and last incident.

    One pass in SQL, grouped by UTC year; only the hours around New Year, where the Swedish
    year can differ from the UTC year, are grouped by hour and moved to their local year.
    """
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        utc = "(occurred_from AT TIME ZONE 'UTC')"
        bucket = (
            f"CASE WHEN to_char({utc}, 'MM-DD') IN ('12-31', '01-01') "
            f"THEN to_char({utc}, 'YYYY-MM-DD HH24') ELSE to_char({utc}, 'YYYY') END"
        )
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS" in UTC
        bucket = (
            "CASE WHEN substr(occurred_from, 6, 5) IN ('12-31', '01-01') "
            "THEN substr(occurred_from, 1, 13) ELSE substr(occurred_from, 1, 4) END"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket}, category, COUNT(*), MIN(occurred_from), MAX(occurred_from) "
            f"FROM {table} WHERE party_id = %s GROUP BY 1, 2",
            [party.pk],
        )
        rows = cursor.fetchall()
    if not rows:
        return [], None, None
    totals: dict[tuple[int, str], int] = defaultdict(int)
    edges = [(b, c, n) for b, c, n, _a, _z in rows if len(b) > 4]
    for bucket_value, category, n, _a, _z in rows:
        if len(bucket_value) == 4:
            totals[(int(bucket_value), category)] += n
    if edges:
        hours = np.array([b.replace(" ", "T") for b, _c, _n in edges], dtype="datetime64[h]")
        local = _to_local(hours.astype("datetime64[m]")).astype("datetime64[Y]").astype(int)
        for (_b, category, n), year in zip(edges, local + 1970, strict=True):
            totals[(int(year), category)] += n
    zone = _zone()
    first, last = (
        (value if isinstance(value, datetime.datetime) else _utc(value)).astimezone(zone)
        for value in (min(r[3] for r in rows), max(r[4] for r in rows))
    )
    years = [{"year": y, "category": c, "n": n} for (y, c), n in totals.items() if n]
    return years, first, last


def _utc(text: str) -> datetime.datetime:
    """SQLite's stored text ("2025-03-12 20:30:00", UTC) as an aware datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def _to_local(utc: np.ndarray) -> np.ndarray:
    """UTC minutes to local wall-clock minutes in the site's time zone (analysis.timeprofile)."""
    return to_local_minutes(utc, _zone())


@per_party
def peak_times(party: Party, k: int = 2) -> list[tuple[str, int]]:
    matrix = weekday_hour(party)
    if matrix.sum() == 0:
        return []
    flat = np.argsort(-matrix, axis=None, kind="stable")[:k]
    return [(WEEKDAYS_SV[i // 24], int(i % 24)) for i in flat]


@dataclass(frozen=True)
class HotCell:
    x: float
    y: float
    count: int
    z: float
    p_value: float
    # The nearest place named in the incidents, and how far its incident lies from the cell.
    place: str = ""
    place_metres: float | None = None

    @property
    def hot_by_neighbours(self) -> bool:
        """No incident of its own: the cell is hot because its neighbours have many."""
        return self.count == 0


@dataclass(frozen=True)
class Hotspots:
    cells: list[HotCell]
    settings: object | None
    points: int
    note: str = ""


HOTSPOT_CELL_METRES = 200.0
HOTSPOT_MAX_CELLS = 250_000  # a grid larger than this says the coordinates are spread too far
# Below this many located incidents Gi* mostly flags cells by chance: each cell's expected
# count is a fraction of one, the normal approximation behind z and p does not hold, and one
# or two incidents make a whole neighbourhood "significant". A rule of thumb of ours, not a
# published threshold: six incidents gave eleven "significant" cells, several of them empty.
HOTSPOT_MIN_EVENTS = 30
# A place named this far from a cell is not offered as the cell's place.
HOTSPOT_PLACE_METRES = 500.0


@per_party
def hotspots(party: Party, cell_size: float = HOTSPOT_CELL_METRES) -> Hotspots:
    """Getis-Ord Gi* hot spots on a square grid of the party's incident coordinates (stored)."""
    return _stored(party, "hotspots", f"{cell_size:g}", lambda: _hotspots(party, cell_size))


def _hotspots(party: Party, cell_size: float) -> Hotspots:
    """Gi* on the grid of the party's located incidents.

    The grid is counted in SQL (one row per occupied cell), never by loading a million
    coordinates into the process; its origin and shape are those of
    ``analysis.hotspots.grid_counts``: snapped to the cell size.
    """
    import math

    from samverkan.analysis.hotspots import Grid, gi_star
    from samverkan.mapping.mapdata import _CellIndex

    located = Incident.objects.filter(party=party, x__isnull=False, y__isnull=False)
    agg = located.aggregate(n=Count("*"), x0=Min("x"), y0=Min("y"), x1=Max("x"), y1=Max("y"))
    points = int(agg["n"])
    if points < HOTSPOT_MIN_EVENTS:
        return Hotspots(
            [],
            None,
            points,
            f"Med {points} händelser med koordinater går det inte att bedöma hot spots: "
            f"det behövs minst {HOTSPOT_MIN_EVENTS}. Med så få händelser blir rutor "
            "”signifikanta” av en slump. Se i stället listan över platser ovan.",
        )
    spread = ((agg["x1"] - agg["x0"]) / cell_size + 1) * ((agg["y1"] - agg["y0"]) / cell_size + 1)
    if spread > HOTSPOT_MAX_CELLS:
        return Hotspots([], None, points, "Koordinaterna är för utspridda för ett rutnät.")
    x0 = math.floor(agg["x0"] / cell_size) * cell_size
    y0 = math.floor(agg["y0"] / cell_size) * cell_size
    n_cols = max(1, math.floor((agg["x1"] - x0) / cell_size) + 1)
    n_rows = max(1, math.floor((agg["y1"] - y0) / cell_size) + 1)
    counts = np.zeros((n_rows, n_cols), dtype=np.int64)
    for row, col, n in (
        located.order_by()
        .annotate(col=_CellIndex("x", x0, cell_size), row=_CellIndex("y", y0, cell_size))
        .values_list("row", "col")
        .annotate(n=Count("*"))
    ):
        counts[min(int(row), n_rows - 1), min(int(col), n_cols - 1)] += n
    grid = Grid(cell_size=float(cell_size), x0=x0, y0=y0, counts=counts)
    try:
        result = gi_star(grid)
    except ValueError as exc:
        return Hotspots([], None, points, str(exc))
    cx, cy = grid.centres()
    hot = np.argwhere(result.category == 1)
    cells = [
        HotCell(
            float(cx[r, c]),
            float(cy[r, c]),
            int(grid.counts[r, c]),
            float(result.z[r, c]),
            float(result.p_value[r, c]),
        )
        for r, c in hot
    ]
    # Cells with incidents of their own first: an empty cell next to a dense one often has the
    # highest z (its neighbours count fully) but is not where anything happens.
    cells.sort(key=lambda h: (h.hot_by_neighbours, -h.z))
    return Hotspots(_with_places(party, cells[:20]), result.settings, points)


def _with_places(party: Party, cells: list[HotCell]) -> list[HotCell]:
    """Name each cell by the nearest incident that has a place name (within 500 m)."""
    import dataclasses

    if not cells:
        return cells
    # Only incidents near the hot cells can name one: those within reach of their box.
    reach = HOTSPOT_PLACE_METRES
    named = list(
        Incident.objects.filter(
            party=party,
            x__gte=min(c.x for c in cells) - reach,
            x__lte=max(c.x for c in cells) + reach,
            y__gte=min(c.y for c in cells) - reach,
            y__lte=max(c.y for c in cells) + reach,
        )
        .exclude(place="")
        .values_list("x", "y", "place")[:200_000]
    )
    if not named:
        return cells
    xy = np.array([(x, y) for x, y, _p in named], dtype=float)
    out = []
    for cell in cells:
        distances = np.hypot(xy[:, 0] - cell.x, xy[:, 1] - cell.y)
        nearest = int(np.argmin(distances))
        if distances[nearest] <= HOTSPOT_PLACE_METRES:
            cell = dataclasses.replace(
                cell, place=named[nearest][2], place_metres=float(distances[nearest])
            )
        out.append(cell)
    return out


# ---- counts for step 5: the follow-up counts a measure's places before and after ------------


def local_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """Aware datetimes for local midnight at ``start`` up to (not including) the day after
    ``end``: a period given in dates covers both whole days."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    return low, high.replace(tzinfo=zone)


def count_at(
    party: Party,
    places: list[str],
    categories: list[str],
    start: datetime.date,
    end: datetime.date,
) -> int:
    """Incidents of ``party`` at any of ``places`` (names compared without regard to case),
    of the given handbook categories (all when empty), that began within ``start``–``end``."""
    if not places:
        return 0
    low, high = local_range(start, end)
    where = Q()
    for place in places:
        where |= Q(place__iexact=place)
    rows = Incident.objects.filter(party=party, occurred_from__gte=low, occurred_from__lt=high)
    if categories:
        rows = rows.filter(category__in=categories)
    return rows.filter(where).count()


PLACE_NAMES = 500  # the places a follow-up may choose among, most incidents first


@per_party
def place_names(party: Party) -> list[str]:
    """The party's place names, most incidents first (at most PLACE_NAMES; stored)."""
    return _stored(party, "place_names", str(PLACE_NAMES), lambda: _place_names(party))


def _place_names(party: Party) -> list[str]:
    return [
        row["place"]
        for row in Incident.objects.filter(party=party)
        .exclude(place="")
        .values("place")
        .annotate(n=Count("pk"))
        .order_by("-n", "place")[:PLACE_NAMES]
    ]


@per_party
def categories(party: Party) -> list[str]:
    """The handbook categories the party's incidents carry (stored)."""
    return _stored(party, "incident_categories", "", lambda: _categories(party))


def _categories(party: Party) -> list[str]:
    return sorted(
        Incident.objects.filter(party=party)
        .exclude(category="")
        .values_list("category", flat=True)
        .distinct()
    )
