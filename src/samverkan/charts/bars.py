"""Bar charts: one bar per category, its value written at its end, so no colour carries
meaning. Bars lie horizontally (long names read best beside them) or stand upright (a few
short names, such as weekdays) when every name and value fits under and above its bar and
no reference line is asked for.

One bar can be the reader's own (``highlight``: another colour, a thick outline and a bold
name) and a dashed line can mark a reference such as the comparison's mean.
"""

from __future__ import annotations

from collections.abc import Sequence

from samverkan.charts import labels, metrics, scales
from samverkan.charts.canvas import AXIS, GRID, INK, MUTED, Canvas
from samverkan.charts.drawing import Drawing
from samverkan.charts.lines import _baselines, _head
from samverkan.charts.scales import Scale
from samverkan.charts.style import (
    BAR,
    HIGHLIGHT,
    LABEL_SIZE,
    PAD,
    REFERENCE,
    TICK_SIZE,
    WIDTH,
)
from samverkan.lib import numbers

PLOT_HEIGHT = 200.0


def _scale(known: list[float], length: float, unit: str) -> Scale:
    """The value axis with as many ticks as fit along ``length`` without their labels
    touching."""
    integer = all(v.is_integer() for v in known)
    for most in (6, 5, 4, 3, 2, 1):
        scale = scales.linear(known, integer=integer, most=most)
        widest = max(metrics.text_width(scale.label(t, unit), TICK_SIZE) for t in scale.ticks)
        if length * (scale.ticks[1] - scale.ticks[0]) / (scale.high - scale.low) >= widest + 10:
            return scale
    return scale


def bar_chart(
    names: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    desc: str,
    axis_label: str,
    unit: str = "",
    ident: str = "chart",
    horizontal: bool = True,
    highlight: int | None = None,
    reference: float | None = None,
    reference_label: str = "",
    missing_label: str = "uppgift saknas",
) -> Drawing:
    if not names or len(names) != len(values):
        raise ValueError("a bar chart needs one value for each of its names")
    texts = [missing_label if v is None else numbers.with_unit(v, unit) for v in values]
    common = dict(title=title, desc=desc, axis_label=axis_label, unit=unit, ident=ident)
    if not horizontal and reference is None:
        upright = _upright(names, values, texts, highlight=highlight, **common)
        if upright is not None:
            return upright
    return _horizontal(
        names,
        values,
        texts,
        highlight=highlight,
        reference=reference,
        reference_label=reference_label,
        **common,
    )


def _horizontal(
    names: Sequence[str],
    values: Sequence[float | None],
    texts: Sequence[str],
    *,
    title: str,
    desc: str,
    axis_label: str,
    unit: str,
    ident: str,
    highlight: int | None,
    reference: float | None,
    reference_label: str,
) -> Drawing:
    canvas = Canvas(WIDTH)
    line = metrics.line_height(LABEL_SIZE)
    wrapped = [
        labels.wrap(name, WIDTH * 0.36, LABEL_SIZE, bold=i == highlight)
        for i, name in enumerate(names)
    ]
    column = max(labels.widest(w, LABEL_SIZE, bold=True) for w in wrapped)
    plot_left = PAD + column + 8
    plot_right = WIDTH - PAD - max(metrics.text_width(t, LABEL_SIZE, True) for t in texts) - 8
    known = [float(v) for v in values if v is not None]
    scale = _scale(
        known + ([float(reference)] if reference is not None else []), plot_right - plot_left, unit
    )

    def x_of(value: float) -> float:
        return plot_left + scale.fraction(value) * (plot_right - plot_left)

    top = PAD
    mark = ""
    if reference is not None:
        mark = f"{reference_label} {numbers.with_unit(reference, unit)}".strip()
        top += line + 6
    heights = [max(24.0, len(w) * line + 8) for w in wrapped]
    bottom = top + sum(heights)
    for tick in scale.ticks:
        canvas.line(x_of(tick), top, x_of(tick), bottom, GRID, 0.8)
    if reference is not None:
        x = x_of(reference)
        canvas.line(x, top - 3, x, bottom, REFERENCE, 1.6, "6 4")
        width = metrics.text_width(mark, LABEL_SIZE)
        centre = min(max(x, plot_left + width / 2), WIDTH - PAD - width / 2)
        (base,) = _baselines(PAD + line / 2, 1, LABEL_SIZE)
        canvas.text(centre, base, mark, size=LABEL_SIZE, role="label", anchor="middle")
    y = top
    zero = x_of(max(scale.low, min(0.0, scale.high)))
    for i, (value, height) in enumerate(zip(values, heights, strict=True)):
        own = i == highlight
        centre = y + height / 2
        for text, base in zip(
            wrapped[i], _baselines(centre, len(wrapped[i]), LABEL_SIZE), strict=True
        ):
            canvas.text(
                plot_left - 8, base, text, size=LABEL_SIZE, role="label", anchor="end", bold=own
            )
        (base,) = _baselines(centre, 1, LABEL_SIZE)
        if value is None:
            canvas.text(zero + 5, base, texts[i], size=LABEL_SIZE, role="value", fill=MUTED)
        else:
            end = x_of(value)
            canvas.rect(
                min(zero, end),
                centre - 7,
                max(abs(end - zero), 1.0),
                14,
                HIGHLIGHT if own else BAR,
                stroke=INK if own else "",
                stroke_width=2 if own else 0,
            )
            at = max(end, zero) + (6 if own else 5)
            width = metrics.text_width(texts[i], LABEL_SIZE, own)
            if reference is not None:  # the dashed line passes behind the number, not through
                canvas.rect(at - 2, centre - line / 2, width + 4, line, "#ffffff")
            canvas.text(at, base, texts[i], size=LABEL_SIZE, role="value", bold=own)
        y += height
    canvas.line(zero, top - 3, zero, bottom, AXIS)
    base = bottom + 6 + metrics.ascent(TICK_SIZE)
    for tick in scale.ticks:
        canvas.line(x_of(tick), bottom, x_of(tick), bottom + 4, AXIS)
        canvas.text(
            x_of(tick), base, scale.label(tick, unit), size=TICK_SIZE, role="tick", anchor="middle"
        )
    y = base + metrics.descent(TICK_SIZE) + 4
    for text in labels.wrap(axis_label, plot_right - plot_left, LABEL_SIZE, lines=2):
        y += line
        canvas.text(
            (plot_left + plot_right) / 2,
            y - metrics.descent(LABEL_SIZE) - 1,
            text,
            size=LABEL_SIZE,
            role="axis",
            anchor="middle",
        )
    canvas.height = y + PAD
    return Drawing(
        canvas.svg(title=title, desc=desc, ident=ident),
        WIDTH,
        canvas.height,
        "horizontal",
        tuple(canvas.texts),
        (scale,),
    )


