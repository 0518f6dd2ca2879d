"""Placeholder text that `proceedings new` writes, left where a reader would see it.

The scaffold marks every text the author must replace with "(thay bằng …)". Each
one still in a data file or a narrative is a warning at its position (an error
under ``--strict``), so a conference is not published with "Hội nghị (thay bằng tên
đầy đủ của hội nghị)" as its title.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from generator.errors import Pos, Problems
from generator.i18n import t
from generator.model import Conference, Loc, Narrative, Positions, Strict

MARK = "(thay bằng"  # how every placeholder of the scaffold begins


def check_placeholders(
    conf: Conference,
    narratives: Sequence[Narrative],
    positions: Positions,
    problems: Problems,
) -> None:
    """Warn at each text of conf and of its narratives that is still a placeholder."""
    for loc, text in _texts(conf, ()):
        if MARK in text:
            _warn(problems, positions.at(loc), text)
    for narrative in narratives:
        for offset, line in enumerate(narrative.body.splitlines()):
            if MARK in line:
                col = line.index(MARK) + 1
                pos = Pos(narrative.path, narrative.body_line + offset, col)
                _warn(problems, pos, line.strip())


def _warn(problems: Problems, pos: Pos, text: str) -> None:
    shown = text if len(text) <= 70 else text[:69] + "…"
    problems.warn(
        pos,
        t(
            "placeholder text from `proceedings new` is still here: “{shown}”",
            shown=shown,
        ),
        t("replace it with the real text, or delete the entry"),
    )


def _texts(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, Strict):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*loc, i))
