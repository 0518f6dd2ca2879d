"""Numbers, dates and slugs the way Vietnamese (and English) readers expect them.

Vietnamese groups thousands with '.' and writes decimals with ',': 1.317 vụ,
9,4 tỷ đồng. Templates and figures both format through here, so a number reads the
same in HTML, PDF and charts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}

APPROX_WORDS = {
    "vi": {"more_than": "hơn", "nearly": "gần", "about": "khoảng", "less_than": "dưới"},
    "en": {
        "more_than": "over",
        "nearly": "nearly",
        "about": "about",
        "less_than": "under",
    },
}


def format_number(
    value: Decimal | int | float, lang: str = "vi", decimals: int | None = None
) -> str:
    """Format value with the language's separators: 1317 -> '1.317', 9.4 -> '9,4'."""
    thousands, point = _SEPARATORS.get(lang, _SEPARATORS["vi"])
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if decimals is not None:  # half up, as reports round: 0,25 -> 0,3
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    negative = number < 0
    text = format(abs(number), "f")
    whole, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = thousands.join(groups) + (point + frac if frac else "")
    return ("\u2212" if negative else "") + out  # a true minus sign


def format_quantity(
    value: Decimal, unit: str, approx: str = "exact", lang: str = "vi"
) -> str:
    """Format a value with its unit and qualifier: 'hơn 20 tỷ đồng', '1.317 vụ'."""
    word = APPROX_WORDS.get(lang, APPROX_WORDS["vi"]).get(approx, "")
    number = format_number(value, lang)
    unit_text = f"\u00a0{unit}" if unit and unit != "%" else unit
    return f"{word} {number}{unit_text}" if word else f"{number}{unit_text}"


# A count written in thousands or millions ("6 triệu bản ghi") is that many times
# larger than its number: small-count protection compares the full size.
UNIT_SCALES = {
    "nghìn": 1_000,
    "ngàn": 1_000,
    "triệu": 1_000_000,
    "tỷ": 1_000_000_000,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}


def unit_scale(unit: str) -> int:
    """Return how many things one unit stands for: 'triệu bản ghi' -> 1000000."""
    first = unit.split(maxsplit=1)[0].casefold() if unit.strip() else ""
    return UNIT_SCALES.get(first, 1)


def format_suppressed(threshold: Decimal | int, lang: str = "vi") -> str:
    """Write a masked small count: '< 5', '< 1.000' (see docs/suppression.md)."""
    return f"<\u00a0{format_number(threshold, lang)}"


def format_change(change: Decimal, unit: str, lang: str = "vi") -> str:
    """Describe a change in words: 'giảm 31 vụ', 'tăng 5 vụ'."""
    if lang == "en":
        verb = "down" if change < 0 else "up"
    else:
        verb = "giảm" if change < 0 else "tăng"
    if change == 0:
        return "không đổi" if lang != "en" else "unchanged"
    return f"{verb} {format_number(abs(change), lang)}\u00a0{unit}"


def format_date(day: dt.date, lang: str = "vi") -> str:
    """Format a date: '25/7/2024' in Vietnamese, '25 July 2024' in English."""
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return f"{day.day}/{day.month}/{day.year}"


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def format_text_date(text: str, lang: str = "vi") -> str:
    """A text field that holds a date (YYYY-MM-DD), formatted as the site writes dates.

    ``due: 2025-12-31`` reads '31/12/2025' in Vietnamese, '31 December 2025' in
    English; any other text ('quý IV năm 2025') is returned as written.
    """
    found = _ISO_DAY.match(text)
    if found is None:
        return text
    try:
        day = dt.date(*(int(part) for part in found.groups()))
    except ValueError:  # 2025-02-30: not a date, shown as written
        return text
    return format_date(day, lang)


def format_long_date(day: dt.date, lang: str = "vi") -> str:
    """Format a date in words: 'ngày 25 tháng 7 năm 2024'."""
    if lang == "en":
        return format_date(day, lang)
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def format_dates(days: list[dt.date], lang: str = "vi") -> str:
    """Format the days a conference was held: one day or a range."""
    if not days:
        return ""
    if len(days) == 1:
        return format_date(days[0], lang)
    first, last = format_date(min(days), lang), format_date(max(days), lang)
    return f"{first} \u2013 {last}"


def format_bytes(size: int, lang: str = "vi") -> str:
    """Format a file size for a download link: '412 KB', '1,2 MB'."""
    if size < 1024 * 1024:
        return f"{format_number(Decimal(max(1, round(size / 1024))), lang)} KB"
    return f"{format_number(Decimal(size) / (1024 * 1024), lang, 1)} MB"


def slugify(text: str) -> str:
    """Make an ASCII slug: 'Trẻ em phía Nam' -> 'tre-em-phia-nam'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def fold(text: str) -> str:
    """Lower-case text and strip its diacritics, for diacritic-insensitive search."""
    return " ".join(slugify(text).split("-"))
