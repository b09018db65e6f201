"""Pooling of local effect estimates: fixed-effect and random-effects meta-analysis.

Each study (here: one partnership's effect evaluation) gives an estimate ``y_i`` on an
additive scale (a log rate ratio, a mean difference) and its sampling variance ``v_i``. The
random-effects model says ``y_i ~ N(mu, v_i + tau2)``: the true effects differ between places
with variance ``tau2`` around an average ``mu``. The fixed-effect ("equal effects") model is the
special case ``tau2 = 0``.

Scipy is imported inside the functions that need it, so importing this module stays cheap
(the web application imports it at start-up).
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

__all__ = ["Method", "PooledResult", "log_rate_ratio", "random_effects"]

Method = Literal["REML", "DL", "fixed"]

# Fisher scoring for the REML estimate stops when tau2 moves less than this.
_REML_TOL = 1e-10
_REML_MAX_ITER = 500


@dataclass(frozen=True)
class PooledResult:
    """Outcome of :func:`random_effects`.

    ``i2`` is in per cent (0–100). ``q`` is Cochran's Q from the fixed-effect weights whatever
    the method (``q_p`` its chi-square p-value on ``k - 1`` degrees of freedom). ``tau2`` is 0
    for the fixed-effect method.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    tau2: float
    i2: float
    q: float
    q_p: float
    k: int
    method: str
    alpha: float

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def df(self) -> int:
        return self.k - 1


