"""The figures stage: declarations + indicators -> SVG, PNG and CSV, cached by hash.

The stage has two halves. ``resolve_figures`` turns each ``FigureSpec`` into a
``Chart``, reporting every problem at its YAML position. ``draw_figures`` then draws
each chart (matplotlib is imported lazily, so importing this package stays cheap) and
keeps the SVG and PNG in a cache keyed on everything that affects them (and on
``CACHE_VERSION``, bumped when the drawing code changes what it draws).

Modules, each using only those before it: ``fonts`` (the theme's Noto files, text
widths, the characters they cover), ``embed`` (fonts and title inside an SVG),
``data`` (declarations resolved to numbers), ``text`` (alt text, data tables),
``colours`` (palette, contrast), ``layout`` (frames, wrapping, ticks), ``marks``
(looks of bars and lines, legend), ``axes`` (axis labels and grid lines without
matplotlib's ticks), ``rows`` (bars across, in panels), ``columns``
(columns and lines), ``draw`` (matplotlib, one drawing per frame) and ``stage`` (the
stage: cache, workers). The names callers use are re-exported here.
"""

from generator.figures.colours import (
    DERIVED_HATCH,
    FALLBACK,
    NEUTRAL,
    PALETTE,
    Style,
    chart_style,
    contrast,
    theme_colours,
)
from generator.figures.data import (
    MAX_DECIMALS,
    MAX_LABEL,
    MAX_POINTS,
    MAX_SERIES,
    Chart,
    ChartKind,
    Point,
    Series,
)
from generator.figures.draw import Drawing, render_chart
from generator.figures.fonts import (
    COVERED,
    LAYOUT_FONT,
    SVG_FONTS,
    ChartFonts,
    chart_fonts,
    uncovered,
)
from generator.figures.layout import FRAMES, TEXT, WIDE, Frame
from generator.figures.resolve import resolve_figure
from generator.figures.stage import (
    CACHE_VERSION,
    PARALLEL_FROM,
    FigureOut,
    FigureResult,
    Variant,
    draw_figures,
    resolve_figures,
)
from generator.figures.text import (
    describe,
    format_point,
    series_label,
    table_csv,
    tabulate,
)

__all__ = [
    "CACHE_VERSION",
    "COVERED",
    "DERIVED_HATCH",
    "FALLBACK",
    "FRAMES",
    "LAYOUT_FONT",
    "MAX_DECIMALS",
    "MAX_LABEL",
    "MAX_POINTS",
    "MAX_SERIES",
    "NEUTRAL",
    "PALETTE",
    "PARALLEL_FROM",
    "SVG_FONTS",
    "TEXT",
    "WIDE",
    "Chart",
    "ChartFonts",
    "ChartKind",
    "Drawing",
    "FigureOut",
    "FigureResult",
    "Frame",
    "Point",
    "Series",
    "Style",
    "Variant",
    "chart_fonts",
    "chart_style",
    "contrast",
    "describe",
    "draw_figures",
    "format_point",
    "render_chart",
    "resolve_figure",
    "resolve_figures",
    "series_label",
    "table_csv",
    "tabulate",
    "theme_colours",
    "uncovered",
]
