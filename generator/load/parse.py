"""Safe YAML: text to plain values plus the position of every node, then typed models.

We compose the node tree (libyaml's C parser when present) and build values ourselves
rather than call ``safe_load``, so that:

* every plain scalar stays the text the author typed (``no``, ``8:30``, ``0107``,
  ``1.317`` are strings) and the schema alone decides what is a number or a date;
* tags (``!!python/object``, ``!foo``), anchors and aliases are refused at their
  position, so no code runs and alias bombs cannot expand;
* duplicate keys are errors at the second key;
* each value's line and column is kept, to report schema errors where they occur.

A refusal does not end the file: a refused value (an alias, a tagged node) becomes
``REFUSED``, which validation passes over without a second problem, and invisible
control characters are reported and dropped, so every other problem of the file is
still found in the same run. A syntax error that leaves a construct open is
reported where the construct starts (the quote, the ``[``), never past the end.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import yaml

from generator.core.cache import Cache
from generator.errors import Pos, Problems
from generator.i18n import t
from generator.load.syntax import clamped, syntax_problem
from generator.model import Loc, Positions

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
MAX_CHARACTER_REPORTS = 10


class _Refused:
    """A value the parser refused (an alias, a tag), already reported where it is.

    It is never a valid value, and validation reports nothing more about it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<refused YAML value>"

    def __reduce__(self) -> str:
        return "REFUSED"  # unpickles as the one instance


REFUSED = _Refused()
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STD = "tag:yaml.org,2002:"
# Tags the resolver gives plain and quoted scalars and collections by itself; an
# explicit one of these (``!!str``) is harmless. Anything else names a constructor.
_ALLOWED_TAGS = frozenset(
    _STD + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
) | {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}


class _Builder:
    """Turns a composed node tree into dicts, lists, strings and None."""

    def __init__(
        self, positions: Positions, problems: Problems, *, aliases_said: bool = False
    ) -> None:
        self.positions = positions
        self.problems = problems
        self.seen: set[int] = set()
        self.count = 0
        self.aliases_said = aliases_said  # the event check reported them already

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        pos = self.positions
        pos.values[loc] = (node.start_mark.line, node.start_mark.column)
        if id(node) in self.seen:  # an alias: never expanded
            if not self.aliases_said:
                self.problems.add(
                    pos.at(loc),
                    t("anchors and aliases (&name, *name) are not supported"),
                    t("write the value out in full where it is used"),
                )
            return REFUSED
        self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        if node.tag not in _ALLOWED_TAGS:
            self.problems.add(
                pos.at(loc),
                t("YAML tag {tag} is not allowed", tag=_show_tag(node.tag)),
                t("remove the tag: values are plain text, numbers, lists and mappings"),
            )
            return REFUSED
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = (key_node.start_mark.line, key_node.start_mark.column)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.add(
                    self.positions.pos_of(mark),
                    t("a mapping key must be plain text"),
                    t("use a simple name such as 'title:'"),
                )
                continue
            key = key_node.value
            if key in out:
                self.problems.add(
                    self.positions.pos_of(mark),
                    t("duplicate key '{key}'", key=key),
                    t("each key may appear once in a mapping; remove or rename one"),
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
    text: str, positions: Positions, problems: Problems, cache: Cache | None = None
) -> Any:
    """Parse one YAML document into plain values, recording positions and problems.

    A tab used for indentation is reported and then read as spaces, so the rest of
    the file is still checked; any other syntax error ends the file. With a cache,
    a document parsed cleanly before (same text, same file) is not parsed again.
    """
    if cache is None:
        return _parse_yaml(text, positions, problems)
    key = hashlib.sha256(
        f"{PARSE_VERSION}\0{positions.path}\0{positions.line_offset}\0{text}".encode()
    ).hexdigest()
    hit = cache.load("yaml", key)
    if hit is not None:
        value, values, keys = hit
        positions.values.update(values)
        positions.keys.update(keys)
        return value
    before = len(problems)
    value = _parse_yaml(text, positions, problems)
    if len(problems) == before:  # a document with problems is parsed every time
        cache.save("yaml", key, (value, positions.values, positions.keys))
    return value


def _parse_yaml(text: str, positions: Positions, problems: Problems) -> Any:
    text = _drop_invisible(text, positions, problems)
    for _attempt in range(20):
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            tab_fixed = _untab_line(
                text, exc.problem_mark.line if exc.problem_mark else 0
            )
            if tab_fixed is not None:
                problems.add(
                    clamped(text, positions, exc.problem_mark),
                    t("a tab character is used for indentation"),
                    t("YAML indents with spaces only; replace the tab with spaces"),
                )
                text = tab_fixed
                continue
            problems.add(*syntax_problem(text, exc, positions))
            return None
        except yaml.reader.ReaderError as exc:  # what _drop_invisible did not catch
            problems.add(*_reader_problem(text, exc, positions))
            return None
        except yaml.YAMLError as exc:
            problems.add(
                positions.pos_of((0, 0)), t("invalid YAML: {reason}", reason=exc)
            )
            return None
        if node is None:
            return None
        said = ("&" in text or "*" in text) and _refuse_anchors(
            text, positions, problems
        )
        builder = _Builder(positions, problems, aliases_said=said)
        try:
            value = builder.build(node, ())
        except _TooLarge:
            problems.add(
                positions.pos_of((0, 0)),
                t("the file has more than {limit} values", limit=MAX_NODES),
                t("split it, or check for repeated or generated content"),
            )
            return None
        return None if value is REFUSED else value
    return None


def _drop_invisible(text: str, positions: Positions, problems: Problems) -> str:
    """Report each character YAML refuses (U+0007, U+FFFE…) and read on without it.

    So one pasted control character does not hide the rest of the file's
    problems. At most MAX_CHARACTER_REPORTS are listed.
    """
    found = list(_NON_PRINTABLE.finditer(text))
    if not found:
        return text
    for match in found[:MAX_CHARACTER_REPORTS]:
        index = match.start()
        line = text.count("\n", 0, index)
        col = index - (text.rfind("\n", 0, index) + 1)
        char = f"U+{ord(match.group()):04X}"
        problems.add(
            positions.pos_of((line, col)),
            t("the invisible control character {char} is not allowed", char=char),
            t(
                "delete it (editors often show it as a box, or not at all); it "
                "usually comes from text copied out of a PDF or a word processor"
            ),
        )
    return _NON_PRINTABLE.sub("", text)


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
    char = f"U+{ord(found.group()):04X}" if found else t("a character")
    return (
        positions.pos_of((line, col)),
        t("the invisible control character {char} is not allowed", char=char),
        t(
            "delete it (editors often show it as a box, or not at all); it usually "
            "comes from text copied out of a PDF or a word processor"
        ),
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
            line, col = (mark.line, mark.column) if mark else (0, 0)
            problems.add(
                positions.pos_of((line, col)),
                t("anchors and aliases (&name, *name) are not supported"),
                t("write the value out in full where it is used"),
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
