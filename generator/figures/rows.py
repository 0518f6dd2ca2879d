"""Bars across the frame: barh and stacked charts, and columns that do not fit.

Laid out in pixels from the top down: each category is a block, its label above its
bars (or at their left in a wide frame), then the value axis with its ticks and
unit. A chart whose values have several units (``compare: true`` of indicators in
different units) gets one panel per unit, each with its own value axis: one axis
never mixes units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.figures.axes import axis_labels, grid_lines, hide_axes
from generator.figures.colours import AXIS_INK, MUTED_INK, TEXT_INK, Style
from generator.figures.data import Chart, Point, Series
from generator.figures.layout import (
    LINE,
    PAD,
    TEXT,
    Frame,
    Measure,
    stack_ends,
    value_ticks,
    wrap_width,
)
from generator.figures.marks import label_text, point_style, stack_totals

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BAR, GAP, PANEL_GAP = 18.0, 12.0, 20.0  # px: one bar, between blocks, between panels
LEFT_LABELS_FROM = 480.0  # frames at least this wide put labels left of the bars


def panels(chart: Chart) -> list[Chart]:
    """Split a chart into one chart per unit when its categories differ in unit."""
    units: dict[str, list[int]] = {}
    for i in range(len(chart.categories)):
        unit = next((p.unit for s in chart.series if (p := s.points[i])), "")
        units.setdefault(unit, []).append(i)
    if not chart.compare or len(units) < 2:
        return [chart]
    return [
        Chart(
            chart.slug,
            chart.spec,
            tuple(chart.categories[i] for i in idx),
            tuple(
                Series(s.label, tuple(s.points[i] for i in idx)) for s in chart.series
            ),
            unit,
            chart.category_header,
            chart.source_note,
            chart.across,
            chart.compare,
            chart.drawn,
        )
        for unit, idx in units.items()
    ]


@dataclass(frozen=True, slots=True)
class _Panel:
    chart: Chart
    labels: list[list[str]]  # each category's label, wrapped
    tops: list[float]  # px from the axes' top: where each block starts
    height: float  # of the axes


def plan_rows(
    chart: Chart, frame: Frame, measure: Measure, right: float = PAD
) -> tuple[list[_Panel], float]:
    """Wrap labels and place the blocks; return the panels and the label column.

    right is the room kept at the right of the axes.
    """
    parts = panels(chart)
    names = [c for p in parts for c in p.categories]
    column = 0.0
    if frame.width >= LEFT_LABELS_FROM:
        column = min(frame.width * 0.36, max(measure(n, False) for n in names) + 2)
        wrapped = [wrap_width(n, column, measure) for n in names]
        if max(len(w) for w in wrapped) > 3:
            column = 0.0
    plot_width = frame.width - PAD - right - (column + PAD if column else 0)
    planned = []
    for part in parts:
        labels = [wrap_width(c, column or plot_width, measure) for c in part.categories]
        band = _band(part)
        tops, y = [], 4.0
        for lines in labels:
            tops.append(y)
            text = len(lines) * LINE
            y += (max(text, band) if column else text + 2 + band) + GAP
        planned.append(_Panel(part, labels, tops, y - GAP + 4))
    return planned, column


def _band(chart: Chart) -> float:
    """Height of one category's bars."""
    if chart.kind == "stacked" or len(chart.series) == 1:
        return BAR + 4
    return len(chart.series) * (BAR - 2) + (len(chart.series) - 1) * 2


def right_margin(planned: list[_Panel], lang: str, measure: Measure) -> float:
    """Room at the right for half of the last tick label, centred on its tick."""
    half = 0.0
    for panel in planned:
        _, labels, _, _ = _ticks(panel.chart, lang)
        half = max(half, measure(labels[-1], False) / 2)
    return max(PAD, half + 2)


def _ticks(chart: Chart, lang: str) -> tuple[list[float], list[str], float, float]:
    stacked = chart.kind == "stacked"
    values = stack_ends(chart) if stacked else [float(p.value) for p in chart.points]
    integer = all(p.value == p.value.to_integral_value() for p in chart.points)
    return value_ticks(values, integer, lang)


def panel_height(panel: _Panel, chart: Chart) -> float:
    """The axes, then a row of ticks, then the unit, if any."""
    return panel.height + LINE + 6 + (LINE if panel.chart.unit else 0)


