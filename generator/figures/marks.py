"""Chart marks: bars and lines styled per series, with their values written on them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from generator.figures.colours import AXIS_INK, DERIVED_HATCH, TEXT_INK, Style
from generator.figures.data import Chart, Point
from generator.figures.layout import (
    SIZE_TEXT,
    SIZE_VALUE,
    WIDTH_PT,
    axes_size,
    is_horizontal,
    set_category_axis,
    set_value_axis,
)
from generator.figures.text import format_point
from generator.formats import format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "*")
LINESTYLES = ("-", "--", ":", "-.")
SUPPRESSED_HATCH = ".."  # a masked small count: dotted, up to the threshold


def suppressed_style(colour: str) -> dict[str, Any]:
    """Return the patch settings of a masked count's bar: an outline, never a value.

    The bar reaches the threshold N and is labelled "< N" (docs/suppression.md).
    """
    return {
        "facecolor": "white",
        "edgecolor": colour,
        "hatch": SUPPRESSED_HATCH,
        "hatchcolor": colour,
        "linestyle": "--",
        "linewidth": 1.2,
    }


def bar_style(style: Style, i: int, derived: bool) -> dict[str, Any]:
    """Return the matplotlib patch settings of series i's bars."""
    colour = style.colours[i]
    if derived:  # white with the series colour's stripes: reads as "not measured"
        return {
            "facecolor": "white",
            "edgecolor": colour,
            "hatch": DERIVED_HATCH,
            "hatchcolor": colour,
            "linewidth": 1.2,
        }
    hatch = style.hatches[i]
    return {
        "facecolor": colour,
        "edgecolor": "white" if hatch else colour,
        "hatch": hatch or None,
        "hatchcolor": "white",
        "linewidth": 0.8 if hatch else 0,
    }


def line_style(style: Style, i: int, derived: bool) -> dict[str, Any]:
    """Return the matplotlib line settings of series i: colour, marker, dashes."""
    return {
        "color": style.colours[i],
        "marker": MARKERS[i % len(MARKERS)],
        "markersize": 7,
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "linewidth": 2,
        "markerfacecolor": "white" if derived else style.colours[i],
    }


def _label_text(point: Point, chart: Chart, lang: str) -> str:
    # On the chart a pattern or hollow marker, explained in the legend, marks derived.
    return format_point(point, lang, chart.spec.decimals, unit=False, mark=False)


def draw_bars(fig: Figure, ax: Axes, chart: Chart, style: Style, lang: str) -> None:
    """Draw a bar, barh, grouped or stacked chart on ax, values written on bars."""
    horizontal, stacked = is_horizontal(chart), chart.kind == "stacked"
    m = len(chart.series)
    thickness = 0.62 if stacked or m == 1 else 0.8 / m
    set_category_axis(ax, chart, horizontal, WIDTH_PT * 0.85)
    lo, hi = set_value_axis(ax, chart, horizontal, lang)
    bars: list[_Bar] = []
    for i in range(len(chart.categories)):
        up = down = 0.0
        for k, series in enumerate(chart.series):
            point = series.points[i]
            if point is None:
                continue
            value = float(point.value)
            pos = i if stacked or m == 1 else i - 0.4 + thickness * (k + 0.5)
            start = (up if value >= 0 else down) if stacked else 0.0
            look = bar_style(style, k, point.derived)
            if point.suppressed:
                look = suppressed_style(style.colours[k])
            draw = ax.barh if horizontal else ax.bar
            draw(pos, value, thickness, start, **look)
            if stacked:
                up, down = (up + value, down) if value >= 0 else (up, down + value)
            bars.append(_Bar(pos, start, start + value, point, look["facecolor"]))
    if lo < 0:  # the zero line is the baseline when some bars go down
        (ax.axvline if horizontal else ax.axhline)(0, color=AXIS_INK, linewidth=0.8)
    width_pt, height_pt = axes_size(fig, ax)
    _bar_labels(fig, ax, chart, bars, (lo, hi), (width_pt, height_pt), lang)


@dataclass(frozen=True, slots=True)
class _Bar:
    """A drawn bar (or stacked segment), for placing its value label."""

    pos: float  # on the category axis
    start: float  # on the value axis
    end: float
    point: Point
    colour: str  # its fill


