"""One chart engine for the pages, the PDF documents and the Word files.

A chart is laid out once, from its data, as SVG (canvas.py): the pages show it inline, the
PDF printer draws it, and raster.py paints the same SVG as the PNG a Word file needs. Every
number on a chart (ticks, values) is written as the tables write it (lib/numbers.py); no two
texts overlap (their boxes are measured in the chart's font, metrics.py); the value axis
suits the data (scales.py: linear, logarithmic, or one panel per line; forest.py: a ratio
axis around 1); every chart is an image with a title and a description written from its
data (alt.py).
"""

from samverkan.charts.alt import bar_alt, forest_alt, line_alt
from samverkan.charts.bars import bar_chart
from samverkan.charts.drawing import Drawing
from samverkan.charts.forest import Estimate, forest_plot
from samverkan.charts.heat import heatmap
from samverkan.charts.lines import line_chart

__all__ = [
    "Drawing",
    "Estimate",
    "bar_alt",
    "bar_chart",
    "forest_alt",
    "forest_plot",
    "heatmap",
    "line_alt",
    "line_chart",
]
