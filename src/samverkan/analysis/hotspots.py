"""Grid counts, Getis-Ord Gi* hot spots and WGS84 -> SWEREF 99 TM conversion.

Coordinates for the grid are metres in SWEREF 99 TM (EPSG:3006): x is
easting, y is northing. Grid row 0 is the southernmost row.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from samverkan.lib.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")


__all__ = [
    "Grid",
    "HotspotSettings",
    "HotspotResult",
    "grid_counts",
    "gi_star",
    "window_sum",
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


def _window_offsets(weights: WeightsKind, distance: float | None, cell_size: float) -> np.ndarray:
    """The neighbourhood of a cell, itself included, as (row, column) offsets.

    Queen: the 3 x 3 block; rook: the cell and its four edge neighbours; distance: every cell
    whose centre lies within ``distance`` metres of the cell's centre (the band is inclusive,
    as libpysal's ``DistanceBand``; a relative tolerance of 1e-9 keeps a centre at exactly the
    band's distance inside despite rounding).
    """
    if weights == "distance":
        assert distance is not None
        reach = int(math.floor(distance / cell_size + 1e-9))
        limit = (distance / cell_size) ** 2 * (1 + 1e-9)
    else:
        reach = 1
        limit = 2.0 if weights == "queen" else 1.0  # squared steps: diagonals, or edges only
    return np.array(
        [
            (dr, dc)
            for dr in range(-reach, reach + 1)
            for dc in range(-reach, reach + 1)
            if dr * dr + dc * dc <= limit
        ],
        dtype=np.int64,
    )


def window_sum(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """For every cell, the sum of ``values`` over the cells at ``offsets`` from it (cells off the
    grid count as absent).

    Each row of offsets is a run of columns (every neighbourhood here is convex), so a run's
    sum is a difference of two cumulative sums along the row: the cost is one vectorised pass
    per row offset, not per neighbour, and integer counts are summed exactly.
    """
    n_rows, n_cols = values.shape
    dtype = np.int64 if np.issubdtype(values.dtype, np.integer) else np.float64
    # cum[:, k] is the sum of the first k cells of each row.
    cum = np.zeros((n_rows, n_cols + 1), dtype=dtype)
    np.cumsum(values, axis=1, dtype=dtype, out=cum[:, 1:])
    cols = np.arange(n_cols)
    total = np.zeros((n_rows, n_cols), dtype=dtype)
    for dr in np.unique(offsets[:, 0]):
        dcs = offsets[offsets[:, 0] == dr, 1]
        low, high = int(dcs.min()), int(dcs.max())
        if high - low + 1 != dcs.size:
            raise ValueError("a neighbourhood's row must be a run of columns")
        first = np.clip(cols + low, 0, n_cols)
        last = np.clip(cols + high + 1, 0, n_cols)
        runs = cum[:, last] - cum[:, first]  # the run's sum in every row of the grid
        target = slice(max(0, -dr), min(n_rows, n_rows - dr))
        source = slice(max(0, dr), min(n_rows, n_rows + dr))
        total[target] += runs[source]
    return total


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
    *Geographical Analysis* 27(4):286-306. Binary weights with each cell
    counting itself (the star form), so for cell i with W_i cells in its
    neighbourhood (itself included) and window sum L_i of their counts::

        z_i = (L_i - mean * W_i) / (s * sqrt((n * W_i - W_i**2) / (n - 1)))

    where n is the number of cells, mean the mean count and s the standard
    deviation of the counts (divided by n). These are the z-scores of
    ``esda.G_Local(star=True, transform="B")``; on a lattice the window sums
    and W_i are two vectorised passes over the grid, not a weights matrix.
    Neighbours are queen or rook contiguity of cells, or every cell centre
    within ``distance`` metres. A cell whose neighbourhood is the whole grid
    has no variance: its z is NaN (never flagged).

    ``category`` flags cells with two-sided normal p < ``alpha``; with many
    cells some flags are chance findings (no multiple-testing correction is
    applied). Set ``permutations`` > 0 for conditional-permutation pseudo
    p-values as well.
    """
    from scipy import special

    if weights not in ("queen", "rook", "distance"):
        raise ValueError("weights must be 'queen', 'rook' or 'distance'")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    if permutations < 0:
        raise ValueError("permutations must not be negative")
    n_cells = grid.n_rows * grid.n_cols
    if n_cells < 3:
        raise ValueError("Gi* needs a grid of at least three cells")
    counts = np.asarray(grid.counts)
    y = counts.astype(float)
    if np.all(y == y.flat[0]):
        raise ValueError("all cells have the same count; Gi* is undefined")
    if weights == "distance":
        if distance is None or not distance > 0:
            raise ValueError("distance weights need a positive distance in metres")
    elif distance is not None:
        raise ValueError("distance is only used with weights='distance'")

    offsets = _window_offsets(weights, distance, grid.cell_size)
    source = counts if np.issubdtype(counts.dtype, np.integer) else y
    lag = window_sum(source, offsets).astype(float)
    w_i = window_sum(np.ones(counts.shape, dtype=np.int64), offsets).astype(float)
    n = float(n_cells)
    mean = float(y.mean())
    s = math.sqrt(max(float((y * y).mean()) - mean * mean, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - mean * w_i) / (s * np.sqrt((n * w_i - w_i * w_i) / (n - 1)))
        p_two = 2 * special.ndtr(-np.abs(z))
        category = np.where(p_two < alpha, np.sign(z), 0).astype(int)
    p_sim = (
        _permutation_p(y.ravel(), lag.ravel(), w_i.ravel(), permutations, seed).reshape(
            counts.shape
        )
        if permutations
        else None
    )
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
    return HotspotResult(z=z, p_value=p_two, p_sim=p_sim, category=category, settings=settings)


def _permutation_p(
    y: np.ndarray, lag: np.ndarray, w_i: np.ndarray, permutations: int, seed: int | None
) -> np.ndarray:
    """Conditional-permutation pseudo p-values (Anselin 1995), as esda computes them.

    Each cell keeps its own count; its neighbours' counts are drawn at random, without
    replacement, from the other cells. The same draws serve every cell (one random choice of
    positions per permutation, a cell's own position skipped), and a pseudo p-value is
    ``(m + 1) / (permutations + 1)`` with m the permutations at least as extreme in the
    direction the cell's observed sum lies (the folded one-sided count).
    """
    rng = np.random.default_rng(seed)
    n = y.size
    k_max = int(w_i.max()) - 1
    if k_max <= 0:
        return np.ones(n)
    draws = np.stack([rng.choice(n - 1, size=k_max, replace=False) for _ in range(permutations)])
    larger = np.zeros(n, dtype=np.int64)
    chunk = max(1, 4_000_000 // max(1, permutations * k_max))
    for start in range(0, n, chunk):
        cells = np.arange(start, min(n, start + chunk))
        # Positions among "the other cells" map to grid cells by skipping the cell itself.
        picked = draws[None, :, :] + (draws[None, :, :] >= cells[:, None, None])
        used = np.arange(k_max)[None, None, :] < (w_i[cells] - 1)[:, None, None]
        sums = y[cells][:, None] + (y[picked] * used).sum(axis=2)
        larger[cells] = (sums >= lag[cells][:, None] - 1e-9).sum(axis=1)
    low = (permutations - larger) < larger
    larger[low] = permutations - larger[low]
    return (larger + 1.0) / (permutations + 1.0)
