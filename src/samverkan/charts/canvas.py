"""A drawing of a chart as a list of SVG elements, with the box of every text it holds.

The layouts (line.py, bars.py, heat.py) draw on a ``Canvas``; ``Canvas.svg`` writes the SVG
the pages and the PDF show, and raster.py paints the same SVG as the PNG Word needs. Only
these few elements and attributes are written, and the painter knows each of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from samverkan.charts import metrics
from samverkan.lib.text import strip_control

FONT_FAMILY = "'Doc Sans', 'DejaVu Sans', Verdana, sans-serif"
INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#d5dbe1"
AXIS = "#4a5360"

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """The box a text covers: left, top, right, bottom in the chart's units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True)
class Text:
    """One line of text as drawn: its words, its box, and what it is ("tick", "value", …)."""

    text: str
    box: Box
    role: str


def _n(value: float) -> str:
    """A coordinate, short: "12.5", "40"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


@dataclass
class Canvas:
    width: float
    height: float = 0.0
    elements: list[str] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str,
        width: float = 1.0,
        dash: str = "",
    ) -> None:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.elements.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{dashed}/>'
        )

    def polyline(
        self, points: Sequence[Point], stroke: str, width: float = 1.0, dash: str = ""
    ) -> None:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.elements.append(
            f'<polyline points="{_points(points)}" fill="none" stroke="{stroke}" '
            f'stroke-width="{_n(width)}" stroke-linejoin="round"{dashed}/>'
        )

    def polygon(self, points: Sequence[Point], fill: str) -> None:
        self.elements.append(f'<polygon points="{_points(points)}" fill="{fill}"/>')

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.elements.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"/>')

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill: str,
        *,
        stroke: str = "",
        stroke_width: float = 0.0,
        opacity: float = 1.0,
        tooltip: str = "",
    ) -> None:
        outline = f' stroke="{stroke}" stroke-width="{_n(stroke_width)}"' if stroke else ""
        alpha = f' fill-opacity="{opacity:.2f}"' if opacity < 1 else ""
        attributes = (
            f'x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill="{fill}"{alpha}{outline}'
        )
        if tooltip:
            self.elements.append(f"<rect {attributes}><title>{escape(tooltip)}</title></rect>")
        else:
            self.elements.append(f"<rect {attributes}/>")

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        role: str,
        anchor: str = "start",
        fill: str = INK,
        bold: bool = False,
        tooltip: str = "",
    ) -> Box:
        """One line of text with its baseline at ``y``; ``anchor`` says whether ``x`` is its
        start, middle or end; a ``tooltip`` (the full text of a shortened label) is its
        <title>. Returns (and keeps) the box it covers."""
        text = strip_control(text)
        width = metrics.text_width(text, size, bold)
        left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
        box = Box(left, y - metrics.ascent(size), left + width, y + metrics.descent(size))
        self.texts.append(Text(text, box, role))
        weight = ' font-weight="bold"' if bold else ""
        align = f' text-anchor="{anchor}"' if anchor != "start" else ""
        self.elements.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}"{align}{weight}>'
            f"{escape(text, quote=False)}{self._title(tooltip)}</text>"
        )
        return box

    @staticmethod
    def _title(tooltip: str) -> str:
        return f"<title>{escape(strip_control(tooltip))}</title>" if tooltip else ""

    def svg(self, *, title: str, desc: str, ident: str) -> str:
        """The chart as an SVG element: an image (role="img") named by its title and
        described by its description, for a screen reader and for the PDF's alternative
        text (the PDF printer takes the title)."""
        title, desc = strip_control(title), strip_control(desc)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(self.width)} '
            f'{_n(self.height)}" role="img" aria-labelledby="{ident}-title" '
            f'aria-describedby="{ident}-desc" class="chart" font-family="{FONT_FAMILY}">'
            f'<title id="{ident}-title">{escape(title)}</title>'
            f'<desc id="{ident}-desc">{escape(desc)}</desc>'
            f'<rect x="0" y="0" width="{_n(self.width)}" height="{_n(self.height)}" '
            'fill="#ffffff"/>' + "".join(self.elements) + "</svg>"
        )
