"""Numbers typed in a narrative that an indicator states: cite them, or they drift.

A narrative that types "17.800" where the data says 17800 is right today and wrong
after the next correction of the data file. Each number of the prose is read every
way a reader may have typed it ("17.800" and "17800" are 17800; "9,4" is 9.4;
"1,317" may be either) and compared with the values of the conference's
indicators; a match is a *note* (never an error: the same number may be something
else) suggesting ``:ind[id]``. Numbers under 10 and years are passed over: "6
tháng", "năm 2024" are not figures of the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal

from markdown_it.token import Token

from generator.errors import Problems
from generator.i18n import t
from generator.markdown.checks import _pos, inline_children
from generator.model import Indicator, Narrative

# A number as prose writes it: digits, with '.', ',' or a (narrow) no-break space
# between groups; not part of a word, a date (25/07/2024) or a version (1.2.3.4).
_NUMBER = re.compile(r"(?<![\w/.,-])\d+(?:[.,\u00a0\u202f]\d+)*(?![\w/]|[.,-]\w)")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,\u00a0\u202f]\d{3})+$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
SMALLEST = Decimal(10)  # "6 tháng", "3 nhiệm vụ": too common to mean a figure


def readings(typed: str) -> set[Decimal]:
    """Every value typed may stand for: '17.800' -> {17800, 17.8}; '9,4' -> {9.4}."""
    marks = set(re.sub(r"\d", "", typed))
    if not marks:
        return {Decimal(typed)}
    if len(marks) == 2 and marks <= {".", ","}:  # "1.234,5" or "1,234.5"
        point = typed[max(typed.rfind("."), typed.rfind(","))]
        whole, _, fraction = typed.rpartition(point)
        return {Decimal(re.sub(r"\D", "", whole) + "." + fraction)}
    if len(marks) > 1:
        return set()
    mark = marks.pop()
    out: set[Decimal] = set()
    if _GROUPED.match(typed):  # thousands separators
        out.add(Decimal(re.sub(r"\D", "", typed)))
    if mark in ".," and typed.count(mark) == 1:  # a decimal point, either way
        out.add(Decimal(typed.replace(mark, ".")))
    return out


def _texts(tokens: list[Token]) -> Iterator[tuple[int, str]]:
    """Each text run of the prose with its line in the body (0-based)."""
    for token in tokens:
        for line, child in inline_children(token):
            if child.type == "text":
                yield line, child.content


def note_typed_numbers(
    tokens: list[Token],
    narrative: Narrative,
    indicators: Mapping[str, Indicator],
    problems: Problems,
) -> None:
    """Note each number of the prose that is an indicator's value, suggesting :ind[]."""
    by_value: dict[Decimal, list[str]] = {}
    for ind in indicators.values():
        if not ind.masked:  # a masked count is never typed anyway (suppress.py)
            by_value.setdefault(ind.value.normalize(), []).append(ind.id)
    if not by_value:
        return
    lines = narrative.body.split("\n")
    columns: dict[int, int] = {}
    for line, text in _texts(tokens):
        for match in _NUMBER.finditer(text):
            typed = match.group()
            if _YEAR.match(typed):
                continue
            ids = sorted(
                {
                    ident
                    for value in readings(typed)
                    if value >= SMALLEST
                    for ident in by_value.get(value.normalize(), ())
                }
            )
            if not ids:
                continue
            problems.note(
                _pos(narrative, lines, line, typed, columns),
                t(
                    "the number {typed} is the value of indicator '{id}', typed by "
                    "hand",
                    typed=typed,
                    id=ids[0],
                ),
                t(
                    "write :ind[{id}] (or :num[{id}] for the number alone), so the "
                    "text follows the data when it is corrected",
                    id=ids[0],
                ),
            )
