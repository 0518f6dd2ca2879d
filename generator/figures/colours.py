"""Chart colours: the theme's, checked for contrast, then a palette, and patterns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Pos, Problems
from generator.figures.data import Chart
from generator.i18n import t
from generator.model import Theme

# A fixed palette after the theme's primary and accent colours. Each passes 3:1
# against white (WCAG 1.4.11); lightness alternates so neighbours differ in grey.
PALETTE = (
    "#e66100", "#01665e", "#009e73", "#5e3c99", "#9c6b00",
    "#4b5563", "#0072b2", "#c51b7d", "#8c510a", "#767676",
)  # fmt: skip


NEUTRAL = "#6b7785"  # the compared value in `compare: true` charts
FALLBACK = ("#0b4f8a", "#b3261e")  # if a theme colour is too light to read on white
# A series whose colour is too close in lightness to an earlier one gets a pattern,
# so the chart still reads in greyscale. Derived values use "////" on white.
HATCHES = ("", "xx", "..", "\\\\", "++", "--", "oo", "||", "**", "OO", "x", ".")
DERIVED_HATCH = "////"
# Inks of text, notes and sources, grid lines, and axes.
TEXT_INK, MUTED_INK, GRID_INK, AXIS_INK = "#1f2328", "#595959", "#d8dee4", "#8c959f"


@dataclass(frozen=True, slots=True)
class Style:
    """The colours a site's theme gives its charts."""

    colours: tuple[str, ...]
    hatches: tuple[str, ...]


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = "#ffffff") -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def theme_colours(theme: Theme, problems: Problems) -> tuple[str, ...]:
    """Return series colours: the theme's primary and accent, then the fixed palette."""
    chosen = []
    for name, colour, fallback in (
        ("primary", theme.primary, FALLBACK[0]),
        ("accent", theme.accent, FALLBACK[1]),
    ):
        if contrast(colour) < 3:
            problems.warn(
                Pos(Path("site.yaml")),
                t(
                    "colors.{name} {colour} has a contrast of {contrast:.1f}:1 with "
                    "white; charts use {fallback} instead",
                    name=name,
                    colour=colour,
                    contrast=contrast(colour),
                    fallback=fallback,
                ),
                t("chart colours need at least 3:1 against white (WCAG 1.4.11)"),
            )
            colour = fallback
        chosen.append(colour.lower())
    return (*chosen, *PALETTE)


def chart_style(chart: Chart, palette: Sequence[str]) -> Style:
    """Pick each series' colour, and a pattern where lightness alone cannot tell."""
    colours = (
        [NEUTRAL, palette[0]] if chart.compare else list(palette[: len(chart.series)])
    )
    hatches = []
    for i, colour in enumerate(colours):
        close = any(contrast(colour, other) < 1.5 for other in colours[:i])
        hatches.append(HATCHES[i] if close else "")
    return Style(tuple(colours), tuple(hatches))
