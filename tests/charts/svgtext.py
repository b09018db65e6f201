"""Reading a chart's SVG back as a reader (or a test) sees it: its texts and their boxes,
measured from the SVG's own attributes, not from what the engine says it drew."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from samverkan.charts import metrics

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Placed:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Placed) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


def root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[Placed]:
    placed = []
    for element in root(svg).iter(f"{SVG}text"):
        size = float(element.attrib["font-size"])
        bold = element.attrib.get("font-weight") == "bold"
        text = element.text or ""
        width = metrics.text_width(text, size, bold)
        x, y = float(element.attrib["x"]), float(element.attrib["y"])
        shift = {"start": 0, "middle": width / 2, "end": width}[
            element.attrib.get("text-anchor", "start")
        ]
        placed.append(
            Placed(
                text,
                x - shift,
                y - metrics.ascent(size),
                x - shift + width,
                y + metrics.descent(size),
            )
        )
    return placed


def overlapping(svg: str) -> list[tuple[str, str]]:
    """Every pair of texts whose boxes overlap."""
    boxes = texts(svg)
    return [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


def outside(svg: str) -> list[str]:
    """Texts that reach past the edge of the chart's view box."""
    _x, _y, width, height = (float(v) for v in root(svg).attrib["viewBox"].split())
    return [
        t.text
        for t in texts(svg)
        if t.x0 < -0.01 or t.y0 < -0.01 or t.x1 > width + 0.01 or t.y1 > height + 0.01
    ]
