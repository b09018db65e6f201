"""Label text that fits: wrapped to a width, and placed so no two labels overlap."""

from __future__ import annotations

from collections.abc import Sequence

from samverkan.charts import metrics

ELLIPSIS = "…"


def wrap(text: str, width: float, size: float, *, bold: bool = False, lines: int = 3) -> list[str]:
    """``text`` broken into at most ``lines`` lines no wider than ``width`` (measured in
    the chart's font). A word too long for a line is cut with an ellipsis; so is what does
    not fit in the last line."""
    words = text.split()
    result: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if metrics.text_width(candidate, size, bold) <= width or not line:
            line = candidate
        else:
            result.append(line)
            line = word
    if line:
        result.append(line)
    if len(result) > lines:
        result = result[: lines - 1] + [" ".join(result[lines - 1 :])]
    return [_fit(line, width, size, bold) for line in result] or [""]


def _fit(line: str, width: float, size: float, bold: bool) -> str:
    if metrics.text_width(line, size, bold) <= width:
        return line
    while line and metrics.text_width(line + ELLIPSIS, size, bold) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def widest(lines: Sequence[str], size: float, bold: bool = False) -> float:
    return max((metrics.text_width(line, size, bold) for line in lines), default=0.0)


def spread(
    wanted: Sequence[float], heights: Sequence[float], low: float, high: float, gap: float = 4.0
) -> list[float] | None:
    """Centres for labels of the given heights, each as near its ``wanted`` centre as the
    others allow, none overlapping another (``gap`` apart) and all between ``low`` and
    ``high``; their order is kept. None when they cannot all fit."""
    if sum(heights) + gap * max(len(heights) - 1, 0) > high - low:
        return None
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i], i))
    tops = [0.0] * len(wanted)
    floor = low
    for i in order:  # from the top down, each below the one above
        top = max(wanted[i] - heights[i] / 2, floor)
        tops[i] = top
        floor = top + heights[i] + gap
    ceiling = high
    for i in reversed(order):  # then lift what went past the bottom, keeping the gaps
        tops[i] = min(tops[i], ceiling - heights[i])
        ceiling = tops[i] - gap
    return [tops[i] + heights[i] / 2 for i in range(len(wanted))]
