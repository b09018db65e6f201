"""Tests of the random-effects pooling against published worked examples."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from samverkan.analysis import pooling
from samverkan.analysis.evaluation import rate_ratio
from samverkan.analysis.pooling import log_rate_ratio, random_effects

# dat.bcg (Colditz et al. 1994, JAMA 271:698-702): tpos, tneg, cpos, cneg per trial.
BCG = [
    (4, 119, 11, 128),
    (6, 300, 29, 274),
    (3, 228, 11, 209),
    (62, 13536, 248, 12619),
    (33, 5036, 47, 5761),
    (180, 1361, 372, 1079),
    (8, 2537, 10, 619),
    (505, 87886, 499, 87892),
    (29, 7470, 45, 7232),
    (17, 1699, 65, 1600),
    (186, 50448, 141, 27197),
    (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]


def _bcg_log_rr() -> tuple[list[float], list[float]]:
    """Log risk ratios and variances as metafor's escalc(measure="RR") computes them."""
    y = [math.log((a / (a + b)) / (c / (c + d))) for a, b, c, d in BCG]
    v = [1 / a - 1 / (a + b) + 1 / c - 1 / (c + d) for a, b, c, d in BCG]
    return y, v


def test_bcg_reml_matches_metafor() -> None:
    """metafor rma(yi, vi) on dat.bcg log risk ratios, printed output (REML):
    tau^2 0.3132, I^2 92.22 %, Q(df = 12) 152.2330, estimate -0.7145, se 0.1798,
    ci -1.0669 to -0.3622. Printed in the metafor-based documentation of the RoBMA package
    (vignette comparing brma() with metafor::rma(), fbartos.github.io/RoBMA) and of the
    metafor reference page https://wviechtb.github.io/metafor/reference/rma.uni.html example.
    """
    y, v = _bcg_log_rr()
    r = random_effects(y, v)
    assert r.method == "REML"
    assert r.k == 13
    assert round(r.tau2, 4) == 0.3132
    assert round(r.i2, 2) == 92.22
    assert round(r.q, 4) == 152.2330
    assert round(r.estimate, 4) == -0.7145
    assert round(r.se, 4) == 0.1798
    assert round(r.ci_low, 4) == -1.0669
    assert round(r.ci_high, 4) == -0.3622
    assert round(r.z, 4) == -3.9744


def test_bcg_dl_and_fixed_match_stata_metan() -> None:
    """metafor's test file tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r checks
    rma() against Stata's metan on dat.bcg (measure RR): DL estimate -0.7141, ci -1.0644 to
    -0.3638, z -3.9952, tau^2 0.3088, I^2 92.1173; fixed effect -0.4303, ci -0.5097 to
    -0.3509, z -10.6247, Q 152.2330.
    """
    y, v = _bcg_log_rr()
    dl = random_effects(y, v, method="DL")
    assert round(dl.estimate, 4) == -0.7141
    assert round(dl.ci_low, 4) == -1.0644
    assert round(dl.ci_high, 4) == -0.3638
    assert round(dl.z, 4) == -3.9952
    assert round(dl.tau2, 4) == 0.3088
    assert round(dl.i2, 4) == 92.1173
    fe = random_effects(y, v, method="fixed")
    assert fe.tau2 == 0
    assert round(fe.estimate, 4) == -0.4303
    assert round(fe.ci_low, 4) == -0.5097
    assert round(fe.ci_high, 4) == -0.3509
    assert round(fe.z, 4) == -10.6247
    assert round(fe.q, 4) == 152.2330


# Normand (1999) Table VIII: length of hospital stay, specialist vs routine stroke care.
N1 = [155, 31, 75, 18, 8, 57, 34, 110, 60]
M1 = [55, 27, 64, 66, 14, 19, 52, 21, 30]
S1 = [47, 7, 17, 20, 8, 7, 45, 16, 27]
N2 = [156, 32, 71, 18, 13, 52, 33, 183, 52]
M2 = [75, 29, 119, 137, 18, 18, 41, 31, 23]
S2 = [64, 4, 29, 48, 11, 4, 34, 27, 20]


