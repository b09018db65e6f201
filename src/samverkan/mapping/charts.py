"""The statistics page's charts, drawn by the one chart engine (samverkan.charts) that also
draws the documents'. Every chart is an image with a title and a description written from
its data, and the same numbers stand in a table beside it; lines are told apart by marker,
dash and a direct label, not by colour alone."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from samverkan import charts
from samverkan.analysis.timeprofile import WEEKDAYS_SV
from samverkan.charts.alt import sentence


def trend_chart(
    title: str,
    years: list[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    ident: str = "trend",
    unit: str = "",
    axis_label: str = "",
) -> SafeString:
    """A line chart of values per year, one line per series (at most five shown).

    ``ident`` names the chart's title element (several charts on one page); ``unit`` is
    written after the axis values ("%" for shares); the axis is named by ``axis_label``, or
    by the title."""
    if not years or not series:
        return mark_safe("")
    shown = [(str(name), list(values)) for name, values in series[:5]]
    unit = unit.strip()
    desc = charts.line_alt(years, shown, caption=title, unit=unit)
    drawing = charts.line_chart(
        years, shown, title=title, desc=desc, axis_label=axis_label or title, unit=unit, ident=ident
    )
    return mark_safe(drawing.svg)  # the engine escapes every text


def heatmap(title: str, matrix: list[list[float]]) -> SafeString:
    """Weekday × hour heat map; darker is more, and each cell names its value on hover."""
    names = [_(day) for day in WEEKDAYS_SV]  # "måndag" → "Monday": in the catalogue
    days = [name.capitalize() for name in names]
    hours = [f"{hour:02d}" for hour in range(24)]
    by_day = [sum(row) for row in matrix]
    busiest = max(range(len(by_day)), key=lambda d: by_day[d]) if by_day else 0
    desc = _(
        "Värmekarta: %(title)s. Mörkare ruta betyder fler händelser. Flest händelser är det "
        "på %(day)s. Värdena står i tabellen under."
    ) % {"title": sentence(title), "day": names[busiest]}
    drawing = charts.heatmap(
        days,
        hours,
        matrix,
        title=title,
        desc=desc,
        tooltip="{row} {column}:00–{column}:59: {value}",
        ident="heat",
    )
    return mark_safe(drawing.svg)  # the engine escapes every text


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
    if not bars:
        return mark_safe("")
    names = [name for name, _value, _own in bars]
    values = [None if value is None else round(value) for _name, value, _own in bars]
    own = next((i for i, (_name, _value, is_own) in enumerate(bars) if is_own), None)
    rounded_mean = None if mean is None else round(mean)
    desc = charts.bar_alt(
        names, values, caption=title, reference=rounded_mean, reference_label=mean_label
    )
    drawing = charts.bar_chart(
        names,
        values,
        title=title,
        desc=desc,
        axis_label=title,
        ident=chart_id,
        highlight=own,
        reference=rounded_mean,
        reference_label=mean_label,
        missing_label=missing_label or "uppgift saknas",
    )
    return mark_safe(drawing.svg)  # the engine escapes every text