def _arrays(
    estimates: Sequence[float], variances: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    if len(estimates) != len(variances):
        raise ValueError(
            f"estimates and variances must have the same length, "
            f"got {len(estimates)} and {len(variances)}"
        )
    if len(estimates) == 0:
        raise ValueError("at least one estimate is needed")
    y = np.array([_finite("estimate", e) for e in estimates], dtype=float)
    vi = np.array([v.positive("variance", x) for x in variances], dtype=float)
    return y, vi


def _finite(name: str, value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def _cochran_q(y: np.ndarray, vi: np.ndarray) -> float:
    w = 1.0 / vi
    mu = float(np.sum(w * y) / np.sum(w))
    return float(np.sum(w * (y - mu) ** 2))


def _tau2_dl(y: np.ndarray, vi: np.ndarray, q: float) -> float:
    """DerSimonian & Laird's method-of-moments estimate, truncated at zero."""
    w = 1.0 / vi
    k = len(y)
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    if c <= 0:
        return 0.0
    return max(0.0, (q - (k - 1)) / c)


def _tau2_reml(y: np.ndarray, vi: np.ndarray, start: float) -> float:
    """Restricted maximum likelihood estimate of tau2 by Fisher scoring, truncated at zero.

    Method: Viechtbauer, W. (2005). "Bias and efficiency of meta-analytic variance estimators
    in the random-effects model". *Journal of Educational and Behavioral Statistics*
    30(3):261-293, equation for the REML update (as in metafor's ``rma.uni``)::

        P = W - W 1 (1' W 1)^-1 1' W,   W = diag(1 / (v_i + tau2))
        tau2 <- tau2 + (y' P P y - tr(P)) / tr(P P)

    with step halving whenever an update would go below zero. If the scoring does not settle
    the restricted log-likelihood is maximised numerically on a bracket instead.
    """
    if len(y) < 2:
        return 0.0
    tau2 = max(0.0, start)
    for _ in range(_REML_MAX_ITER):
        w = 1.0 / (vi + tau2)
        sw = float(np.sum(w))
        mu = float(np.sum(w * y) / sw)
        py = w * (y - mu)  # P y
        # tr(P) and tr(PP) for P = W - w w'/sum(w)
        tr_p = sw - float(np.sum(w**2)) / sw
        tr_pp = float(np.sum(w**2)) - 2 * float(np.sum(w**3)) / sw + (float(np.sum(w**2)) / sw) ** 2
        step = (float(np.sum(py**2)) - tr_p) / tr_pp
        new = tau2 + step
        while new < 0:
            step /= 2
            new = tau2 + step
            if abs(step) < _REML_TOL:
                new = 0.0
                break
        if abs(new - tau2) < _REML_TOL:
            return new
        tau2 = new
    return _tau2_reml_bounded(y, vi)  # pragma: no cover - scoring converges on real data


def _reml_loglik(tau2: float, y: np.ndarray, vi: np.ndarray) -> float:
    w = 1.0 / (vi + tau2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw)
    return -0.5 * (
        float(np.sum(np.log(vi + tau2))) + math.log(sw) + float(np.sum(w * (y - mu) ** 2))
    )


def _tau2_reml_bounded(y: np.ndarray, vi: np.ndarray) -> float:  # pragma: no cover
    from scipy import optimize

    upper = max(10.0 * float(np.var(y)), 10.0 * float(np.max(vi)), 1e-8)
    found = optimize.minimize_scalar(
        lambda t: -_reml_loglik(t, y, vi), bounds=(0.0, upper), method="bounded"
    )
    return float(found.x)


def random_effects(
    estimates: Sequence[float],
    variances: Sequence[float],
    method: Method = "REML",
    alpha: float = 0.05,
) -> PooledResult:
    """Pool estimates by a random-effects (or fixed-effect) inverse-variance model.

    Methods:

    * ``"REML"`` (default): tau2 by restricted maximum likelihood (Viechtbauer 2005; the
      default of metafor's ``rma``). Recommended when there are few studies, as in local
      crime-prevention evaluations.
    * ``"DL"``: DerSimonian, R. & Laird, N. (1986). "Meta-analysis in clinical trials".
      *Controlled Clinical Trials* 7(3):177-188. Method-of-moments tau2 from Cochran's Q.
    * ``"fixed"``: inverse-variance fixed-effect model (tau2 = 0).

    The pooled estimate is ``sum(w_i y_i) / sum(w_i)`` with ``w_i = 1 / (v_i + tau2)``, its
    standard error ``1 / sqrt(sum(w_i))`` and a Wald (normal) interval. Heterogeneity:
    Cochran's ``Q = sum((y_i - mu_FE)^2 / v_i)``; ``I2 = 100 * tau2 / (tau2 + s2)`` with the
    "typical" within-study variance ``s2 = (k - 1) sum(w) / ((sum w)^2 - sum(w^2))``
    (Higgins, J. P. T. & Thompson, S. G. (2002). "Quantifying heterogeneity in a
    meta-analysis". *Statistics in Medicine* 21(11):1539-1558); for DL this equals
    ``(Q - (k - 1)) / Q``; for the fixed-effect model ``I2 = max(0, (Q - df) / Q)``.

    Args:
        estimates: one estimate per study on an additive scale (e.g. log rate ratios).
        variances: their sampling variances (all > 0).
        method: "REML", "DL" or "fixed".
        alpha: the interval has level ``1 - alpha``.
    """
    from scipy import stats

    if method not in ("REML", "DL", "fixed"):
        raise ValueError("method must be 'REML', 'DL' or 'fixed'")
    level = v.alpha(alpha)
    y, vi = _arrays(estimates, variances)
    k = len(y)
    q = _cochran_q(y, vi)
    df = k - 1
    if method == "fixed":
        tau2 = 0.0
    elif method == "DL":
        tau2 = _tau2_dl(y, vi, q)
    else:
        tau2 = _tau2_reml(y, vi, start=_tau2_dl(y, vi, q))
    w = 1.0 / (vi + tau2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw)
    se = 1.0 / math.sqrt(sw)
    crit = float(stats.norm.ppf(1 - level / 2))
    z = mu / se
    p_value = float(2 * stats.norm.sf(abs(z)))
    w_fe = 1.0 / vi
    if method == "fixed":
        i2 = 0.0 if q <= 0 or df == 0 else max(0.0, 100.0 * (q - df) / q)
    else:
        denominator = float(np.sum(w_fe)) ** 2 - float(np.sum(w_fe**2))
        s2 = df * float(np.sum(w_fe)) / denominator if denominator > 0 else 0.0
        i2 = 100.0 * tau2 / (tau2 + s2) if tau2 + s2 > 0 else 0.0
    q_p = float(stats.chi2.sf(q, df)) if df > 0 else 1.0
    return PooledResult(
        estimate=mu,
        se=se,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        z=z,
        p_value=p_value,
        tau2=tau2,
        i2=i2,
        q=q,
        q_p=q_p,
        k=k,
        method=method,
        alpha=level,
    )


def log_rate_ratio(treated: Sequence[float], control: Sequence[float]) -> tuple[float, float]:
    """One before/after × treated/control evaluation as ``(log rate ratio, variance)``.

    The figures are those of :func:`samverkan.analysis.evaluation.rate_ratio` (the effect
    follow-up's incidence rate ratio): ``log((T_a/T_b) / (C_a/C_b))`` with variance
    ``1/T_b + 1/T_a + 1/C_b + 1/C_a``. All four counts must be above zero.
    """
    from .evaluation import rate_ratio

    result = rate_ratio(treated, control)
    return math.log(result.ratio), result.se_log**2