def _upright(
    names: Sequence[str],
    values: Sequence[float | None],
    texts: Sequence[str],
    *,
    title: str,
    desc: str,
    axis_label: str,
    unit: str,
    ident: str,
    highlight: int | None,
) -> Drawing | None:
    """Standing bars, or None when a name or a value would not fit in its bar's width."""
    canvas = Canvas(WIDTH)
    line = metrics.line_height(LABEL_SIZE)
    known = [float(v) for v in values if v is not None]
    head = _head(canvas, axis_label, PAD)
    plot_top = head + 10 + line  # the highest bar's value is written above it
    plot_bottom = plot_top + PLOT_HEIGHT
    scale = scales.linear(known, integer=all(v.is_integer() for v in known), most=5)
    tick_width = max(metrics.text_width(scale.label(t, unit), TICK_SIZE) for t in scale.ticks)
    plot_left = PAD + tick_width + 6
    slot = (WIDTH - PAD - plot_left) / len(names)
    wrapped = [
        labels.wrap(name, slot - 6, LABEL_SIZE, bold=i == highlight) for i, name in enumerate(names)
    ]
    cut = any(
        labels.ELLIPSIS in "".join(w) and labels.ELLIPSIS not in n
        for w, n in zip(wrapped, names, strict=True)
    )
    if cut or max(metrics.text_width(t, LABEL_SIZE, True) for t in texts) > slot - 2:
        return None

    def y_of(value: float) -> float:
        return plot_bottom - scale.fraction(value) * PLOT_HEIGHT

    last = float("inf")
    for tick in scale.ticks:
        y = y_of(tick)
        canvas.line(plot_left, y, WIDTH - PAD, y, GRID, 0.8)
        if last - y >= metrics.line_height(TICK_SIZE):
            canvas.text(
                plot_left - 6,
                y + TICK_SIZE * 0.35,
                scale.label(tick, unit),
                size=TICK_SIZE,
                role="tick",
                anchor="end",
            )
            last = y
    zero = y_of(max(scale.low, min(0.0, scale.high)))
    bar = min(slot * 0.62, 60.0)
    for i, value in enumerate(values):
        own = i == highlight
        centre = plot_left + slot * (i + 0.5)
        if value is None:
            canvas.text(
                centre,
                zero - 5,
                texts[i],
                size=LABEL_SIZE,
                role="value",
                anchor="middle",
                fill=MUTED,
            )
        else:
            end = y_of(value)
            canvas.rect(
                centre - bar / 2,
                min(zero, end),
                bar,
                max(abs(zero - end), 1.0),
                HIGHLIGHT if own else BAR,
                stroke=INK if own else "",
                stroke_width=2 if own else 0,
            )
            canvas.text(
                centre,
                min(end, zero) - 5 - metrics.descent(LABEL_SIZE),
                texts[i],
                size=LABEL_SIZE,
                role="value",
                anchor="middle",
                bold=own,
            )
        base = plot_bottom + 6 + metrics.ascent(LABEL_SIZE)
        for k, text in enumerate(wrapped[i]):
            canvas.text(
                centre,
                base + k * line,
                text,
                size=LABEL_SIZE,
                role="label",
                anchor="middle",
                bold=own,
            )
    canvas.line(plot_left, plot_top - 4, plot_left, plot_bottom, AXIS)
    canvas.line(plot_left, zero, WIDTH - PAD, zero, AXIS)
    rows = max(len(w) for w in wrapped)
    canvas.height = plot_bottom + 6 + rows * line + PAD
    return Drawing(
        canvas.svg(title=title, desc=desc, ident=ident),
        WIDTH,
        canvas.height,
        "vertical",
        tuple(canvas.texts),
        (scale,),
    )
