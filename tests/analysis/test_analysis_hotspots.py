import math

import numpy as np
import pytest

from samverkan.analysis.hotspots import (
    Grid,
    gi_star,
    grid_counts,
    sweref99tm_to_wgs84,
    wgs84_to_sweref99tm,
    window_sum,
)


def test_stockholm_central_station_projects_to_its_published_sweref99tm_position():
    # Published pair (Eniro map, used in the MightyLittleGeodesy tests):
    # WGS84 59.330231 N, 18.059196 E -> N 6580822, E 674032 (whole metres).
    e, n = wgs84_to_sweref99tm(18.059196, 59.330231)
    assert round(float(e)) == 674032
    assert round(float(n)) == 6580822


def test_projection_agrees_with_proj_to_the_millimetre():
    # Reference values computed once with PROJ 9 via pyproj 3.7 (EPSG:4326 -> 3006).
    cases = [
        ((11.9746, 57.7089), (319758.020082, 6400326.036178)),
        ((13.0038, 55.6050), (374243.758529, 6163926.553424)),
        ((20.2253, 67.8558), (719583.123005, 7536069.969925)),
    ]
    for (lon, lat), (e_ref, n_ref) in cases:
        e, n = wgs84_to_sweref99tm(lon, lat)
        assert float(e) == pytest.approx(e_ref, abs=1e-3)
        assert float(n) == pytest.approx(n_ref, abs=1e-3)


def test_central_meridian_maps_to_the_false_easting():
    e, _ = wgs84_to_sweref99tm(15.0, 62.0)
    assert float(e) == pytest.approx(500000.0, abs=1e-6)


def test_projection_round_trip_returns_the_same_point():
    lon = np.array([11.1, 15.0, 18.0686, 24.1])
    lat = np.array([58.9, 62.0, 59.3293, 65.8])
    back_lon, back_lat = sweref99tm_to_wgs84(*wgs84_to_sweref99tm(lon, lat))
    assert np.allclose(back_lon, lon, atol=1e-9)
    assert np.allclose(back_lat, lat, atol=1e-9)


def test_grid_counts_snaps_origin_and_keeps_empty_cells():
    g = grid_counts([10, 120, 130, 260], [5, 5, 15, 210], cell_size=100)
    assert (g.x0, g.y0) == (0, 0)
    assert g.counts.shape == (3, 3)
    assert g.counts[0, 0] == 1 and g.counts[0, 1] == 2 and g.counts[2, 2] == 1
    assert g.counts.sum() == 4
    with pytest.raises(ValueError):
        grid_counts([1, 2], [1], cell_size=100)


def _hand_gi_star(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    # Ord & Getis (1995) Gi* with binary weights including the cell itself.
    n = y.size
    mean = y.mean()
    s = math.sqrt((y**2).mean() - mean**2)
    wi = w.sum(axis=1)
    s1 = (w**2).sum(axis=1)
    return (w @ y - mean * wi) / (s * np.sqrt((n * s1 - wi**2) / (n - 1)))


def _queen_with_self(rows: int, cols: int) -> np.ndarray:
    idx = [(r, c) for r in range(rows) for c in range(cols)]
    return np.array(
        [
            [1.0 if abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1 else 0.0 for b in idx]
            for a in idx
        ]
    )


def test_gi_star_matches_the_ord_getis_formula_and_reports_settings():
    counts = np.array([[0, 1, 0, 0], [1, 9, 8, 0], [0, 7, 1, 0], [0, 0, 0, 2]])
    xs, ys = [], []
    for r in range(4):
        for c in range(4):
            xs += [c * 100 + 50] * counts[r, c]
            ys += [r * 100 + 50] * counts[r, c]
    grid = grid_counts(xs, ys, cell_size=100, extent=(0, 0, 399, 399))
    assert np.array_equal(grid.counts, counts)
    res = gi_star(grid, "queen")
    expected = _hand_gi_star(counts.ravel().astype(float), _queen_with_self(4, 4)).reshape(4, 4)
    assert np.allclose(res.z, expected)
    # Cells (1, 1) and (1, 2) sit at the heart of the cluster.
    assert res.z[1, 1] == pytest.approx(expected.max())
    two_sided = np.array([[math.erfc(abs(z) / math.sqrt(2)) for z in row] for row in expected])
    assert np.allclose(res.p_value, two_sided)
    assert np.array_equal(res.category, np.where(two_sided < 0.05, np.sign(expected), 0))
    assert res.settings.weights == "queen" and res.settings.star is True
    assert res.settings.cell_size == 100


def test_gi_star_distance_band_equals_queen_when_band_covers_diagonals():
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(0, 500, 200), rng.uniform(0, 500, 200)
    grid = grid_counts(xs, ys, cell_size=100, extent=(0, 0, 499.9, 499.9))
    by_distance = gi_star(grid, "distance", distance=150)
    queen = gi_star(grid, "queen")
    assert np.allclose(by_distance.z, queen.z)
    assert by_distance.settings.distance == 150
    with pytest.raises(ValueError, match="distance"):
        gi_star(grid, "distance")


def test_gi_star_flags_a_dense_block_as_a_hot_spot():
    counts = np.zeros((10, 10), dtype=int)
    counts[4:7, 4:7] = 10
    from samverkan.analysis.hotspots import Grid

    res = gi_star(Grid(cell_size=250.0, x0=0.0, y0=0.0, counts=counts), "rook")
    assert res.category[5, 5] == 1
    assert res.category[0, 0] == 0
    assert res.settings.weights == "rook"


def _band_with_self(rows: int, cols: int, cell: float, band: float) -> np.ndarray:
    # Every cell centre within `band` metres (inclusive), the cell itself included.
    centres = np.array([(c * cell, r * cell) for r in range(rows) for c in range(cols)])
    gaps = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    return (gaps <= band + 1e-9).astype(float)


def _rook_with_self(rows: int, cols: int) -> np.ndarray:
    idx = [(r, c) for r in range(rows) for c in range(cols)]
    return np.array(
        [[1.0 if abs(a[0] - b[0]) + abs(a[1] - b[1]) <= 1 else 0.0 for b in idx] for a in idx]
    )


@pytest.mark.parametrize(
    ("weights", "band", "matrix"),
    [
        ("queen", None, lambda r, c: _queen_with_self(r, c)),
        ("rook", None, lambda r, c: _rook_with_self(r, c)),
        ("distance", 100.0, lambda r, c: _band_with_self(r, c, 100.0, 100.0)),
        ("distance", 250.0, lambda r, c: _band_with_self(r, c, 100.0, 250.0)),
        ("distance", 320.0, lambda r, c: _band_with_self(r, c, 100.0, 320.0)),
    ],
)
def test_lattice_gi_star_equals_the_formula_with_a_full_weights_matrix(weights, band, matrix):
    # The window sums on the lattice and a dense weights matrix must give the same z for
    # every neighbourhood shape, at the edges and corners too (fewer neighbours there).
    rng = np.random.default_rng(11)
    counts = rng.poisson(2.0, size=(9, 7))
    counts[4, 2:5] = 12
    res = gi_star(Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=counts), weights, band)
    expected = _hand_gi_star(counts.ravel().astype(float), matrix(9, 7)).reshape(9, 7)
    assert np.allclose(res.z, expected, rtol=1e-12, atol=1e-12)
    assert np.allclose(res.p_value, [[math.erfc(abs(z) / math.sqrt(2)) for z in row]
                                     for row in expected])  # fmt: skip


