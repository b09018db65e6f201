"""The numbers behind the incident map: hot-spot cells, top places and the area boundary.

Everything is aggregated in the database before it reaches Python or the browser: incidents
are counted per grid cell and per place with GROUP BY, so a party with a million incidents
still sends a few thousand cells at most. Getis-Ord Gi* runs on the cell counts
(``samverkan.analysis.hotspots``) with the same grid as the statistics page; the map shows
hot cells in three significance classes (99, 95 and 90 %).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import math
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    QuerySet,
    Sum,
    Value,
)
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samverkan.analysis.hotspots import Grid, HotspotSettings, gi_star, sweref99tm_to_wgs84
from samverkan.lib import numbers
from samverkan.lib.lazy import lazy
from samverkan.mapping import figures
from samverkan.mapping.models import AreaBoundary, Incident, PoliceEvent, SafetyWalkObservation
from samverkan.mapping.subjects.incidents import (
    HOTSPOT_CELL_METRES,
    HOTSPOT_MAX_CELLS,
    HOTSPOT_MIN_EVENTS,
    UNCATEGORISED,
)
from samverkan.partnerships.models import Party

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

log = logging.getLogger(__name__)

# Significance classes of a hot cell: two-sided normal p-value below the limit, z above 0.
# The usual three levels of hot-spot maps (e.g. ArcGIS "Gi_Bin" 3/2/1).
LEVELS = (("99", 0.01), ("95", 0.05), ("90", 0.10))
MAX_MAP_CELLS = 2000  # strongest cells sent to the map; more would only hide each other
TABLE_CELLS = 25
TOP_PLACES = 10
CACHE_SECONDS = 600


@dataclass(frozen=True)
class MapFilter:
    """Which incidents the map shows: one local calendar year and/or one category."""

    year: int | None = None
    category: str | None = None  # UNCATEGORISED stands for incidents without a category

    def key(self) -> str:
        return f"{self.year or ''}|{self.category if self.category is not None else ''}"


@dataclass(frozen=True)
class MapCell:
    """A significant hot cell; x, y are its centre in SWEREF 99 TM metres."""

    x: float
    y: float
    count: int
    z: float
    p_value: float
    level: str


@dataclass(frozen=True)
class MapPlace:
    """A place with its incident count; x, y the mean of its located incidents, or None."""

    place: str
    count: int
    x: float | None
    y: float | None


@dataclass(frozen=True)
class MapData:
    incidents: int
    located: int
    cells: list[MapCell]
    significant: int
    level_counts: dict[str, int]
    settings: HotspotSettings | None
    grid_shape: tuple[int, int] | None
    note: str
    places: list[MapPlace]
    places_total: int
    extent: tuple[float, float, float, float] | None  # all the party's located incidents
    filter: MapFilter = field(default_factory=MapFilter)
    period: tuple[int, int] | None = None  # first and last local year in the selection
    too_few: bool = False  # fewer located incidents than HOTSPOT_MIN_EVENTS: not judged

    @property
    def table_cells(self) -> list[MapCell]:
        return self.cells[:TABLE_CELLS]

    @property
    def level_rows(self) -> list[tuple[str, float, int]]:
        """(class, p-value limit, significant cells) for the legend, strongest class first."""
        return [(name, limit, self.level_counts.get(name, 0)) for name, limit in LEVELS]


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def filter_choices(party: Party) -> tuple[list[int], list[str]]:
    """The years (newest first) and categories the party's incidents span (stored)."""
    return figures.stored(party, "map_filter_choices", "", lambda: _filter_choices(party))


def _filter_choices(party: Party) -> tuple[list[int], list[str]]:
    span = Incident.objects.filter(party=party).aggregate(
        a=Min("occurred_from"), b=Max("occurred_from")
    )
    years: list[int] = []
    if span["a"] is not None:
        first, last = span["a"].astimezone(_zone()).year, span["b"].astimezone(_zone()).year
        years = list(range(last, first - 1, -1))
    found = set(
        Incident.objects.filter(party=party)
        .order_by()
        .values_list("category", flat=True)
        .distinct()
    )
    categories = sorted(c for c in found if c)
    if "" in found:
        categories.append(UNCATEGORISED)
    return years, categories


