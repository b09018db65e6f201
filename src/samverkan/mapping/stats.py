"""The numbers behind the statistics page and the lägesbild draft (GROUP BY in the database,
the statistics themselves from ``samverkan.analysis``)."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Sum

from samverkan.analysis.concentration import top_share
from samverkan.analysis.rates import period_change, rate_per_100k
from samverkan.analysis.timeprofile import (
    WEEKDAYS_SV,
    aoristic_weekday_hour,
    weekday_hour_matrix,
)
from samverkan.mapping.models import CrimeStatistic, Incident, Population
from samverkan.partnerships.models import Party

UNCATEGORISED = "Okategoriserat"


@dataclass(frozen=True)
class CategoryTrend:
    source: str  # "statistics" or "incidents"
    years: list[int]
    categories: list[str]
    totals_by_year: dict[int, dict[str, int]]

    def rows(self) -> list[tuple[str, list[int]]]:
        return [
            (c, [self.totals_by_year[y].get(c, 0) for y in self.years]) for c in self.categories
        ]


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def category_trend(party: Party) -> CategoryTrend:
    """Reported offences per handbook category and year (statistics first, else incidents)."""
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        CrimeStatistic.objects.filter(party=party)
        .values("year", "category")
        .annotate(n=Sum("count"))
    )
    source = "statistics"
    if not rows.exists():
        source = "incidents"
        rows = _incident_years(party)
    for row in rows:
        cat = row["category"] or UNCATEGORISED
        totals[row["year"]][cat] = totals[row["year"]].get(cat, 0) + row["n"]
    years = sorted(totals)
    overall: dict[str, int] = defaultdict(int)
    for by_cat in totals.values():
        for cat, n in by_cat.items():
            overall[cat] += n
    categories = sorted(overall, key=lambda c: (-overall[c], c))
    return CategoryTrend(source, years, categories, dict(totals))


@dataclass(frozen=True)
class CategoryChange:
    category: str
    previous_year: int
    year: int
    previous: int
    current: int
    change: int
    percent: float | None


def category_changes(party: Party) -> list[CategoryChange]:
    """Change per category between the two latest years, over the same part of the year.

    When the latest year is incomplete (monthly statistics or incidents up to some date),
    both years are cut to the same months/days, so seasons do not pass for change.
    """
    stats = CrimeStatistic.objects.filter(party=party)
    if stats.exists():
        years = sorted(set(stats.values_list("year", flat=True)))
        if len(years) < 2:
            return []
        prev, last = years[-2], years[-1]
        months = set(stats.filter(year=last).exclude(month=None).values_list("month", flat=True))

        def counts(year: int) -> dict[str, int]:
            qs = stats.filter(year=year)
            if months:
                qs = qs.filter(month__in=months)
            return {
                r["category"] or UNCATEGORISED: r["n"]
                for r in qs.values("category").annotate(n=Sum("count"))
            }
    else:
        incidents = Incident.objects.filter(party=party)
        latest = incidents.aggregate(m=Max("occurred_from"))["m"]
        if latest is None:
            return []
        latest = latest.astimezone(_zone())
        last, prev = latest.year, latest.year - 1

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
                for r in qs.values("category").annotate(n=Count("id"))
            }

    before, now = counts(prev), counts(last)
    if not before:
        return []
    changes = []
    for cat in sorted(set(before) | set(now)):
        pc = period_change(before.get(cat, 0), now.get(cat, 0))
        changes.append(
            CategoryChange(
                cat, prev, last, int(pc.previous), int(pc.current), int(pc.absolute), pc.percent
            )
        )
    changes.sort(key=lambda c: (-c.change, c.category))
    return changes


@dataclass(frozen=True)
class Rate:
    year: int
    count: int
    population: int
    rate: float


def latest_rate(party: Party) -> Rate | None:
    """Reported offences per 100 000 inhabitants in the latest year with both numbers."""
    by_year = dict(
        CrimeStatistic.objects.filter(party=party, month=None, quarter=None)
        .values_list("year")
        .annotate(n=Sum("count"))
    )
    areas = set(CrimeStatistic.objects.filter(party=party).values_list("area", flat=True))
    pops = dict(
        Population.objects.filter(party=party, area__in=areas)
        .values_list("year")
        .annotate(n=Sum("count"))
    )
    common = sorted(set(by_year) & set(pops))
    if not common:
        return None
    year = common[-1]
    return Rate(year, by_year[year], pops[year], rate_per_100k(by_year[year], pops[year]))


def rates_by_year(party: Party) -> list[Rate]:
    by_year = dict(
        CrimeStatistic.objects.filter(party=party, month=None, quarter=None)
        .values_list("year")
        .annotate(n=Sum("count"))
    )
    areas = set(CrimeStatistic.objects.filter(party=party).values_list("area", flat=True))
    pops = dict(
        Population.objects.filter(party=party, area__in=areas)
        .values_list("year")
        .annotate(n=Sum("count"))
    )
    return [
        Rate(y, by_year[y], pops[y], rate_per_100k(by_year[y], pops[y]))
        for y in sorted(set(by_year) & set(pops))
    ]


@dataclass(frozen=True)
class Places:
    n: int
    total: int
    share: float | None
    places: tuple
    first: int | None
    last: int | None


def top_places(party: Party, n: int = 10) -> Places:
    """The n places with most incidents and their share of all incidents with a place."""
    qs = Incident.objects.filter(party=party).exclude(place="")
    counts = dict(qs.values_list("place").annotate(c=Count("id")))
    if not counts:
        return Places(n, 0, None, (), None, None)
    result = top_share(counts, n)
    span = qs.aggregate(a=Min("occurred_from"), b=Max("occurred_from"))
    return Places(
        result.n,
        result.total,
        result.share,
        result.places,
        span["a"].astimezone(_zone()).year,
        span["b"].astimezone(_zone()).year,
    )


def weekday_hour(party: Party) -> np.ndarray:
    """7 × 24 profile: exact times counted in the database, time spans spread aoristically."""
    hours, _categories, counts = _hour_buckets(party, exact_only=True, by_category=False)
    matrix = np.zeros((7, 24), dtype=float)
    if len(hours):
        matrix += weekday_hour_matrix(np.repeat(_to_local(hours), counts))
    spans = _span_minutes(party)
    if len(spans):
        matrix += aoristic_weekday_hour(_to_local(spans[:, 0]), _to_local(spans[:, 1]))
    return matrix


def _incident_years(party: Party) -> list[dict]:
    """Incidents per local calendar year and category.

    Grouped by UTC year in SQL; only the hours around New Year, where the Swedish year can
    differ from the UTC year, are grouped by hour and moved to their local year.
    """
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        year = "to_char(occurred_from AT TIME ZONE 'UTC', 'YYYY')"
        edge = "to_char(occurred_from AT TIME ZONE 'UTC', 'MM-DD') IN ('12-31', '01-01')"
    else:
        year = "substr(occurred_from, 1, 4)"
        edge = "substr(occurred_from, 6, 5) IN ('12-31', '01-01')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {year}, category, COUNT(*) FROM {table} WHERE party_id = %s GROUP BY 1, 2",
            [party.pk],
        )
        totals: dict[tuple[int, str], int] = {(int(y), c): n for y, c, n in cursor.fetchall()}
    hours, categories, counts = _hour_buckets(party, exact_only=False, extra=edge)
    if len(hours):
        utc_years = hours.astype("datetime64[Y]").astype(int) + 1970
        local_years = _to_local(hours).astype("datetime64[Y]").astype(int) + 1970
        for u, y, c, n in zip(utc_years, local_years, categories, counts, strict=True):
            if u != y:
                totals[(int(u), c)] -= int(n)
                totals[(int(y), c)] = totals.get((int(y), c), 0) + int(n)
    return [{"year": y, "category": c, "n": n} for (y, c), n in totals.items() if n]


def _hour_buckets(
    party: Party, exact_only: bool, extra: str = "", by_category: bool = True
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Incident counts per UTC hour (and category), grouped in the database.

    Grouping on the stored UTC hour is plain SQL on both databases; the few thousand distinct
    hours are then moved to Swedish time in numpy (``_to_local``). Django's time-zone aware
    Extract functions would instead call Python once per row on SQLite.
    """
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        hour = (
            "to_char(date_trunc('hour', occurred_from AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24')"
        )
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS" in UTC
        hour = "substr(occurred_from, 1, 10) || 'T' || substr(occurred_from, 12, 2)"
    where = "party_id = %s" + (" AND occurred_to IS NULL" if exact_only else "")
    if extra:
        where += f" AND {extra}"
    category = "category" if by_category else "''"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {hour}, {category}, COUNT(*) FROM {table} WHERE {where} GROUP BY 1, 2",
            [party.pk],
        )
        rows = cursor.fetchall()
    if not rows:
        return np.array([], dtype="datetime64[m]"), [], np.array([], dtype=int)
    hours = np.array([r[0] for r in rows], dtype="datetime64[h]").astype("datetime64[m]")
    return hours, [r[1] for r in rows], np.array([r[2] for r in rows], dtype=int)