def draw_panel(
    fig: Figure,
    ax: Axes,
    panel: _Panel,
    column: float,
    style: Style,
    lang: str,
    measure: Measure,
) -> None:
    """Draw one panel's bars, labels, value axis and unit on ax (y in px, downward)."""
    chart = panel.chart
    ticks, tick_labels, lo, hi = _ticks(chart, lang)
    ax.set_ylim(panel.height, 0)
    hide_axes(ax)
    bars = _place_bars(chart, panel, column, style)
    width_px = ax.get_position().width * fig.get_figwidth() * 72
    lo, hi = _room_for_labels(chart, bars, (lo, hi), width_px, lang, measure)
    ax.set_xlim(lo, hi)
    grid_lines(ax, "x", ticks)
    axis_labels(ax, "x", ticks, tick_labels, pad=4)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(AXIS_INK)
    if lo < 0:
        ax.axvline(0, color=AXIS_INK, linewidth=0.8)
    for bar in bars:
        ax.barh(bar.y, bar.end - bar.start, bar.thickness, bar.start,
                **point_style(style, bar.series, bar.point))  # fmt: skip
    _category_labels(ax, panel, column, chart)
    _value_labels(ax, chart, bars, (hi - lo) / width_px, lang, measure)
    if chart.unit:
        ax.annotate(
            chart.unit, (1, 0), xycoords="axes fraction", xytext=(0, -LINE - 6),
            textcoords="offset points", ha="right", va="top", fontsize=TEXT,
            color=MUTED_INK,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Bar:
    category: int
    y: float  # centre, px from the axes' top
    start: float
    end: float
    thickness: float
    series: int
    point: Point
    fill: str  # its face colour, behind a label written inside it


def _place_bars(chart: Chart, panel: _Panel, column: float, style: Style) -> list[_Bar]:
    stacked = chart.kind == "stacked"
    m = 1 if stacked else len(chart.series)
    thick = BAR + 4 if m == 1 else BAR - 2  # grouped: a label's height apart
    band = _band(chart)
    bars = []
    for i, lines in enumerate(panel.labels):
        text = len(lines) * LINE
        top = panel.tops[i] + (max(0.0, (text - band) / 2) if column else text + 2)
        up = down = 0.0
        for k, series in enumerate(chart.series):
            point = series.points[i]
            if point is None:
                continue
            value = float(point.value)
            y = top + thick / 2 + (0 if stacked else k * (thick + 2))
            start = (up if value >= 0 else down) if stacked else 0.0
            if stacked:
                up, down = (up + value, down) if value >= 0 else (up, down + value)
            fill = str(point_style(style, k, point)["facecolor"])
            bars.append(_Bar(i, y, start, start + value, thick, k, point, fill))
    return bars


def _room_for_labels(
    chart: Chart,
    bars: list[_Bar],
    limits: tuple[float, float],
    width_px: float,
    lang: str,
    measure: Measure,
) -> tuple[float, float]:
    """Widen the value axis so that every label after a bar's end fits inside it."""
    lo, hi = limits
    labels = [(end, measure(text, bold) + 6) for end, _, text, bold in
              _end_labels(chart, bars, lang)]  # fmt: skip
    for _ in range(2):  # room on one side changes the scale of the other
        for end, room in labels:
            if room >= width_px * 0.6:
                continue  # cannot fit: the data table has the value
            if end >= 0:
                hi = max(hi, (end * width_px - lo * room) / (width_px - room))
            else:
                lo = min(lo, (end * width_px - hi * room) / (width_px - room))
    return lo, hi


def _end_labels(
    chart: Chart, bars: list[_Bar], lang: str
) -> list[tuple[float, float, str, bool]]:
    """(value-axis end, y, text, bold) of each label written after a bar."""
    if chart.kind == "stacked" and len(chart.series) > 1:
        ends = []
        for i, total in enumerate(stack_totals(chart, lang)):
            mine = [b for b in bars if b.category == i]
            if total and mine:
                ends.append((max(b.end for b in mine), mine[0].y, total, True))
        return ends
    return [(b.end, b.y, label_text(b.point, chart, lang), False) for b in bars]


def _category_labels(ax: Axes, panel: _Panel, column: float, chart: Chart) -> None:
    for i, lines in enumerate(panel.labels):
        text = "\n".join(lines)
        if column:
            band_mid = panel.tops[i] + max(len(lines) * LINE, _band(chart)) / 2
            ax.annotate(
                text, (0, band_mid), xycoords=("axes fraction", "data"),
                xytext=(-PAD, 0), textcoords="offset points", ha="right",
                va="center", multialignment="right", fontsize=TEXT, color=TEXT_INK,
            )  # fmt: skip
        else:
            ax.annotate(
                text, (0, panel.tops[i]), xycoords=("axes fraction", "data"),
                ha="left", va="top", fontsize=TEXT, color=TEXT_INK,
            )  # fmt: skip


def _value_labels(
    ax: Axes,
    chart: Chart,
    bars: list[_Bar],
    per_px: float,
    lang: str,
    measure: Measure,
) -> None:
    """Write each value after its bar; stacks get their parts inside, total after."""
    inside = chart.kind == "stacked" and len(chart.series) > 1
    if inside:
        for bar in bars:
            text = label_text(bar.point, chart, lang)
            if abs(bar.end - bar.start) / per_px < measure(text, True) + 8:
                continue  # the data table has it
            light = bar.fill == "white"
            ax.annotate(
                text, ((bar.start + bar.end) / 2, bar.y), ha="center",
                va="center", fontsize=TEXT, fontweight="bold",
                color=TEXT_INK if light else "white",
                bbox={"boxstyle": "square,pad=0.1", "edgecolor": "none",
                      "facecolor": bar.fill},
            )  # fmt: skip
    for end, y, text, bold in _end_labels(chart, bars, lang):
        up = end >= 0
        ax.annotate(
            text, (end, y), xytext=(4 if up else -4, 0), textcoords="offset points",
            ha="left" if up else "right", va="center", fontsize=TEXT,
            fontweight="bold" if bold else "normal", color=TEXT_INK,
        )  # fmt: skip
