"""Read one cell as the field it fills: a number typed the Vietnamese way, text, yes/no.

Vietnamese writes 1.317 for one thousand three hundred and seventeen and 9,4 for
nine point four; English the other way round. A number typed as text is read by
both conventions (docs/import.md, "Numbers"):

* a form only one convention can give is read that way: ``17.800`` and
  ``1.234.567`` (Vietnamese thousands), ``9,4`` and ``1.317,5`` (Vietnamese
  decimals), but also ``9.4`` or ``0.317``, which Vietnamese cannot mean;
* a form both conventions give, a single separator followed by exactly three
  digits, is read by the kind of the indicator: counts and amounts are mostly
  whole, so ``1.317`` is 1317 and ``1,317`` is refused as ambiguous; percentages
  and ratios mostly have decimals, so ``1,317`` is 1,317 and ``1.317`` is refused.
  Either way the Vietnamese spelling is the one that is read, and the refused one
  has an unambiguous alternative, which the hint gives.

A word before the number says how exact it is: hơn 20 (more_than), gần 600.000
(nearly), khoảng 50 (about), dưới 5 (less_than). Anything after the number, such
as the unit in ``1.317 vụ``, is refused: units go in their own column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from generator.formats import fold
from generator.i18n import t
from generator.importer.sheets import CellValue, Unreadable


@dataclass(frozen=True, slots=True)
class Bad:
    """Why a cell cannot be read: a message for the cell and a hint."""

    message: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Reading:
    """A number read from a cell, with the word that qualified it, if any."""

    number: Decimal
    approx: str | None = None  # more_than, nearly, about or less_than


# Words before a number, diacritics and case ignored ("Hơn", "HON", "hơn").
APPROX_WORDS = {
    "hon": "more_than",
    "tren": "more_than",
    "gan": "nearly",
    "khoang": "about",
    "xap xi": "about",
    "chung": "about",
    "duoi": "less_than",
    "it hon": "less_than",
}
CHANGE_WORDS = {"tang": 1, "giam": -1}  # tăng 5, giảm 31
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MINUS = "-\u2212\u2013"  # hyphen, minus sign, en dash (as word processors type it)
_LEAD = re.compile(rf"^(?P<sign>[{_MINUS}+]?)\s*(?P<num>\d[\d.,]*(?: \d{{3}})*[\d.,]*)")
_VI = (
    re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$"),  # 17.800  1.317,5
    re.compile(r"^[1-9]\d{0,2}(?: \d{3})+(?:,\d+)?$"),  # 17 800  17 800,5
    re.compile(r"^\d+(?:,\d+)?$"),  # 1317  9,4
)
_EN = (
    re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$"),  # 1,317  1,317.5
    re.compile(r"^[1-9]\d{0,2}(?: \d{3})+(?:\.\d+)?$"),
    re.compile(r"^\d+(?:\.\d+)?$"),  # 1317  9.4
)
_WHOLE_KINDS = ("count", "amount")


def _bare(text: str) -> str:
    """Lower-case text without diacritics, one character for each character."""
    out = []
    for char in text.lower():
        base = unicodedata.normalize("NFD", char)[0]
        out.append("d" if char == "đ" else base)
    return "".join(out)


def _vi(text: str) -> Decimal | None:
    if not any(p.match(text) for p in _VI):
        return None
    return Decimal(text.replace(".", "").replace(" ", "").replace(",", "."))


def _en(text: str) -> Decimal | None:
    if not any(p.match(text) for p in _EN):
        return None
    return Decimal(text.replace(",", "").replace(" ", ""))


def _word(text: str, words: Collection[str]) -> tuple[str, str]:
    """Split a leading word of words off text: ('hon', '20') for 'hơn 20'."""
    bare = _bare(text)
    for word in sorted(words, key=len, reverse=True):
        if bare.startswith(word + " "):
            return word, text[len(word) + 1 :].strip()
    return "", text


def read_number(
    value: CellValue, kind: str, *, percent: bool = False, change: bool = False
) -> Reading | Bad:
    """Read a cell as a number of an indicator of kind; text the Vietnamese way.

    percent allows a trailing '%' (the unit column says %); change allows the
    words tăng and giảm (increase, decrease) before the number.
    """
    if isinstance(value, Unreadable):
        return Bad(f"'{value.shown}': {value.reason}", _UNREADABLE_HINT)
    if isinstance(value, bool):
        return Bad(
            t("'{text}' is yes/no, not a number", text=value), t("type the number")
        )
    if isinstance(value, Decimal):
        return _exact(value)
    if isinstance(value, dt.date | dt.time):
        return Bad(
            t("'{text}' is a date, not a number", text=value.isoformat()),
            t(
                "the spreadsheet turned what was typed into a date (9,4 or 9/4 can "
                "become 9 April): format the column as Text, then type the number "
                "again"
            ),
        )
    return _read_text(_SPACES.sub(" ", value).strip(), kind, percent, change)


def _exact(number: Decimal) -> Reading | Bad:
    if not number.is_finite():
        return Bad(t("'{number}' is not a number", number=number), t("type the number"))
    return Reading(_tidy(number))


def _tidy(number: Decimal) -> Decimal:
    """Drop trailing zeros without an exponent: 17800.0 -> 17800, 9.400 -> 9.4."""
    if number == number.to_integral_value():
        return Decimal(int(number))
    return Decimal(format(number.normalize(), "f"))


def _read_text(text: str, kind: str, percent: bool, change: bool) -> Reading | Bad:
    word, rest = _word(text, APPROX_WORDS)
    sign = 1
    if change and not word:
        verb, rest = _word(text, CHANGE_WORDS)
        sign = CHANGE_WORDS.get(verb, 1)
    lead = _LEAD.match(rest)
    if lead is None:
        return Bad(t("'{text}' is not a number", text=text), _NUMBER_HINT)
    tail = rest[lead.end() :].strip()
    if percent and tail == "%":
        tail = ""
    if tail:
        return _with_unit(text, text[: len(text) - len(tail)].rstrip(), tail)
    digits = lead["num"]
    read = _convention(text, digits, kind)
    if isinstance(read, Bad):
        return read
    if lead["sign"] and lead["sign"] != "+":
        sign = -sign
    return Reading(_tidy(read * sign), APPROX_WORDS.get(word))


def _with_unit(text: str, number: str, tail: str) -> Bad:
    return Bad(
        t("'{text}' is not a number", text=text),
        t(
            "put the unit '{tail}' in the unit column (Đơn vị) and only the number "
            "here: {number}",
            tail=tail,
            number=number,
        ),
    )


def _convention(text: str, digits: str, kind: str) -> Decimal | Bad:
    """Read digits with '.' and ',' by the conventions both; see the module's rule."""
    vi, en = _vi(digits), _en(digits)
    if vi is None and en is None:
        return Bad(t("'{text}' is not a number", text=text), _NUMBER_HINT)
    if vi is None or en is None or vi == en:
        number = vi if vi is not None else en
        assert number is not None
        return number
    dot = "." in digits  # one separator, then three digits: 1.317 or 1,317
    whole_kind = kind in _WHOLE_KINDS
    if dot == whole_kind:
        return vi  # 1.317 in a count, 1,317 in a percent: read the Vietnamese way
    return _ambiguous(text, digits, kind, vi, en)