def _span_minutes(party: Party) -> np.ndarray:
    """(start, end) of incidents known only as a time span, UTC minutes, read as text in SQL."""
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        fmt = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI')"
    else:
        fmt = "substr({0}, 1, 10) || 'T' || substr({0}, 12, 5)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {fmt.format('occurred_from')}, {fmt.format('occurred_to')} FROM {table} "
            "WHERE party_id = %s AND occurred_to IS NOT NULL",
            [party.pk],
        )
        rows = cursor.fetchall()
    return np.array(rows, dtype="datetime64[m]").reshape(-1, 2)


def _to_local(utc: np.ndarray) -> np.ndarray:
    """UTC minutes to local wall-clock minutes, one zone lookup per distinct UTC hour."""
    hours = utc.astype("datetime64[h]")
    distinct, inverse = np.unique(hours, return_inverse=True)
    zone = _zone()
    offsets = np.array(
        [
            datetime.datetime.fromisoformat(str(h) + ":00+00:00").astimezone(zone).utcoffset()
            // datetime.timedelta(minutes=1)
            for h in distinct
        ],
        dtype="int64",
    )
    return utc + offsets[inverse].astype("timedelta64[m]")


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


@dataclass(frozen=True)
class Hotspots:
    cells: list[HotCell]
    settings: object | None
    points: int
    note: str = ""


