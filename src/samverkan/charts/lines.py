"""Line charts: values over years, one line per series.

Each line is named at its end, the names moved apart where lines end close together (a
short leader joins a moved name to its line); when the names cannot all fit beside the
chart they go to a legend below it. Lines on very different levels get a logarithmic axis,
or (when a value is zero) one panel each with its own axis, so no line lies flat along the
bottom (scales.choose).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from samverkan.charts import labels, metrics, scales
from samverkan.charts.canvas import AXIS, GRID, INK, Canvas
from samverkan.charts.drawing import Drawing
from samverkan.charts.scales import Scale
from samverkan.charts.style import LABEL_SIZE, PAD, TICK_SIZE, TITLE_SIZE, WIDTH, marker, style

Series = Sequence[tuple[str, Sequence[float | None]]]

PLOT_HEIGHT = 230.0
PANEL_HEIGHT = 100.0
EDGE = 12.0  # room between the axis and the first and last year's points
LOG_NOTE = " (logaritmisk skala)"
PANEL_NOTE = " (varje delfigur har sin egen skala)"


def _baselines(centre: float, count: int, size: float) -> list[float]:
    """Baselines of ``count`` lines of text centred on ``centre``."""
    height = metrics.line_height(size)
    top = centre - count * height / 2
    inset = (height - metrics.ascent(size) - metrics.descent(size)) / 2 + metrics.ascent(size)
    return [top + k * height + inset for k in range(count)]


def _head(canvas: Canvas, text: str, y: float) -> float:
    """The axis label across the top; returns where the chart below it may start."""
    for line in labels.wrap(text, WIDTH - 2 * PAD, LABEL_SIZE, lines=2):
        y += metrics.line_height(LABEL_SIZE)
        canvas.text(PAD, y - metrics.descent(LABEL_SIZE) - 1, line, size=LABEL_SIZE, role="axis")
    return y


def _integer(values: Sequence[float]) -> bool:
    return all(float(v).is_integer() for v in values)


def _axes(
    canvas: Canvas,
    scale: Scale,
    unit: str,
    xs: Sequence[int],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    box: tuple[float, float, float, float],
    width: float,
) -> float:
    """The value ticks, both axes and the years under a plot (``box`` = left, right, top,
    bottom); returns the baseline of the years' labels."""
    plot_left, plot_right, plot_top, plot_bottom = box
    _value_ticks(canvas, scale, unit, plot_left - 6, y_of, plot_left, plot_right)
    canvas.line(plot_left, plot_top - 4, plot_left, plot_bottom, AXIS)
    canvas.line(plot_left, plot_bottom, plot_right, plot_bottom, AXIS)
    year_width = max(metrics.text_width(str(x), TICK_SIZE) for x in xs)
    spacing = (x_of(1) - x_of(0)) if len(xs) > 1 else width
    year_line = plot_bottom + 8 + metrics.ascent(TICK_SIZE)
    for i in _year_indices(len(xs), spacing, year_width):
        canvas.line(x_of(i), plot_bottom, x_of(i), plot_bottom + 4, AXIS)
        canvas.text(x_of(i), year_line, str(xs[i]), size=TICK_SIZE, role="tick", anchor="middle")
    return year_line


def _year_indices(count: int, spacing: float, width: float) -> list[int]:
    """Which years get a label: every k-th, counted back from the last, so labels keep
    their own width apart."""
    step = max(1, math.ceil((width + 6) / spacing)) if spacing > 0 else 1
    return [i for i in range(count) if (count - 1 - i) % step == 0]


