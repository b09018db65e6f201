"""The charts' look: sizes, and lines told apart by colour, marker and dash together, so
that colour is never the only cue (and a grey print still tells them apart)."""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.charts.canvas import Canvas

WIDTH = 640.0  # the viewBox; a document shows it across its text column (17 cm)
PAD = 8.0
TICK_SIZE = 11.0
LABEL_SIZE = 11.0
TITLE_SIZE = 11.0
BAR = "#0b4f7c"
HIGHLIGHT = "#b3541e"
REFERENCE = "#1b1f24"


@dataclass(frozen=True)
class Style:
    colour: str
    marker: str
    dash: str


# Colours with at least 4.5:1 contrast to white (WCAG 1.4.11 asks 3:1 of graphics).
STYLES = (
    Style("#0b4f7c", "circle", ""),
    Style("#b3541e", "square", "6 3"),
    Style("#2f7d32", "triangle", "8 3 2 3"),
    Style("#6a3d9a", "diamond", "2 3"),
    Style("#4a5360", "down", ""),
    Style("#a4262c", "cross", "6 3"),
)


def style(number: int) -> Style:
    return STYLES[number % len(STYLES)]


def marker(canvas: Canvas, kind: str, x: float, y: float, colour: str, size: float = 4.0) -> None:
    s = size
    if kind == "circle":
        canvas.circle(x, y, s, colour)
    elif kind == "square":
        canvas.rect(x - s * 0.85, y - s * 0.85, s * 1.7, s * 1.7, colour)
    elif kind == "triangle":
        canvas.polygon([(x, y - s * 1.15), (x - s, y + s * 0.75), (x + s, y + s * 0.75)], colour)
    elif kind == "down":
        canvas.polygon([(x, y + s * 1.15), (x - s, y - s * 0.75), (x + s, y - s * 0.75)], colour)
    elif kind == "diamond":
        canvas.polygon([(x, y - s * 1.2), (x - s, y), (x, y + s * 1.2), (x + s, y)], colour)
    else:  # a cross
        canvas.line(x - s, y - s, x + s, y + s, colour, 2.0)
        canvas.line(x - s, y + s, x + s, y - s, colour, 2.0)