def _ambiguous(text: str, digits: str, kind: str, vi: Decimal, en: Decimal) -> Bad:
    whole, fraction = (en, vi) if "," in digits else (vi, en)
    mark = "," if "," in digits else "."
    low = int(fraction)
    thousands, decimals = (
        (t("English"), t("Vietnamese"))
        if mark == ","
        else (t("Vietnamese"), t("English"))
    )
    message = t(
        "'{text}' can be read two ways: {whole} (with '{mark}' separating "
        "thousands, as {thousands} writes it) or a decimal between {low} and "
        "{high} (with '{mark}' as the decimal mark, as {decimals} writes it)",
        text=text,
        whole=whole,
        mark=mark,
        thousands=thousands,
        low=low,
        high=low + 1,
        decimals=decimals,
    )
    vi_whole = _vi_text(whole)
    if kind == "count":
        hint = t(
            "a count is a whole number: write {vi_whole} (or {whole})",
            vi_whole=vi_whole,
            whole=whole,
        )
    elif kind == "amount":
        hint = t(
            "for the whole number write {vi_whole}; for the decimal add a zero, "
            "{vi_text}0, which only a decimal comma can mean",
            vi_whole=vi_whole,
            vi_text=_vi_text(fraction),
        )
    else:
        hint = t(
            "in a {kind}, write the decimal as {vi_text} (a decimal comma); for "
            "the whole number write {whole} without a separator",
            kind=kind,
            vi_text=_vi_text(fraction),
            whole=whole,
        )
    return Bad(message, hint)


