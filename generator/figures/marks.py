"""Chart marks: how bars and lines of each series look, and the legend explaining them.

Every look a chart uses is in its legend, except the one look of a chart with a single
series of stated values (its title says what the bars are): a derived value's
stripes or hollow point, a masked count's dotted outline, each series' colour and
pattern.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from generator.figures.colours import DERIVED_HATCH, MUTED_INK, Style
from generator.figures.data import Chart, Point
from generator.figures.text import format_point, series_label, words_for
from generator.formats import format_number

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


def point_style(style: Style, k: int, point: Point) -> dict[str, Any]:
    """Return the look of one bar: its series', derived or masked."""
    if point.suppressed:
        return suppressed_style(style.colours[k])
    return bar_style(style, k, point.derived)


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


def label_text(point: Point, chart: Chart, lang: str) -> str:
    """The value written on a bar or point: '1.317', 'hơn 30', '< 300'."""
    # On the chart a pattern or hollow marker, explained in the legend, marks derived.
    return format_point(point, lang, chart.spec.decimals, unit=False, mark=False)


def stack_totals(chart: Chart, lang: str) -> list[str]:
    """The total of each stack, as text; "" where a stack has negative parts."""
    totals = []
    for i in range(len(chart.categories)):
        present = [p for s in chart.series if (p := s.points[i]) is not None]
        if not present or any(p.value < 0 or p.suppressed for p in present):
            totals.append("")  # a total with a masked part would give the part away
            continue
        total = sum((p.value for p in present), Decimal(0))
        digits = max(_digits(p.value) for p in present)
        if chart.spec.decimals is not None:
            digits = min(digits, chart.spec.decimals)
        totals.append(format_number(total, lang, digits))
    return totals


def _digits(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def legend_handles(chart: Chart, style: Style, lang: str) -> list[Any]:
    """One legend entry per look the chart uses (none for a single plain series)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    line = chart.kind == "line"
    handles: list[Any] = []
    partly_derived = any(
        not s.all_derived and any(p and p.derived for p in s.points)
        for s in chart.series
    )
    special = partly_derived or any(p.suppressed for p in chart.points)
    for i, series in enumerate(chart.series):
        derived = series.all_derived
        if len(chart.series) == 1 and not derived and not special:
            continue  # one look only: the title says what it shows
        if series.label or derived:
            label = series_label(series, lang)
        else:
            label = words_for(lang)["derived_legend" if derived else "stated_legend"]
        if line:
            handles.append(Line2D([], [], label=label, **line_style(style, i, derived)))
        else:
            handles.append(Patch(label=label, **bar_style(style, i, derived)))
    if partly_derived:
        label = words_for(lang)["derived_legend"]
        if line:
            handles.append(_hollow_marker(label, "o", "--"))
        else:
            handles.append(
                Patch(
                    label=label,
                    facecolor="white",
                    edgecolor=MUTED_INK,
                    hatch=DERIVED_HATCH,
                    hatchcolor=MUTED_INK,
                )
            )
    if any(p.suppressed for p in chart.points):  # docs/suppression.md
        label = words_for(lang)["suppressed_legend"]
        if line:
            handles.append(_hollow_marker(label, "v", ":"))
        else:
            handles.append(Patch(label=label, **suppressed_style(MUTED_INK)))
    return handles


def _hollow_marker(label: str, marker: str, linestyle: str) -> Any:
    """A legend entry for a line chart's special points: derived or masked values."""
    from matplotlib.lines import Line2D

    look: dict[str, Any] = {"linestyle": linestyle}  # ":" or "--"
    return Line2D(
        [],
        [],
        label=label,
        color=MUTED_INK,
        marker=marker,
        markerfacecolor="white",
        markersize=7,
        **look,
    )
