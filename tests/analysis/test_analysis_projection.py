"""SWEREF 99 TM through PROJ (pyproj): known values on the central meridian and round trips."""

import numpy as np
import pytest

from samverkan.analysis.hotspots import sweref99tm_to_wgs84, wgs84_to_sweref99tm


def test_central_meridian_gives_the_false_easting_and_the_scaled_meridian_arc():
    e, n = wgs84_to_sweref99tm(15.0, 0.0)
    assert float(e) == pytest.approx(500_000.0, abs=0.001) and float(n) == pytest.approx(
        0, abs=0.001
    )
    # GRS 80 meridian arc from the equator to 60° N is 6 654 072.82 m; scale 0.9996.
    e, n = wgs84_to_sweref99tm(15.0, 60.0)
    assert float(e) == pytest.approx(500_000.0, abs=0.001)
    assert float(n) == pytest.approx(0.9996 * 6_654_072.82, abs=1.0)


def test_round_trip_across_sweden_is_below_a_millimetre():
    rng = np.random.default_rng(3)
    lon = rng.uniform(10.5, 24.2, 500)
    lat = rng.uniform(55.3, 69.1, 500)
    e, n = wgs84_to_sweref99tm(lon, lat)
    back_lon, back_lat = sweref99tm_to_wgs84(e, n)
    assert np.max(np.abs(back_lon - lon)) < 1e-8 and np.max(np.abs(back_lat - lat)) < 1e-8


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        wgs84_to_sweref99tm([15.0, 16.0], [60.0])
    with pytest.raises(ValueError):
        wgs84_to_sweref99tm(15.0, float("nan"))
    with pytest.raises(ValueError):
        wgs84_to_sweref99tm(15.0, 91.0)
