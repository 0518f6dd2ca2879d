"""Axis labels and grid lines, placed where matplotlib's ticks put them, without ticks.

A chart's ticks have no marks (``length=0``): only their labels and grid lines show.
matplotlib's ``Tick`` objects cost five artists each, made, styled and measured
again at every draw; they were a third of a chart's drawing time. These functions
write the same labels and lines as plain artists, at the same places (the tick
label's transform: the axis, then ``pad`` points away), so a chart looks exactly as
it did with ticks; the axes' own ``Axis`` is hidden (``hide_axes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from generator.figures.colours import GRID_INK, TEXT_INK
from generator.figures.layout import TEXT

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BELOW = 0.5  # the z-order of an axis drawn below the marks (set_axisbelow(True))
Which = Literal["x", "y"]


def hide_axes(ax: Axes) -> None:
    """Hide the x and y axes' ticks, labels and grid (the spines stay)."""
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)


def axis_labels(
    ax: Axes,
    which: Which,
    positions: Sequence[float],
    labels: Sequence[str],
    pad: float,
) -> None:
    """Write labels along the bottom (x) or left (y) axis, pad points away from it."""
    from matplotlib.transforms import ScaledTranslation

    dpi = ax.figure.dpi_scale_trans
    if which == "x":
        transform = ax.get_xaxis_transform(which="tick1") + ScaledTranslation(
            0, -pad / 72, dpi
        )
        ha, va = "center", "top"
    else:
        transform = ax.get_yaxis_transform(which="tick1") + ScaledTranslation(
            -pad / 72, 0, dpi
        )
        ha, va = "right", "center_baseline"
    for position, label in zip(positions, labels, strict=True):
        x, y = (position, 0.0) if which == "x" else (0.0, position)
        ax.text(
            x, y, label, transform=transform, fontsize=TEXT, color=TEXT_INK,
            zorder=BELOW, ha=ha, va=va,
        )  # fmt: skip


def grid_lines(ax: Axes, which: Which, positions: Sequence[float]) -> None:
    """Draw grid lines across the axes at positions of the x or y axis."""
    from matplotlib.lines import Line2D

    for position in positions:
        if which == "x":
            xs, ys = [position, position], [0.0, 1.0]
            transform = ax.get_xaxis_transform(which="grid")
        else:
            xs, ys = [0.0, 1.0], [position, position]
            transform = ax.get_yaxis_transform(which="grid")
        line = Line2D(
            xs, ys, transform=transform, color=GRID_INK, linewidth=0.8, zorder=BELOW,
        )  # fmt: skip
        ax.add_artist(line)  # clipped to the axes, as a tick's grid line
