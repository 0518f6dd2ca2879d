"""Charts as numbers: categories, series and points, and the caps on their size.

``figures.resolve`` turns a ``FigureSpec`` into a ``Chart``: categories, series and
points with units, qualifiers ("hơn") and a derived flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from generator.model import FigureSpec

MAX_POINTS = 200  # values per figure (categories x series)
MAX_SERIES = 12
MAX_LABEL = 200  # characters in a title, category or series label
MAX_DECIMALS = 6
ChartKind = Literal["bar", "barh", "grouped", "line", "stacked"]


@dataclass(frozen=True, slots=True)
class Point:
    """One value of a chart, with what a reader must know to read it honestly."""

    value: Decimal
    unit: str = ""
    approx: str = "exact"  # "more_than" is drawn at the stated minimum, labelled "hơn"
    derived: bool = False  # computed by us, not stated by the source
    # A small count masked by suppress_below (docs/suppression.md): `value` is then
    # the threshold, drawn as an outline up to it and written "< N"; never the count.
    suppressed: bool = False
    note: str = ""  # how a derived value was computed, as the data says it
    from_change: Decimal | None = None  # a compared value computed from this change


@dataclass(frozen=True, slots=True)
class Series:
    """A named row of points, one per category (None where nothing is reported)."""

    label: str
    points: tuple[Point | None, ...]

    @property
    def all_derived(self) -> bool:
        """True when every reported point of the series is derived."""
        present = [p for p in self.points if p is not None]
        return bool(present) and all(p.derived for p in present)

    @property
    def label_marks_derived(self) -> bool:
        """True when the series label, not each value, says the values are derived."""
        return bool(self.label) and self.all_derived


@dataclass(frozen=True, slots=True)
class Chart:
    """A figure resolved to numbers: what is drawn, tabulated and described."""

    slug: str  # conference that declares it
    spec: FigureSpec
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str  # value-axis label; "" when the values have different units
    category_header: str  # first column of the data table
    source_note: str
    across: bool = False  # drawn over the conferences of a series
    compare: bool = False  # compared value against value
    drawn: ChartKind | None = None  # drawn as another kind: a line of two points

    @property
    def kind(self) -> ChartKind:
        """The kind of chart drawn: as declared, or bars for a line too short."""
        return self.drawn or self.spec.kind

    @property
    def points(self) -> list[Point]:
        """Every reported point, series by series."""
        return [p for s in self.series for p in s.points if p is not None]