def incidents_for(party: Party, chosen: MapFilter) -> QuerySet[Incident]:
    qs = Incident.objects.filter(party=party)
    if chosen.year is not None:
        start = datetime.datetime(chosen.year, 1, 1, tzinfo=_zone())
        end = datetime.datetime(chosen.year + 1, 1, 1, tzinfo=_zone())
        qs = qs.filter(occurred_from__gte=start, occurred_from__lt=end)
    if chosen.category is not None:
        qs = qs.filter(category="" if chosen.category == UNCATEGORISED else chosen.category)
    return qs


class _CellIndex(Func):
    """The grid column (or row) of a coordinate: floor((value - origin) / size), in SQL."""

    template = "CAST(FLOOR(%(expressions)s) AS INTEGER)"
    output_field = IntegerField()

    def __init__(self, name: str, origin: float, size: float) -> None:
        offset = F(name) - Value(origin, output_field=FloatField())
        super().__init__(offset / Value(size, output_field=FloatField()))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Coordinates are never below the grid origin, so truncating is flooring; CAST is
        # native SQL where FLOOR would be a Python function called once per row.
        return self.as_sql(
            compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra
        )


def map_data(party: Party, chosen: MapFilter, cell_size: float = HOTSPOT_CELL_METRES) -> MapData:
    """Hot cells, top places and the incidents' extent for the party's map.

    Stored per filter (mapping.figures): the map page and its GeoJSON read the same figure,
    computed once after each change of the data. The notes are in the language of the
    request that computed them, so the language is part of the key.
    """
    key = f"{chosen.key()}|{cell_size:g}|{translation.get_language() or ''}"
    return figures.stored(party, "map_data", key, lambda: _map_data(party, chosen, cell_size))


def _map_data(party: Party, chosen: MapFilter, cell_size: float) -> MapData:
    qs = incidents_for(party, chosen)
    located_qs = qs.filter(x__isnull=False, y__isnull=False)
    hot = _hot_cells(located_qs, cell_size)
    place_rows = (
        qs.exclude(place="")
        .order_by()
        .values("place")
        .annotate(n=Count("*"), mx=Avg("x"), my=Avg("y"))
        .order_by("-n", "place")[:TOP_PLACES]
    )
    places = [MapPlace(r["place"], r["n"], r["mx"], r["my"]) for r in place_rows]
    span = qs.aggregate(n=Count("*"), a=Min("occurred_from"), b=Max("occurred_from"))
    period = None
    if span["a"] is not None:
        period = (span["a"].astimezone(_zone()).year, span["b"].astimezone(_zone()).year)
    extent = Incident.objects.filter(party=party, x__isnull=False, y__isnull=False).aggregate(
        a=Min("x"), b=Min("y"), c=Max("x"), d=Max("y")
    )
    return MapData(
        incidents=span["n"],
        located=hot["located"],
        cells=hot["cells"],
        significant=hot["significant"],
        level_counts=hot["level_counts"],
        settings=hot["settings"],
        grid_shape=hot["grid_shape"],
        note=hot["note"],
        too_few=hot.get("too_few", False),
        places=places,
        places_total=qs.exclude(place="").count(),
        extent=None
        if extent["a"] is None
        else (extent["a"], extent["b"], extent["c"], extent["d"]),
        filter=chosen,
        period=period,
    )