def _value_ticks(
    canvas: Canvas,
    scale: Scale,
    unit: str,
    x: float,
    y_of: Callable[[float], float],
    left: float,
    right: float,
) -> None:
    """Grid lines and labels at the ticks, each label at least a line from the last."""
    last = math.inf
    for tick in scale.ticks:
        y = y_of(tick)
        canvas.line(left, y, right, y, GRID, 0.8)
        if last - y < metrics.line_height(TICK_SIZE):
            continue
        canvas.text(
            x,
            y + TICK_SIZE * 0.35,
            scale.label(tick, unit),
            size=TICK_SIZE,
            role="tick",
            anchor="end",
        )
        last = y


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of a line: a missing value leaves a gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def line_chart(
    xs: Sequence[int],
    series: Series,
    *,
    title: str,
    desc: str,
    axis_label: str,
    unit: str = "",
    ident: str = "chart",
    layout: str = "auto",
) -> Drawing:
    if not xs or not series:
        raise ValueError("a line chart needs years and at least one series")
    values = [list(v) for _name, v in series]
    for row in values:
        if len(row) != len(xs):
            raise ValueError("every series needs one value a year")
    kind = scales.choose(values) if layout == "auto" else layout
    if kind == scales.PANELS:
        return _panels(
            xs, series, title=title, desc=desc, axis_label=axis_label, unit=unit, ident=ident
        )
    known = [float(v) for row in values for v in row if v is not None]
    if kind == scales.LOG:
        scale = scales.logarithmic(known)
    else:
        scale = scales.linear(known, integer=_integer(known))
    canvas = Canvas(WIDTH)
    head = _head(canvas, axis_label + (LOG_NOTE if scale.log else ""), PAD)
    plot_top = head + 12
    plot_bottom = plot_top + PLOT_HEIGHT

    def y_of(value: float) -> float:
        return plot_bottom - scale.fraction(value) * PLOT_HEIGHT

    # The names at the lines' ends, or (when they cannot fit there) in a legend.
    label_width = min(170.0, WIDTH * 0.28)
    names = [labels.wrap(name, label_width, LABEL_SIZE) for name, _v in series]
    ends = [
        next(
            ((i, float(v)) for i in range(len(row) - 1, -1, -1) if (v := row[i]) is not None), None
        )
        for row in values
    ]
    last = {k: end for k, end in enumerate(ends) if end is not None}
    ended = list(last)
    heights = [len(names[k]) * metrics.line_height(LABEL_SIZE) for k in ended]
    centres = labels.spread(
        [y_of(last[k][1]) for k in ended],
        heights,
        plot_top - 6,
        plot_bottom + 4,
    )
    legend = centres is None
    tick_width = max(metrics.text_width(scale.label(t, unit), TICK_SIZE) for t in scale.ticks)
    plot_left = PAD + tick_width + 6
    year_width = max(metrics.text_width(str(x), TICK_SIZE) for x in xs)
    if legend:
        plot_right = WIDTH - PAD - max(year_width / 2 - EDGE, 0)
    else:
        column = max((labels.widest(names[k], LABEL_SIZE) for k in ended), default=0.0)
        plot_right = WIDTH - PAD - column - 10

    def x_of(index: int) -> float:
        if len(xs) == 1:
            return (plot_left + plot_right) / 2
        return plot_left + EDGE + (plot_right - plot_left - 2 * EDGE) * index / (len(xs) - 1)

    year_line = _axes(
        canvas, scale, unit, xs, x_of, y_of, (plot_left, plot_right, plot_top, plot_bottom), WIDTH
    )
    bottom = year_line + metrics.descent(TICK_SIZE)
    for number, row in enumerate(values):
        look = style(number)
        points = [None if v is None else (x_of(i), y_of(float(v))) for i, v in enumerate(row)]
        for run in _runs(points):
            if len(run) > 1:
                canvas.polyline(run, look.colour, 1.8, look.dash)
        for point in points:
            if point is not None:
                marker(canvas, look.marker, point[0], point[1], look.colour)
    if centres is not None:
        for k, centre in zip(ended, centres, strict=True):
            look, (index, value) = style(k), last[k]
            x_end, y_end = x_of(index), y_of(value)
            if abs(centre - y_end) > 2:
                canvas.line(x_end + 6, y_end, plot_right + 6, centre, look.colour, 0.8)
            for line, base in zip(
                names[k], _baselines(centre, len(names[k]), LABEL_SIZE), strict=True
            ):
                canvas.text(
                    plot_right + 9, base, line, size=LABEL_SIZE, role="label", fill=look.colour
                )
    else:
        bottom = _legend(canvas, [name for name, _v in series], bottom + 10)
    canvas.height = bottom + PAD
    return Drawing(
        canvas.svg(title=title, desc=desc, ident=ident),
        WIDTH,
        canvas.height,
        scales.LOG if scale.log else scales.LINEAR,
        tuple(canvas.texts),
        (scale,),
    )


