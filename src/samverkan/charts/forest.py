"""A forest plot: one row per study (its name, its ratio as a square sized by its weight and
its 95 % interval as a whisker), the pooled ratio as a diamond, on a logarithmic ratio axis
with a dashed reference line at 1 (no difference).

Row names that do not fit their column are cut with an ellipsis and keep their full text as
a tooltip (<title>); each row's ratio and interval stand in a column on the right, so no
value is read off the axis alone. Every tick is written as the tables write numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from samverkan.charts import labels, metrics
from samverkan.charts.canvas import AXIS, GRID, INK, Canvas
from samverkan.charts.drawing import Drawing
from samverkan.charts.lines import _baselines
from samverkan.charts.scales import Scale
from samverkan.charts.style import BAR, LABEL_SIZE, PAD, REFERENCE, TICK_SIZE, WIDTH
from samverkan.lib import numbers

ROW = 22.0
# The widest square (the heaviest study) and the narrowest, in the chart's units.
SQUARE = (4.0, 13.0)
DIAMOND = 7.0  # half the diamond's height


@dataclass(frozen=True)
class Estimate:
    """One row: a ratio with its 95 % interval (ratios, not logarithms) and its weight."""

    label: str
    ratio: float
    low: float
    high: float
    weight: float = 1.0


def interval_text(ratio: float, low: float, high: float) -> str:
    """ "0,74 (0,52–1,05)", as the tables write numbers."""
    return f"{numbers.number(ratio, 2)} ({numbers.number(low, 2)}–{numbers.number(high, 2)})"


def _tick_decimals(value: float) -> int:
    for decimals in range(0, 7):
        if abs(round(value, decimals) - value) <= value * 1e-9:
            return decimals
    return 6


def tick_label(value: float) -> str:
    """A tick's text: "0,5", "1", "2", "0,05" (lib.numbers, no trailing zeros)."""
    return numbers.number(value, _tick_decimals(value), trim=True)


def _clean(value: float) -> float:
    return float(f"{value:.10g}")


