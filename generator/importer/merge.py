"""Merge checked rows into a data file, editing it round-trip so its comments survive.

ruamel.yaml keeps each comment on the node before it, so the comment that opens
the section after ``indicators`` belongs to the last indicator; it is moved onto
the indicator appended after it (``_detach``, ``_attach``), where it was in the
file. The indentation of the file is found by trying the usual ones until
writing the file back unchanged gives its text byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from generator.errors import Pos, Problems
from generator.formats import format_number
from generator.i18n import t
from generator.importer.rows import DEFAULTS, ORDER, SheetRow, Target

# Keys of a conference after `indicators`, in the model's order: a new
# `indicators:` goes before the first of them the file has.
_AFTER_INDICATORS = (
    "legal_documents",
    "topics",
    "follow_up",
    "follow_up_reports",
    "figures",
    "checks",
    "sources",
    "en",
)
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))


class _Representer(RoundTripRepresenter):
    """Writes a Decimal as the plain number it is: 17800, 9.4, -31."""


def _represent_decimal(representer: Any, number: Decimal) -> Any:
    text = format(number, "f")
    tag = "int" if number == number.to_integral_value() else "float"
    return representer.represent_scalar(f"tag:yaml.org,2002:{tag}", text)


_Representer.add_representer(Decimal, _represent_decimal)


@dataclass(slots=True)
class Document:
    """A data file as read: its text, its round-trip tree and how to write it."""

    rel: Path  # data/<slug>.yaml
    text: str  # as read, LF line ends, no BOM
    data: CommentedMap
    yaml: YAML
    layout_kept: bool  # writing it back unchanged gives the same text
    crlf: bool = False
    bom: bool = False


@dataclass(slots=True)
class Outcome:
    """What a merge did, id by id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_document(root: Path, rel: Path, problems: Problems) -> Document | None:
    """Read the data file round-trip; report it at its position if it cannot be."""
    raw = (root / rel).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            Pos(rel), t("not valid UTF-8 at byte {start}", start=exc.start), _CHECK_HINT
        )
        return None
    bom, crlf = text.startswith("\ufeff"), "\r\n" in text
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        yaml, data, kept = _load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = Pos(rel, mark.line + 1, mark.column + 1) if mark else Pos(rel)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add(
            pos, t("cannot read the data file: {reason}", reason=reason), _CHECK_HINT
        )
        return None
    if not isinstance(data, CommentedMap):
        problems.add(
            Pos(rel), t("the data file is not a mapping of fields"), _CHECK_HINT
        )
        return None
    return Document(rel, text, data, yaml, kept, crlf, bom)


_CHECK_HINT = t("fix the data file first: `proceedings check` says what is wrong")


def _load(text: str) -> tuple[YAML, Any, bool]:
    """Load text with the indentation that writes it back as it is, if one does.

    Returns the YAML that writes it, the tree, and whether the text is kept.
    """
    for mapping, sequence, offset in _INDENTS:
        yaml = _yaml(mapping, sequence, offset)
        data = yaml.load(text)  # a YAMLError is the same each time: it ends it
        if dump(yaml, data) == text:
            return yaml, data, True
    return _yaml(*_INDENTS[0]), data, False


def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the file did not fold
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def dump(yaml: YAML, data: Any) -> str:
    """Write data as YAML text."""
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def target_of(document: Document | None, rel: Path) -> Target:
    """What rows are checked against: the file's sources and indicators."""
    if document is None:
        return Target(rel.as_posix(), None, {})
    sources = document.data.get("sources")
    ids = frozenset(
        str(s["id"])
        for s in (sources if isinstance(sources, list) else ())
        if isinstance(s, Mapping) and "id" in s
    )
    items = document.data.get("indicators")
    existing = {
        str(item["id"]): {k: _as_loaded(v) for k, v in item.items() if k in ORDER}
        for item in (items if isinstance(items, list) else ())
        if isinstance(item, Mapping) and "id" in item
    }
    return Target(rel.as_posix(), ids, existing)


def _as_loaded(value: Any) -> Any:
    """A scalar as the project's loader hands it to the model: text, or a flag."""
    return value if isinstance(value, bool) or value is None else str(value)


def merge_rows(
    document: Document, rows: Sequence[SheetRow], update: bool, problems: Problems
) -> Outcome:
    """Append new indicators, update changed ones if update, report the rest."""
    outcome = Outcome()
    items = document.data.get("indicators")
    if items is not None and not isinstance(items, CommentedSeq):
        line = document.data.lc.key("indicators")[0] + 1
        problems.add(
            Pos(document.rel, line),
            t("`indicators` is not a list"),
            t("write `indicators:` followed by lines starting with '- id:'"),
        )
        return outcome
    by_id = {
        str(item.get("id")): i
        for i, item in enumerate(items or ())
        if isinstance(item, CommentedMap)
    }
    new: list[CommentedMap] = []
    for row in rows:
        index = by_id.get(row.id)
        if items is None or index is None:
            new.append(CommentedMap((k, _node(v)) for k, v in row.values.items()))
            outcome.added.append(row.id)
            continue
        changes = _changes(items[index], row)
        if not changes:
            outcome.unchanged.append(row.id)
        elif update:
            _apply(items[index], row)
            outcome.updated.append(row.id)
        else:
            _refuse(document, items, index, row, changes, problems)
    if new:
        _append(document.data, new)
    return outcome