def test_window_sum_counts_exactly_and_leaves_the_edges_short():
    counts = np.arange(12, dtype=np.int64).reshape(3, 4)
    queen = np.array([(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)])
    sums = window_sum(counts, queen)
    assert sums.dtype == np.int64
    assert sums[1, 1] == counts[0:3, 0:3].sum()
    assert sums[0, 0] == counts[0:2, 0:2].sum()
    assert sums[2, 3] == counts[1:3, 2:4].sum()
    assert window_sum(np.ones((3, 4), dtype=np.int64), queen)[0, 0] == 4
    with pytest.raises(ValueError, match="run of columns"):
        window_sum(counts, np.array([(0, -1), (0, 1)]))


def test_a_neighbourhood_covering_the_whole_grid_has_no_z_and_is_never_flagged():
    # On a 3 x 3 grid the centre's queen neighbourhood is every cell: no variance, z NaN.
    counts = np.array([[0, 1, 0], [2, 9, 1], [0, 0, 3]])
    res = gi_star(Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=counts))
    assert math.isnan(res.z[1, 1])
    assert res.category[1, 1] == 0
    assert np.isfinite(res.z[0, 0])


def test_gi_star_refuses_grids_it_cannot_judge():
    flat = Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=np.full((4, 4), 3))
    with pytest.raises(ValueError, match="same count"):
        gi_star(flat)
    with pytest.raises(ValueError, match="three cells"):
        gi_star(Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=np.array([[1, 2]])))
    varied = Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=np.eye(4, dtype=int))
    with pytest.raises(ValueError, match="only used"):
        gi_star(varied, "queen", 150.0)


def test_permutation_p_values_find_the_dense_block_and_repeat_with_a_seed():
    counts = np.random.default_rng(5).poisson(1.0, size=(12, 12))
    counts[5:8, 5:8] = 15
    grid = Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=counts)
    res = gi_star(grid, permutations=199, seed=7)
    assert res.p_sim is not None and res.p_sim.shape == (12, 12)
    assert res.p_sim[6, 6] == pytest.approx(1 / 200)  # no random draw comes near the block
    assert np.all((res.p_sim > 0) & (res.p_sim <= 0.5 + 1e-12))  # folded: the nearer tail
    again = gi_star(grid, permutations=199, seed=7)
    assert np.array_equal(res.p_sim, again.p_sim)
    assert gi_star(grid).p_sim is None


def test_lattice_gi_star_handles_a_city_sized_grid_quickly():
    # 250 000 cells, the statistics page's limit: a weights matrix would need gigabytes.
    import time

    counts = np.random.default_rng(2).poisson(0.4, size=(500, 500))
    start = time.perf_counter()
    res = gi_star(Grid(cell_size=100.0, x0=0.0, y0=0.0, counts=counts))
    assert time.perf_counter() - start < 2.0
    assert res.z.shape == (500, 500) and np.isfinite(res.z).all()
