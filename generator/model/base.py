"""Building blocks of every model: strict frozen models, ids, texts and numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from generator.i18n import t

# A language code as site.yaml names one: "vi", "en", "fr", "zh-hant"…
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")]
Id = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
MAX_DIGITS = 15  # below 10^15, a million billion: more than any budget in đồng
MAX_PLACES = 6  # decimal places; charts show at most 6 too


def _plausible(number: Decimal) -> Decimal:
    """Refuse numbers no report states, which would take ages to print.

    Decimal takes any exponent: ``1e999999`` is 10^999999, and printing it with
    thousands separators takes minutes; ``1e-999999`` prints a million zeros.
    """
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return number  # nan and inf are refused before; zero is fine
    # Decided on the digits alone: arithmetic on 1e999999999 overflows the context.
    if len(digits) + exponent - 1 >= MAX_DIGITS:
        raise PydanticCustomError(
            "implausible_number",
            t("the number is implausibly large (10^15 or more)"),
        )
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if exponent + trailing < -MAX_PLACES:
        raise PydanticCustomError(
            "too_many_places",
            t("the number has more than {places} decimal places"),
            {"places": MAX_PLACES},
        )
    return number


Number = Annotated[Decimal, Field(allow_inf_nan=False), AfterValidator(_plausible)]
Kind = Literal["count", "amount", "percent", "ratio"]
Approx = Literal["exact", "more_than", "nearly", "about", "less_than"]


class Strict(BaseModel):
    """Base of every model: frozen, and an unknown key is an error.

    ``translated`` names the texts a site may give in each of its other languages,
    in a block named after the language (``en: {label: …}``, docs/bilingual.md);
    ``kept`` names the texts shown as written in every language (the source's own
    words, the number of a document). Both are read by ``load.translate``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    translated: ClassVar[tuple[str, ...]] = ()
    kept: ClassVar[tuple[str, ...]] = ()


# Small-count protection (docs/suppression.md): counts below the threshold are shown
# as "< N". 0 turns it off; the most specific setting (indicator, series, site) wins.
Threshold = Annotated[int, Field(ge=0, le=1_000_000)]


class Untranslated(str):
    """A text in the primary language on a page in another, for want of a translation.

    Templates mark it with the primary language, e.g. lang="vi" (docs/bilingual.md).
    """

    __slots__ = ()
