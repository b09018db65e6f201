"""Rates, period changes, trends and comparisons with similar municipalities."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from samverkan.lib.lazy import lazy

from . import _validate as v

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

__all__ = [
    "PeriodChange",
    "Trend",
    "Deviation",
    "RateInterval",
    "rate_per_100k",
    "poisson_rate_interval",
    "period_change",
    "linear_trend",
    "deviation_from_comparison",
]


@dataclass(frozen=True)
class PeriodChange:
    """Change between the same period in two years. ``percent`` is None when the base is 0."""

    previous: float
    current: float
    absolute: float
    percent: float | None


@dataclass(frozen=True)
class Trend:
    """Ordinary least squares line through a yearly series.

    ``slope`` is in units of the values per year; ``se``/``p_value`` are None
    when the series has fewer than three points.
    """

    slope: float
    intercept: float
    se: float | None
    p_value: float | None
    n: int


@dataclass(frozen=True)
class Deviation:
    """How one municipality's rate differs from a comparison group."""

    rate: float
    comparison_mean: float
    comparison_sd: float | None
    difference: float
    percent_difference: float | None
    z: float | None
    n_comparison: int


def rate_per_100k(count: float, population: float) -> float:
    """Offences per 100 000 inhabitants.

    Method: the crude rate used in Brå's official crime statistics
    (*Kriminalstatistik*, "anmälda brott per 100 000 invånare"):
    ``count / population * 100 000``. Use the mean population of the period
    (or the population on 31 December, as Brå does) consistently.
    """
    n = v.count("count", count)
    pop = v.positive("population", population)
    return n / pop * 100_000.0


@dataclass(frozen=True)
class RateInterval:
    """A rate per 100 000 with its exact confidence interval."""

    rate: float
    low: float
    high: float
    level: float


def poisson_rate_interval(count: float, population: float, alpha: float = 0.05) -> RateInterval:
    """Offences per 100 000 inhabitants with an exact Poisson confidence interval.

    Method: the exact ("Garwood") interval for a Poisson count *k*, from the chi-square
    quantiles ``chi2(alpha/2; 2k) / 2`` and ``chi2(1 - alpha/2; 2k + 2) / 2`` (Garwood 1936,
    *Biometrika* 28; Ulm 1990, *Am J Epidemiol* 131), divided by the population and scaled to
    100 000. The population is taken as known. The interval says how much the rate could vary
    by chance alone from year to year at the same underlying risk; with a count of 0 the lower
    limit is 0.
    """
    k = v.count("count", count)
    if k != int(k):
        raise ValueError(f"count must be a whole number, got {count!r}")
    pop = v.positive("population", population)
    a = v.alpha(alpha)
    # chi2.ppf(q, 2n) / 2 is the inverse regularised lower incomplete gamma function at
    # (n, q): the same quantile, without the distribution object's overhead (the regional
    # view computes a few hundred of these per page).
    from scipy.special import gammaincinv  # imported on first use, as in linear_trend

    low = 0.0 if k == 0 else float(gammaincinv(k, a / 2))
    high = float(gammaincinv(k + 1, 1 - a / 2))
    scale = 100_000.0 / pop
    return RateInterval(k * scale, low * scale, high * scale, 1 - a)


def period_change(previous: float, current: float) -> PeriodChange:
    """Absolute and percentage change between two comparable periods.

    Method: plain difference between the same calendar period in two years
    (comparing like with like keeps seasonal variation out of the change).
    The percentage is None when the
    previous value is zero, because any increase from zero is undefined as
    a percentage. With small counts prefer
    :func:`samverkan.analysis.evaluation.poisson_z` (Wheeler 2016), since a
    percentage exaggerates random swings.
    """
    before = v.count("previous", previous)
    now = v.count("current", current)
    percent = None if before == 0 else (now - before) / before * 100.0
    return PeriodChange(previous=before, current=now, absolute=now - before, percent=percent)


def linear_trend(years: Sequence[float], values: Sequence[float]) -> Trend:
    """Linear trend over several years, fitted by ordinary least squares.

    Method: simple linear regression ``value = intercept + slope * year``
    with the classical slope standard error ``s / sqrt(sum((x - mean x)^2))``
    and a two-sided t-test on ``n - 2`` degrees of freedom (e.g. Draper &
    Smith, *Applied Regression Analysis*, 3rd ed., ch. 1). OLS is chosen over
    a Poisson GLM because the slope reads directly as "offences (or rate)
    per year" and works for rates as well as counts; with few years the
    p-value is indicative only, and autocorrelation is ignored.
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError("years and values must be one-dimensional")
    if x.size != y.size:
        raise ValueError(f"years and values differ in length ({x.size} vs {y.size})")
    if x.size < 2:
        raise ValueError("a trend needs at least two points")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("years and values must be finite numbers")
    if np.ptp(x) == 0:
        raise ValueError("years must not all be the same")
    from scipy import stats  # imported on first use: a second of start-up otherwise

    fit = stats.linregress(x, y)
    if x.size < 3:
        return Trend(float(fit.slope), float(fit.intercept), None, None, int(x.size))
    return Trend(
        slope=float(fit.slope),
        intercept=float(fit.intercept),
        se=float(fit.stderr),
        p_value=float(fit.pvalue),
        n=int(x.size),
    )


def deviation_from_comparison(rate: float, comparison_rates: Sequence[float]) -> Deviation:
    """Compare a municipality's rate with a group of comparable municipalities.

    Method: difference from the unweighted mean of the group, as a
    percentage of that mean and as a z-score ``(rate - mean) / sd`` using the
    sample standard deviation (n - 1) of the group. This mirrors the
    handbook's advice (Brå, RPS & SKL 2010, *Samverkan i lokalt
    brottsförebyggande arbete*, step 2) to set local statistics against
    similar municipalities, e.g. SKR's municipal groups. The comparison
    group should not include the municipality itself. ``z`` is None with
    fewer than two comparison values or zero spread; ``percent_difference``
    is None when the mean is zero.
    """
    own = v.count("rate", rate)
    group = np.asarray(comparison_rates, dtype=float)
    if group.ndim != 1 or group.size == 0:
        raise ValueError("comparison_rates must be a non-empty list of numbers")
    if not np.all(np.isfinite(group)) or np.any(group < 0):
        raise ValueError("comparison_rates must be finite and not negative")
    mean = float(group.mean())
    sd = float(group.std(ddof=1)) if group.size >= 2 else None
    z = None if sd is None or sd == 0 else (own - mean) / sd
    percent = None if mean == 0 else (own - mean) / mean * 100.0
    return Deviation(
        rate=own,
        comparison_mean=mean,
        comparison_sd=sd,
        difference=own - mean,
        percent_difference=percent,
        z=z if z is None or math.isfinite(z) else None,
        n_comparison=int(group.size),
    )
