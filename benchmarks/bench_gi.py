"""Gi* hot spots against a plain NumPy reference. Not part of the test suite.

    python benchmarks/bench_gi.py [--cells 250000] [--repeat 7]

Prints ``gi_star_<n>: ratio R (ours X s, floor Y s)``. Ours is
``samverkan.analysis.hotspots.gi_star`` (queen contiguity, the map's setting) with its checks,
p-values and categories. The floor is the least NumPy that gives the same z-scores: the grid
padded with zeros, nine shifted slices added for the window sums, and the formula. It shares
no code with ours, so the ratio is what our wrapping costs over the arithmetic itself. Each is
measured ``--repeat`` times after a warm-up; the medians are compared. The reference's
z-scores are checked against ours before timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def numpy_reference(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values, queen weights with self, in plain NumPy."""
    from scipy.special import ndtr

    y = counts.astype(float)
    rows, cols = y.shape
    padded = np.zeros((rows + 2, cols + 2))
    padded[1:-1, 1:-1] = y
    ones = np.zeros((rows + 2, cols + 2))
    ones[1:-1, 1:-1] = 1.0
    lag = np.zeros_like(y)
    w = np.zeros_like(y)
    for dr in (0, 1, 2):
        for dc in (0, 1, 2):
            lag += padded[dr : dr + rows, dc : dc + cols]
            w += ones[dr : dr + rows, dc : dc + cols]
    n = y.size
    mean = y.mean()
    s = np.sqrt((y * y).mean() - mean * mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - mean * w) / (s * np.sqrt((n * w - w * w) / (n - 1)))
    return z, 2 * ndtr(-np.abs(z))


def median_time(func: Callable[[], object], repeat: int) -> float:
    func()  # warm-up: the first call loads parts of SciPy
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(counts: np.ndarray, repeat: int, name: str) -> tuple[float, float]:
    from samverkan.analysis.hotspots import Grid, gi_star

    grid = Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=counts)
    ours_z = gi_star(grid).z
    floor_z, _p = numpy_reference(counts)
    if not np.allclose(ours_z, floor_z, equal_nan=True):
        raise SystemExit(f"{name}: our z-scores differ from the reference")
    ours = median_time(lambda: gi_star(grid), repeat)
    floor = median_time(lambda: numpy_reference(counts), repeat)
    print(f"{name}: ratio {ours / floor:.2f} (ours {ours:.4f} s, floor {floor:.4f} s)", flush=True)
    return ours, floor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=250_000, help="grid cells (a square)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    side = max(2, int(round(args.cells**0.5)))
    counts = np.random.default_rng(1).poisson(0.5, size=(side, side))
    bench(counts, args.repeat, f"gi_star_{side * side}")


if __name__ == "__main__":
    main()
