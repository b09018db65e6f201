"""Before/after evaluation of place-based interventions.

All count arguments are ``(before, after)`` pairs. Every test here treats the
counts as Poisson, so over-dispersed series (a single incident that produces
many reports, seasonal swings) make the standard errors too small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from samverkan.lib.lazy import lazy

from . import _validate as v

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

__all__ = [
    "WddResult",
    "WddHarmResult",
    "WdqResult",
    "RateRatioResult",
    "wdd",
    "wdd_harm",
    "poisson_e_test",
    "wdq",
    "poisson_z",
    "rate_ratio",
]


@dataclass(frozen=True)
class WddResult:
    """Outcome of :func:`wdd`. Negative estimates mean fewer crimes than expected."""

    estimate_local: float
    se_local: float
    estimate_displacement: float
    se_displacement: float
    estimate: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float
    has_displacement_areas: bool


@dataclass(frozen=True)
class WddHarmResult:
    """Outcome of :func:`wdd_harm` (harm-weighted sum of local WDD estimates)."""

    estimate: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float


@dataclass(frozen=True)
class WdqResult:
    """Outcome of :func:`wdq`. ``wdq`` is None when the success measure is zero."""

    success_measure: float
    buffer_measure: float
    wdq: float | None


@dataclass(frozen=True)
class RateRatioResult:
    """Outcome of :func:`rate_ratio`. A ratio below 1 means the treated area fell more."""

    ratio: float
    se_log: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    alpha: float


def _normal_inference(
    estimate: float, se: float, alpha: float
) -> tuple[float, float, float, float]:
    """Return z, two-sided p and the (1 - alpha) confidence interval."""
    if se <= 0:
        raise ValueError("the standard error is zero (all counts are zero); the test is undefined")
    z = estimate / se
    # scipy.special, not scipy.stats: the normal tail needs no distribution machinery, and
    # scipy.stats costs a second to import (it loads when a Poisson test first runs).
    from scipy import special

    p_value = float(2 * special.ndtr(-abs(z)))
    crit = float(special.ndtri(1 - alpha / 2))
    return z, p_value, estimate - crit * se, estimate + crit * se


def _weighted_diff(
    control: v.Pair,
    treated: v.Pair,
    time_weights: v.Pair,
    w_control: float,
    w_treated: float,
) -> tuple[float, float]:
    """Difference-in-differences of scaled counts and its Poisson variance."""
    # Dividing a Poisson count by a constant c divides its variance by c**2,
    # which is why the variance uses the squared divisors.
    divisors = (
        (treated[1], time_weights[1] * w_treated, +1),
        (treated[0], time_weights[0] * w_treated, -1),
        (control[1], time_weights[1] * w_control, -1),
        (control[0], time_weights[0] * w_control, +1),
    )
    estimate = sum(sign * n / d for n, d, sign in divisors)
    variance = sum(n / d**2 for n, d, _ in divisors)
    return estimate, variance


def wdd(
    control: Sequence[float],
    treated: Sequence[float],
    disp_control: Sequence[float] | None = None,
    disp_treated: Sequence[float] | None = None,
    *,
    time_weights: Sequence[float] | None = None,
    area_weights: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> WddResult:
    """Weighted displacement difference (WDD) test.

    Method: Wheeler, A. P. & Ratcliffe, J. H. (2018). "A simple weighted
    displacement difference test to evaluate place based crime
    interventions". *Crime Science* 7:11. The estimate is the change in the
    treated area minus the change in its control area, plus the same
    difference for the displacement (buffer) area and its own control::

        local = (T1 - T0) - (C1 - C0)
        displacement = (D1 - D0) - (DC1 - DC0)
        estimate = local + displacement

    Under a Poisson model the variance of each count equals the count, so the
    variance of the estimate is the sum of all eight counts. A negative
    estimate means fewer crimes than the control areas predict, i.e. a net
    reduction even after counting crimes that moved into the buffer.

    Weights follow the extensions Wheeler describes for the ptools R package
    (blog posts of 2021-01-09 on unequal pre/post periods and 2021-02-23 on
    unequal area sizes); they are *divisors*, so the estimate becomes a
    change per unit of time and/or area:

    * ``time_weights=(w_before, w_after)``: lengths of the two periods, e.g.
      ``(2, 1)`` for two years before and one year after.
    * ``area_weights=(w_control, w_treated, w_disp_control, w_disp_treated)``:
      sizes of the four areas (e.g. km2).

    Each count ``n`` with combined divisor ``d`` contributes ``n/d`` to the
    estimate and ``n/d**2`` to the variance.

    Args:
        control, treated: (before, after) counts for the control and treated area.
        disp_control, disp_treated: (before, after) counts for the control of the
            displacement area and the displacement area itself; omit both to
            test the local effect only.
        alpha: the confidence interval has level ``1 - alpha`` (default 95 %,
            whereas ptools defaults to 90 %).

    Returns:
        WddResult with local, displacement and total estimates, their standard
        errors, the z-score, the two-sided p-value and the confidence interval
        of the total.
    """
    level = v.alpha(alpha)
    c = v.pair("control", control)
    t = v.pair("treated", treated)
    if (disp_control is None) != (disp_treated is None):
        raise ValueError("give both disp_control and disp_treated, or neither")
    has_disp = disp_control is not None
    dc = v.pair("disp_control", disp_control) if disp_control is not None else (0.0, 0.0)
    dt = v.pair("disp_treated", disp_treated) if disp_treated is not None else (0.0, 0.0)
    tw = v.positive_pair("time_weights", time_weights) if time_weights is not None else (1.0, 1.0)
    aw: tuple[float, ...]
    if area_weights is None:
        aw = (1.0, 1.0, 1.0, 1.0)
    else:
        if len(area_weights) != 4:
            raise ValueError(
                "area_weights must have four values: (control, treated, disp_control, disp_treated)"
            )
        names = ("control", "treated", "disp_control", "disp_treated")
        aw = tuple(
            v.positive(f"area weight for {n}", w) for n, w in zip(names, area_weights, strict=True)
        )

    est_local, var_local = _weighted_diff(c, t, tw, aw[0], aw[1])
    est_disp, var_disp = _weighted_diff(dc, dt, tw, aw[2], aw[3])
    estimate = est_local + est_disp
    se = math.sqrt(var_local + var_disp)
    z, p_value, low, high = _normal_inference(estimate, se, level)
    return WddResult(
        estimate_local=est_local,
        se_local=math.sqrt(var_local),
        estimate_displacement=est_disp,
        se_displacement=math.sqrt(var_disp),
        estimate=estimate,
        se=se,
        z=z,
        p_value=p_value,
        ci_low=low,
        ci_high=high,
        alpha=level,
        has_displacement_areas=has_disp,
    )


def wdd_harm(
    items: Sequence[tuple[Sequence[float], Sequence[float], float]],
    alpha: float = 0.05,
) -> WddHarmResult:
    """Harm-weighted WDD: several crime types combined into one estimate.

    Method: Wheeler, A. P. (2020-11-19) "Amending the WDD test to incorporate
    harm weights" (blog), implemented as ``wdd_harm`` in the ptools R package;
    extends Wheeler & Ratcliffe (2018), *Crime Science* 7:11. For crime type
    ``i`` with harm weight ``w_i`` (e.g. a crime-harm index or sentencing
    days)::

        estimate = sum_i w_i * [(T1_i - T0_i) - (C1_i - C0_i)]
        variance = sum_i w_i**2 * (T0_i + T1_i + C0_i + C1_i)

    Args:
        items: sequence of ``(control_pair, treated_pair, weight)``.
        alpha: confidence level is ``1 - alpha``.
    """
    level = v.alpha(alpha)
    if len(items) == 0:
        raise ValueError("items must contain at least one (control, treated, weight) entry")
    estimate = 0.0
    variance = 0.0
    for index, item in enumerate(items):
        if len(item) != 3:
            raise ValueError(f"item {index} must be (control pair, treated pair, weight)")
        control, treated, weight = item
        c = v.pair(f"control of item {index}", control)
        t = v.pair(f"treated of item {index}", treated)
        w = v.count(f"weight of item {index}", weight)
        local, var = _weighted_diff(c, t, (1.0, 1.0), 1.0, 1.0)
        estimate += w * local
        variance += w**2 * var
    se = math.sqrt(variance)
    z, p_value, low, high = _normal_inference(estimate, se, level)
    return WddHarmResult(estimate, se, z, p_value, low, high, level)


Alternative = Literal["two-sided", "greater", "less"]

# Probability mass below this is ignored when truncating the Poisson sums;
# with two margins the neglected total stays far below any reported digit.
_TAIL = 1e-15


def _support(mean: float) -> np.ndarray:
    """Integers carrying all but a negligible share of a Poisson(mean) mass."""
    if mean <= 0:
        return np.zeros(1)
    from scipy import stats  # imported on first use (see _normal_inference)

    low = int(stats.poisson.ppf(_TAIL, mean))
    high = int(stats.poisson.isf(_TAIL, mean)) + 1
    return np.arange(low, high + 1, dtype=float)


def _e_statistic(x1: np.ndarray, x2: np.ndarray, n1: float, n2: float, diff: float) -> np.ndarray:
    """Krishnamoorthy & Thomson's T_X statistic (unpooled variance)."""
    variance = x1 / n1**2 + x2 / n2**2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (x1 / n1 - x2 / n2 - diff) / np.sqrt(variance)
    # Both counts zero carries no evidence either way, so it gets T = 0.
    return np.where(variance > 0, t, 0.0)


