# ruff: noqa: E501 - SVG elements read better whole, one per line
"""Server-side SVG charts. Every chart has a title and the same numbers as a table beside it;
lines are told apart by marker shape and a direct label, not by colour alone."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from samverkan.analysis.timeprofile import WEEKDAYS_SV

MARKERS = ("circle", "square", "triangle", "diamond", "cross")
COLOURS = ("#1f5fa8", "#b24a00", "#2e7d32", "#6a1b9a", "#444444")
HALO = 'paint-order="stroke" stroke="#ffffff" stroke-width="3"'  # keeps numbers legible on lines


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
    if kind == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x + 5:.1f},{y:.1f}" fill="{colour}"/>'
    return (f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},{y + 4:.1f}'
            f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2"/>')  # fmt: skip


def _spread(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions at least ``gap`` apart, each as near its line's end as that allows."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [ys[i] for i in order]
    for j in range(1, len(placed)):  # push down what overlaps the label above
        placed[j] = max(placed[j], placed[j - 1] + gap)
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:  # then lift the stack back into the chart, keeping the gaps
        placed[-1] -= overflow
        for j in range(len(placed) - 2, -1, -1):
            placed[j] = min(placed[j], placed[j + 1] - gap)
    result = [0.0] * len(ys)
    for j, i in enumerate(order):
        result[i] = max(placed[j], low)
    return result


def trend_chart(
    title: str,
    years: list[int],
    series: Sequence[tuple[str, Sequence[float]]],
    ident: str = "trend",
    unit: str = "",
) -> SafeString:
    """A line chart of values per year, one line per series (at most five shown).

    ``ident`` names the chart's title element (several charts on one page); ``unit`` is put
    after the axis values (" %" for shares)."""
    if not years or not series:
        return mark_safe("")
    series = series[:5]
    width, height, left, right, top, bottom = 720, 300, 56, 220, 20, 36
    peak = max((max(v) for _, v in series), default=0) or 1
    span = max(len(years) - 1, 1)

    def px(i: int) -> float:
        return left + (width - left - right) * (i / span if len(years) > 1 else 0.5)

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / peak)

    out = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-title" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title id="{ident}-title">'
        f"{escape(title)}</title>"
    ]
    for frac in (0, 0.5, 1):
        y = py(peak * frac)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{round(peak * frac)}{unit}</text>'
        )
    for i, year in enumerate(years):
        out.append(
            f'<text x="{px(i):.1f}" y="{height - 12}" text-anchor="middle" font-size="12">{year}</text>'
        )
    label_ys = _spread([py(values[-1]) + 4 for _name, values in series], 15, top, height - 4)
    for k, (name, values) in enumerate(series):
        colour, marker = COLOURS[k], MARKERS[k]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(values))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(_marker(marker, px(i), py(v), colour) for i, v in enumerate(values))
        out.append(
            f'<text x="{width - right + 8}" y="{label_ys[k]:.1f}" font-size="12" '
            f'fill="{colour}">{escape(name[:30])}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


def heatmap(title: str, matrix: list[list[float]]) -> SafeString:
    """Weekday × hour heat map; darker is more, and each cell names its value on hover."""
    cell, left, top = 24, 70, 22
    peak = max((max(row) for row in matrix), default=0) or 1
    width, height = left + 24 * cell + 4, top + 7 * cell + 4
    out = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="heat-title" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title id="heat-title">'
        f"{escape(title)}</title>"
    ]
    for hour in range(0, 24, 3):
        out.append(
            f'<text x="{left + hour * cell + cell / 2}" y="14" text-anchor="middle" font-size="11">{hour:02d}</text>'
        )
    for day, row in enumerate(matrix):
        y = top + day * cell
        out.append(
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" font-size="12">{WEEKDAYS_SV[day]}</text>'
        )
        for hour, value in enumerate(row):
            shade = 0.08 + 0.92 * (value / peak)
            out.append(
                f'<rect x="{left + hour * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="#1f3f78" fill-opacity="{shade:.2f}"><title>{WEEKDAYS_SV[day]} '
                f"{hour:02d}:00–{hour:02d}:59: {value:.1f}</title></rect>"
            )
    out.append("</svg>")
    return mark_safe("".join(out))


def rate_bars(
    title: str,
    bars: list[tuple[str, float | None, bool]],
    mean: float | None = None,
    mean_label: str = "",
    missing_label: str = "",
    chart_id: str = "rate-bars",
) -> SafeString:
    """Horizontal bars of rates, one per municipality; the highlighted bar (the party's own)
    differs in colour, in a thick outline and in a bold label, so colour is not the only cue.
    A dashed line marks the comparison mean; a missing rate is written out, not drawn as 0."""
    from samverkan.analysis.reading import swedish_number

    if not bars:
        return mark_safe("")
    row, right, top, bottom = 30, 90, 30, 12
    width = 720
    # Room for the longest name (bold 13 px DejaVu is up to 9.5 px a character), within reason.
    left = min(max(120, round(9.5 * max(len(name[:32]) for name, _v, _own in bars)) + 16), 330)
    height = top + row * len(bars) + bottom
    values = [v for _, v, _own in bars if v is not None] + ([mean] if mean is not None else [])
    peak = max(values, default=0) or 1

    def px(v: float) -> float:
        return left + (width - left - right) * v / peak

    out = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">'
        f"{escape(title)}</title>",
        f'<line x1="{left}" x2="{left}" y1="{top - 6}" y2="{height - bottom}" stroke="#4a5360"/>',
    ]
    if mean is not None:  # drawn first, so bars and numbers lie on top of it
        x = px(mean)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - bottom}" stroke="#1b1f24" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{top - 12}" text-anchor="middle" font-size="12" {HALO}>{escape(mean_label)} {swedish_number(mean, 0)}</text>'
        )
    for i, (name, value, own) in enumerate(bars):
        y = top + i * row
        weight = ' font-weight="bold"' if own else ""
        out.append(
            f'<text x="{left - 8}" y="{y + 19}" text-anchor="end" font-size="13"{weight}>{escape(name[:32])}</text>'
        )
        if value is None:
            out.append(
                f'<text x="{left + 6}" y="{y + 19}" font-size="12" fill="#4a5360">{escape(missing_label)}</text>'
            )
            continue
        colour = COLOURS[1] if own else COLOURS[0]
        stroke = ' stroke="#1b1f24" stroke-width="2"' if own else ""
        out.append(
            f'<rect x="{left}" y="{y + 5}" width="{max(px(value) - left, 1):.1f}" height="{row - 10}" fill="{colour}"{stroke}/>'
        )
        out.append(
            f'<text x="{px(value) + 6:.1f}" y="{y + 19}" font-size="12"{weight} {HALO}>{swedish_number(value, 0)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))
