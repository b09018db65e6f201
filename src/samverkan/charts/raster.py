"""The chart's SVG painted as a PNG, for Word (which shows no SVG in its pictures).

The painter reads the very SVG the page and the PDF show and paints each of its elements
with Pillow, in the same font files as the documents (DejaVu Sans), drawn at twice the size
and scaled down so edges are smooth. It knows exactly the elements and attributes
canvas.py writes, and refuses anything else rather than leave it out silently.
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from functools import cache
from typing import Any

from samverkan.charts import metrics

SVG = "{http://www.w3.org/2000/svg}"
OVERSAMPLE = 2
KNOWN = {"svg", "title", "desc", "rect", "line", "polyline", "polygon", "circle", "text"}

Point = tuple[float, float]


@cache
def _font(size: int, bold: bool) -> Any:
    from PIL import ImageFont

    path = metrics.BOLD_FILE if bold else metrics.REGULAR_FILE
    return ImageFont.truetype(str(path), size)


def _colour(value: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue, round(255 * max(0.0, min(1.0, opacity)))


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.replace(",", " ").split()]


def _pairs(text: str) -> list[Point]:
    values = _numbers(text)
    return list(zip(values[::2], values[1::2], strict=True))


def _dashes(points: Sequence[Point], pattern: Sequence[float]) -> list[list[Point]]:
    """The drawn pieces of a dashed line along ``points``: on, off, on, … as ``pattern``."""
    pieces: list[list[Point]] = []
    index, left, on = 0, pattern[0], True
    current: list[Point] = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        done = 0.0
        while length - done > left:
            done += left
            point = (x0 + (x1 - x0) * done / length, y0 + (y1 - y0) * done / length)
            if on:
                current.append(point)
                pieces.append(current)
            current = [point]
            on = not on
            index = (index + 1) % len(pattern)
            left = pattern[index]
        left -= length - done
        current.append((x1, y1))
    if on and len(current) > 1:
        pieces.append(current)
    return pieces


def to_png(svg: str, pixels: int = 1600) -> bytes:
    """The SVG (as canvas.py writes it) as a PNG ``pixels`` wide."""
    from PIL import Image, ImageDraw

    root = ET.fromstring(svg)
    _x, _y, width, height = _numbers(root.attrib["viewBox"])
    final = (pixels, max(1, round(height * pixels / width)))
    scale = pixels / width * OVERSAMPLE
    image = Image.new("RGB", (final[0] * OVERSAMPLE, final[1] * OVERSAMPLE), (255, 255, 255))
    draw = ImageDraw.Draw(image, "RGBA")

    def at(points: Sequence[Point]) -> list[Point]:
        return [(x * scale, y * scale) for x, y in points]

    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        if tag not in KNOWN:
            raise ValueError(f"the chart painter does not know <{tag}>")
        a = element.attrib
        opacity = float(a.get("fill-opacity", 1))
        fill = _colour(a["fill"], opacity) if a.get("fill", "none") != "none" else None
        stroke = _colour(a["stroke"]) if "stroke" in a else None
        stroke_width = max(1, round(float(a.get("stroke-width", 1)) * scale))
        if tag == "rect":
            x, y = float(a["x"]) * scale, float(a["y"]) * scale
            box = (x, y, x + float(a["width"]) * scale, y + float(a["height"]) * scale)
            draw.rectangle(box, fill=fill, outline=stroke, width=stroke_width if stroke else 0)
        elif tag == "circle":
            x, y, r = (float(a[k]) * scale for k in ("cx", "cy", "r"))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif tag == "polygon":
            draw.polygon(at(_pairs(a["points"])), fill=fill)
        elif tag in ("line", "polyline"):
            if tag == "line":
                points = [(float(a["x1"]), float(a["y1"])), (float(a["x2"]), float(a["y2"]))]
            else:
                points = _pairs(a["points"])
            pieces = [points]
            if "stroke-dasharray" in a:
                pieces = _dashes(points, _numbers(a["stroke-dasharray"]))
            for piece in pieces:
                draw.line(at(piece), fill=stroke, width=stroke_width, joint="curve")
        elif tag == "text":
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[a.get("text-anchor", "start")]
            font = _font(round(float(a["font-size"]) * scale), a.get("font-weight") == "bold")
            draw.text(
                (float(a["x"]) * scale, float(a["y"]) * scale),
                element.text or "",
                fill=fill or (0, 0, 0, 255),
                font=font,
                anchor=anchor,
            )
    out = io.BytesIO()
    image.reduce(OVERSAMPLE).save(out, format="PNG", compress_level=3)
    return out.getvalue()