def poisson_e_test(
    k1: float,
    k2: float,
    n1: float = 1.0,
    n2: float = 1.0,
    diff: float = 0.0,
    alternative: Alternative = "two-sided",
) -> float:
    """E-test for comparing two Poisson rates; returns the p-value.

    Method: Krishnamoorthy, K. & Thomson, J. (2004). "A more powerful test for
    comparing two Poisson means". *Journal of Statistical Planning and
    Inference* 119(1):23-35. Null hypothesis: ``k1/n1 - k2/n2 = diff``.

    The statistic is the paper's standardised difference with unpooled
    variance, ``T = (X1/n1 - X2/n2 - d) / sqrt(X1/n1**2 + X2/n2**2)``. The
    p-value is the probability, under Poisson distributions whose means use
    the paper's moment estimate of the rate under the null,
    ``lambda2 = (k1 + k2)/(n1 + n2) - d*n1/(n1 + n2)`` and
    ``lambda1 = lambda2 + d``, that T is at least as extreme as observed. The
    double sum runs over every pair of counts whose marginal Poisson mass is
    above 1e-15 in either tail.

    Args:
        k1, k2: observed counts (e.g. after and before).
        n1, n2: exposures (period length, population, area) the counts are
            divided by.
        diff: the difference in rates under the null.
        alternative: ``"two-sided"``; ``"greater"`` for H1 rate1 > rate2 + diff;
            ``"less"`` for H1 rate1 < rate2 + diff.
    """
    a = v.count("k1", k1)
    b = v.count("k2", k2)
    e1 = v.positive("n1", n1)
    e2 = v.positive("n2", n2)
    if a == 0 and b == 0:
        raise ValueError("the E-test is undefined when both counts are zero")
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError("alternative must be 'two-sided', 'greater' or 'less'")
    d = float(diff)
    if not math.isfinite(d):
        raise ValueError("diff must be finite")

    rate2 = (a + b) / (e1 + e2) - d * e1 / (e1 + e2)
    rate1 = rate2 + d
    if rate2 < 0 or rate1 < 0:
        raise ValueError("diff is too large in magnitude: the estimated null rates become negative")
    mean1, mean2 = e1 * rate1, e2 * rate2

    observed = float(_e_statistic(np.array(a), np.array(b), e1, e2, d))
    x1 = _support(mean1)[:, None]
    x2 = _support(mean2)[None, :]
    t = _e_statistic(x1, x2, e1, e2, d)
    # Ties must count as "at least as extreme"; a relative tolerance keeps
    # rounding noise in the statistic from dropping them.
    tol = 1e-9 * max(1.0, abs(observed))
    if alternative == "two-sided":
        extreme = np.abs(t) >= abs(observed) - tol
    elif alternative == "greater":
        extreme = t >= observed - tol
    else:
        extreme = t <= observed + tol
    from scipy import stats  # imported on first use (see _normal_inference)

    p1 = stats.poisson.pmf(x1, mean1) if mean1 > 0 else np.ones_like(x1)
    p2 = stats.poisson.pmf(x2, mean2) if mean2 > 0 else np.ones_like(x2)
    p_value = float(np.sum(p1 * p2 * extreme))
    return min(1.0, p_value)