HOTSPOT_CELL_METRES = 200.0
HOTSPOT_MAX_CELLS = 250_000  # a grid larger than this says the coordinates are spread too far


def hotspots(party: Party, cell_size: float = HOTSPOT_CELL_METRES) -> Hotspots:
    """Getis-Ord Gi* hot spots on a square grid of the party's incident coordinates."""
    from samverkan.analysis.hotspots import gi_star, grid_counts

    xy = np.array(
        Incident.objects.filter(party=party, x__isnull=False, y__isnull=False).values_list(
            "x", "y"
        ),
        dtype=float,
    )
    if len(xy) < 3:
        return Hotspots([], None, len(xy), "För få händelser med koordinater.")
    spread = (np.ptp(xy[:, 0]) / cell_size + 1) * (np.ptp(xy[:, 1]) / cell_size + 1)
    if spread > HOTSPOT_MAX_CELLS:
        return Hotspots([], None, len(xy), "Koordinaterna är för utspridda för ett rutnät.")
    grid = grid_counts(xy[:, 0], xy[:, 1], cell_size)
    try:
        result = gi_star(grid)
    except ValueError as exc:
        return Hotspots([], None, len(xy), str(exc))
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
    cells.sort(key=lambda h: -h.z)
    return Hotspots(cells[:20], result.settings, len(xy))
