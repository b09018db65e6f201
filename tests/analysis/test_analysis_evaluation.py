"""Evaluation tests checked against published examples.

Sources of the expected numbers:
* Wheeler & Ratcliffe (2018), Crime Science 7:11, worked example, as encoded
  in the ptools R package tests (tests/testthat/test-wdd.R).
* Wheeler's blog posts on WDD with unequal time periods (2021-01-09), unequal
  area sizes (2021-02-23) and harm weights (2020-11-19), same ptools tests.
* Krishnamoorthy & Thomson (2004), JSPI 119:23-35, examples (p = 0.0884 and
  0.1749), as encoded in ptools tests/testthat/test-etest.R.
* Wheeler (2018-04-29 blog) "Testing changes in short run crime patterns:
  the Poisson e-test": 25 vs 16 robberies, z = 2, E-test p ~ 0.165.
"""

import math

import pytest

from samverkan.analysis.evaluation import (
    poisson_e_test,
    poisson_z,
    rate_ratio,
    wdd,
    wdd_harm,
    wdq,
)

PAPER = dict(
    control=(308, 318), treated=(207, 110), disp_control=(150, 140), disp_treated=(178, 157)
)


def test_wdd_reproduces_wheeler_ratcliffe_example():
    res = wdd(**PAPER, alpha=0.05)
    assert res.estimate == pytest.approx(-118)
    assert res.se == pytest.approx(math.sqrt(1568))
    assert round(res.z, 2) == -2.98
    assert round(res.ci_low) == -196
    assert round(res.ci_high) == -40
    assert res.estimate_local == pytest.approx(-107)
    assert res.estimate_displacement == pytest.approx(-11)
    assert res.p_value == pytest.approx(2 * 0.5 * math.erfc(2.97995 / math.sqrt(2)), rel=1e-4)


def test_wdd_simple_ptools_examples_give_minus_ten_and_minus_twenty():
    assert wdd((20, 20), (20, 10)).estimate_local == -10
    assert wdd((20, 20), (20, 20), (20, 20), (20, 10)).estimate_displacement == -10
    assert wdd((20, 20), (20, 10), (20, 20), (20, 10)).estimate == -20


def test_wdd_local_variance_is_the_sum_of_the_four_counts():
    res = wdd((20, 20), (20, 10))
    assert res.se_local == pytest.approx(math.sqrt(70))
    assert res.se_displacement == 0


def test_wdd_time_weights_reproduce_wheeler_blog_example():
    res = wdd((100, 50), (80, 20), time_weights=(2, 1))
    assert res.estimate == pytest.approx(-20)
    assert res.se == pytest.approx(math.sqrt(115))


def test_wdd_area_weights_reproduce_wheeler_blog_example():
    res = wdd(**PAPER, area_weights=(0.9, 1.2, 1.6, 1.5), alpha=0.05)
    assert res.estimate == pytest.approx(-99.69444444, rel=1e-8)
    assert res.se == pytest.approx(35.4280755, rel=1e-8)
    assert res.z == pytest.approx(-2.813995483, rel=1e-8)
    assert res.ci_low == pytest.approx(-169.1321965, rel=1e-8)
    assert res.ci_high == pytest.approx(-30.25669241, rel=1e-8)


def test_wdd_alpha_sets_the_confidence_level():
    wide = wdd((20, 20), (20, 10), alpha=0.05)
    narrow = wdd((20, 20), (20, 10), alpha=0.10)
    assert narrow.ci_low > wide.ci_low
    assert narrow.ci_high - narrow.ci_low == pytest.approx(2 * 1.6448536 * math.sqrt(70), rel=1e-6)


def test_wdd_rejects_negative_counts_and_bad_pairs():
    with pytest.raises(ValueError, match="negative"):
        wdd((20, -1), (20, 10))
    with pytest.raises(ValueError, match="two values"):
        wdd((20, 20, 20), (20, 10))
    with pytest.raises(ValueError, match="both"):
        wdd((20, 20), (20, 10), disp_control=(1, 1))
    with pytest.raises(ValueError, match="four"):
        wdd((20, 20), (20, 10), area_weights=(1, 2))
    with pytest.raises(ValueError, match="zero"):
        wdd((20, 20), (20, 10), time_weights=(0, 1))
    with pytest.raises(ValueError, match="undefined"):
        wdd((0, 0), (0, 0))


