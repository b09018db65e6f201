"""The statistics page's charts come from the one chart engine: labels stay readable (no
two overlap, long names are not cut off), numbers read as the tables write them, and each
chart is an image with a title and a description written from its data."""

from samverkan.mapping.charts import heatmap, rate_bars, trend_chart
from tests.charts.svgtext import outside, overlapping, root, texts


def test_trend_chart_labels_of_lines_ending_close_together_do_not_overlap():
    svg = trend_chart("t", [2020, 2021], [("A", [240, 241]), ("B", [242, 243]), ("C", [239, 240])])
    names = [t for t in texts(svg) if t.text in "ABC"]
    assert len(names) == 3
    assert overlapping(svg) == [] and outside(svg) == []


def test_trend_chart_is_described_from_its_data_with_axis_numbers_like_the_tables():
    svg = trend_chart(
        "Andel otrygga", [2008, 2010], [("Kommundel A", [12.5, 1746.0])], ident="survey-1"
    )
    element = root(svg)
    assert element.attrib["aria-labelledby"] == "survey-1-title"
    desc = element[1].text
    assert desc.startswith("Linjediagram: andel otrygga, 2008–2010")
    assert "ökade från 12,5 till 1\u00a0746" in desc
    assert "2\u00a0000" in [t.text for t in texts(svg)]


def test_rate_bars_leave_room_for_a_long_name():
    bars = [("Exempelkommun (er kommun)", 10_513.0, True), ("Nässjö", 9_708.0, False)]
    svg = rate_bars("t", bars, mean=10_195.4, mean_label="snitt")
    written = [t.text for t in texts(svg)]
    assert "Exempelkommun (er kommun)" in written  # whole, not cut
    assert "10\u00a0513" in written and "snitt 10\u00a0195" in written
    assert overlapping(svg) == [] and outside(svg) == []
    assert 'font-weight="bold">Exempelkommun (er kommun)<' in svg  # the own bar in bold


def test_rate_bars_write_a_missing_rate_out():
    svg = rate_bars("t", [("A", None, False), ("B", 3.0, True)], missing_label="uppgift saknas")
    assert "uppgift saknas" in [t.text for t in texts(svg)]


def test_heatmap_names_each_cell_and_says_the_busiest_day():
    matrix = [[0.0] * 24 for _ in range(7)]
    matrix[5][22] = 3.5
    svg = heatmap("Händelser per veckodag och timme", matrix)
    assert "Lördag 22:00–22:59: 3,5" in svg
    assert "på lördag" in root(svg)[1].text
    assert overlapping(svg) == [] and outside(svg) == []
