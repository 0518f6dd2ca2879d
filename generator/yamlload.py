"""Safe YAML: text to plain values plus the position of every node, then typed models.

We compose the node tree (libyaml's C parser when present) and build values ourselves
rather than call ``safe_load``, so that:

* every plain scalar stays the text the author typed (``no``, ``8:30``, ``0107``,
  ``1.317`` are strings) and the schema alone decides what is a number or a date;
* tags (``!!python/object``, ``!foo``), anchors and aliases are refused at their
  position, so no code runs and alias bombs cannot expand;
* duplicate keys are errors at the second key;
* each value's line and column is kept, to report schema errors where they occur.
"""

from __future__ import annotations

import hashlib
import re
import types
import typing
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from generator.errors import Pos, Problems, closest, did_you_mean
from generator.memo import Memo

try:  # libyaml's C parser is several times faster; both keep marks.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_Base):  # type: ignore[misc]
    """Composes nodes without YAML 1.1's implicit typing.

    Every plain scalar stays the text typed (the schema decides what is a number),
    so the resolver's regular expressions, a third of the parsing time, are
    skipped. An explicit tag (``!!python/…``) is still seen, and refused.
    """

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]


MAX_NODES = 50_000
MAX_ANCHOR_REPORTS = 10
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STD = "tag:yaml.org,2002:"
# Tags the resolver gives plain and quoted scalars and collections by itself; an
# explicit one of these (``!!str``) is harmless. Anything else names a constructor.
_ALLOWED_TAGS = frozenset(
    _STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
) | {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=pydantic.BaseModel)


