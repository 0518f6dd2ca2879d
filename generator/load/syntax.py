"""A YAML syntax error in the author's words: where to look, and the likely cause.

libyaml says what it did not find ("did not find expected ',' or ']'", "mapping
values are not allowed in this context"); an author needs to know what to change.
A construct left open is reported where it opens (the quote, the ``[``), and the
usual cause is named: a ``,``, ``:`` or ``#`` inside a value that is not quoted.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from generator.errors import Pos
from generator.i18n import N_, t
from generator.model import Positions

# Constructs that open with a mark of their own: a syntax error inside one is
# reported where it opens, the place to look at (the problem is often found only
# at the end of the file). Block constructs keep the scanner's position.
_OPENED = {
    "while scanning a quoted scalar": N_("the quoted text that starts at {at}"),
    "while parsing a flow sequence": N_("the list that starts with '[' at {at}"),
    "while parsing a flow mapping": N_("the mapping that starts with '{{' at {at}"),
    "while scanning a block scalar": N_("the block of text that starts at {at}"),
}
_HINTS = {
    "while scanning a quoted scalar": N_(
        "end it with the quote mark it starts with; "
        "inside '…' write '' for a quote, inside \"…\" write \\\""
    ),
    "while parsing a flow sequence": N_(
        "end it with ']' and separate its items with ','"
    ),
    "while parsing a flow mapping": N_(
        "end it with '}' and separate its entries with ','"
    ),
    "while scanning a simple key": N_("write each key and its value as 'key: value'"),
}
# What libyaml found, in the author's words, with the likely cause.
_PROBLEMS = {
    "mapping values are not allowed in this context": (
        N_("a ':' followed by a space inside a value"),
        N_("YAML reads ': ' as the start of a key; put the value in quotes"),
        'title: "Hội nghị: tổng kết công tác trẻ em"',
    ),
    "block sequence entries are not allowed in this context": (
        N_("a '- ' after a key on the same line"),
        N_(
            "write the list's items on the lines below the key, or put the text in "
            "quotes"
        ),
        "speakers: [nguyen-thi-ha, tran-minh-khoa]",
    ),
    "did not find expected node content": (
        N_("a value is missing here"),
        N_(
            "write a value after the ':' or the ',' (quote text that starts with @, "
            "` or %)"
        ),
        "dates: [2024-07-25, 2024-07-26]",
    ),
    "did not find expected key": (
        N_("the line does not read as 'key: value'"),
        N_(
            "check the indentation; inside '…' write '' for a quote, or quote "
            'with "…"'
        ),
        "quote: 'the ''quoted'' words'",
    ),
}
_FLOW = N_(
    "inside '[…]' or '{…}' a ',' ends an item, ': ' separates a key, and ' #' "
    "starts a comment: put text that holds one of them in quotes"
)
_FLOW_EXAMPLE = 'en: {name: "Ministry of Labour, Invalids and Social Affairs"}'


def syntax_problem(
    text: str, exc: yaml.MarkedYAMLError, positions: Positions
) -> tuple[Pos, str, str]:
    """Say what is wrong and where to look: where the open construct starts."""
    problem = exc.problem or exc.context or "the syntax is wrong"
    context = exc.context or ""
    opened = exc.context_mark
    if context in _OPENED and opened is not None:
        at = f"{opened.line + 1 + positions.line_offset}:{opened.column + 1}"
        what = t(_OPENED[context], at=at)
        if _at_end(text, exc.problem_mark) or "end of stream" in problem:
            message = t("{what} is never closed", what=what)
        else:
            message = t("{what} is not closed where expected", what=what)
        hint = t(
            _HINTS.get(context, "check the indentation and the ':' after each key")
        )
        if "flow" in context:  # [a, b] and {k: v}: the usual cause is unquoted text
            hint = t(
                "{hint}; {cause}; for example: {example}",
                hint=hint,
                cause=t(_FLOW),
                example=_FLOW_EXAMPLE,
            )
        return clamped(text, positions, opened), message, hint
    if context == "while scanning a simple key" and opened is not None:
        at = f"{opened.line + 1 + positions.line_offset}:{opened.column + 1}"
        message = t("the key at {at} has no ':' after it", at=at)
        return clamped(text, positions, opened), message, t(_HINTS[context])
    pos = clamped(text, positions, exc.problem_mark)
    if problem in _PROBLEMS:
        said, hint, example = _PROBLEMS[problem]
        return (
            pos,
            t("invalid YAML: {problem}", problem=t(said)),
            t("{hint}; for example: {example}", hint=t(hint), example=example),
        )
    return (
        pos,
        t("invalid YAML: {problem}", problem=_plain(problem)),
        t("check the indentation and the ':' after each key"),
    )


def _plain(problem: str) -> str:
    """The words of libyaml, without its internal names of tokens."""
    return re.sub(r"<[^>]*>", "", problem).strip()


def _at_end(text: str, mark: Any) -> bool:
    """Tell whether a mark stands at or past the end of text."""
    if mark is None:
        return True
    lines = text.split("\n")
    line, column = int(mark.line), int(mark.column)
    return line >= len(lines) - (1 if text.endswith("\n") else 0) or (
        line == len(lines) - 1 and column >= len(lines[-1])
    )


def clamped(text: str, positions: Positions, mark: Any) -> Pos:
    """The position of a mark, moved back inside the file if it is past its end."""
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    if not lines:
        return positions.pos_of((0, 0))
    if line >= len(lines):
        line, col = len(lines) - 1, len(lines[-1])
    return positions.pos_of((line, min(col, len(lines[line]))))
