"""Draw a chart with matplotlib, once per frame: SVGs and a PNG, the same everywhere.

Drawn output is deterministic: fixed ``svg.hashsalt``, no dates, text kept as
``<text>`` (``svg.fonttype: none``) with ``text.parse_math`` off, so ``$`` and
backslashes print as written. Text is laid out with the theme's Noto files and each
SVG embeds the glyphs it uses (``figures.embed``). The chart's title and source are
not drawn: the page and the brief write them in the figure's caption, and the SVG
keeps the title as its ``<title>``. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from generator.figures.colours import AXIS_INK, MUTED_INK, TEXT_INK, Style
from generator.figures.columns import (
    category_labels,
    draw_columns,
    left_margin,
    plot_height,
)
from generator.figures.data import Chart
from generator.figures.embed import finish_svg, font_faces, text_runs
from generator.figures.fonts import (
    LAYOUT_FONT,
    SYMBOLS_FONT,
    ChartFonts,
    text_width,
    use_fonts,
)
from generator.figures.layout import (
    FRAMES,
    LINE,
    PAD,
    TEXT,
    WIDE,
    Frame,
    Measure,
    is_horizontal,
    wrap_width,
)
from generator.figures.marks import legend_handles
from generator.figures.rows import (
    PANEL_GAP,
    draw_panel,
    panel_height,
    panels,
    plan_rows,
    right_margin,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_WIDTH = 1200  # px: the size social networks ask for


@dataclass(frozen=True, slots=True)
class Drawing:
    """A chart drawn for every frame (FRAMES order), and maybe its sharing PNG."""

    svgs: tuple[bytes, ...]
    sizes: tuple[tuple[int, int], ...]  # width and height of each, in CSS px
    png: bytes = b""


def _rc(ident: str) -> dict[str, Any]:
    return {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, translatable
        "svg.hashsalt": "proceedings",  # stable ids for clip paths and hatches
        "svg.id": f"fig-{ident}",
        "text.parse_math": False,  # "$5" and "x_1" are labels, not TeX
        "text.usetex": False,
        "font.family": [LAYOUT_FONT, SYMBOLS_FONT],
        "font.size": TEXT,
        "text.color": TEXT_INK,
        "axes.labelcolor": MUTED_INK,
        "axes.edgecolor": AXIS_INK,
        "axes.linewidth": 0.8,
        "axes.unicode_minus": True,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "hatch.linewidth": 1.0,
        "legend.fontsize": TEXT,
    }


def render_chart(
    chart: Chart,
    style: Style,
    alt: str,
    lang: str,
    fonts: ChartFonts,
    *,
    png: bool,
    data_sha256: str = "",
) -> Drawing:
    """Draw a chart for every frame; return its SVGs and, if asked, a PNG.

    Each SVG has the chart's title and alt text as <title> and <desc>; its
    ``<metadata>`` (Dublin Core) names the sources and, given data_sha256, the
    SHA-256 of the figure's data table, the CSV published beside it
    (docs/provenance.md).
    """
    import matplotlib

    use_fonts(fonts)
    # A bold minus sign comes from the regular symbols font; matplotlib says so.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    settings: Any = _rc(chart.spec.id)  # mypy's rcParams keys are a Literal
    raw: list[str] = []
    sizes: list[tuple[int, int]] = []
    image = b""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # not the user's matplotlibrc: same bytes everywhere
        matplotlib.rcParams.update(settings)
        for frame in FRAMES:
            fig = draw_frame(chart, style, lang, frame, fonts)
            out = io.BytesIO()
            meta = svg_metadata(chart, lang, data_sha256)
            fig.savefig(out, format="svg", metadata=meta)
            raw.append(out.getvalue().decode("utf-8"))
            width, height = fig.get_size_inches() * 72
            sizes.append((round(width), round(height)))
            if png and frame is WIDE:
                out = io.BytesIO()
                dpi = 72 * PNG_WIDTH / WIDE.width
                fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
                image = out.getvalue()
    faces = font_faces(fonts, *text_runs(raw))
    svgs = tuple(
        finish_svg(svg.encode("utf-8"), chart.spec.id, chart.spec.title, alt, faces)
        for svg in raw
    )
    return Drawing(svgs, tuple(sizes), image)


def svg_metadata(chart: Chart, lang: str, data_sha256: str) -> dict[str, Any]:
    """Return the SVG's Dublin Core metadata: sources, data hash, data file."""
    meta: dict[str, Any] = {"Date": None, "Creator": None, "Language": lang}
    if chart.source_note:
        meta["Source"] = chart.source_note
    if data_sha256:
        meta["Identifier"] = f"sha256:{data_sha256}"
        meta["Relation"] = f"{chart.spec.id}.csv"
    return meta


