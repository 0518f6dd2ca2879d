"""Figure declarations: charts declared next to the numbers they draw."""

from __future__ import annotations

from typing import ClassVar, Literal

from generator.model.base import Id, Number, Strict, Text


class FigureSeries(Strict):
    """One series of a figure: values from indicators or typed inline."""

    label: Text
    indicators: list[Id] = []
    values: list[Number] = []
    translated: ClassVar[tuple[str, ...]] = ("label",)


class FigureSpec(Strict):
    """A chart declared next to the numbers it draws."""

    id: Id
    kind: Literal["bar", "barh", "grouped", "line", "stacked"]
    title: Text
    caption: Text | None = None
    alt: Text | None = None  # written by the author; generated from data otherwise
    unit: Text | None = None
    indicators: list[Id] = []  # one bar per indicator, labelled with its label
    labels: list[Text] = []  # categories for inline `series`
    series: list[FigureSeries] = []
    compare: bool = False  # grouped: compared value against value, per indicator
    across: Id | None = None  # one indicator id, one point per conference of the series
    sort: Literal["none", "ascending", "descending"] = "none"
    decimals: int | None = None  # at most; never more than the value was given with
    source_note: Text | None = None
    mixed_units: bool = False  # values in different units on one axis, on purpose
    translated: ClassVar[tuple[str, ...]] = (
        "title",
        "caption",
        "alt",
        "unit",
        "labels",
        "source_note",
    )