def wdq(treated: Sequence[float], control: Sequence[float], buffer: Sequence[float]) -> WdqResult:
    """Weighted displacement quotient (WDQ).

    Method: Bowers, K. J. & Johnson, S. D. (2003). "Measuring the geographical
    displacement and diffusion of benefit effects of crime prevention
    activity". *Journal of Quantitative Criminology* 19(3):275-301. With
    ``a`` = after and ``b`` = before::

        success_measure = T_a/C_a - T_b/C_b
        buffer_measure  = B_a/C_a - B_b/C_b
        wdq = buffer_measure / success_measure

    A negative success measure means the treated area improved relative to
    the control. Then ``wdq > 0`` suggests diffusion of benefits into the
    buffer, ``wdq < 0`` displacement; ``wdq < -1`` means displacement
    outweighs the direct effect. The quotient is only meaningful when the
    success measure is negative. When it is exactly zero there is nothing to
    divide by and ``wdq`` is returned as ``None`` (not NaN, so the value
    survives JSON and templates unchanged).

    Args:
        treated, control, buffer: (before, after) counts; control counts must
            be above zero because they are divisors.
    """
    t = v.pair("treated", treated)
    c = v.pair("control", control)
    b = v.pair("buffer", buffer)
    if c[0] == 0 or c[1] == 0:
        raise ValueError("control counts must be greater than zero both before and after")
    success = t[1] / c[1] - t[0] / c[0]
    buffer_measure = b[1] / c[1] - b[0] / c[0]
    quotient = None if success == 0 else buffer_measure / success
    return WdqResult(success_measure=success, buffer_measure=buffer_measure, wdq=quotient)


