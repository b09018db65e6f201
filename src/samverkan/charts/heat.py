"""A heat map of a table of values (weekday × hour): darker is more, each cell names its
value on hover, and the same numbers stand in a table beside it on the page."""

from __future__ import annotations

from collections.abc import Sequence

from samverkan.charts import labels, metrics
from samverkan.charts.canvas import Canvas
from samverkan.charts.drawing import Drawing
from samverkan.charts.style import LABEL_SIZE, PAD, TICK_SIZE
from samverkan.lib import numbers

CELL = 24.0
SHADE = "#1f3f78"


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    matrix: Sequence[Sequence[float]],
    *,
    title: str,
    desc: str,
    tooltip: str = "{row} {column}: {value}",
    ident: str = "heat",
    every: int = 3,
) -> Drawing:
    """``matrix[r][c]`` is the value of row ``rows[r]`` in column ``columns[c]``; every
    ``every``-th column is named above the map."""
    left = PAD + labels.widest(rows, LABEL_SIZE) + 8
    top = PAD + metrics.line_height(TICK_SIZE) + 4
    width = left + len(columns) * CELL + PAD
    canvas = Canvas(width)
    peak = max((max(row, default=0) for row in matrix), default=0) or 1
    for c in range(0, len(columns), every):
        canvas.text(
            left + c * CELL + CELL / 2,
            top - 6,
            columns[c],
            size=TICK_SIZE,
            role="tick",
            anchor="middle",
        )
    for r, (name, row) in enumerate(zip(rows, matrix, strict=True)):
        y = top + r * CELL
        canvas.text(
            left - 8,
            y + CELL / 2 + LABEL_SIZE * 0.35,
            name,
            size=LABEL_SIZE,
            role="label",
            anchor="end",
        )
        for c, value in enumerate(row):
            canvas.rect(
                left + c * CELL,
                y,
                CELL - 1,
                CELL - 1,
                SHADE,
                opacity=0.08 + 0.92 * max(value, 0) / peak,
                tooltip=tooltip.format(row=name, column=columns[c], value=numbers.number(value)),
            )
    canvas.height = top + len(rows) * CELL + PAD
    return Drawing(
        canvas.svg(title=title, desc=desc, ident=ident),
        width,
        canvas.height,
        "heatmap",
        tuple(canvas.texts),
    )