def _legend(canvas: Canvas, names: Sequence[str], top: float) -> float:
    """A legend below the chart: a sample of each line (colour, dash, marker) and its name,
    left to right, as many to a row as fit. Returns the bottom of the legend."""
    sample = 26.0
    height = metrics.line_height(LABEL_SIZE) + 4
    x, y = PAD, top
    for number, name in enumerate(names):
        look = style(number)
        (text,) = labels.wrap(name, WIDTH - 2 * PAD - sample - 6, LABEL_SIZE, lines=1)
        width = sample + 6 + metrics.text_width(text, LABEL_SIZE)
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y + height
        centre = y + height / 2
        canvas.line(x, centre, x + sample, centre, look.colour, 1.8, look.dash)
        marker(canvas, look.marker, x + sample / 2, centre, look.colour)
        (base,) = _baselines(centre, 1, LABEL_SIZE)
        canvas.text(x + sample + 6, base, text, size=LABEL_SIZE, role="label", fill=INK)
        x += width + 16
    return y + height


def _panels(
    xs: Sequence[int],
    series: Series,
    *,
    title: str,
    desc: str,
    axis_label: str,
    unit: str,
    ident: str,
) -> Drawing:
    """One small panel per line, each with its own axis from zero, side by side."""
    canvas = Canvas(WIDTH)
    top = _head(canvas, axis_label + PANEL_NOTE, PAD) + 6
    count = len(series)
    columns = 1 if count == 1 else 2 if count in (2, 4) else 3
    gutter = 22.0
    width = (WIDTH - 2 * PAD - (columns - 1) * gutter) / columns
    drawn: list[Scale] = []
    for row_start in range(0, count, columns):
        row = list(range(row_start, min(row_start + columns, count)))
        titles = {k: labels.wrap(series[k][0], width, TITLE_SIZE, bold=True, lines=2) for k in row}
        title_height = max(len(t) for t in titles.values()) * metrics.line_height(TITLE_SIZE)
        plot_top = top + title_height + 12
        plot_bottom = plot_top + PANEL_HEIGHT
        for column, k in enumerate(row):
            left = PAD + column * (width + gutter)
            look = style(k)
            for line, base in zip(
                titles[k],
                _baselines(
                    top + len(titles[k]) * metrics.line_height(TITLE_SIZE) / 2,
                    len(titles[k]),
                    TITLE_SIZE,
                ),
                strict=True,
            ):
                canvas.text(
                    left, base, line, size=TITLE_SIZE, role="label", bold=True, fill=look.colour
                )
            row_values = series[k][1]
            known = [float(v) for v in row_values if v is not None]
            scale = scales.linear(known, integer=_integer(known), most=3)
            drawn.append(scale)
            tick_width = max(
                metrics.text_width(scale.label(t, unit), TICK_SIZE) for t in scale.ticks
            )
            plot_left, plot_right = left + tick_width + 6, left + width

            def y_of(value: float, s: Scale = scale, b: float = plot_bottom) -> float:
                return b - s.fraction(value) * PANEL_HEIGHT

            def x_of(i: int, a: float = plot_left, b: float = plot_right) -> float:
                if len(xs) == 1:
                    return (a + b) / 2
                return a + EDGE + (b - a - 2 * EDGE) * i / (len(xs) - 1)

            _axes(
                canvas,
                scale,
                unit,
                xs,
                x_of,
                y_of,
                (plot_left, plot_right, plot_top, plot_bottom),
                width,
            )
            points = [
                None if v is None else (x_of(i), y_of(float(v))) for i, v in enumerate(row_values)
            ]
            for run in _runs(points):
                if len(run) > 1:
                    canvas.polyline(run, look.colour, 1.8, look.dash)
            for point in points:
                if point is not None:
                    marker(canvas, look.marker, point[0], point[1], look.colour)
        top = plot_bottom + 8 + metrics.line_height(TICK_SIZE) + 14
    canvas.height = top - 14 + PAD
    return Drawing(
        canvas.svg(title=title, desc=desc, ident=ident),
        WIDTH,
        canvas.height,
        scales.PANELS,
        tuple(canvas.texts),
        tuple(drawn),
    )
