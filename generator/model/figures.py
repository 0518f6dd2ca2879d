"""Figure declarations: charts declared next to the numbers they draw."""

from __future__ import annotations

from typing import Literal

from generator.model.base import Id, Number, Strict, Text


class FigureSeriesEn(Strict):
    """English label of a figure series."""

    label: Text | None = None


class FigureSpecEn(Strict):
    """English texts of a figure; `labels` has one entry per category."""

    title: Text | None = None
    caption: Text | None = None
    alt: Text | None = None
    unit: Text | None = None
    labels: list[Text] | None = None
    source_note: Text | None = None


class FigureSeries(Strict):
    """One series of a figure: values from indicators or typed inline."""

    label: Text
    indicators: list[Id] = []
    values: list[Number] = []
    en: FigureSeriesEn | None = None


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
    decimals: int | None = None
    source_note: Text | None = None
    en: FigureSpecEn | None = None