def test_wdd_harm_reproduces_wheeler_harm_weight_example():
    items = [
        ((133, 91), (130, 74), 3),
        ((388, 305), (327, 202), 2),
        ((148, 97), (398, 190), 5),
        ((86, 64), (144, 92), 7),
        ((94, 67), (183, 96), 10),
    ]
    res = wdd_harm(items, alpha=0.05)
    assert res.estimate == pytest.approx(-1721.0)
    assert res.se == pytest.approx(304.10360077, rel=1e-8)
    assert res.z == pytest.approx(-5.65925558, rel=1e-8)
    assert res.ci_low == pytest.approx(-2317.03210507, rel=1e-8)
    assert res.ci_high == pytest.approx(-1124.96789493, rel=1e-8)


def test_wdd_harm_needs_items():
    with pytest.raises(ValueError):
        wdd_harm([])


def test_e_test_reproduces_krishnamoorthy_thomson_examples():
    assert poisson_e_test(0, 3) == pytest.approx(0.0884, abs=5e-5)
    assert round(poisson_e_test(6, 2), 4) == 0.1749


def test_e_test_reproduces_wheeler_robbery_example():
    assert round(poisson_e_test(25, 16), 3) == 0.165


def test_e_test_matches_ptools_note_that_twenty_vs_ten_is_about_0_069():
    assert poisson_e_test(20, 10) == pytest.approx(0.069, abs=5e-4)


def test_e_test_is_symmetric_when_there_is_no_shift():
    assert poisson_e_test(6, 2) == pytest.approx(poisson_e_test(2, 6))


def test_e_test_with_exposures_matches_statsmodels_etest_wald():
    # Fixed values cross-checked with statsmodels 0.15
    # test_poisson_2indep(k1, n1, k2, n2, method="etest-wald").
    assert poisson_e_test(10, 20, 2, 3) == pytest.approx(0.4531030649143968, rel=1e-9)
    assert poisson_e_test(7, 2, 1.5, 1, alternative="greater") == pytest.approx(
        0.15341115223849247, rel=1e-9
    )
    assert poisson_e_test(3, 14, 1, 2.5, alternative="less") == pytest.approx(
        0.1695602520307303, rel=1e-9
    )


def test_e_test_one_sided_p_values_split_the_two_sided_one():
    two = poisson_e_test(25, 16)
    greater = poisson_e_test(25, 16, alternative="greater")
    assert greater == pytest.approx(two / 2, rel=1e-9)
    assert poisson_e_test(25, 16, alternative="less") > 0.5


def test_e_test_rejects_two_zero_counts_and_bad_arguments():
    with pytest.raises(ValueError, match="both counts are zero"):
        poisson_e_test(0, 0)
    with pytest.raises(ValueError, match="negative"):
        poisson_e_test(3, -2)
    with pytest.raises(ValueError, match="greater than zero"):
        poisson_e_test(3, 3, 1, 0)
    with pytest.raises(ValueError, match="alternative"):
        poisson_e_test(3, 3, alternative="bigger")  # type: ignore[arg-type]


def test_poisson_z_reproduces_wheeler_example_of_25_against_16():
    assert poisson_z(25, 16) == pytest.approx(2.0)
    assert poisson_z(16, 25) == pytest.approx(-2.0)
    with pytest.raises(ValueError):
        poisson_z(-1, 4)


def test_wdq_hand_computed_example_shows_diffusion_of_benefits():
    res = wdq(treated=(100, 60), control=(200, 250), buffer=(50, 55))
    assert res.success_measure == pytest.approx(60 / 250 - 100 / 200)  # -0.26
    assert res.buffer_measure == pytest.approx(55 / 250 - 50 / 200)  # -0.03
    assert res.wdq == pytest.approx(0.03 / 0.26)


def test_wdq_is_none_when_the_success_measure_is_zero():
    res = wdq(treated=(10, 10), control=(20, 20), buffer=(5, 8))
    assert res.wdq is None
    with pytest.raises(ValueError, match="control"):
        wdq(treated=(10, 10), control=(0, 20), buffer=(5, 8))


def test_rate_ratio_hand_computed_example():
    res = rate_ratio(treated=(100, 50), control=(80, 60))
    assert res.ratio == pytest.approx((50 / 100) / (60 / 80))
    se = math.sqrt(1 / 100 + 1 / 50 + 1 / 80 + 1 / 60)
    assert res.se_log == pytest.approx(se)
    assert res.ci_low == pytest.approx(math.exp(math.log(2 / 3) - 1.959963985 * se))
    assert res.ci_high == pytest.approx(math.exp(math.log(2 / 3) + 1.959963985 * se))


def test_rate_ratio_refuses_zero_counts():
    with pytest.raises(ValueError, match="above zero"):
        rate_ratio(treated=(0, 5), control=(10, 10))
