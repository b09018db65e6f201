"""The statistics page's tables each get a plain-Swedish reading written from their numbers:
what the table says, how sure that is, and what it cannot say."""

from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan.analysis.rates import linear_trend
from samverkan.analysis.table_reading import (
    read_category_trend,
    read_weekday_hour,
    read_year_on_year,
)


def _rows(series):
    years = [2020, 2021, 2022, 2023]
    return years, [(c, v, linear_trend(years, v)) for c, v in series]


def test_a_clear_rise_is_named_and_called_a_trend():
    years, rows = _rows([("Skadegörelsebrott", [100, 140, 180, 220]), ("Rån", [30, 31, 29, 30])])
    reading = read_category_trend(years, rows, span=(2020, 2023))
    assert "Sammanlagt 250 anmälda brott år 2023, mot 130 år 2020 (+92 %)" in reading.says
    assert "Störst kategori är skadegörelsebrott" in reading.says
    assert "Skadegörelsebrott ökade med i genomsnitt 40,0 per år (en tydlig trend" in reading.sure
    assert "4 hela år (2020–2023)" in reading.sure
    assert "inte all brottslighet" in reading.cannot


def test_without_three_whole_years_there_is_no_trend_to_read():
    years = [2022, 2023]
    reading = read_category_trend(years, [("Rån", [10, 12], None)], span=None)
    assert "minst tre hela år" in reading.sure
    incidents = read_category_trend(years, [("Rån", [10, 12], None)], source="incidents")
    assert "händelser år 2023" in incidents.says and "registrerat" in incidents.cannot
    assert read_category_trend([], []) is None


def test_year_on_year_tells_a_change_from_chance():
    clear = read_year_on_year([("Stöld", 400, 520), ("Rån", 10, 12)], 2022, 2023)
    assert "Mest ökade stöld (400 till 520)" in clear.says
    assert "större än slumpen brukar ge" in clear.sure
    assert "gäller det stöld;" in clear.sure
    assert "återgång mot medelvärdet" in clear.cannot
    noise = read_year_on_year([("Rån", 10, 13)], 2022, 2023, period="januari–juni")
    assert "januari–juni 2023" in noise.says
    assert "inom vad slumpen kan ge" in noise.sure and "Ingen kategori" in noise.sure
    assert read_year_on_year([], 2022, 2023) is None


def test_weekday_hour_names_the_peak_and_warns_about_few_incidents():
    matrix = [[0.0] * 24 for _ in range(7)]
    matrix[5][23] = 9  # Saturday 23–24
    matrix[0][8] = 3
    few = read_weekday_hour(matrix)
    assert "lördag kl. 23–00" in few.says and "Lördag är den vanligaste dagen" in few.says
    assert "fredags- och lördagsnätter" in few.says
    assert "enstaka händelser avgör" in few.sure
    many = read_weekday_hour([[10.0] * 24 for _ in range(7)])
    assert "stabilt nog" in many.sure
    assert read_weekday_hour([[0.0] * 24 for _ in range(7)]) is None


@settings(max_examples=40)
@given(
    st.lists(st.integers(min_value=0, max_value=3), min_size=168, max_size=168),
    st.floats(min_value=0.01, max_value=1e4),
)
def test_every_weekday_hour_table_with_incidents_gets_a_full_reading(cells, scale):
    matrix = [[scale * v for v in cells[d * 24 : (d + 1) * 24]] for d in range(7)]
    reading = read_weekday_hour(matrix)
    if sum(map(sum, matrix)) <= 0:
        assert reading is None
    else:
        assert all(reading.sentences()) and "kl." in reading.says
