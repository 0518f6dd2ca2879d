"""Columns and lines: charts whose categories run along the bottom of the frame.

The value axis is on the left, its unit written above it, horizontally (a reader on a
phone does not turn the phone to read it). Category labels wrap under their column;
on a line chart with more periods than fit, only every second (third…) period is
named, and the data table names them all.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from generator.figures.axes import axis_labels, grid_lines, hide_axes
from generator.figures.colours import AXIS_INK, MUTED_INK, TEXT_INK, Style
from generator.figures.data import Chart
from generator.figures.layout import (
    LINE,
    PAD,
    TEXT,
    Frame,
    Measure,
    value_ticks,
    wrap_width,
)
from generator.figures.marks import label_text, line_style, point_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PLOT_HEIGHT = {320.0: 190.0, 420.0: 210.0}  # px of the plot area; 240 if wider
MAX_LINES = 3  # lines of a category label under its column


def ticks_of(chart: Chart, lang: str) -> tuple[list[float], list[str], float, float]:
    """The value axis' ticks, labels and limits."""
    values = [float(p.value) for p in chart.points]
    integer = all(p.value == p.value.to_integral_value() for p in chart.points)
    return value_ticks(values, integer, lang)


def left_margin(chart: Chart, lang: str, measure: Measure) -> float:
    """Room for the widest tick label, or the unit above the axis if it is wider."""
    _, labels, _, _ = ticks_of(chart, lang)
    return PAD + max(measure(label, False) for label in labels) + 6


def category_labels(
    chart: Chart, frame: Frame, left: float, measure: Measure
) -> tuple[list[str], float]:
    """Each category's label wrapped under its column ("" when left out); height."""
    n = len(chart.categories)
    pad = _pad(chart)
    slot = (frame.width - left - PAD) / (n + 2 * pad)
    every = 1
    while True:
        wrapped = [wrap_width(c, slot * every - 6, measure) for c in chart.categories]
        fits = all(
            len(lines) <= MAX_LINES
            and all(measure(line, False) <= slot * every - 2 for line in lines)
            for lines in wrapped
        )
        if fits or every >= n:
            break
        every += 1
    shown = [
        "\n".join(lines) if i % every == 0 else "" for i, lines in enumerate(wrapped)
    ]
    lines = max(len(lbl.split("\n")) for lbl in shown if lbl) if any(shown) else 1
    return shown, lines * LINE + 6


def _pad(chart: Chart) -> float:
    """Room at each end of the category axis, in categories."""
    n = len(chart.categories)
    return 0.35 if chart.kind == "line" else max(0.0, (3 - n) / 2)


def plot_height(frame: Frame) -> float:
    """The height of the plot area in a frame."""
    return PLOT_HEIGHT.get(frame.width, 240.0)


def draw_columns(
    fig: Figure,
    ax: Axes,
    chart: Chart,
    labels: list[str],
    style: Style,
    lang: str,
    measure: Measure,
    unit_top: float,
) -> None:
    """Draw a bar, grouped or line chart on ax, with its axes and value labels.

    The unit goes unit_top px below the top of the figure, above the value axis.
    """
    ticks, tick_labels, lo, hi = ticks_of(chart, lang)
    n = len(chart.categories)
    pad = _pad(chart)
    ax.set_xlim(-0.5 - pad, n - 0.5 + pad)
    hide_axes(ax)
    named = [i for i, label in enumerate(labels) if label]
    axis_labels(ax, "x", named, [labels[i] for i in named], pad=6)
    grid_lines(ax, "y", ticks)
    axis_labels(ax, "y", ticks, tick_labels, pad=6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(AXIS_INK)
    if lo < 0:
        ax.axhline(0, color=AXIS_INK, linewidth=0.8)
    height_px = ax.get_position().height * fig.get_figheight() * 72
    width_px = ax.get_position().width * fig.get_figwidth() * 72
    headroom = (LINE + 6) / height_px * (hi - lo)
    ax.set_ylim(lo, hi + headroom)
    per_category = width_px / (n + 2 * pad)
    if chart.kind == "line":
        _draw_lines(ax, chart, style, lang, measure, per_category)
    else:
        _draw_bars(ax, chart, style, lang, measure, per_category)
    if chart.unit:
        ax.annotate(
            chart.unit, (0, 1), xycoords="figure fraction", xytext=(PAD, -unit_top),
            textcoords="offset points", ha="left", va="top", fontsize=TEXT,
            color=MUTED_INK,
        )  # fmt: skip


def _draw_bars(
    ax: Axes,
    chart: Chart,
    style: Style,
    lang: str,
    measure: Measure,
    per_category: float,
) -> None:
    m = len(chart.series)
    width = 0.7 if m == 1 else 0.8 / m
    slot_px = per_category * width
    for k, series in enumerate(chart.series):
        for i, point in enumerate(series.points):
            if point is None:
                continue
            x = i if m == 1 else i - 0.4 + width * (k + 0.5)
            value = float(point.value)
            ax.bar(x, value, width, 0, **point_style(style, k, point))
            text = label_text(point, chart, lang)
            if measure(text, False) <= slot_px + 4:  # else: the data table has it
                up = value >= 0
                ax.annotate(
                    text, (x, value), xytext=(0, 3 if up else -3),
                    textcoords="offset points", ha="center",
                    va="bottom" if up else "top", fontsize=TEXT, color=TEXT_INK,
                )  # fmt: skip


def _draw_lines(
    ax: Axes,
    chart: Chart,
    style: Style,
    lang: str,
    measure: Measure,
    per_category: float,
) -> None:
    """One line per series, dashed to a derived value, dotted to a masked one."""
    for k, series in enumerate(chart.series):
        look = line_style(style, k, False)
        points = [(i, p) for i, p in enumerate(series.points) if p is not None]
        for (x0, p0), (x1, p1) in itertools.pairwise(points):
            dashed = p0.derived or p1.derived  # a line to a computed value
            masked = p0.suppressed or p1.suppressed  # to a threshold, not a value
            _line(
                ax, [x0, x1], [float(p0.value), float(p1.value)], color=look["color"],
                linewidth=2,
                linestyle=":" if masked else "--" if dashed else look["linestyle"],
            )  # fmt: skip
        for i, point in points:
            marker = line_style(style, k, point.derived or point.suppressed)
            del marker["linestyle"], marker["linewidth"]
            if point.suppressed:  # "below this": a hollow triangle at the threshold
                marker["marker"] = "v"
            _line(ax, [i], [float(point.value)], linestyle="none", **marker)
    if len(chart.series) > 1:
        return  # labels of several lines would collide; the data table has them
    texts = [(i, p, label_text(p, chart, lang)) for i, p in enumerate(
        chart.series[0].points) if p is not None]  # fmt: skip
    if any(measure(t, False) > per_category - 4 for _, _, t in texts):
        return
    for i, point, text in texts:
        ax.annotate(
            text, (i, float(point.value)), xytext=(0, 8), textcoords="offset points",
            ha="center", va="bottom", fontsize=TEXT, color=TEXT_INK,
        )  # fmt: skip


def _line(ax: Axes, xs: list[int], ys: list[float], **look: Any) -> None:
    """Add a line to ax, as ``ax.plot`` would, without its parsing of arguments.

    The limits are set already and every look is given, so ``plot`` would do no
    more than this; it costs three times as much, and a line chart has forty.
    """
    from matplotlib.lines import Line2D

    ax.add_line(Line2D(xs, ys, **look))