@dataclass(slots=True)
class Positions:
    """Where each value (and each mapping key) of one YAML document stands."""

    path: Path
    line_offset: int = 0  # lines before the YAML text in its file (front matter)
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def at(self, loc: Sequence[str | int], *, key: bool = False) -> Pos:
        """Return the position of loc, or of its deepest ancestor that exists."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self._pos(self.keys[loc])
        while loc and loc not in self.values:
            loc = loc[:-1]
        return self._pos(self.values.get(loc, (0, 0)))

    def _pos(self, mark: tuple[int, int]) -> Pos:
        return Pos(self.path, mark[0] + 1 + self.line_offset, mark[1] + 1)


class _Builder:
    """Turns a composed node tree into dicts, lists, strings and None."""

    def __init__(self, positions: Positions, problems: Problems) -> None:
        self.positions = positions
        self.problems = problems
        self.seen: set[int] = set()
        self.count = 0

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        pos = self.positions
        pos.values[loc] = (node.start_mark.line, node.start_mark.column)
        if id(node) in self.seen:
            self.problems.add(
                pos.at(loc),
                "anchors and aliases (&name, *name) are not supported",
                "write the value out in full where it is used",
            )
            return None
        self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        if node.tag not in _ALLOWED_TAGS:
            self.problems.add(
                pos.at(loc),
                f"YAML tag {_show_tag(node.tag)} is not allowed",
                "remove the tag: values are plain text, numbers, lists and mappings",
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self._mapping(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = (key_node.start_mark.line, key_node.start_mark.column)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.add(
                    self.positions._pos(mark),
                    "a mapping key must be plain text",
                    "use a simple name such as 'title:'",
                )
                continue
            key = key_node.value
            if key in out:
                self.problems.add(
                    self.positions._pos(mark),
                    f"duplicate key '{key}'",
                    "each key may appear once in a mapping; remove or rename one",
                )
                continue
            self.positions.keys[(*loc, key)] = mark
            out[key] = self.build(value_node, (*loc, key))
        return out


class _TooLarge(Exception):
    pass


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


PARSE_VERSION = 1  # bump when parsing gives other values or positions


def parse_yaml(
    text: str, positions: Positions, problems: Problems, memo: Memo | None = None
) -> Any:
    """Parse one YAML document into plain values, recording positions and problems.

    A tab used for indentation is reported and then read as spaces, so the rest of
    the file is still checked; any other syntax error ends the file. With a memo,
    a document parsed cleanly before (same text, same file) is not parsed again.
    """
    if memo is None:
        return _parse_yaml(text, positions, problems)
    key = hashlib.sha256(
        f"{PARSE_VERSION}\0{positions.path}\0{positions.line_offset}\0{text}".encode()
    ).hexdigest()
    hit = memo.get("yaml", key)
    if hit is not None:
        value, values, keys = hit
        positions.values.update(values)
        positions.keys.update(keys)
        return value
    before = len(problems)
    value = _parse_yaml(text, positions, problems)
    if len(problems) == before:  # a document with problems is parsed every time
        memo.put("yaml", key, (value, positions.values, positions.keys))
    return value


def _parse_yaml(text: str, positions: Positions, problems: Problems) -> Any:
    for _attempt in range(20):
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line, mark.column) if mark else (0, 0)
            tab_fixed = _untab_line(text, line)
            message = f"invalid YAML: {exc.problem or exc.context}"
            hint = "check the indentation and the ':' after each key"
            if tab_fixed is not None:
                message = "a tab character is used for indentation"
                hint = "YAML indents with spaces only; replace the tab with spaces"
            problems.add(positions._pos((line, col)), message, hint)
            if tab_fixed is None:
                return None
            text = tab_fixed
            continue
        except yaml.reader.ReaderError as exc:  # a control character, U+FFFE, …
            problems.add(*_reader_problem(text, exc, positions))
            return None
        except yaml.YAMLError as exc:
            problems.add(positions._pos((0, 0)), f"invalid YAML: {exc}")
            return None
        if node is None:
            return None
        if ("&" in text or "*" in text) and _refuse_anchors(text, positions, problems):
            return None
        builder = _Builder(positions, problems)
        try:
            return builder.build(node, ())
        except _TooLarge:
            problems.add(
                positions._pos((0, 0)),
                f"the file has more than {MAX_NODES} values",
                "split it, or check for repeated or generated content",
            )
            return None
    return None


def _reader_problem(
    text: str, exc: yaml.reader.ReaderError, positions: Positions
) -> tuple[Pos, str, str]:
    """Place a character YAML refuses (U+0007, U+FFFE…) at its line and column.

    Found again here: libyaml counts the position in UTF-8 bytes, not characters.
    """
    found = _NON_PRINTABLE.search(text)
    index = found.start() if found else 0
    line = text.count("\n", 0, index)
    col = index - (text.rfind("\n", 0, index) + 1)
    char = f"U+{ord(found.group()):04X}" if found else "a character"
    return (
        positions._pos((line, col)),
        f"the invisible control character {char} is not allowed",
        "delete it (editors often show it as a box, or not at all); it usually "
        "comes from text copied out of a PDF or a word processor",
    )


# What YAML 1.1 calls printable (PyYAML's Reader.NON_PRINTABLE), inverted.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _refuse_anchors(text: str, positions: Positions, problems: Problems) -> bool:
    """Report every anchor and alias where it stands; True if there was one.

    Checked on the event stream, before any value is built, so an alias bomb is
    refused without ever being expanded.
    """
    found = 0
    for event in yaml.parse(text, Loader=_Loader):
        if not (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)):
            continue
        found += 1
        if found <= MAX_ANCHOR_REPORTS:  # an alias bomb has hundreds; a few say it
            mark = event.start_mark
            problems.add(
                positions._pos((mark.line, mark.column)),
                "anchors and aliases (&name, *name) are not supported",
                "write the value out in full where it is used",
            )
    return found > 0


def _untab_line(text: str, line: int) -> str | None:
    """Replace leading tabs on line (0-based) by the indentation the line needs."""
    lines = text.split("\n")
    if line >= len(lines):
        return None
    stripped = lines[line].lstrip(" \t")
    if "\t" not in lines[line][: len(lines[line]) - len(stripped)]:
        return None
    body = lines[line].lstrip(" \t")
    previous = next(
        (
            ln
            for ln in reversed(lines[:line])
            if ln.strip() and not ln.lstrip().startswith("#")
        ),
        "",
    )
    indent = len(previous) - len(previous.lstrip(" "))
    if previous.rstrip().endswith(":"):
        indent += 2
    lines[line] = " " * indent + body.replace("\t", " ")
    return "\n".join(lines)


def validate(
    model: type[M], data: Any, positions: Positions, problems: Problems
) -> M | None:
    """Validate data against model, reporting each error at its YAML position."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
    # A misspelt key also makes the real one "missing": report only the misspelling.
    suggested: set[Loc] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = _data_loc(err["loc"], data)
            suggested.update((*loc[:-1], s) for s in _suggest(model, loc))
    for err in errors:
        if err["type"] == "missing" and _data_loc(err["loc"], data) in suggested:
            continue
        _report(model, err, _data_loc(err["loc"], data), positions, problems)
    return None


