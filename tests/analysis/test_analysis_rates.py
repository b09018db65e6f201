import math

import pytest

from samverkan.analysis.rates import (
    deviation_from_comparison,
    linear_trend,
    period_change,
    poisson_rate_interval,
    rate_per_100k,
)


def test_rate_per_100k_scales_count_by_population():
    assert rate_per_100k(25, 50_000) == pytest.approx(50.0)
    assert rate_per_100k(0, 1000) == 0


def test_rate_per_100k_rejects_zero_population_and_negative_counts():
    with pytest.raises(ValueError, match="population"):
        rate_per_100k(3, 0)
    with pytest.raises(ValueError, match="negative"):
        rate_per_100k(-3, 100)


def test_period_change_gives_absolute_and_percent_change():
    res = period_change(previous=80, current=100)
    assert res.absolute == 20
    assert res.percent == pytest.approx(25.0)


def test_period_change_percent_is_none_from_a_zero_base():
    res = period_change(previous=0, current=4)
    assert res.absolute == 4
    assert res.percent is None


def test_linear_trend_matches_hand_computed_least_squares():
    # x - mean: -2..2, Sxx = 10, Sxy = 19, SSE = 1.9 on 3 df.
    res = linear_trend([2019, 2020, 2021, 2022, 2023], [10, 13, 13, 16, 18])
    assert res.slope == pytest.approx(1.9)
    assert res.intercept == pytest.approx(14 - 1.9 * 2021)
    assert res.se == pytest.approx(math.sqrt(1.9 / 3 / 10))
    assert res.p_value == pytest.approx(0.004818230468, rel=1e-6)
    assert res.n == 5


def test_linear_trend_with_two_points_has_no_standard_error():
    res = linear_trend([2022, 2023], [5, 9])
    assert res.slope == pytest.approx(4)
    assert res.se is None and res.p_value is None


def test_linear_trend_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="length"):
        linear_trend([2020, 2021, 2022], [1, 2])


def test_deviation_from_comparison_gives_percent_and_z():
    res = deviation_from_comparison(150, [100, 120, 80])
    assert res.comparison_mean == pytest.approx(100)
    assert res.comparison_sd == pytest.approx(20)
    assert res.difference == pytest.approx(50)
    assert res.percent_difference == pytest.approx(50)
    assert res.z == pytest.approx(2.5)


def test_deviation_without_spread_has_no_z():
    res = deviation_from_comparison(150, [100, 100])
    assert res.z is None
    assert deviation_from_comparison(10, [100]).comparison_sd is None
    with pytest.raises(ValueError):
        deviation_from_comparison(10, [])


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # The exact 95 % limits for a Poisson count as printed in the standard tables (e.g.
    # Ulm 1990, Table 1; Sahai & Khurshid 1993): 0 -> (0, 3.689), 1 -> (0.0253, 5.572),
    # 10 -> (4.795, 18.39), 100 -> (81.36, 121.63).
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (10, 4.795, 18.39), (100, 81.36, 121.63)],
)
def test_poisson_rate_interval_matches_printed_exact_limits(count, low, high):
    # A population of 100 000 makes the rate the count itself.
    found = poisson_rate_interval(count, 100_000)
    assert found.rate == count
    assert found.low == pytest.approx(low, abs=0.001 if low < 1 else 0.01)
    assert found.high == pytest.approx(high, abs=0.01)
    assert found.level == pytest.approx(0.95)


def test_poisson_rate_interval_scales_to_the_population():
    found = poisson_rate_interval(10, 50_000)
    assert found.rate == 20
    assert found.low == pytest.approx(2 * 4.795, abs=0.01)
    assert found.high == pytest.approx(2 * 18.39, abs=0.02)


def test_poisson_rate_interval_rejects_fractions_and_empty_populations():
    with pytest.raises(ValueError, match="whole number"):
        poisson_rate_interval(2.5, 1000)
    with pytest.raises(ValueError, match="population"):
        poisson_rate_interval(3, 0)