def poisson_z(current: float, historical: float) -> float:
    """Poisson z-score for the change from a historical count to a current one.

    Method: Wheeler, A. P. (2016). "Tables and graphs for monitoring temporal
    crime trends: Translating theory into practical crime analysis advice".
    *International Journal of Police Science & Management* 18(3):159-172.
    ``z = 2 * (sqrt(current) - sqrt(historical))``: the square root
    stabilises the Poisson variance at 1/4, so the doubled difference is
    roughly standard normal. Wheeler suggests |z| >= 3 as a threshold when
    many series are scanned. ``historical`` may be an average of several
    earlier periods.
    """
    now = v.count("current", current)
    before = v.count("historical", historical)
    return 2.0 * (math.sqrt(now) - math.sqrt(before))


def rate_ratio(
    treated: Sequence[float], control: Sequence[float], alpha: float = 0.05
) -> RateRatioResult:
    """Incidence rate ratio of the after/before change, treated vs control.

    Method: the log-scale Wald interval for a ratio of two Poisson rate
    ratios, as used for before/after designs with a control area in
    Welsh, B. C. & Farrington, D. P. (2009). "Public area CCTV and crime
    prevention: an updated systematic review and meta-analysis". *Justice
    Quarterly* 26(4):716-745. Their "relative effect size" is the inverse
    of the ratio returned here (RES > 1 is desirable there, IRR < 1 here)::

        IRR = (T_a / T_b) / (C_a / C_b)
        SE(log IRR) = sqrt(1/T_b + 1/T_a + 1/C_b + 1/C_a)
        CI = exp(log IRR -/+ z_(1-alpha/2) * SE)

    Any zero count makes the log undefined, so zeros raise ``ValueError``
    (use :func:`wdd` or :func:`poisson_e_test` for very small numbers).
    """
    level = v.alpha(alpha)
    t = v.pair("treated", treated)
    c = v.pair("control", control)
    if 0 in (*t, *c):
        raise ValueError(
            "rate_ratio needs all four counts above zero; "
            "use wdd or poisson_e_test for series with zero counts"
        )
    log_ratio = math.log(t[1] / t[0]) - math.log(c[1] / c[0])
    se_log = math.sqrt(1 / t[0] + 1 / t[1] + 1 / c[0] + 1 / c[1])
    z, p_value, low, high = _normal_inference(log_ratio, se_log, level)
    return RateRatioResult(
        ratio=math.exp(log_ratio),
        se_log=se_log,
        ci_low=math.exp(low),
        ci_high=math.exp(high),
        z=z,
        p_value=p_value,
        alpha=level,
    )