def _append(data: CommentedMap, new: Sequence[CommentedMap]) -> None:
    """Append items to `indicators` (made in its place if the file has none)."""
    items = data.get("indicators")
    if isinstance(items, CommentedSeq):
        items.fa.set_block_style()  # `indicators: []` becomes a block list
        moved = _detach(items, len(items) - 1) if items else ""
    else:
        moved, items = "", CommentedSeq()
        if "indicators" in data:  # `indicators:` with nothing after it
            data["indicators"] = items
        else:
            keys = list(data)
            later = next((k for k in keys if k in _AFTER_INDICATORS), None)
            position = keys.index(later) if later is not None else len(keys)
            moved = _detach(data, keys[position - 1]) if position else ""
            data.insert(position, "indicators", items)
    items.extend(new)
    _attach(items, len(items) - 1, moved)


def _node(value: Any) -> Any:
    """A value as the YAML tree holds it: text with line breaks as a block."""
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _canon(field: str, value: Any) -> object:
    """A value as the model reads it, to tell a change from a respelling."""
    if value is None:
        return DEFAULTS.get(field)
    if field in ("value", "previous", "change"):
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return str(value)
    if field == "key":
        text = str(value).strip().lower()
        return text in ("true", "yes", "on", "1", "t", "y") or value is True
    return str(value).strip()


def _changes(item: CommentedMap, row: SheetRow) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for each field the sheet gives another value."""
    out = []
    for name in ORDER:
        if name not in row.given:
            continue
        old, new = item.get(name), row.values.get(name)
        if _canon(name, old) != _canon(name, new):
            out.append((name, old, new))
    return out


def _apply(item: CommentedMap, row: SheetRow) -> None:
    """Set each changed field in place; an emptied cell removes its field."""
    for name, _old, new in _changes(item, row):
        if new is None:
            _delete(item, name)
        elif name in item:
            item[name] = _node(new)
        else:
            keys = list(item)
            before = [k for k in keys if k in ORDER[: ORDER.index(name)]]
            position = keys.index(before[-1]) + 1 if before else 0
            if position == len(keys) and keys:
                moved = _detach(item, keys[-1])
                item.insert(position, name, _node(new))
                _attach(item, name, moved)
            else:
                item.insert(position, name, _node(new))


def _delete(item: CommentedMap, name: str) -> None:
    keys = list(item)
    moved = _detach(item, name) if keys[-1] == name and len(keys) > 1 else ""
    del item[name]
    if moved:
        _attach(item, keys[-2], moved)


def _refuse(
    document: Document,
    items: CommentedSeq,
    index: int,
    row: SheetRow,
    changes: Sequence[tuple[str, Any, Any]],
    problems: Problems,
) -> None:
    line = items.lc.item(index)[0] + 1
    shown = "; ".join(
        f"{name} {_show(old)} -> {_show(new)}" for name, old, new in changes[:4]
    )
    more = t(" and {count} more", count=len(changes) - 4) if len(changes) > 4 else ""
    problems.add(
        row.pos,
        t(
            "indicator '{id}' is already in {rel} (line {line}) with other values: "
            "{shown}{more}",
            id=row.id,
            rel=document.rel.as_posix(),
            line=line,
            shown=shown,
            more=more,
        ),
        t(
            "run again with --update to replace them with the sheet's, or give the "
            "row another id"
        ),
    )


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return format_number(Decimal(str(value))).replace("\u2212", "-")
    return f"'{value}'"


# ------------------------------------------------- comments that open a section


def _last_path(container: Any, key: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) from container[key] down its last children."""
    while True:
        yield container, key
        child = container[key]
        if not isinstance(child, CommentedMap | CommentedSeq) or not child:
            return
        container = child
        key = list(child)[-1] if isinstance(child, CommentedMap) else len(child) - 1


def _detach(container: Any, key: Any) -> str:
    """Take the comment lines after container[key] off it; keep its own line's."""
    moved = ""
    for holder, slot_key in _last_path(container, key):
        if holder.ca.end:
            moved += "".join(token.value for token in holder.ca.end)
            holder.ca.end = []
        slot = 2 if isinstance(holder, CommentedMap) else 0
        entry = holder.ca.items.get(slot_key)
        if entry and len(entry) > slot and entry[slot] is not None:
            head, newline, rest = entry[slot].value.partition("\n")
            entry[slot].value = head + newline
            moved += rest
    return moved


def _attach(container: Any, key: Any, text: str) -> None:
    """Put comment lines after container[key], at the end of its last child."""
    if not text:
        return
    holder, slot_key = list(_last_path(container, key))[-1]
    slot = 2 if isinstance(holder, CommentedMap) else 0
    entry = holder.ca.items.setdefault(slot_key, [None, None, None, None])
    token = entry[slot]
    if token is None:
        entry[slot] = CommentToken("\n" + text, CommentMark(0), None)
    else:
        token.value += text if token.value.endswith("\n") else "\n" + text


# ------------------------------------------------------------ writing it out


def render(document: Document) -> str:
    """The new text of the data file; raise if it would not read back as merged."""
    text = dump(document.yaml, document.data)
    again = document.yaml.load(text)
    if _plain(again) != _plain(document.data):  # a bug of ours or of ruamel.yaml
        raise RuntimeError(f"writing {document.rel} would change other values")
    return text


def _plain(value: Any) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    return str(value)


def encode(document: Document, text: str) -> bytes:
    """The bytes to write: the file's own line ends and byte-order mark kept."""
    if document.crlf:
        text = text.replace("\n", "\r\n")
    return (("\ufeff" if document.bom else "") + text).encode("utf-8")
