"""Chart geometry: the figure's size, labels wrapped to fit, and the two axes."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING

from generator.figures.colours import GRID_INK
from generator.figures.data import Chart
from generator.formats import format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


WIDTH_PT = 720.0  # 10 in at 72 pt/in; the page shows it at 100% of the column
HEIGHT_PT = 405.0  # 16:9 for vertical charts; horizontal ones grow with their bars
# Text sizes in points; a page column shows the chart at about 1 px per point.
SIZE_TITLE, SIZE_TEXT, SIZE_VALUE, SIZE_SOURCE = 14, 10, 9, 8.5
WRAP_TITLE, WRAP_LABEL = 72, 30  # characters per line of a title, a bar's label


def is_horizontal(chart: Chart) -> bool:
    """True when the chart's bars run across the page (barh, stacked)."""
    return chart.kind in ("barh", "stacked")


def chart_height(chart: Chart) -> float:
    """Vertical charts are 16:9; horizontal ones are as tall as their bars need."""
    if not is_horizontal(chart):
        return HEIGHT_PT
    lines = [len(wrap_even(c, WRAP_LABEL)) for c in chart.categories]
    per_bar = 1 if chart.kind == "stacked" else len(chart.series)
    rows = sum(max(n * 14 + 14, per_bar * 16 + 14, 36) for n in lines)
    chrome = (
        120
        + 16 * len(wrap_even(chart.spec.title, WRAP_TITLE))
        + (22 if _legend_needed(chart) else 0)
    )
    return max(240.0, min(chrome + rows, 40 * 72.0))


def wrap_even(text: str, width: int) -> list[str]:
    """Wrap text in as few lines as width allows, of even length (no lone last word)."""

    def wrap(w: int) -> list[str]:
        return textwrap.wrap(text, w, break_long_words=False, break_on_hyphens=False)

    lines = wrap(max(width, 8))
    if len(lines) < 2:
        return lines or [""]
    for even in range(-(-len(text) // len(lines)), max(width, 8)):
        balanced = wrap(even)
        if len(balanced) == len(lines):
            return balanced
    return lines


def _legend_needed(chart: Chart) -> bool:
    return len(chart.series) > 1 or any(p.derived or p.suppressed for p in chart.points)


def _value_axis(chart: Chart, lang: str) -> tuple[list[float], list[str], float, float]:
    """Nice ticks for the value axis, labelled the reader's way ('600.000', '2,5')."""
    from matplotlib.ticker import MaxNLocator

    values = [float(p.value) for p in chart.points]
    if chart.kind == "stacked":
        values = _stack_ends(chart)
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    integer = all(p.value == p.value.to_integral_value() for p in chart.points)
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer)
    span = hi - lo
    below = lo - span * (0.25 if lo < 0 else 1e-9)
    ticks = [float(t) for t in locator.tick_values(lo, hi)]
    ticks = [t for t in ticks if below <= t <= hi + span * 0.25]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    exponent = Decimal(repr(round(step, 9))).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    labels = [
        format_number(Decimal(repr(round(t, decimals))), lang, decimals) for t in ticks
    ]
    return ticks, labels, min(lo, ticks[0]), max(hi, ticks[-1])


def _stack_ends(chart: Chart) -> list[float]:
    ends = []
    for i in range(len(chart.categories)):
        pos = sum(
            float(p.value) for s in chart.series if (p := s.points[i]) and p.value > 0
        )
        neg = sum(
            float(p.value) for s in chart.series if (p := s.points[i]) and p.value < 0
        )
        ends += [pos, neg]
    return ends


def axes_size(fig: Figure, ax: Axes) -> tuple[float, float]:
    """Lay the figure out for good; return the axes' width and height in points.

    Value labels added later stay inside the axes and ticks are fixed, so the layout
    holds; keeping it spares a layout pass per saved format (a third of the time).
    """
    fix_layout(fig)
    box = ax.get_window_extent()
    return box.width * 72 / fig.dpi, box.height * 72 / fig.dpi


def fix_layout(fig: Figure) -> None:
    """Run the constrained layout once, then keep it: later changes stay in place."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.draw_without_rendering()  # runs the constrained layout
        fig.set_layout_engine("none")


def set_category_axis(
    ax: Axes, chart: Chart, horizontal: bool, width_pt: float
) -> None:
    """Put one tick per category, its label wrapped (or turned) to fit width_pt."""
    n = len(chart.categories)
    # Few bars would be as wide as the plot: leave room as if there were three.
    pad = 0.0 if chart.kind == "line" else max(0.0, ((2 if horizontal else 3) - n) / 2)
    positions = list(range(n))
    if horizontal:
        labels = ["\n".join(wrap_even(c, WRAP_LABEL)) for c in chart.categories]
        ax.set_yticks(positions, labels=labels, fontsize=SIZE_TEXT)
        ax.set_ylim(n - 0.5 + pad, -0.5 - pad)  # first category at the top
        ax.tick_params(axis="y", length=0, pad=6)
        ax.spines["left"].set_visible(True)
        ax.spines["bottom"].set_visible(False)
    else:
        chars = int(width_pt / max(n + 2 * pad, 1) / (SIZE_TEXT * 0.6))
        labels = ["\n".join(wrap_even(c, chars)) for c in chart.categories]
        rotate = (
            chars < 8
            or max(len(s) for lbl in labels for s in lbl.split("\n")) > chars + 4
        )
        if rotate:
            ax.set_xticks(
                positions,
                labels=list(chart.categories),
                fontsize=SIZE_VALUE,
                rotation=45,
                ha="right",
                rotation_mode="anchor",
            )
        else:
            ax.set_xticks(positions, labels=labels, fontsize=SIZE_TEXT)
        ax.set_xlim(-0.5 - pad, n - 0.5 + pad)
        ax.tick_params(axis="x", length=0, pad=6)
        ax.spines["left"].set_visible(False)


def set_value_axis(
    ax: Axes, chart: Chart, horizontal: bool, lang: str
) -> tuple[float, float]:
    """Set ticks, grid and unit of the value axis; return its limits."""
    ticks, labels, lo, hi = _value_axis(chart, lang)
    if horizontal:
        ax.set_xticks(ticks, labels=labels, fontsize=SIZE_TEXT)
        ax.set_xlim(lo, hi)
        ax.xaxis.grid(True, color=GRID_INK, linewidth=0.8)
        ax.tick_params(axis="x", length=0)
        if chart.unit:
            ax.set_xlabel(chart.unit, fontsize=SIZE_TEXT, loc="right")
    else:
        ax.set_yticks(ticks, labels=labels, fontsize=SIZE_TEXT)
        ax.set_ylim(lo, hi)
        ax.yaxis.grid(True, color=GRID_INK, linewidth=0.8)
        ax.tick_params(axis="y", length=0)
        if chart.unit:
            ax.set_ylabel(chart.unit, fontsize=SIZE_TEXT, loc="top")
    ax.set_axisbelow(True)
    return lo, hi
