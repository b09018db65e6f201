"""Grid counts, Getis-Ord Gi* hot spots and WGS84 -> SWEREF 99 TM conversion.

Coordinates for the grid are metres in SWEREF 99 TM (EPSG:3006): x is
easting, y is northing. Grid row 0 is the southernmost row.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Grid",
    "HotspotSettings",
    "HotspotResult",
    "grid_counts",
    "gi_star",
    "wgs84_to_sweref99tm",
    "sweref99tm_to_wgs84",
]

# --- SWEREF 99 TM -----------------------------------------------------------

_THREAD = threading.local()


def _transformer(source: str, target: str) -> Any:
    """A cached pyproj transformer per thread (transformers are not safe to share)."""
    from pyproj import Transformer

    cache = _THREAD.__dict__.setdefault("transformers", {})
    key = (source, target)
    if key not in cache:
        cache[key] = Transformer.from_crs(source, target, always_xy=True)
    return cache[key]


def wgs84_to_sweref99tm(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 longitude/latitude (degrees) to SWEREF 99 TM (E, N) metres.

    Projected with PROJ (pyproj) from EPSG:4326 to EPSG:3006: transverse Mercator on GRS 80,
    central meridian 15° E, scale 0.9996, false easting 500 000 m. WGS84 and SWEREF 99 differ
    by well under a metre, which is ignored. Accepts scalars or arrays; returns
    ``(easting, northing)`` arrays.
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        raise ValueError("lon and lat must have the same shape")
    if not np.all(np.isfinite(lat_a) & np.isfinite(lon_a)) or np.any(np.abs(lat_a) > 90):
        raise ValueError("lat must be finite and within [-90, 90] degrees")
    east, north = _transformer("EPSG:4326", "EPSG:3006").transform(lon_a, lat_a)
    return np.asarray(east, dtype=float), np.asarray(north, dtype=float)


def sweref99tm_to_wgs84(easting: ArrayLike, northing: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`wgs84_to_sweref99tm`: (E, N) metres -> (lon, lat) degrees (PROJ)."""
    e = np.asarray(easting, dtype=float)
    n = np.asarray(northing, dtype=float)
    if e.shape != n.shape:
        raise ValueError("easting and northing must have the same shape")
    lon, lat = _transformer("EPSG:3006", "EPSG:4326").transform(e, n)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