def _hot_cells(located: QuerySet[Incident], cell_size: float) -> dict[str, Any]:
    """Gi* on the located incidents' grid, cached by a fingerprint of the points themselves.

    The page and its GeoJSON ask for the same analysis one after the other; the fingerprint
    (count, sums and extremes of the coordinates) changes whenever the set of points does.
    """
    agg = located.aggregate(
        n=Count("*"), x0=Min("x"), y0=Min("y"), x1=Max("x"), y1=Max("y"), sx=Sum("x"), sy=Sum("y")
    )
    n = agg["n"]
    empty: dict[str, Any] = {
        "located": n,
        "cells": [],
        "significant": 0,
        "level_counts": {level: 0 for level, _p in LEVELS},
        "settings": None,
        "grid_shape": None,
        "note": "",
        "too_few": False,
    }
    if n < HOTSPOT_MIN_EVENTS:
        # As on the statistics page (stats.hotspots): below the minimum Gi* flags cells by
        # chance, so no cell is shown and the note says why.
        return {
            **empty,
            "too_few": True,
            "note": ngettext(
                "Hot spots kan inte bedömas: urvalet har %(n)s händelse med koordinater och "
                "det behövs minst %(min)s. Med så få händelser blir rutor ”signifikanta” av en "
                "slump. Se i stället platserna med flest händelser.",
                "Hot spots kan inte bedömas: urvalet har %(n)s händelser med koordinater och "
                "det behövs minst %(min)s. Med så få händelser blir rutor ”signifikanta” av en "
                "slump. Se i stället platserna med flest händelser.",
                n,
            )
            % {"n": n, "min": HOTSPOT_MIN_EVENTS},
        }
    spread = ((agg["x1"] - agg["x0"]) / cell_size + 1) * ((agg["y1"] - agg["y0"]) / cell_size + 1)
    if spread > HOTSPOT_MAX_CELLS:
        return {
            **empty,
            "note": _(
                "Koordinaterna är för utspridda för ett rutnät om %(cell)s m; kontrollera att "
                "de är i SWEREF 99 TM."
            )
            % {"cell": numbers.number(cell_size, 0)},
        }
    fingerprint = hashlib.sha256(
        json.dumps(
            [cell_size, *(agg[k] for k in ("n", "x0", "y0", "x1", "y1", "sx", "sy"))]
        ).encode()
    ).hexdigest()
    key = f"mapping:hotcells:{fingerprint}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = _compute(located, agg, cell_size, empty)
    cache.set(key, result, CACHE_SECONDS)
    return result


def _compute(
    located: QuerySet[Incident], agg: dict[str, Any], cell_size: float, empty: dict[str, Any]
) -> dict[str, Any]:
    # Same origin and shape as analysis.hotspots.grid_counts: snapped to the cell size.
    x0 = math.floor(agg["x0"] / cell_size) * cell_size
    y0 = math.floor(agg["y0"] / cell_size) * cell_size
    n_cols = max(1, math.floor((agg["x1"] - x0) / cell_size) + 1)
    n_rows = max(1, math.floor((agg["y1"] - y0) / cell_size) + 1)
    counts = np.zeros((n_rows, n_cols), dtype=np.int64)
    rows = (
        located.order_by()
        .annotate(col=_CellIndex("x", x0, cell_size), row=_CellIndex("y", y0, cell_size))
        .values("row", "col")
        .annotate(n=Count("*"))
    )
    for r in rows:
        counts[min(int(r["row"]), n_rows - 1), min(int(r["col"]), n_cols - 1)] += r["n"]
    grid = Grid(cell_size=float(cell_size), x0=x0, y0=y0, counts=counts)
    try:
        # A cell whose neighbourhood is the whole grid has no variance: its z is NaN and it
        # is never flagged, since NaN compares false below.
        result = gi_star(grid, alpha=LEVELS[-1][1])
    except ValueError as exc:
        log.info("no Gi* for this grid: %s", exc)
        return {
            **empty,
            "grid_shape": (n_rows, n_cols),
            "note": _(
                "Hot spots kan inte beräknas: rutnätet har färre än tre rutor eller lika många "
                "händelser i alla rutor."
            ),
        }
    cx, cy = grid.centres()
    cells: list[MapCell] = []
    for r, c in np.argwhere((result.z > 0) & (result.p_value < LEVELS[-1][1])):
        p = float(result.p_value[r, c])
        level = next(name for name, limit in LEVELS if p < limit)
        cells.append(
            MapCell(
                float(cx[r, c]), float(cy[r, c]), int(counts[r, c]), float(result.z[r, c]), p, level
            )
        )
    cells.sort(key=lambda cell: (-cell.z, cell.y, cell.x))
    level_counts = {name: sum(1 for cell in cells if cell.level == name) for name, _p in LEVELS}
    return {
        **empty,
        "cells": cells[:MAX_MAP_CELLS],
        "significant": len(cells),
        "level_counts": level_counts,
        "settings": result.settings,
        "grid_shape": (n_rows, n_cols),
    }


