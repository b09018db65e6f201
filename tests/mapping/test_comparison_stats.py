"""Rates per 100 000 against comparison municipalities, same-period change and trends.

Every expected value is computed by hand in the comments (see comparison_data.py).
"""

from __future__ import annotations

import pytest

from samverkan.mapping import stats
from samverkan.mapping.models import ComparisonMunicipalities, CrimeStatistic, KeyFigure
from tests.mapping.comparison_data import LUND, OWN, UPPSALA, VAXJO, add, build, make_own


def test_latest_year_compares_own_rate_with_each_municipality_and_the_mean(world):
    party = world.ours.kommun
    build(party)
    result = stats.comparison(party)
    latest = result.latest
    assert latest.year == 2024 and latest.source == "statistics"
    assert (latest.own.name, latest.own.count, latest.own.population) == (
        "Kristianstad",
        800,
        80_000,
    )
    assert latest.own.rate == pytest.approx(1000.0)  # 800 / 80 000 × 100 000
    rates = {u.name: u.rate for u in latest.others}
    assert rates["Lund"] == pytest.approx(800.0)  # 1 000 / 125 000 (population on the rows)
    assert rates["Uppsala"] == pytest.approx(900.0)  # 2 250 / 250 000 (population table)
    dev = latest.deviation
    assert dev.comparison_mean == pytest.approx(850.0)
    assert dev.difference == pytest.approx(150.0)
    assert dev.percent_difference == pytest.approx(17.647, abs=0.001)  # 150 / 850
    assert dev.comparison_sd == pytest.approx(70.711, abs=0.001)  # sd(800, 900), n - 1
    assert dev.z == pytest.approx(2.121, abs=0.001)  # 150 / 70.711
    assert dev.n_comparison == 2


def test_missing_population_gives_no_rate_and_says_so(world):
    party = world.ours.kommun
    build(party)
    vaxjo = next(u for u in stats.comparison(party).latest.others if u.code == VAXJO)
    assert vaxjo.rate is None and vaxjo.count == 800
    assert vaxjo.missing == "befolkning saknas för 2024 i Växjö"


def test_each_figure_names_its_source(world):
    party = world.ours.kommun
    build(party)
    latest = stats.comparison(party).latest
    sources = {u.name: u.source for u in latest.units}
    assert sources["Kristianstad"] == "brottsstatistik och befolkning (partens importer)"
    assert sources["Lund"] == "brottsstatistik med befolkning ur samma fil"
    assert sources["Växjö"] == ""


def test_municipality_lacking_an_offence_is_not_compared_on_a_smaller_total(world):
    party = world.ours.kommun
    build(party)
    CrimeStatistic.objects.filter(
        party=party, municipality_code=LUND, offence="Skadegörelse"
    ).delete()
    lund = next(u for u in stats.comparison(party).latest.others if u.code == LUND)
    assert lund.rate is None
    assert "1 av brotten" in lund.missing and "Skadegörelse" in lund.missing


def test_part_of_a_year_is_no_yearly_rate(world):
    party = world.ours.kommun
    build(party)
    CrimeStatistic.objects.filter(party=party, municipality_code=LUND, year=2024).delete()
    add(party, LUND, 2024, 100, 150, population=125_000, quarter=1)
    lund = next(u for u in stats.comparison(party).latest.others if u.code == LUND)
    assert lund.rate is None
    assert lund.missing == "bara januari–mars 2024 finns för Lund, inte hela året"


def test_rates_per_offence_group_use_the_same_offences(world):
    party = world.ours.kommun
    build(party)
    groups = {c.group: c for c in stats.comparison(party).categories}
    violence = groups["Brott mot liv och hälsa"]
    assert violence.own.rate == pytest.approx(375.0)  # 300 / 80 000
    assert [u.rate for u in violence.compared] == pytest.approx([320.0, 300.0])  # Lund, Uppsala
    assert violence.deviation.percent_difference == pytest.approx(20.968, abs=0.001)  # 65 / 310
    damage = groups["Skadegörelse"]
    assert damage.own.rate == pytest.approx(625.0)  # 500 / 80 000
    assert damage.deviation.comparison_mean == pytest.approx(540.0)  # (480 + 600) / 2


def test_trend_is_the_yearly_slope_over_three_years(world):
    party = world.ours.kommun
    build(party, codes=(LUND, UPPSALA))
    result = stats.comparison(party)
    assert [c.year for c in result.by_year] == [2022, 2023, 2024]
    assert [c.own.rate for c in result.by_year] == pytest.approx([875.0, 950.0, 1000.0])
    assert result.own_trend.slope == pytest.approx(62.5)  # (1 000 - 875) / 2
    # means 800, 825, 850 (Lund 800 each year; Uppsala 800, 850, 900)
    assert result.mean_trend.slope == pytest.approx(25.0)


