"""The one chart engine (samverkan.charts): every chart is valid SVG with a title and a
description, its numbers read as the tables write them, no text covers another, its axis
covers the data, and lines on very different levels get a scale where none lies flat."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan import charts
from samverkan.charts import labels, metrics, raster, scales
from samverkan.lib import numbers
from tests.charts.svgtext import SVG, outside, overlapping, root, texts

# A number as lib.numbers writes it: groups of three after a no-break space, a decimal
# comma, a true minus sign, the unit after a no-break space. Never a plain space or "-".
SWEDISH = re.compile(r"^−?\d{1,3}(\u00a0\d{3})*(,\d+)?(\u00a0\S+)?$")

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖEKS", min_size=1, max_size=18)
names = st.lists(words, min_size=1, max_size=6).map(" ".join)
counts = st.one_of(st.none(), st.integers(0, 2_000_000))
shares = st.one_of(st.none(), st.integers(0, 1000).map(lambda v: v / 10))


@st.composite
def line_data(draw):
    start = draw(st.integers(1995, 2025))
    years = list(range(start, start + draw(st.integers(1, 14))))
    unit, values = draw(st.sampled_from([("", counts), ("%", shares)]))
    series = draw(
        st.lists(
            st.tuples(names, st.lists(values, min_size=len(years), max_size=len(years))),
            min_size=1,
            max_size=6,
        )
    )
    return years, series, unit


def _check_svg(svg: str) -> ET.Element:
    """Valid XML; an image named by its title and described by its description."""
    element = root(svg)
    assert element.tag == f"{SVG}svg" and element.attrib["role"] == "img"
    title, desc = element[0], element[1]
    assert title.tag == f"{SVG}title" and title.text
    assert desc.tag == f"{SVG}desc" and desc.text
    assert element.attrib["aria-labelledby"] == title.attrib["id"]
    assert element.attrib["aria-describedby"] == desc.attrib["id"]
    return element


def _check_texts(drawing: charts.Drawing) -> None:
    assert overlapping(drawing.svg) == []
    assert outside(drawing.svg) == []
    # The engine's own account of its texts is what the SVG holds.
    assert [t.text for t in drawing.texts] == [t.text for t in texts(drawing.svg)]


@settings(max_examples=40, deadline=None)
@given(line_data())
def test_any_line_chart_is_valid_readable_and_covers_its_data(data):
    years, series, unit = data
    drawing = charts.line_chart(
        years,
        series,
        title="Titel",
        desc=charts.line_alt(years, series, caption="Titel"),
        axis_label="Anmälda brott",
        unit=unit,
    )
    _check_svg(drawing.svg)
    _check_texts(drawing)
    year_labels = {str(y) for y in years}
    ticks = [t.text for t in drawing.texts if t.role == "tick" and t.text not in year_labels]
    assert ticks and all(SWEDISH.match(t) for t in ticks), ticks
    if unit:
        assert all(t.endswith("\u00a0%") for t in ticks)
    # Each axis covers its data: one for all lines, or one a panel.
    rows = [[v for v in values if v is not None] for _name, values in series]
    if drawing.layout == scales.PANELS:
        assert len(drawing.scales) == len(series)
        pairs = list(zip(drawing.scales, rows, strict=True))
    else:
        (scale,) = drawing.scales
        pairs = [(scale, row) for row in rows]
    for scale, row in pairs:
        assert all(scale.covers(v) for v in row)
        assert all(scale.low <= t <= scale.high for t in scale.ticks)
        assert len({scale.label(t) for t in scale.ticks}) == len(scale.ticks)  # no tick twice
    if drawing.layout == scales.LINEAR:
        # No line lies flat along the bottom: each one's peak reaches a tenth of the height.
        (scale,) = drawing.scales
        for row in rows:
            if row and max(row) > 0:
                assert scale.fraction(max(row)) >= 0.1
    # Every line with a value is named (beside its end or in the legend).
    named = [t for t in drawing.texts if t.role == "label"]
    assert len(named) >= sum(1 for row in rows if row)


@st.composite
def bar_data(draw):
    count = draw(st.integers(1, 12))
    unit, values = draw(st.sampled_from([("", counts), ("%", shares), ("kr", counts)]))
    bar_values = draw(st.lists(values, min_size=count, max_size=count))
    if all(v is None for v in bar_values):
        bar_values[0] = 0
    return (
        draw(st.lists(names, min_size=count, max_size=count)),
        bar_values,
        unit,
        draw(st.booleans()),
        draw(st.one_of(st.none(), st.integers(0, count - 1))),
        draw(st.one_of(st.none(), st.integers(0, 2_000_000))),
    )


@settings(max_examples=40, deadline=None)
@given(bar_data())
def test_any_bar_chart_writes_every_value_as_the_tables_do(data):
    bar_names, values, unit, horizontal, highlight, reference = data
    drawing = charts.bar_chart(
        bar_names,
        values,
        title="Titel",
        desc="Beskrivning",
        axis_label="Antal",
        unit=unit,
        horizontal=horizontal,
        highlight=highlight,
        reference=reference,
        reference_label="snitt",
        missing_label="uppgift saknas",
    )
    _check_svg(drawing.svg)
    _check_texts(drawing)
    written = [t.text for t in drawing.texts if t.role == "value"]
    assert written == [
        "uppgift saknas" if v is None else numbers.with_unit(v, unit) for v in values
    ]
    assert all(SWEDISH.match(t) for t in written if t != "uppgift saknas")
    ticks = [t.text for t in drawing.texts if t.role == "tick"]
    assert ticks and all(SWEDISH.match(t) for t in ticks)
    (scale,) = drawing.scales
    assert all(scale.covers(v) for v in values if v is not None)
    if reference is not None:
        assert scale.covers(reference)
        assert f"snitt {numbers.with_unit(reference, unit)}" in [t.text for t in drawing.texts]


def test_lines_on_one_level_share_a_linear_axis_ticked_like_the_tables():
    years = [2006, 2007, 2008, 2009]
    drawing = charts.line_chart(
        years,
        [("Stöld", [1746, 1700, 1650, 1600]), ("Skadegörelse", [650, 620, 630, 641])],
        title="t",
        desc="d",
        axis_label="Anmälda brott",
    )
    assert drawing.layout == scales.LINEAR
    ticks = [t.text for t in drawing.texts if t.role == "tick" and t.text not in map(str, years)]
    assert ticks == ["0", "500", "1\u00a0000", "1\u00a0500", "2\u00a0000"]
    assert "1750" not in drawing.svg and "logaritmisk" not in drawing.svg


def test_one_category_dwarfing_the_rest_gets_a_logarithmic_axis():
    years = [2006, 2007, 2008, 2009]
    series = [
        ("Stöld, rån och andra tillgreppsbrott", [1746, 1692, 1630, 1601]),
        ("Skadegörelse", [650, 621, 635, 641]),
        ("Brott mot liv och hälsa", [200, 210, 219, 241]),
    ]
    assert scales.choose([v for _n, v in series]) == scales.LOG
    drawing = charts.line_chart(years, series, title="t", desc="d", axis_label="Anmälda brott")
    assert drawing.layout == scales.LOG and drawing.scales[0].log
    assert "Anmälda brott (logaritmisk skala)" in [t.text for t in drawing.texts]
    ticks = [t.text for t in drawing.texts if t.role == "tick" and t.text not in map(str, years)]
    assert ticks == ["200", "500", "1\u00a0000", "2\u00a0000"]
    # On the log axis the smallest line sits well above the bottom.
    assert drawing.scales[0].fraction(200) > 0.05


def test_a_dwarfed_line_with_zeros_gets_a_panel_of_its_own():
    years = [2008, 2009, 2010]
    series = [("Stöld", [1746, 1700, 1650]), ("Rån", [0, 3, 2]), ("Klotter", [40, 0, 60])]
    assert scales.choose([v for _n, v in series]) == scales.PANELS
    drawing = charts.line_chart(years, series, title="t", desc="d", axis_label="Anmälda brott")
    assert drawing.layout == scales.PANELS
    assert "Anmälda brott (varje delfigur har sin egen skala)" in [t.text for t in drawing.texts]
    # Each panel's axis is made for its own line: the small ones fill their height.
    for scale, (_name, values) in zip(drawing.scales, series, strict=True):
        assert scale.fraction(max(values)) >= 0.5
    assert [t.text for t in drawing.texts if t.role == "label"] == ["Stöld", "Rån", "Klotter"]


@pytest.mark.parametrize(
    ("peaks", "layout"),
    [
        ([100, 21], scales.LINEAR),  # under five times: one linear axis
        ([100, 20], scales.LOG),  # five times
        ([100_000, 101], scales.LOG),
        ([100_000, 100], scales.PANELS),  # a thousand times: too wide for a log axis
        ([100, 0], scales.PANELS),  # a zero has no logarithm
        ([100], scales.LINEAR),
    ],
)
def test_the_scale_is_chosen_by_how_far_apart_the_lines_lie(peaks, layout):
    assert scales.choose([[p, p] for p in peaks]) == layout


def test_labels_of_lines_ending_close_together_are_moved_apart_in_order():
    years = [2020, 2021]
    series = [("A", [240, 241]), ("B", [242, 243]), ("C", [239, 240]), ("D", [10, 238])]
    drawing = charts.line_chart(years, series, title="t", desc="d", axis_label="n")
    placed = {t.text: t.box for t in drawing.texts if t.role == "label"}
    assert set(placed) == {"A", "B", "C", "D"}
    order = sorted(placed, key=lambda name: placed[name].y0)
    assert order == ["B", "A", "C", "D"]  # top to bottom as the lines end
    assert overlapping(drawing.svg) == []


def test_names_that_cannot_fit_beside_the_lines_go_to_a_legend():
    years = [2020, 2021, 2022]
    long = "Brott mot person med ett mycket långt namn som bryts på flera rader"
    series = [(f"{long} {i}", [100 + i, 101 + i, 102 + i]) for i in range(6)]
    drawing = charts.line_chart(years, series, title="t", desc="d", axis_label="n")
    plot_bottom = max(t.box.y1 for t in drawing.texts if t.text == "2022")
    legend = [t for t in drawing.texts if t.role == "label"]
    assert len(legend) == 6 and all(t.box.y0 > plot_bottom for t in legend)
    assert overlapping(drawing.svg) == [] and outside(drawing.svg) == []


def test_upright_bars_lie_down_when_their_names_do_not_fit():
    short = charts.bar_chart(
        ["Mån", "Tis"], [3, 4], title="t", desc="d", axis_label="n", horizontal=False
    )
    assert short.layout == "vertical"
    long = [f"Kommundel {c} med ett långt namn som inte får plats" for c in "ABCDEFGHIJ"]
    lying = charts.bar_chart(
        long, list(range(10)), title="t", desc="d", axis_label="n", horizontal=False
    )
    assert lying.layout == "horizontal"
    assert overlapping(lying.svg) == []


def test_texts_are_escaped_and_control_characters_dropped():
    drawing = charts.bar_chart(
        ["<b>A & B</b>", "styr\x01tecken"],
        [1, 2],
        title="x < y",
        desc="d & e",
        axis_label="$\\frac{$",
    )
    element = _check_svg(drawing.svg)
    assert element[0].text == "x < y"
    assert "<b>A & B</b>" in [t.text for t in texts(drawing.svg)]
    assert "\x01" not in drawing.svg and "$\\frac{$" in drawing.svg


def test_the_png_is_the_same_svg_painted():
    from io import BytesIO

    from PIL import Image

    drawing = charts.line_chart(
        [2008, 2009], [("A", [1, 2]), ("B", [2, 1])], title="t", desc="d", axis_label="n"
    )
    png = drawing.png(800)
    image = Image.open(BytesIO(png)).convert("RGB")
    assert image.width == 800
    assert abs(image.height - round(drawing.height * 800 / drawing.width)) <= 1
    colours = {colour for _count, colour in image.getcolors(800 * image.height)}

    def near(target):
        return any(sum(abs(a - b) for a, b in zip(c, target, strict=True)) < 30 for c in colours)

    assert near((0x0B, 0x4F, 0x7C)) and near((0xB3, 0x54, 0x1E))  # both lines' colours
    with pytest.raises(ValueError, match="image"):
        raster.to_png(drawing.svg.replace("</svg>", '<image href="x.png"/></svg>'))


def test_dashes_draw_their_share_of_the_line():
    pieces = raster._dashes([(0, 0), (100, 0)], [6, 4])
    drawn = sum(piece[-1][0] - piece[0][0] for piece in pieces)
    assert len(pieces) == 10 and drawn == pytest.approx(60)


def test_font_widths_are_those_of_the_document_font_files():
    from pathlib import Path

    generated = Path(metrics.__file__).with_name("_widths.py").read_text()
    assert generated == metrics.generate(), "run python -m samverkan.charts.metrics"
    assert metrics.text_width("1\u00a0746", 10) == pytest.approx(
        (1303 * 3 + 651 + 1303) / 2048 * 10
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 300), st.floats(5, 40)), min_size=1, max_size=8),
)
def test_spread_labels_keep_their_order_apart_and_inside(wanted):
    centres = labels.spread([w for w, _h in wanted], [h for _w, h in wanted], 0, 300)
    if centres is None:
        assert sum(h for _w, h in wanted) + 4 * (len(wanted) - 1) > 300
        return
    spans = sorted(((c - h / 2, c + h / 2, w) for c, (w, h) in zip(centres, wanted, strict=True)))
    assert spans[0][0] >= -1e-6 and spans[-1][1] <= 300 + 1e-6
    for (_t0, b0, w0), (t1, _b1, w1) in zip(spans, spans[1:], strict=False):
        assert t1 >= b0 + 4 - 1e-6 and w0 <= w1 + 1e-9


@settings(max_examples=60, deadline=None)
@given(names, st.floats(40, 300))
def test_wrapped_lines_fit_their_width(text, width):
    lines = labels.wrap(text, width, 11)
    assert 1 <= len(lines) <= 3
    assert all(metrics.text_width(line, 11) <= width + 1e-6 or len(line) == 1 for line in lines)
    if metrics.text_width(text, 11) <= width:
        assert lines == [text]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e7, 1e7, allow_nan=False), min_size=1, max_size=20), st.booleans())
def test_linear_axes_cover_their_values_at_round_steps(values, integer):
    if integer:
        values = [round(v) for v in values]
    scale = scales.linear(values, integer=integer)
    assert all(scale.covers(v) for v in values) and scale.covers(0)
    steps = {round(b - a, 9) for a, b in zip(scale.ticks, scale.ticks[1:], strict=False)}
    assert len(steps) == 1 and len(scale.ticks) <= 6
    (step,) = steps
    mantissa = step / 10 ** len(str(int(step))) if step >= 1 else None
    assert mantissa is None or round(mantissa * 10, 6) in (1, 2, 2.5, 5)
    assert len({scale.label(t) for t in scale.ticks}) == len(scale.ticks)