def ratio_scale(values: Sequence[float], length: float) -> Scale:
    """A logarithmic axis over every ratio in ``values`` and 1 (the reference), at least from
    0,5 to 2, with round ticks (1, 2 and 5 times a power of ten, or every power of ten, or
    every second, third … power) whose labels fit ``length`` without touching. 1 is always a
    tick."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    low = min([*positive, 0.5]) / 1.15
    high = max([*positive, 2.0]) * 1.15
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    candidates: list[list[float]] = [
        [_clean(m * 10.0**e) for e in range(first, last + 1) for m in mantissas]
        for mantissas in ((1.0, 2.0, 5.0), (1.0, 2.0), (1.0,))
    ]
    for every in range(2, last - first + 2):
        candidates.append([_clean(10.0**e) for e in range(first, last + 1) if e % every == 0])
    span = math.log10(high) - math.log10(low)
    ticks: list[float] = []
    for candidate in candidates:
        ticks = [t for t in candidate if low <= t <= high]
        positions = [(math.log10(t) - math.log10(low)) / span * length for t in ticks]
        widths = [metrics.text_width(tick_label(t), TICK_SIZE) for t in ticks]
        if all(
            positions[i + 1] - positions[i] >= (widths[i] + widths[i + 1]) / 2 + 8
            for i in range(len(ticks) - 1)
        ):
            break
    return Scale(low, high, tuple(ticks), log=True, decimals=max(map(_tick_decimals, ticks)))


def forest_plot(
    rows: Sequence[Estimate],
    pooled: Estimate | None,
    *,
    title: str,
    desc: str,
    axis_label: str,
    lower_label: str = "",
    upper_label: str = "",
    ident: str = "forest",
) -> Drawing:
    """The rows (top to bottom, as given), then the pooled estimate as a diamond.
    ``lower_label`` and ``upper_label`` say above the plot what a ratio under and over 1
    means ("← fewer crimes", "more →")."""
    if not rows:
        raise ValueError("a forest plot needs at least one row")
    canvas = Canvas(WIDTH)
    line = metrics.line_height(LABEL_SIZE)
    every = [*rows, *([pooled] if pooled else [])]
    names = [labels.wrap(r.label, WIDTH * 0.34, LABEL_SIZE, lines=1)[0] for r in rows]
    if pooled is not None:
        names.append(labels.wrap(pooled.label, WIDTH * 0.34, LABEL_SIZE, bold=True, lines=1)[0])
    bolds = [False] * len(rows) + [True] * (pooled is not None)
    column = max(metrics.text_width(n, LABEL_SIZE, b) for n, b in zip(names, bolds, strict=True))
    values = [interval_text(r.ratio, r.low, r.high) for r in every]
    value_column = max(
        metrics.text_width(v, LABEL_SIZE, b) for v, b in zip(values, bolds, strict=True)
    )
    # At least room for half a tick's text beside the plot.
    plot_left = PAD + max(column, 30.0) + 12
    plot_right = WIDTH - PAD - max(value_column, 30.0) - 12
    length = plot_right - plot_left
    scale = ratio_scale([v for r in every for v in (r.ratio, r.low, r.high)], length)

    def x_of(value: float) -> float:
        return plot_left + scale.fraction(value) * length

    # What a ratio under and over 1 means, above the plot (on two lines if they would touch).
    top = PAD
    if lower_label or upper_label:
        lower_label = labels.wrap(lower_label, length, LABEL_SIZE, lines=1)[0]
        upper_label = labels.wrap(upper_label, length, LABEL_SIZE, lines=1)[0]
        base = top + metrics.ascent(LABEL_SIZE)
        lower_width = metrics.text_width(lower_label, LABEL_SIZE)
        upper_width = metrics.text_width(upper_label, LABEL_SIZE)
        if lower_label:
            canvas.text(plot_left, base, lower_label, size=LABEL_SIZE, role="axis")
        if upper_label:
            if lower_label and plot_left + lower_width + 12 > plot_right - upper_width:
                base += line
            canvas.text(plot_right, base, upper_label, size=LABEL_SIZE, role="axis", anchor="end")
        top = base + metrics.descent(LABEL_SIZE) + 8
    bottom = top + ROW * (len(rows) + (1.5 if pooled else 0.0)) + 4
    for tick in scale.ticks:
        canvas.line(x_of(tick), top, x_of(tick), bottom, GRID, 0.8)
    canvas.line(x_of(1.0), top - 4, x_of(1.0), bottom, REFERENCE, 1.4, "5 3")
    total = sum(max(r.weight, 0.0) for r in rows) or 1.0
    heaviest = max(max(r.weight, 0.0) for r in rows) or 1.0

    def row_texts(index: int, centre: float, bold: bool) -> None:
        (base,) = _baselines(centre, 1, LABEL_SIZE)
        label = every[index].label
        canvas.text(
            PAD,
            base,
            names[index],
            size=LABEL_SIZE,
            role="label",
            bold=bold,
            tooltip=label if names[index] != label else "",
        )
        canvas.text(WIDTH - PAD, base, values[index], size=LABEL_SIZE, role="value", anchor="end",
                    bold=bold)  # fmt: skip

    for i, r in enumerate(rows):
        centre = top + ROW * i + ROW / 2
        canvas.line(x_of(r.low), centre, x_of(r.high), centre, INK, 1.4)
        share = math.sqrt(max(r.weight, 0.0) / heaviest) if total else 0.0
        side = SQUARE[0] + (SQUARE[1] - SQUARE[0]) * share
        canvas.rect(x_of(r.ratio) - side / 2, centre - side / 2, side, side, BAR)
        row_texts(i, centre, False)
    if pooled is not None:
        centre = top + ROW * (len(rows) + 0.5) + ROW / 2
        canvas.line(PAD, centre - ROW * 0.75, WIDTH - PAD, centre - ROW * 0.75, GRID, 0.8)
        canvas.polygon(
            [
                (x_of(pooled.low), centre),
                (x_of(pooled.ratio), centre - DIAMOND),
                (x_of(pooled.high), centre),
                (x_of(pooled.ratio), centre + DIAMOND),
            ],
            INK,
        )
        row_texts(len(rows), centre, True)
    canvas.line(plot_left, bottom, plot_right, bottom, AXIS)
    base = bottom + 6 + metrics.ascent(TICK_SIZE)
    for tick in scale.ticks:
        canvas.line(x_of(tick), bottom, x_of(tick), bottom + 4, AXIS)
        canvas.text(x_of(tick), base, tick_label(tick), size=TICK_SIZE, role="tick",
                    anchor="middle")  # fmt: skip
    y = base + metrics.descent(TICK_SIZE) + 4
    for text in labels.wrap(axis_label, WIDTH - 2 * PAD, LABEL_SIZE, lines=2):
        y += line
        canvas.text(
            (plot_left + plot_right) / 2 if metrics.text_width(text, LABEL_SIZE) <= length
            else WIDTH / 2,
            y - metrics.descent(LABEL_SIZE) - 1,
            text,
            size=LABEL_SIZE,
            role="axis",
            anchor="middle",
        )  # fmt: skip
    canvas.height = y + PAD
    return Drawing(
        canvas.svg(title=title, desc=desc, ident=ident),
        WIDTH,
        canvas.height,
        "forest",
        tuple(canvas.texts),
        (scale,),
    )
