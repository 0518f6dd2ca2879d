"""Chart geometry: the frames a chart is drawn for, text wrapped by its width, ticks.

A chart is drawn once per frame: a width in CSS pixels at which its text, set at
``TEXT`` px, reads between 11 px and the body text's size when the page shows it at
the width of its column (docs/figures.md, "Sizes"). A page picks the frame for the
reader's screen with ``<picture>`` and ``media``; the PDF brief prints the widest.
The layout changes with the frame rather than shrinking: on a phone, columns turn
into bars across the screen, their labels above them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from generator.figures.data import Chart
from generator.formats import format_number


@dataclass(frozen=True, slots=True)
class Frame:
    """One layout of a chart: its width, and the screens that show it."""

    name: str  # "" for the default frame (its files have no suffix)
    width: float  # in CSS px at 1:1, and in points
    up_to: int | None  # the widest viewport, in CSS px, that shows it; None: wider


# The page shows a chart at the width of its column: the viewport less 34 px up to
# 640 px (site.css), then at most 702 px (--measure). With TEXT = 13 px drawn at
# these widths, text shows at 11.6-15.2 px below 409 px, 11.6-15.7 px up to 540 px,
# and 11.8-14.0 px up to 639 px, then up to 16.3 px beside 17 px body text.
FRAMES = (
    Frame("narrow", 320, 408),
    Frame("medium", 420, 540),
    Frame("", 560, None),
)
WIDE = FRAMES[-1]  # the page's <img>, the PDF's figure and the sharing PNG
TEXT = 13.0  # every text of a chart: ticks, values, labels, legend, unit
LINE = TEXT * 1.36  # one line of text as matplotlib sets Noto Sans
PAD = 8.0  # between the chart's edge and its text
Measure = Callable[[str, bool], float]  # width of one line of text (bold or not)


def wrap_width(
    text: str, width: float, measure: Measure, bold: bool = False
) -> list[str]:
    """Wrap text into lines no wider than width (words kept whole), balanced."""
    if measure(text, bold) <= width or " " not in text.strip():
        return [text]
    words = text.split()
    lines: list[str] = []
    for word in words:
        if lines and measure(f"{lines[-1]} {word}", bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return _balance(text, lines, width, measure, bold)


def _balance(
    text: str, lines: list[str], width: float, measure: Measure, bold: bool
) -> list[str]:
    """Even out the lines (no lone last word), keeping their number."""
    if len(lines) < 2:
        return lines
    chars = len(text)
    for even in range(-(-chars // len(lines)), chars + 1):
        balanced = textwrap.wrap(
            text, even, break_long_words=False, break_on_hyphens=False
        )
        if len(balanced) < len(lines):
            break
        if len(balanced) == len(lines) and all(
            measure(line, bold) <= width for line in balanced
        ):
            return balanced
    return lines


def value_ticks(
    values: list[float], integer: bool, lang: str
) -> tuple[list[float], list[str], float, float]:
    """Nice ticks for a value axis, labelled the reader's way ('600.000', '2,5')."""
    from matplotlib.ticker import MaxNLocator

    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    locator = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], integer=integer)
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


def stack_ends(chart: Chart) -> list[float]:
    """The ends of each stack of a stacked chart, above and below zero."""
    ends = []
    for i in range(len(chart.categories)):
        present = [p for s in chart.series if (p := s.points[i]) is not None]
        ends.append(sum(float(p.value) for p in present if p.value > 0))
        ends.append(sum(float(p.value) for p in present if p.value < 0))
    return ends


def is_horizontal(chart: Chart, frame: Frame, measure: Measure) -> bool:
    """True when the chart's bars run across: barh, stacked, or columns that won't fit.

    Columns whose labels would need more than three lines under them, or a word
    wider than a column, turn into bars across the frame, labels above them.
    """
    if chart.kind in ("barh", "stacked"):
        return True
    if chart.kind == "line":
        return False
    slot = (frame.width - 70) / max(len(chart.categories), 1) - 6
    return any(
        len(wrap_width(c, slot, measure)) > 3 or measure(w, False) > slot
        for c in chart.categories
        for w in c.split()
    )
