"""Indicators: the numbers a conference reported, how they are derived and checked."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from generator.formats import unit_scale
from generator.i18n import t
from generator.model.base import Approx, Id, Kind, Number, Strict, Text, Threshold


class Derive(Strict):
    """How the tool computes an indicator's value from others (docs/data-checks.md).

    A fixed set of operations over indicator ids, never an expression to evaluate.
    """

    sum: Annotated[list[Id], Field(min_length=2)] | None = None  # a + b + …
    difference: Annotated[list[Id], Field(min_length=2, max_length=2)] | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> Derive:
        given = [name for name in ("sum", "difference") if getattr(self, name)]
        if len(given) != 1:
            raise PydanticCustomError(
                "derive_operation",
                t("`derive` needs exactly one operation: `sum` or `difference`"),
            )
        return self

    @property
    def operation(self) -> Literal["sum", "difference"]:
        """The declared operation."""
        return "sum" if self.sum else "difference"

    @property
    def operands(self) -> list[str]:
        """The indicator ids the value is computed from, in order."""
        return list(self.sum or self.difference or [])


class Check(Strict):
    """A rule the numbers of a conference must obey (docs/data-checks.md).

    Each item names one kind: `sum` (with `parts`), `share` or `same_unit`.
    """

    sum: Id | None = None  # this indicator's value equals the sum of `parts`
    parts: list[Id] = []
    share: Id | None = None  # this indicator is a share: 0 to 100 %
    same_unit: Id | None = None  # keeps its unit in every conference of the series
    note: Text | None = None  # why the rule holds, for the next author

    @model_validator(mode="after")
    def _one_kind(self) -> Check:
        given = [k for k in ("sum", "share", "same_unit") if getattr(self, k)]
        if len(given) != 1:
            raise PydanticCustomError(
                "check_kind",
                t("a check names exactly one of `sum`, `share` or `same_unit`"),
            )
        if self.sum and len(self.parts) < 2:
            raise PydanticCustomError(
                "check_parts",
                t("a `sum` check needs `parts`: at least two indicator ids"),
            )
        if self.parts and not self.sum:
            raise PydanticCustomError(
                "check_parts",
                t("`parts` belong to a `sum` check: add `sum: <total id>`"),
            )
        return self


class Indicator(Strict):
    """A number the conference reported, with its unit, period and source."""

    kept: ClassVar[tuple[str, ...]] = ("quote",)

    id: Id
    label: Text
    kind: Kind = "count"  # before `value`, so the value check can see it
    value: Number
    unit: Text
    approx: Approx = "exact"  # "hơn 20 tỷ đồng" is more_than; "gần 600.000" nearly
    period: Text | None = None  # defaults to the conference's period label
    group: Text | None = None  # heading under which the key-figures table lists it
    key: bool = False  # one of the few numbers shown on the home page
    change: Number | None = None  # value minus the compared value, as the source says
    previous: Number | None = None  # the compared value, where the source gives it
    compared_to: Text | None = None  # "cùng kỳ năm 2023"
    # The source says the indicator is no longer reported (the series page says so).
    discontinued: bool = False
    derived: bool = False  # we computed `value`; say how in `derivation`
    derivation: Text | None = None
    derive: Derive | None = None  # computes `value` from other indicators
    source: Id  # id from `sources`
    quote: Text  # the words of the source that state the number
    note: Text | None = None
    # Counts below this show as "< N"; 0 opts out. After loading it holds the
    # threshold in force: this one, else its series', else the site's (suppress.py).
    suppress_below: Threshold | None = None
    translated: ClassVar[tuple[str, ...]] = (
        "label",
        "unit",
        "period",
        "group",
        "compared_to",
        "derivation",
        "note",
    )

    @field_validator("value", "change", "previous")
    @classmethod
    def _whole_if_count(
        cls, number: Decimal | None, info: ValidationInfo
    ) -> Decimal | None:
        if (
            number is not None
            and info.data.get("kind", "count") == "count"
            and number != number.to_integral_value()
        ):
            raise PydanticCustomError(
                "fractional_count",
                t("{number} is not a whole number, but kind is 'count'"),
                {"number": str(number)},
            )
        return number

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.derived and not self.derivation:
            raise ValueError(t("derived: true needs a `derivation` saying how"))
        if (
            self.change is not None or self.previous is not None
        ) and not self.compared_to:
            raise ValueError(
                t("`change` and `previous` need `compared_to` (the period)")
            )
        # value - previous = change is a data check (generator/checks.py), reported
        # at the `change` key with both numbers.
        return self

    @property
    def previous_value(self) -> Decimal | None:
        """The compared value: as given, or derived from the stated change."""
        if self.previous is not None:
            return self.previous
        if self.change is not None:
            return self.value - self.change
        return None

    @property
    def previous_derived(self) -> bool:
        """True when the compared value is computed from `change`, not stated."""
        return self.previous is None and self.change is not None

    def below_threshold(self, number: Decimal) -> bool:
        """True when number, a count of this indicator, must show as "< N"."""
        threshold = self.suppress_below or 0
        if self.kind != "count" or threshold <= 0:
            return False
        return number * unit_scale(self.unit) < threshold

    @property
    def masked(self) -> bool:
        """True when the value is a small count shown as "< N" (docs/suppression.md)."""
        return self.below_threshold(self.value)

    @property
    def previous_masked(self) -> bool:
        """True when the compared value is a small count shown as "< N"."""
        previous = self.previous_value
        return previous is not None and self.below_threshold(previous)

    @property
    def change_masked(self) -> bool:
        """True when the exact change must not show: it would give away a masked side.

        The source's quote states the numbers, so it is withheld too.
        """
        return self.masked or self.previous_masked

    @property
    def quote_withheld(self) -> bool:
        """True when the source's quote must not show: it states a masked number."""
        return self.change_masked
