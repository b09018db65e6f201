"""A finished chart: its SVG, the texts it placed, and the PNG of the same SVG."""

from __future__ import annotations

from dataclasses import dataclass

from samverkan.charts.canvas import Text
from samverkan.charts.scales import Scale


@dataclass(frozen=True)
class Drawing:
    svg: str
    width: float
    height: float
    layout: str  # "linear", "log", "panels", "horizontal", "vertical", "heatmap"
    texts: tuple[Text, ...]
    scales: tuple[Scale, ...] = ()

    def png(self, pixels: int = 1600) -> bytes:
        """The same SVG painted as a PNG ``pixels`` wide (for Word, which shows no SVG)."""
        from samverkan.charts.raster import to_png

        return to_png(self.svg, pixels)