def _vi_text(number: Decimal) -> str:
    """Write a number as Vietnamese does, for hints: 1317 -> 1.317, 1.317 -> 1,317."""
    whole, _, fraction = format(number, "f").partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{groups},{fraction}" if fraction else groups


_NUMBER_HINT = t(
    "type only the number, the Vietnamese way: 1.317 (a '.' between thousands), "
    "9,4 (a decimal comma); a word before it may say how exact it is: hơn 20, "
    "gần 600.000, khoảng 50, dưới 5"
)
_UNREADABLE_HINT = t(
    "open the file in Excel or LibreOffice Calc, check the formula, save, and "
    "import again (a formula's saved result is what is imported)"
)


def read_text(value: CellValue) -> str | Bad:
    """Read a cell as text; a date becomes an ISO date (2024-06-30)."""
    if isinstance(value, Unreadable):
        return Bad(f"'{value.shown}': {value.reason}", _UNREADABLE_HINT)
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Decimal):
        return format(_tidy(value), "f")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return unicodedata.normalize("NFC", value).strip()


_YES = frozenset({"co", "x", "true", "1", "yes", "dung", "c"})
_NO = frozenset({"khong", "false", "0", "no", "sai", "k"})


def read_yes_no(value: CellValue) -> bool | Bad:
    """Read a cell as yes or no: có/không, x, true/false, 1/0."""
    if isinstance(value, bool):
        return value
    text = read_text(value)
    if isinstance(text, Bad):
        return text
    folded = fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return Bad(
        t("'{text}' is not yes or no", text=text),
        t(
            "write có (or x, 1, true) for yes; không (or 0, false), or leave it "
            "empty, for no"
        ),
    )


KINDS = {
    "count": "count",
    "so luong": "count",
    "dem": "count",
    "amount": "amount",
    "so tien": "amount",
    "tien": "amount",
    "percent": "percent",
    "phan tram": "percent",
    "ty le": "percent",
    "ti le": "percent",
    "ratio": "ratio",
    "ty so": "ratio",
    "ti so": "ratio",
    "he so": "ratio",
}
APPROX = {
    "exact": "exact",
    "chinh xac": "exact",
    "more than": "more_than",
    "less than": "less_than",
    **APPROX_WORDS,
    **{v.replace("_", " "): v for v in APPROX_WORDS.values()},
}


KIND_NAMES = t("số lượng (count), số tiền (amount), phần trăm (percent), tỷ số (ratio)")
APPROX_NAMES = t(
    "hơn (more_than), gần (nearly), khoảng (about), dưới (less_than), or empty "
    "when the number is exact"
)


def read_choice(
    value: CellValue, choices: dict[str, str], what: str, names: str
) -> str | Bad:
    """Read a cell naming one of choices, matched folded: 'Số lượng' -> count."""
    text = read_text(value)
    if isinstance(text, Bad):
        return text
    found = choices.get(fold(text))
    if found is not None:
        return found
    return Bad(
        t("'{text}' is not a {what}", text=text, what=what),
        t("write one of: {names}", names=names),
    )