# --- Grid -------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Square-cell counts. ``counts[row, col]``; cell (0, 0) has its lower-left at (x0, y0)."""

    cell_size: float
    x0: float
    y0: float
    counts: np.ndarray = field(repr=False)

    @property
    def n_rows(self) -> int:
        return int(self.counts.shape[0])

    @property
    def n_cols(self) -> int:
        return int(self.counts.shape[1])

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell centre coordinates as two (n_rows, n_cols) arrays (x, y)."""
        cols = self.x0 + (np.arange(self.n_cols) + 0.5) * self.cell_size
        rows = self.y0 + (np.arange(self.n_rows) + 0.5) * self.cell_size
        return np.meshgrid(cols, rows)


def grid_counts(
    x: ArrayLike,
    y: ArrayLike,
    cell_size: float,
    extent: Sequence[float] | None = None,
) -> Grid:
    """Count points in square cells of ``cell_size`` metres.

    Method: fixed-grid aggregation ("quadrat counts"), the usual input for
    Getis-Ord Gi* hot-spot maps (e.g. Chainey, S. & Ratcliffe, J. (2005).
    *GIS and Crime Mapping*. Wiley).
    Without ``extent`` the grid's origin is snapped to multiples of the cell
    size, so grids from different periods line up. ``extent`` is
    ``(xmin, ymin, xmax, ymax)``; points outside it are dropped. Empty cells
    are kept, because Gi* needs the zeros.
    """
    xs = np.asarray(x, dtype=float).ravel()
    ys = np.asarray(y, dtype=float).ravel()
    if xs.size != ys.size:
        raise ValueError(f"x and y differ in length ({xs.size} vs {ys.size})")
    if not (cell_size > 0 and math.isfinite(cell_size)):
        raise ValueError("cell_size must be a positive number of metres")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("coordinates must be finite numbers")
    if extent is None:
        if xs.size == 0:
            raise ValueError("no points given and no extent to build an empty grid")
        x0 = math.floor(xs.min() / cell_size) * cell_size
        y0 = math.floor(ys.min() / cell_size) * cell_size
        x1, y1 = xs.max(), ys.max()
    else:
        if len(extent) != 4:
            raise ValueError("extent must be (xmin, ymin, xmax, ymax)")
        x0, y0, x1, y1 = (float(e) for e in extent)
        if x1 <= x0 or y1 <= y0:
            raise ValueError("extent must have xmax > xmin and ymax > ymin")
        inside = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
        xs, ys = xs[inside], ys[inside]
    n_cols = max(1, math.floor((x1 - x0) / cell_size) + 1)
    n_rows = max(1, math.floor((y1 - y0) / cell_size) + 1)
    cols = np.minimum(((xs - x0) // cell_size).astype(np.int64), n_cols - 1)
    rows = np.minimum(((ys - y0) // cell_size).astype(np.int64), n_rows - 1)
    flat = np.bincount(rows * n_cols + cols, minlength=n_rows * n_cols)
    return Grid(cell_size=float(cell_size), x0=x0, y0=y0, counts=flat.reshape(n_rows, n_cols))


# --- Gi* --------------------------------------------------------------------

WeightsKind = Literal["queen", "rook", "distance"]


@dataclass(frozen=True)
class HotspotSettings:
    """Everything the UI needs to state how the hot spots were found."""

    method: str
    weights: str
    distance: float | None
    cell_size: float
    n_cells: int
    star: bool
    transform: str
    permutations: int
    alpha: float
    p_value_kind: str


@dataclass(frozen=True)
class HotspotResult:
    """Gi* output on the grid's shape.

    ``z`` are Gi* z-scores; ``p_value`` two-sided normal p-values;
    ``p_sim`` permutation pseudo p-values (None without permutations);
    ``category`` is +1 hot spot, -1 cold spot, 0 not significant at ``alpha``.
    """

    z: np.ndarray = field(repr=False)
    p_value: np.ndarray = field(repr=False)
    p_sim: np.ndarray | None = field(repr=False)
    category: np.ndarray = field(repr=False)
    settings: HotspotSettings


def gi_star(
    grid: Grid,
    weights: WeightsKind = "queen",
    distance: float | None = None,
    *,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> HotspotResult:
    """Getis-Ord Gi* local hot-spot statistic on a count grid.

    Method: Getis, A. & Ord, J. K. (1992). "The analysis of spatial
    association by use of distance statistics". *Geographical Analysis*
    24(3):189-206, and Ord, J. K. & Getis, A. (1995). "Local spatial
    autocorrelation statistics: distributional issues and an application".
    *Geographical Analysis* 27(4):286-306. Computed with ``esda.G_Local``
    (``star=True``, binary weights, so each cell counts itself with weight
    1). Neighbours are queen or rook contiguity of cells, or every cell
    centre within ``distance`` metres.

    ``category`` flags cells with two-sided normal p < ``alpha``; with many
    cells some flags are chance findings (no multiple-testing correction is
    applied). Set ``permutations`` > 0 for conditional-permutation pseudo
    p-values as well.
    """
    # esda/libpysal are heavy and optional for the rest of the package, so
    # they are only imported when a hot-spot analysis is actually run.
    import libpysal
    from esda.getisord import G_Local
    from scipy import stats

    if weights not in ("queen", "rook", "distance"):
        raise ValueError("weights must be 'queen', 'rook' or 'distance'")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    if permutations < 0:
        raise ValueError("permutations must not be negative")
    n_cells = grid.n_rows * grid.n_cols
    if n_cells < 3:
        raise ValueError("Gi* needs a grid of at least three cells")
    y = grid.counts.astype(float).ravel()
    if np.all(y == y[0]):
        raise ValueError("all cells have the same count; Gi* is undefined")

    if weights == "distance":
        if distance is None or not distance > 0:
            raise ValueError("distance weights need a positive distance in metres")
        cx, cy = grid.centres()
        points = np.column_stack([cx.ravel(), cy.ravel()])
        w = libpysal.weights.DistanceBand(
            points, threshold=distance, binary=True, silence_warnings=True
        )
    else:
        if distance is not None:
            raise ValueError("distance is only used with weights='distance'")
        # lat2W numbers cells row by row, the same order as counts.ravel().
        w = libpysal.weights.lat2W(grid.n_rows, grid.n_cols, rook=(weights == "rook"))

    result = G_Local(y, w, transform="B", star=True, permutations=permutations, seed=seed)
    z = np.asarray(result.Zs, dtype=float)
    p_two = 2 * stats.norm.sf(np.abs(z))
    category = np.where(p_two < alpha, np.sign(z), 0).astype(int)
    shape = grid.counts.shape
    p_sim = np.asarray(result.p_sim).reshape(shape) if permutations else None
    settings = HotspotSettings(
        method="Getis-Ord Gi*",
        weights=weights,
        distance=float(distance) if distance is not None else None,
        cell_size=grid.cell_size,
        n_cells=n_cells,
        star=True,
        transform="binary",
        permutations=permutations,
        alpha=alpha,
        p_value_kind="two-sided normal",
    )
    return HotspotResult(
        z=z.reshape(shape),
        p_value=p_two.reshape(shape),
        p_sim=p_sim,
        category=category.reshape(shape),
        settings=settings,
    )
