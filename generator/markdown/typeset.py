"""Typographic care for finished HTML: what must not break across lines, and tables.

``keep_together`` wraps, in the text of a page or a brief, the runs a reader must
see whole in ``<span class="nw">`` (``white-space: nowrap`` in site.css and
brief.css): document numbers (``13/2021/TT-LĐTBXH``, ``28-CT/TW``), dates
(``25/7/2024``, ``25 July 2024``), year ranges (``2021-2025``, with an en dash
too) and a number with its unit (``1.317 vụ``, ``9,4 tỷ đồng``; the units of the
page's indicators and figures, and common ones). Only text between tags changes,
never an attribute, and nothing inside ``<head>``, ``<script>``, ``<style>``,
``<pre>`` or ``<code>``.

``wrap_tables`` puts each table of a narrative in a frame that scrolls sideways by
itself, which keyboard users can reach, so a wide table never makes the page scroll.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from markdown_it.common.utils import escapeHtml

from generator.model import Entry

# Units written after numbers in running text, besides those of the data.
COMMON_UNITS = (
    "%", "tỷ đồng", "triệu đồng", "nghìn đồng", "đồng", "tỷ", "triệu", "nghìn",
    "vụ", "người", "trẻ em", "lượt", "tháng", "năm", "ngày", "tuổi", "tỉnh", "điểm",
    "billion", "million", "thousand", "cases", "children", "people", "visits",
    "months", "years", "days", "per cent", "VND", "billion VND", "million VND",
)  # fmt: skip
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December"
)
_SPACE = "[ \u00a0]"
_NUMBER = r"(?<![\w.,/-])(?:\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,]\d+)?"
_FIXED = (
    # a document number: digits, then letters joined by / or -, as 28-CT/TW
    r"(?<![\w/-])\d+(?:/\d+)*(?:[/-][A-ZĐ][\wĐđ]*)+(?:[/-][\wĐđ]+)*(?![\w/-])",
    r"(?<![\d/])\d{1,2}/\d{1,2}/\d{4}(?![\d/])",  # 25/7/2024
    rf"(?<!\d)\d{{1,2}} (?:{MONTHS}) \d{{4}}(?!\d)",  # 25 July 2024
    # a year range: 2021-2025, with a hyphen or a dash, spaced or not
    rf"(?<!\d)\d{{4}}{_SPACE}?[\u2013\u2014-]{_SPACE}?\d{{4}}(?!\d)",
)
_SKIP = ("head", "script", "style", "pre", "code", "textarea", "title")
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=64)
def _pattern(units: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted({u for u in (*units, *COMMON_UNITS) if u.strip()}, key=len)
    alternatives = "|".join(
        _SPACE.join(re.escape(w) for w in unit.split()) for unit in reversed(words)
    )
    pair = rf"{_NUMBER}{_SPACE}?(?:{alternatives})(?![\w])"
    return re.compile("|".join((*_FIXED, pair)))


def keep_together(html: str, units: Iterable[str] = ()) -> str:
    """Wrap document numbers, dates, year ranges and numbers with units in nowrap."""
    pattern = _pattern(tuple(sorted(set(units))))
    parts = _TAG.split(html)
    skipping: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            match = _TAG_NAME.match(part)
            if match is None:
                continue
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name in _SKIP and not part.endswith("/>"):
                if closing and skipping and skipping[-1] == name:
                    skipping.pop()
                elif not closing:
                    skipping.append(name)
        elif part and not skipping and _DIGIT.search(part):  # all it wraps has one
            parts[i] = pattern.sub(_span, part)
    return "".join(parts)


def _span(match: re.Match[str]) -> str:
    return f'<span class="nw">{match.group(0)}</span>'


def wrap_tables(html: str, label: str) -> str:
    """Put each table in a labelled frame that scrolls sideways and takes focus."""
    if "<table" not in html:
        return html
    count = 0

    def frame(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        name = escapeHtml(f"{label} {count}")
        return (
            f'<div class="table-wrap table-scroll" role="region" tabindex="0" '
            f'aria-label="{name}">{match.group(0)}'
        )

    html = re.sub(r"<table\b[^>]*>", frame, html)
    return html.replace("</table>", "</table></div>")


def page_units(entries: Iterable[Entry]) -> tuple[str, ...]:
    """The units of the indicators and figures of some conferences."""
    found: set[str] = set()
    for entry in entries:
        found.update(i.unit for i in entry.data.indicators)
        found.update(f.unit for f in entry.data.figures if f.unit)
    return tuple(sorted(found))