# ---- GeoJSON ------------------------------------------------------------------------------


def _lonlat(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
    lon, lat = sweref99tm_to_wgs84(x, y)
    return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]


def _squares(cells: list[MapCell], half: float) -> list[list[list[float]]]:
    """Every cell's square as a ring in WGS 84, projected in one call (not one per cell: the
    map sends up to 2 000 cells, and each PROJ call has its own overhead)."""
    if not cells:
        return []
    x = np.array([cell.x for cell in cells])[:, None]
    y = np.array([cell.y for cell in cells])[:, None]
    xs = x + np.array([-half, half, half, -half, -half])
    ys = y + np.array([-half, -half, half, half, -half])
    points = _lonlat(xs.ravel(), ys.ravel())
    return [points[i * 5 : i * 5 + 5] for i in range(len(cells))]


def _extent_ring(extent: tuple[float, float, float, float]) -> list[list[float]]:
    """The extent's rectangle in SWEREF 99 TM, with points along each side so it stays
    straight in the projection the data came from."""
    x0, y0, x1, y1 = extent
    t = np.linspace(0.0, 1.0, 9)[:-1]
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(8, x1), x1 - (x1 - x0) * t, np.full(8, x0)])
    ys = np.concatenate([np.full(8, y0), y0 + (y1 - y0) * t, np.full(8, y1), y1 - (y1 - y0) * t])
    ring = _lonlat(xs, ys)
    return ring + [ring[0]]


def boundary_feature(boundary: AreaBoundary) -> dict[str, Any] | None:
    """The stored WGS 84 boundary, or None when its file has gone missing."""
    try:
        with boundary.file.open("rb") as handle:
            feature = json.load(handle)
    except (OSError, ValueError) as exc:
        log.warning(
            "area boundary %s of party %s unreadable: %s", boundary.pk, boundary.party_id, exc
        )
        return None
    return {
        "type": "Feature",
        "properties": {"layer": "boundary", "kind": "uploaded", "name": boundary.name},
        "geometry": feature["geometry"],
    }


def walk_features(party: Party) -> list[dict[str, Any]]:
    """The party's safety-walk observations that have a point, as GeoJSON points (WGS 84)."""
    walks = list(
        SafetyWalkObservation.objects.filter(party=party, x__isnull=False, y__isnull=False)
        .order_by("observed_on", "pk")
        .values_list("x", "y", "place", "category", "observed_on")
    )
    if not walks:
        return []
    points = _lonlat(np.array([w[0] for w in walks]), np.array([w[1] for w in walks]))
    return [
        {
            "type": "Feature",
            "properties": {
                "layer": "walk",
                "place": place,
                "category": category,
                "date": observed_on.isoformat(),
            },
            "geometry": {"type": "Point", "coordinates": point},
        }
        for (_x, _y, place, category, observed_on), point in zip(walks, points, strict=True)
    ]


def police_event_features(party: Party) -> list[dict[str, Any]]:
    """Polisen's events that have a place of their own, as GeoJSON points (WGS 84).

    Most have none (the feed names only a municipality or county, see importers/polisen.py).
    They are their own layer and never enter the hot spots, which are computed from
    incidents alone.
    """
    events = list(
        PoliceEvent.objects.filter(party=party, x__isnull=False, y__isnull=False)
        .order_by("occurred_from", "event_id")
        .values_list("x", "y", "name", "event_type", "occurred_from", "location_name")
    )
    if not events:
        return []
    points = _lonlat(np.array([e[0] for e in events]), np.array([e[1] for e in events]))
    zone = _zone()
    return [
        {
            "type": "Feature",
            "properties": {
                "layer": "police",
                "name": name,
                "type": event_type,
                "place": place,
                "date": occurred.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            },
            "geometry": {"type": "Point", "coordinates": point},
        }
        for (_x, _y, name, event_type, occurred, place), point in zip(events, points, strict=True)
    ]


