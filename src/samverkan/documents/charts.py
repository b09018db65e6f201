"""Charts drawn once with matplotlib: SVG for HTML/PDF and PNG for Word, from the same data."""

from __future__ import annotations

import hashlib
import io
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from samverkan.documents.structure import Chart
from samverkan.lib import numbers
from samverkan.lib.text import strip_control

_COLOUR = "#0b4f7c"
# Lines told apart by marker and dash as well as colour (readable in grey print).
_STYLES = (
    ("#0b4f7c", "o", "-"),
    ("#b3541e", "s", "--"),
    ("#2f7d32", "^", "-."),
    ("#6a3d9a", "D", ":"),
    ("#4a5360", "v", "-"),
    ("#a4262c", "P", "--"),
)

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


def _subplots(figsize: tuple[float, float]) -> tuple[Any, Any]:
    """A new figure with one axes, drawn off-screen.

    matplotlib is imported here, when the first chart is drawn, not when the app loads (it
    costs a second and tens of megabytes a process). The figure is made without pyplot, so
    no global figure list keeps it alive and threads do not share state.
    """
    import matplotlib
    from matplotlib.figure import Figure

    # The same family the documents use, shipped with matplotlib itself.
    matplotlib.rcParams.update({"font.family": "DejaVu Sans", "svg.fonttype": "none"})
    fig = Figure(figsize=figsize, dpi=150)
    return fig, fig.subplots()


def _finish(fig: Any, caption: str, source: str, alt: str) -> Chart:
    """Save the figure as SVG (with ids unique to this chart) and PNG, and close it."""
    alt = strip_control(alt)
    svg, png = io.StringIO(), io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None})  # the same chart, the same bytes
    fig.savefig(png, format="png")
    text = svg.getvalue()
    text = _unique_ids(_attributes(text[text.index("<svg") :]))
    # The alternative text as the SVG's own title: the PDF printer writes it as the
    # figure's /Alt, and a browser offers it on hover.
    opening = text.index(">", text.index("<svg")) + 1
    text = f"{text[:opening]}<title>{escape(alt)}</title>{text[opening:]}"
    return Chart(caption, source, text, png.getvalue(), alt)


def _attributes(svg: str) -> str:
    """The SVG with its inline styles as presentation attributes.

    Inline in an HTML page, an SVG's ``style`` attributes are read by the PDF printer as HTML
    CSS, where ``stroke`` or ``text-anchor`` are unknown: every element gave a warning (a
    hundred lines per document). As attributes they mean the same to every SVG reader.
    The stylesheet matplotlib adds (line joins) would apply to the whole page; it goes.
    """
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)

    def convert(match: re.Match[str]) -> str:
        pairs = []
        for declaration in match.group(1).split(";"):
            name, _sep, value = declaration.partition(":")
            if name.strip() and value.strip():
                value = value.strip().replace('"', "'")
                pairs.append(f'{name.strip()}="{value}"')
        return " ".join(pairs)

    return re.sub(r'style="([^"]*)"', convert, svg)