def test_mean_trend_needs_every_municipality_every_year(world):
    party = world.ours.kommun
    build(party)  # Växjö has no rate in any year
    result = stats.comparison(party)
    assert result.own_trend is not None and result.mean_trend is None


def test_other_municipalities_rows_stay_out_of_the_own_figures(world):
    party = world.ours.kommun
    build(party)
    trend = stats.category_trend(party)
    assert sum(trend.totals_by_year[2024].values()) == 800  # Kristianstad only
    assert [r.rate for r in stats.rates_by_year(party)] == pytest.approx([875.0, 950.0, 1000.0])
    assert stats.rate_trend(stats.rates_by_year(party)).slope == pytest.approx(62.5)


def test_without_own_code_the_chosen_municipalities_are_still_left_out(world):
    party = world.ours.kommun
    build(party)
    make_own(party, "")
    CrimeStatistic.objects.filter(party=party, municipality_code=OWN).update(
        municipality_code="", area="Testkommun"
    )
    trend = stats.category_trend(party)
    assert sum(trend.totals_by_year[2024].values()) == 800


def test_kolada_total_is_used_for_everyone_when_the_own_municipality_has_it(world):
    party = world.ours.kommun
    build(party)
    for code, value in ((OWN, 9800.0), (LUND, 8000.0), (UPPSALA, 9500.0)):
        KeyFigure.objects.create(
            party=party, kpi="N07540", municipality_code=code, year=2024, gender="T", value=value
        )
    latest = stats.comparison(party).latest
    assert latest.source == "kolada"
    assert latest.own.rate == 9800.0 and "N07540" in latest.own.source
    assert latest.deviation.comparison_mean == pytest.approx(8750.0)
    assert latest.deviation.percent_difference == pytest.approx(12.0)  # 1 050 / 8 750
    vaxjo = next(u for u in latest.others if u.code == VAXJO)
    assert vaxjo.rate is None and vaxjo.missing == "Koladas nyckeltal N07540 saknas för Växjö 2024"
    # the years before still come from the statistics, and say so
    assert stats.comparison(party).by_year[0].source == "statistics"


def test_no_chosen_municipalities_means_no_comparison(world):
    party = world.ours.kommun
    build(party)
    ComparisonMunicipalities.objects.filter(party=party).delete()
    result = stats.comparison(party)
    assert result.codes == [] and result.latest is None


def test_year_on_year_change_compares_the_same_quarters(world):
    party = world.ours.kommun
    make_own(party)
    CrimeStatistic.objects.filter(party=party).delete()
    for quarter, n in ((1, 10), (2, 20), (3, 30), (4, 40)):
        add(party, OWN, 2023, n, None, quarter=quarter)
    for quarter, n in ((1, 15), (2, 25)):
        add(party, OWN, 2024, n, None, quarter=quarter)
    (change,) = stats.category_changes(party)
    assert (change.previous, change.current) == (30, 40)  # Q1 + Q2 both years, not 100 vs 40
    assert change.percent == pytest.approx(33.333, abs=0.001)
    assert change.period == "januari–juni"


def test_year_on_year_change_compares_months_with_the_quarters_they_fall_in(world):
    party = world.ours.kommun
    make_own(party)
    CrimeStatistic.objects.filter(party=party).delete()
    for month in range(1, 13):
        add(party, OWN, 2023, 10, None, month=month)
    add(party, OWN, 2024, 36, None, quarter=1)
    (change,) = stats.category_changes(party)
    assert (change.previous, change.current, change.period) == (30, 36, "januari–mars")


def test_category_trend_slope_skips_an_unfinished_year(world):
    party = world.ours.kommun
    make_own(party)
    CrimeStatistic.objects.filter(party=party).delete()
    for year, n in ((2021, 100), (2022, 110), (2023, 130)):
        add(party, OWN, year, n, None)
    add(party, OWN, 2024, 20, None, month=1)
    trend = stats.category_trend(party)
    assert trend.complete_years == (2021, 2022, 2023)
    assert trend.slopes()["Brott mot liv och hälsa"].slope == pytest.approx(15.0)  # (130-100)/2


def test_conflicting_populations_on_the_rows_give_no_rate(world):
    party = world.ours.kommun
    build(party)
    CrimeStatistic.objects.filter(
        party=party, municipality_code=LUND, year=2024, offence="Skadegörelse"
    ).update(population=126_000)
    lund = next(u for u in stats.comparison(party).latest.others if u.code == LUND)
    assert lund.rate is None
    assert lund.missing == "olika befolkningstal för Lund 2024 i brottsstatistiken"