def _bar_labels(
    fig: Figure,
    ax: Axes,
    chart: Chart,
    bars: list[_Bar],
    limits: tuple[float, float],
    size: tuple[float, float],
    lang: str,
) -> None:
    """Write each value on its bar, where it fits; the data table has them all."""
    horizontal, stacked = is_horizontal(chart), chart.kind == "stacked"
    inside = stacked and len(chart.series) > 1  # segments: label in the middle
    lo, hi = limits
    span = hi - lo
    along, across = size if horizontal else size[::-1]  # points along / across bars
    n_bars = len(chart.categories) * (1 if stacked else len(chart.series))
    slot = across / max(n_bars + (0 if horizontal else 2), 1)
    texts = [_label_text(b.point, chart, lang) for b in bars]
    outside = _stack_totals(chart, lang) if inside else texts
    widest = max(len(t) for t in outside) * _CHAR_PT
    if (slot < 11) if horizontal else (slot < widest + 4):
        return  # labels would collide
    grow = ((widest + 10) if horizontal else 14.0) / along * span
    new_hi = max(hi, max(b.end for b in bars) + grow)
    new_lo = min(lo, min(b.end for b in bars) - grow) if lo < 0 else lo
    (ax.set_xlim if horizontal else ax.set_ylim)(new_lo, new_hi)
    scale = along / (new_hi - new_lo)
    for bar, text in zip(bars, texts, strict=True):
        if inside:
            if abs(bar.end - bar.start) * scale >= len(text) * _CHAR_PT + 8:
                mid = (bar.start + bar.end) / 2
                box = {
                    "boxstyle": "square,pad=0.15",
                    "facecolor": bar.colour,
                    "edgecolor": "none",
                }  # readable over a hatch pattern
                ax.annotate(
                    text,
                    (mid, bar.pos) if horizontal else (bar.pos, mid),
                    ha="center",
                    va="center",
                    fontsize=SIZE_VALUE,
                    fontweight="bold",
                    color=TEXT_INK if bar.point.derived else "white",
                    bbox=box,
                )
        else:
            _outside_label(ax, text, bar.pos, bar.end, bar.end >= bar.start, horizontal)
    if inside:
        for i, total in enumerate(outside):
            if total:
                end = sum(float(p.value) for s in chart.series if (p := s.points[i]))
                _outside_label(ax, total, i, end, True, horizontal, bold=True)


_CHAR_PT = SIZE_VALUE * 0.62  # average width of a value label's character, in points


def _outside_label(
    ax: Axes,
    text: str,
    pos: float,
    end: float,
    up: bool,
    horizontal: bool,
    *,
    bold: bool = False,
) -> None:
    sign = 1 if up else -1
    weight = "bold" if bold else "normal"
    if horizontal:
        ax.annotate(
            text,
            (end, pos),
            xytext=(4 * sign, 0),
            textcoords="offset points",
            ha="left" if up else "right",
            va="center",
            fontsize=SIZE_VALUE,
            fontweight=weight,
        )
    else:
        ax.annotate(
            text,
            (pos, end),
            xytext=(0, 3 * sign),
            textcoords="offset points",
            ha="center",
            va="bottom" if up else "top",
            fontsize=SIZE_VALUE,
            fontweight=weight,
        )


def _stack_totals(chart: Chart, lang: str) -> list[str]:
    """The total of each stack, as text; "" where a stack has negative parts."""
    totals = []
    for i in range(len(chart.categories)):
        present = [p for s in chart.series if (p := s.points[i]) is not None]
        if not present or any(p.value < 0 or p.suppressed for p in present):
            totals.append("")  # a total with a masked part would give the part away
            continue
        total = sum((p.value for p in present), Decimal(0))
        totals.append(format_number(total, lang, chart.spec.decimals))
    return totals


def draw_line(fig: Figure, ax: Axes, chart: Chart, style: Style, lang: str) -> None:
    """Draw a line chart on ax, dashed where a value is derived."""
    set_category_axis(ax, chart, False, WIDTH_PT * 0.85)
    lo, hi = set_value_axis(ax, chart, False, lang)
    if lo < 0:
        ax.axhline(0, color=AXIS_INK, linewidth=0.8)
    for k, series in enumerate(chart.series):
        look = line_style(style, k, False)
        points = [(i, p) for i, p in enumerate(series.points) if p is not None]
        for (x0, p0), (x1, p1) in itertools.pairwise(points):
            dashed = (
                p0.derived or p1.derived
            )  # a line to a computed value is not measured
            masked = p0.suppressed or p1.suppressed  # to a threshold, not a value
            ax.plot(
                [x0, x1],
                [float(p0.value), float(p1.value)],
                color=look["color"],
                linewidth=2,
                linestyle=":" if masked else "--" if dashed else look["linestyle"],
            )
        for i, point in points:
            marker = line_style(style, k, point.derived or point.suppressed)
            del marker["linestyle"], marker["linewidth"]
            if point.suppressed:  # "below this": a hollow triangle at the threshold
                marker["marker"] = "v"
            ax.plot([i], [float(point.value)], linestyle="none", **marker)
    if len(chart.series) > 1 or len(chart.categories) > 24:
        return  # labels of several lines would collide; the data table has them
    _, height_pt = axes_size(fig, ax)
    ax.set_ylim(lo, hi + 18 / height_pt * (hi - lo))
    for i, value in enumerate(chart.series[0].points):
        if value is not None:
            ax.annotate(
                _label_text(value, chart, lang),
                (i, float(value.value)),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=SIZE_TEXT,
            )