def _suggest(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    if not loc:
        return []
    match = closest(str(loc[-1]), _fields_at(model, loc[:-1]))
    return [match] if match else []


def _data_loc(loc: Sequence[str | int], data: Any) -> Loc:
    """Keep the parts of a pydantic loc that are keys and indexes of data.

    pydantic adds union-member and validator names ("function-after[…]") to loc.
    A part is kept if the data holds it, so an author's key such as "ghi chú (cũ)"
    is not mistaken for one; a missing field's name is kept too.
    """
    out: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int):
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(part, str) and _PYDANTIC_PART.search(part):
            continue
        else:
            current = None
        out.append(part)
    return tuple(out)


_PYDANTIC_PART = re.compile(r"[\[\](),]")


def _report(
    model: type[pydantic.BaseModel],
    err: Any,
    loc: Loc,
    positions: Positions,
    problems: Problems,
) -> None:
    where = _dotted(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        hint = did_you_mean(name, _fields_at(model, loc[:-1]), "field")
        problems.add(positions.at(loc, key=True), f"unknown field '{name}'", hint)
    elif kind == "missing":
        problems.add(
            positions.at(loc[:-1]),
            f"missing required field '{loc[-1]}'",
            "see docs/content.md for the fields and an example",
        )
    else:
        message = _MESSAGES.get(kind, err["msg"].removeprefix("Value error, "))
        got = err.get("input")
        if isinstance(got, str) and kind not in _NO_INPUT:
            message += f", got '{visible(got[:60])}'"
        problems.add(
            positions.at(loc),
            f"{where}: {message}" if where else message,
            _HINTS.get(kind, "") or _ctx_hint(err),
        )


_MESSAGES = {
    "decimal_parsing": "expected a number",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD",
    "date_parsing": "expected a date written YYYY-MM-DD",
    "string_type": "expected text",
    "list_type": "expected a list (lines starting with '- ')",
    "model_type": "expected a mapping of fields",
    "dict_type": "expected a mapping of fields",
    "finite_number": "expected a finite number",
}
_NO_INPUT = frozenset(
    {
        "fractional_count",
        "string_type",
        "model_type",
        "dict_type",
        "list_type",
        "missing",
    }
)
_HINTS = {
    "decimal_parsing": "write digits only, with '.' as the decimal point and no unit",
    "int_parsing": "write digits only, without separators or units",
    "date_from_datetime_parsing": "for example 2024-07-25",
    "date_parsing": "for example 2024-07-25",
    "string_pattern_mismatch": "ids use lowercase ASCII letters, digits and '-'",
    "finite_number": ".inf and .nan are not numbers a report can show",
    "implausible_number": "check for a typing slip: YAML reads 1e400 as 1 with 400 "
    "zeros; the numbers of a report stay below a million billion (10^15)",
    "too_many_places": "round it to at most 6 decimal places",
    "derive_operation": "for example derive: {difference: [total-id, part-id]}; "
    "see docs/data-checks.md",
    "check_kind": "for example '- sum: total-id' with 'parts: [a, b]', "
    "'- share: id' or '- same_unit: id'; see docs/data-checks.md",
    "check_parts": "for example '- sum: total-id' with 'parts: [a, b]'; "
    "see docs/data-checks.md",
    "fractional_count": "if you meant a number in thousands such as 1.317, write it "
    "without the separator (1317): YAML reads '.' as a decimal point; for an amount "
    "such as 9,4 tỷ đồng write 9.4 and set kind: amount",
}


def visible(text: str) -> str:
    """Show control and invisible format characters as escapes, so they can be found."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c
        for c in text
    )


def _ctx_hint(err: Any) -> str:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return f"one of: {ctx['expected']}"
    return ""


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _fields_at(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    """Return the field names of the model that validates the mapping at loc."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = _model_in(fields[part].annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> type[pydantic.BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, tuple, dict, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