def _unique_ids(svg: str) -> str:
    """Prefix every id in the SVG (and the references to it) with a hash of the chart.

    matplotlib numbers its ids from 1 in every file, so two charts in one document would
    define "patch_1" twice: the PDF printer warns, and a link may land in the wrong chart.
    """
    prefix = "c" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)


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
    """Lines over years, one per series, each named at its end (no legend to look up).

    A missing value (None, e.g. a count withheld in a public edition) leaves a gap.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator
    from matplotlib.transforms import blended_transform_factory, offset_copy

    fig, ax = _subplots((6.4, 3.4))
    xs = list(x)
    ends: list[tuple[float, int, float, str]] = []  # (y, index, x, label) of each line's end
    for number, (label, values) in enumerate(series):
        colour, marker, dash = _STYLES[number % len(_STYLES)]
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(xs, ys, color=colour, marker=marker, linestyle=dash, linewidth=1.5, markersize=4)
        last = next((i for i in range(len(ys) - 1, -1, -1) if ys[i] == ys[i]), None)
        if last is not None:
            ends.append((ys[last], number, xs[last], label))
    known = [v for _label, values in series for v in values if v is not None]
    positive = [v for v in known if v > 0]
    if positive and len(positive) == len(known) and max(positive) >= 5 * min(positive):
        # One category dwarfs the rest: on a linear scale the small ones lie flat at the
        # bottom. A logarithmic scale shows each line's own change.
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda _v, _pos: ""))
        ax.set_ylim(min(positive) / 1.5, max(positive) * 1.5)
    else:
        ax.set_ylim(bottom=0)
    # Ticks as the tables write numbers: "1 750", not "1750".
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v, "")))
    # Each line is named at its end. Labels of lines that end close together are moved
    # apart (in the axes' own height, whatever the scale), each by its own height, so none
    # covers another.
    to_axes = ax.transData + ax.transAxes.inverted()
    step = 0.045  # one text line of 7 pt in the axes' height
    wanted = []
    for y, number, x_end, label in ends:
        text = _wrap(label, 24)
        wanted.append((to_axes.transform((x_end, y))[1], number, x_end, text))
    wanted.sort()
    placed: list[tuple[float, float]] = []  # (centre, half height)
    for y_axes, number, x_end, text in wanted:
        half = step * (text.count("\n") + 1) / 2
        centre = y_axes
        if placed:
            low = placed[-1][0] + placed[-1][1] + half + 0.01
            centre = max(centre, low)
        placed.append((centre, half))
        ax.text(
            x_end,
            centre,
            _plain(text),
            transform=offset_copy(
                blended_transform_factory(ax.transData, ax.transAxes),
                fig=fig,
                x=6,
                units="points",
            ),
            fontsize=7,
            color=_STYLES[number % len(_STYLES)][0],
            va="center",
            clip_on=False,
        )
    ax.set_xticks(xs, [str(v) for v in xs])
    scale = " (logaritmisk skala)" if ax.get_yscale() == "log" else ""
    ax.set_ylabel(_plain(axis_label + scale))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.subplots_adjust(right=0.68)
    alt = line_alt(xs, series, caption=caption, unit=unit)
    return _finish(fig, caption, source, alt)


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
    return _bar_chart(
        tuple(labels),
        tuple(values),
        caption=caption,
        source=source,
        axis_label=axis_label,
        unit=unit,
        horizontal=horizontal,
    )


def _bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    caption: str,
    source: str,
    axis_label: str,
    unit: str = "",
    horizontal: bool = True,
) -> Chart:
    """A labelled bar chart; values are printed on the bars so no colour carries meaning.

    Every text handed to matplotlib goes through ``_plain`` first: labels come from what
    editors typed, and a ``$`` would start matplotlib's formula markup (``$\\frac{$`` is
    an error that would stop the whole document).
    """
    height = max(1.8, 0.45 * len(labels) + 0.8)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, ax = _subplots((6.4, height))
    positions = range(len(labels))
    if horizontal:
        bars = ax.barh(list(positions), list(values), color=_COLOUR)
        ax.set_yticks(list(positions), [_plain(_wrap(label)) for label in labels])
        ax.invert_yaxis()
        ax.set_xlabel(_plain(axis_label))
    else:
        bars = ax.bar(list(positions), list(values), color=_COLOUR)
        ax.set_xticks(list(positions), [_plain(_wrap(label)) for label in labels])
        ax.set_ylabel(_plain(axis_label))
    ax.bar_label(bars, labels=[_plain(_number(v, unit)) for v in values], padding=3, fontsize=8)
    value_axis = ax.xaxis if horizontal else ax.yaxis
    if all(float(v).is_integer() for v in values):
        # Counts get whole-number ticks: "0,25 händelser" is no tick anyone can read.
        value_axis.set_major_locator(MaxNLocator(integer=True))
    value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v, "")))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    alt = bar_alt(labels, values, caption=caption, unit=unit)
    return _finish(fig, caption, source, alt)


def _sentence(caption: str) -> str:
    return caption[:1].lower() + caption[1:] if caption[1:2].islower() else caption


def line_alt(
    xs: Sequence[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    caption: str,
    unit: str = "",
) -> str:
    """The alternative text of a line chart, written from its data: what it shows, over
    which years, and how each line moved ("stöld … minskade från 1 746 till 1 600"), then
    every value, so nothing on the chart is lost to a reader who cannot see it."""
    span = f"{xs[0]}–{xs[-1]}" if len(xs) > 1 else str(xs[0]) if xs else ""
    parts = [f"Linjediagram: {_sentence(caption)}, {span}"]
    moves = []
    for label, values in series:
        known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if len(known) < 2:
            continue
        (x0, first), (x1, last) = known[0], known[-1]
        peak_x, peak = max(known, key=lambda item: item[1])
        if last > first:
            move = f"ökade från {_number(first, unit)} till {_number(last, unit)}"
        elif last < first:
            move = f"minskade från {_number(first, unit)} till {_number(last, unit)}"
        else:
            move = f"låg på {_number(first, unit)} både {x0} och {x1}"
        if peak > max(first, last):
            move += f", med högst {_number(peak, unit)} år {peak_x}"
        moves.append(f"{_sentence(label)} {move}")
    if moves:
        parts.append("; ".join(moves))
    values_text = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{x_} {'uppgift saknas' if v is None else _number(v, unit)}"
            for x_, v in zip(xs, values, strict=True)
        )
        for label, values in series
    )
    parts.append(f"Värden per år: {values_text}")
    return ". ".join(parts) + "."


def bar_alt(labels: Sequence[str], values: Sequence[float], *, caption: str, unit: str = "") -> str:
    """The alternative text of a bar chart, written from its data: what it shows, the
    highest and lowest bar, then every bar's value."""
    parts = [f"Stapeldiagram: {_sentence(caption)}"]
    pairs = list(zip(labels, values, strict=True))
    if len(pairs) > 1:
        top = max(pairs, key=lambda item: item[1])
        low = min(pairs, key=lambda item: item[1])
        parts.append(
            f"Högst är {top[0]} med {_number(top[1], unit)}, "
            f"lägst {low[0]} med {_number(low[1], unit)}"
        )
    parts.append(
        "Alla staplar: " + "; ".join(f"{label} {_number(value, unit)}" for label, value in pairs)
    )
    return ". ".join(parts) + "."


def _plain(text: str) -> str:
    """Text as matplotlib should print it: no control characters, no formula markup.

    An escaped dollar sign is drawn as a dollar sign; without one, matplotlib reads the text
    between two dollar signs as a formula (mathtext).
    """
    return strip_control(str(text)).replace("$", r"\$")


def _number(value: float, unit: str) -> str:
    """As the tables write it (lib/numbers.py): "1 746", "12,5 %"."""
    return numbers.with_unit(value, unit)


def _wrap(label: str, width: int = 28) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])
