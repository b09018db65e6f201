"""The documents' charts, drawn by the one chart engine (samverkan.charts): SVG for the HTML
page and the PDF, the same SVG as PNG for Word.

The SVG's title is the chart's alternative text, written from its data: the PDF printer
takes it as the figure's /Alt, and a browser offers it on hover. Its description is the
chart's source. A document is Swedish whoever renders it, so its alternative texts are
written with Swedish active, even from a page shown in English.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django.utils import translation

from samverkan import charts
from samverkan.documents.structure import Chart
from samverkan.lib import numbers
from samverkan.lib.text import strip_control


def line_alt(*args: Any, **kwargs: Any) -> str:
    """``charts.line_alt`` in Swedish."""
    with translation.override("sv"):
        return charts.line_alt(*args, **kwargs)


def bar_alt(*args: Any, **kwargs: Any) -> str:
    """``charts.bar_alt`` in Swedish."""
    with translation.override("sv"):
        return charts.bar_alt(*args, **kwargs)


# Charts drawn recently, by their inputs: a page, its PDF and its Word file (and the public
# and internal editions) draw the same chart once. Chart objects are immutable.
_CACHE: OrderedDict[str, Chart] = OrderedDict()
_CACHE_SIZE = 64


def _cached(draw: Callable[..., Chart]) -> Callable[..., Chart]:
    def wrapper(*args: Any, **kwargs: Any) -> Chart:
        key = repr((draw.__name__, args, sorted(kwargs.items())))
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        chart = draw(*args, **kwargs)
        _CACHE[key] = chart
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return chart

    wrapper.__name__ = draw.__name__
    wrapper.__doc__ = draw.__doc__
    return wrapper


@lru_cache(maxsize=32)
def png(svg: str) -> bytes:
    """The chart's SVG painted as PNG (15 cm wide in Word, about 270 dots an inch)."""
    from samverkan.charts.raster import to_png

    return to_png(svg, 1600)


def _ident(*parts: object) -> str:
    """Ids unique to this chart: two charts in one document never share one."""
    return "c" + hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


@_cached
def line_chart(
    x: Sequence[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    caption: str,
    source: str,
    axis_label: str,
    unit: str = "",
) -> Chart:
    """Lines over years, one per series, each named at its end (or in a legend when the
    names cannot all fit there). A missing value (None, e.g. a count withheld in a public
    edition) leaves a gap. One line dwarfing another gives a logarithmic axis, or one panel
    per line."""
    xs = [int(v) for v in x]
    rows = [(strip_control(str(label)), list(values)) for label, values in series]
    alt = strip_control(line_alt(xs, rows, caption=caption, unit=unit))
    drawing = charts.line_chart(
        xs,
        rows,
        title=alt,
        desc=source,
        axis_label=axis_label,
        unit=unit,
        ident=_ident(xs, rows, caption, axis_label, unit),
    )
    return Chart(caption, source, drawing.svg, alt)


@_cached
def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    caption: str,
    source: str,
    axis_label: str,
    unit: str = "",
    horizontal: bool = True,
) -> Chart:
    """A labelled bar chart; values are written at the bars so no colour carries meaning.
    Upright bars (``horizontal=False``) lie down when a name or value would not fit."""
    names = [strip_control(str(label)) for label in labels]
    numbers_ = list(values)
    alt = strip_control(bar_alt(names, numbers_, caption=caption, unit=unit))
    drawing = charts.bar_chart(
        names,
        numbers_,
        title=alt,
        desc=source,
        axis_label=axis_label,
        unit=unit,
        horizontal=horizontal,
        ident=_ident(names, numbers_, caption, axis_label, unit),
    )
    return Chart(caption, source, drawing.svg, alt)


def _number(value: float, unit: str) -> str:
    """As the tables write it (lib/numbers.py): "1 746", "12,5 %"."""
    return numbers.with_unit(value, unit)
