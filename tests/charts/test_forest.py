"""The engine's forest plot: valid SVG with a title and a description written from the data,
every ratio and interval inside its logarithmic axis, a reference line at 1, no two texts
overlapping, row names cut to their column with the full name kept as a tooltip, and every
tick written as the tables write numbers."""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan import charts
from samverkan.charts import forest, raster
from samverkan.lib import numbers
from tests.charts.svgtext import SVG, outside, overlapping, root, texts
from tests.charts.test_engine import _check_svg, _check_texts

# A tick as lib.numbers writes it: a decimal comma, groups of three after a no-break space.
TICK = re.compile(r"^\d{1,3}(\u00a0\d{3})*(,\d+)?$")

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ:-", min_size=1, max_size=24)
names = st.lists(words, min_size=1, max_size=8).map(" ".join)


@st.composite
def estimate(draw, label=names):
    log_ratio = draw(st.floats(-4.0, 4.0))
    se = draw(st.floats(0.01, 2.5))
    return charts.Estimate(
        draw(label),
        math.exp(log_ratio),
        math.exp(log_ratio - 1.96 * se),
        math.exp(log_ratio + 1.96 * se),
        1 / se**2,
    )


def _plot(rows, pooled, **extra):
    return charts.forest_plot(
        rows,
        pooled,
        title="Skogsdiagram: Kamerabevakning",
        desc=charts.forest_alt(rows, pooled, subject="Kamerabevakning"),
        axis_label="Kvot mot kontrollområdet (logaritmisk skala)",
        lower_label="← färre brott än i kontrollområdet",
        upper_label="fler →",
        **extra,
    )


@settings(max_examples=35, deadline=None)
@given(
    st.lists(estimate(), min_size=1, max_size=14),
    st.one_of(st.none(), estimate(st.just("Sammanvägt"))),
)
def test_any_forest_plot_is_valid_readable_and_covers_its_data(rows, pooled):
    drawing = _plot(rows, pooled)
    _check_svg(drawing.svg)
    _check_texts(drawing)
    assert drawing.layout == "forest"
    (scale,) = drawing.scales
    assert scale.log
    # Every estimate and interval lies on the axis, and so does 1 (the reference).
    for r in [*rows, *([pooled] if pooled else [])]:
        assert scale.covers(r.ratio) and scale.covers(r.low) and scale.covers(r.high)
    assert scale.covers(1.0) and 1.0 in scale.ticks
    ticks = [t.text for t in drawing.texts if t.role == "tick"]
    assert ticks == [forest.tick_label(t) for t in scale.ticks]
    assert all(TICK.match(t) for t in ticks), ticks
    assert all(t == numbers.number(v, scale.decimals, trim=True) for t, v in
               zip(ticks, scale.ticks, strict=True))  # fmt: skip
    # One name per row, each within its column: cut with an ellipsis and kept whole in a
    # tooltip when it does not fit.
    shown = [t for t in drawing.texts if t.role == "label"]
    assert len(shown) == len(rows) + (pooled is not None)
    labelled = [
        e for e in root(drawing.svg).iter(f"{SVG}text") if e.text in {t.text for t in shown}
    ]
    for r in [*rows, *([pooled] if pooled else [])]:
        cut = [e for e in labelled if e.find(f"{SVG}title") is not None
               and e.find(f"{SVG}title").text == r.label.strip()]  # fmt: skip
        whole = [e for e in labelled if e.text == r.label.strip()]
        assert cut or whole, r.label
        assert all(e.text.endswith("…") for e in cut)


def test_forest_plot_of_the_evidence_bank_example():
    rows = [
        charts.Estimate("A-stad: Rån", 0.74, 0.52, 1.05, 50.0),
        charts.Estimate("B-by: Stöld i och ur fordon på infartsparkeringar", 0.9, 0.6, 1.4, 33.0),
        charts.Estimate("C-köping: Skadegörelse", 0.7, 0.55, 0.9, 80.0),
        charts.Estimate("D-vik: Rån", 0.95, 0.7, 1.3, 40.0),
    ]
    pooled = charts.Estimate("Sammanvägt", 0.82, 0.70, 0.96)
    drawing = _plot(rows, pooled)
    desc = root(drawing.svg)[1].text
    assert desc.startswith(
        "Skogsdiagram: 4 utvärderingar av kamerabevakning; sammanvägd kvot 0,82 "
        "(95 % KI 0,70–0,96)."
    )
    assert "A-stad: Rån: kvot 0,74 (0,52–1,05)" in desc
    assert "Sammanvägt (slumpeffektmodell): kvot 0,82 (0,70–0,96)" in desc
    ticks = [t.text for t in drawing.texts if t.role == "tick"]
    assert ticks == ["0,5", "1", "2"]
    # The reference line at 1: dashed, from above the first row to the axis.
    dashed = [e for e in root(drawing.svg).iter(f"{SVG}line") if "stroke-dasharray" in e.attrib]
    (reference,) = dashed
    one = next(t for t in texts(drawing.svg) if t.text == "1")
    assert float(reference.attrib["x1"]) == float(reference.attrib["x2"])
    assert abs(float(reference.attrib["x1"]) - (one.x0 + one.x1) / 2) < 0.2
    # The long name is cut and kept whole as its tooltip; the pooled diamond is drawn.
    assert "<title>B-by: Stöld i och ur fordon på infartsparkeringar</title>" in drawing.svg
    assert len(list(root(drawing.svg).iter(f"{SVG}polygon"))) == 1
    assert overlapping(drawing.svg) == [] and outside(drawing.svg) == []
    # Word gets the same SVG as a PNG.
    png = raster.to_png(drawing.svg, 800)
    assert png.startswith(b"\x89PNG")


def test_an_extreme_interval_widens_the_axis_and_thins_its_ticks():
    rows = [charts.Estimate("A", 1.0, 0.001, 900.0), charts.Estimate("B", 0.5, 0.4, 0.6)]
    drawing = _plot(rows, None)
    (scale,) = drawing.scales
    assert scale.covers(0.001) and scale.covers(900.0) and 1.0 in scale.ticks
    assert overlapping(drawing.svg) == []
    assert [t.text for t in drawing.texts if t.role == "tick"] == [
        forest.tick_label(t) for t in scale.ticks
    ]
