"""Charts drawn once with matplotlib: SVG for HTML/PDF and PNG for Word, from the same data."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from samverkan.documents.structure import Chart  # noqa: E402
from samverkan.lib.text import strip_control  # noqa: E402

# The same family the documents use, shipped with matplotlib itself.
matplotlib.rcParams.update({"font.family": "DejaVu Sans", "svg.fonttype": "none"})
_COLOUR = "#0b4f7c"


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
    """A labelled bar chart; values are printed on the bars so no colour carries meaning.

    Every text handed to matplotlib goes through ``_plain`` first: labels come from what
    editors typed, and a ``$`` would start matplotlib's formula markup (``$\\frac{$`` is
    an error that would stop the whole document).
    """
    height = max(1.8, 0.45 * len(labels) + 0.8)
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=150)
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
    svg, png = io.StringIO(), io.BytesIO()
    fig.savefig(svg, format="svg")
    fig.savefig(png, format="png")
    plt.close(fig)
    alt = "; ".join(
        f"{label}: {_number(value, unit)}" for label, value in zip(labels, values, strict=True)
    )
    text = svg.getvalue()
    return Chart(caption, source, text[text.index("<svg") :], png.getvalue(), alt)


def _plain(text: str) -> str:
    """Text as matplotlib should print it: no control characters, no formula markup.

    An escaped dollar sign is drawn as a dollar sign; without one, matplotlib reads the text
    between two dollar signs as a formula (mathtext).
    """
    return strip_control(str(text)).replace("$", r"\$")


def _number(value: float, unit: str) -> str:
    """Swedish: decimal comma, a narrow space between thousands, a true minus."""
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", "\u202f")
    else:
        text = f"{value:,.2f}".rstrip("0").replace(",", "\u202f").replace(".", ",")
    text = text.replace("-", "−")
    return f"{text} {unit}".strip()


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