def test_normand_1999_table_ix() -> None:
    """Normand, S.-L. T. (1999). "Meta-analysis: formulating, evaluating, combining, and
    reporting". Statistics in Medicine 18:321-359, Table IX (p. 352): mean differences with a
    pooled SD; fixed -3.49 (-5.03, -1.96); DL -14.10 (-24.45, -3.75), tau^2 218.72;
    REML -15.12 (-32.67, 2.43), tau^2 685.20. The same figures are checked in metafor's
    tests/testthat/test_analysis_example_normand1999.r (data: dat.normand1999).
    """
    y = [a - b for a, b in zip(M1, M2, strict=True)]
    v = [
        (((a - 1) * s**2 + (b - 1) * t**2) / (a + b - 2)) * (1 / a + 1 / b)
        for a, b, s, t in zip(N1, N2, S1, S2, strict=True)
    ]
    assert [round(x, 2) for x in v] == [40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69]
    fe = random_effects(y, v, method="fixed")
    assert (round(fe.estimate, 2), round(fe.ci_low, 2), round(fe.ci_high, 2)) == (
        -3.49,
        -5.03,
        -1.96,
    )
    dl = random_effects(y, v, method="DL")
    assert (round(dl.estimate, 2), round(dl.ci_low, 2), round(dl.ci_high, 2)) == (
        -14.10,
        -24.45,
        -3.75,
    )
    assert round(dl.tau2, 2) == 218.72
    reml = random_effects(y, v, method="REML")
    assert (round(reml.estimate, 2), round(reml.ci_low, 2), round(reml.ci_high, 2)) == (
        -15.12,
        -32.67,
        2.43,
    )
    assert round(reml.tau2, 2) == 685.20


def test_homogeneous_studies_give_zero_tau2() -> None:
    r = random_effects([0.1, 0.1, 0.1], [0.04, 0.05, 0.06])
    assert r.tau2 == 0
    assert r.i2 == 0
    assert r.q == pytest.approx(0)
    fe = random_effects([0.1, 0.1, 0.1], [0.04, 0.05, 0.06], method="fixed")
    assert r.estimate == pytest.approx(fe.estimate)
    assert r.se == pytest.approx(fe.se)


def test_single_study_is_itself() -> None:
    r = random_effects([-0.3], [0.04])
    assert r.k == 1
    assert r.estimate == pytest.approx(-0.3)
    assert r.se == pytest.approx(0.2)
    assert r.tau2 == 0
    assert r.q_p == 1.0


@pytest.mark.parametrize(
    ("estimates", "variances", "method"),
    [
        ([], [], "REML"),
        ([0.1], [0.1, 0.2], "REML"),
        ([0.1], [0.0], "REML"),
        ([float("nan")], [0.1], "REML"),
        ([0.1], [0.1], "ML"),
    ],
)
def test_bad_input_is_refused(estimates: list[float], variances: list[float], method: str) -> None:
    with pytest.raises(ValueError):
        random_effects(estimates, variances, method=method)  # type: ignore[arg-type]


def test_log_rate_ratio_reuses_the_follow_up_rate_ratio() -> None:
    y, var = log_rate_ratio((40, 20), (50, 45))
    rr = rate_ratio((40, 20), (50, 45))
    assert y == pytest.approx(math.log(rr.ratio))
    assert var == pytest.approx(rr.se_log**2)
    assert var == pytest.approx(1 / 40 + 1 / 20 + 1 / 50 + 1 / 45)


def test_module_does_not_import_scipy_at_import_time() -> None:
    """scipy is imported inside the functions, so the module adds nothing to start-up."""
    tree = ast.parse(Path(pooling.__file__).read_text(encoding="utf-8"))
    top_level = [
        node
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any(
            "scipy" in (getattr(node, "module", "") or "") or "scipy" in a.name for a in node.names
        )
    ]
    assert top_level == []