def draw_frame(
    chart: Chart, style: Style, lang: str, frame: Frame, fonts: ChartFonts
) -> Figure:
    """Lay a chart out for one frame and draw it; return the matplotlib figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    measure: Measure = partial(_measure, fonts=fonts)
    chart = _units_in_labels(chart)
    width = frame.width
    fig = Figure(figsize=(width / 72, 4), dpi=72)
    FigureCanvasAgg(fig)  # a renderer to measure the legend with
    handles = legend_handles(chart, style, lang)
    legend_height, columns = _legend_plan(fig, handles, width, measure)
    top = PAD + (legend_height + 8 if handles else 0)
    if len(panels(chart)) > 1 or is_horizontal(chart, frame, measure):
        height = _rows(fig, chart, style, lang, frame, measure, top)
    else:
        height = _columns(fig, chart, style, lang, frame, measure, top)
    if handles:
        fig.legend(handles=handles, **_legend_options(columns, width, height))
    return fig


def _measure(text: str, bold: bool, fonts: ChartFonts) -> float:
    return text_width(text, TEXT, bold, fonts)


def _rows(
    fig: Figure,
    chart: Chart,
    style: Style,
    lang: str,
    frame: Frame,
    measure: Measure,
    top: float,
) -> float:
    """Bars across, in one or more panels; return the figure's height."""
    right = right_margin(plan_rows(chart, frame, measure)[0], lang, measure)
    planned, column = plan_rows(chart, frame, measure, right)
    heights = [panel_height(p, chart) for p in planned]
    width = frame.width
    height = math.ceil(top + sum(heights) + PANEL_GAP * (len(heights) - 1) + PAD)
    fig.set_size_inches(width / 72, height / 72)
    left = PAD + (column + PAD if column else 0)
    y = top
    for panel, space in zip(planned, heights, strict=True):
        ax = fig.add_axes(
            (
                left / width,
                1 - (y + panel.height) / height,
                (width - left - right) / width,
                panel.height / height,
            )
        )
        draw_panel(fig, ax, panel, column, style, lang, measure)
        y += space + PANEL_GAP
    return height


def _columns(
    fig: Figure,
    chart: Chart,
    style: Style,
    lang: str,
    frame: Frame,
    measure: Measure,
    top: float,
) -> float:
    """Columns or lines over a category axis; return the figure's height."""
    width = frame.width
    left = left_margin(chart, lang, measure)
    labels, label_height = category_labels(chart, frame, left, measure)
    plot_top = top + (LINE + 8 if chart.unit else 4)
    plot = plot_height(frame)
    height = math.ceil(plot_top + plot + label_height + PAD)
    fig.set_size_inches(width / 72, height / 72)
    ax = fig.add_axes(
        (
            left / width,
            1 - (plot_top + plot) / height,
            (width - left - PAD) / width,
            plot / height,
        )
    )
    draw_columns(fig, ax, chart, labels, style, lang, measure, top)
    return height


def _units_in_labels(chart: Chart) -> Chart:
    """With values in several units on one axis (declared), name each in its label."""
    if chart.unit or chart.compare:
        return chart
    named = []
    for i, category in enumerate(chart.categories):
        units = {p.unit for s in chart.series if (p := s.points[i]) and p.unit}
        named.append(f"{category} ({units.pop()})" if len(units) == 1 else category)
    return replace(chart, categories=tuple(named))


def _legend_plan(
    fig: Figure, handles: list[Any], width: float, measure: Measure
) -> tuple[float, int]:
    """Wrap legend labels to the frame; return the legend's height and columns."""
    if not handles:
        return 0.0, 1
    room = width - 2 * PAD - 2.2 * TEXT  # less the key and the gap after it
    for handle in handles:
        handle.set_label("\n".join(wrap_width(handle.get_label(), room, measure)))
    widths = [
        2.2 * TEXT + max(measure(line, False) for line in h.get_label().split("\n"))
        for h in handles
    ]
    columns = len(handles)
    while columns > 1 and (
        max(widths) * columns + 1.2 * TEXT * (columns - 1) > width - 2 * PAD
    ):
        columns -= 1
    legend = fig.legend(handles=handles, **_legend_options(columns, width, 300))
    extent = legend.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    legend.remove()
    return float(extent.height), columns


def _legend_options(columns: int, width: float, height: float) -> dict[str, Any]:
    return {
        "loc": "upper left",
        "bbox_to_anchor": (PAD / width, 1 - PAD / height),
        "ncols": columns,
        "frameon": False,
        "fontsize": TEXT,
        "handlelength": 1.6,
        "handletextpad": 0.6,
        "columnspacing": 1.2,
        "labelspacing": 0.4,
        "borderaxespad": 0,
        "borderpad": 0,
        "alignment": "left",
    }