def as_geojson(
    data: MapData,
    boundary: AreaBoundary | None,
    walks: list[dict[str, Any]] | None = None,
    police: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One FeatureCollection in WGS 84; each feature's ``layer`` says what it is.

    ``summary`` and ``hotspot_settings`` are foreign members (RFC 7946 section 6.1) with what
    the legend and the caption beside the map need.
    """
    features: list[dict[str, Any]] = []
    drawn = boundary_feature(boundary) if boundary is not None else None
    if drawn is not None:
        features.append(drawn)
    elif data.extent is not None:
        x0, y0, x1, y1 = data.extent
        pad = 50.0  # metres, so points on the edge are not drawn on the line
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "layer": "boundary",
                    "kind": "extent",
                    "name": _("Händelsernas utbredning"),
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [_extent_ring((x0 - pad, y0 - pad, x1 + pad, y1 + pad))],
                },
            }
        )
    half = (data.settings.cell_size if data.settings else HOTSPOT_CELL_METRES) / 2
    for cell, ring in zip(data.cells, _squares(data.cells, half), strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "layer": "hotspot",
                    "level": cell.level,
                    "count": cell.count,
                    "z": round(cell.z, 2),
                    "p": round(cell.p_value, 4),
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    for place in data.places:
        if place.x is None or place.y is None:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"layer": "place", "name": place.place, "count": place.count},
                "geometry": {
                    "type": "Point",
                    "coordinates": _lonlat(np.array([place.x]), np.array([place.y]))[0],
                },
            }
        )
    features.extend(walks or [])
    features.extend(police or [])
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    bbox = _bbox(features)
    if bbox is not None:
        collection["bbox"] = bbox
    collection["summary"] = {
        "incidents": data.incidents,
        "located": data.located,
        "significant": data.significant,
        "shown": len(data.cells),
        "levels": data.level_counts,
        "boundary": "uploaded" if drawn is not None else ("extent" if data.extent else "none"),
        "walks": len(walks or []),
        "police_events": len(police or []),
        "note": data.note,
        # False when too few incidents are located for hot spots to be judged at all.
        "hotspots_judged": not data.too_few,
        "min_events": HOTSPOT_MIN_EVENTS,
        "year": data.filter.year,
        "category": data.filter.category,
        "period": list(data.period) if data.period else None,
    }
    s = data.settings
    collection["hotspot_settings"] = (
        None
        if s is None
        else {
            "method": s.method,
            "cell_size_m": s.cell_size,
            "grid": list(data.grid_shape) if data.grid_shape else None,
            "weights": s.weights,
            "star": s.star,
            "p_value": s.p_value_kind,
            "levels": {name: limit for name, limit in LEVELS},
        }
    )
    return collection


def _bbox(features: list[dict[str, Any]]) -> list[float] | None:
    """[west, south, east, north]: the boundary's when there is one, else all features'."""
    chosen = [f for f in features if f["properties"]["layer"] == "boundary"] or features
    points: list[list[float]] = []
    for feature in chosen:
        points += list(_positions(feature["geometry"]["coordinates"]))
    if not points:
        return None
    arr = np.array(points, dtype=float)
    return [
        float(arr[:, 0].min()),
        float(arr[:, 1].min()),
        float(arr[:, 0].max()),
        float(arr[:, 1].max()),
    ]


def _positions(coords: Any) -> Any:
    if coords and isinstance(coords[0], int | float):
        yield coords
    else:
        for part in coords:
            yield from _positions(part)
