"""Check that a merged data file still loads with the project's own loader.

The loader runs on the project as it is, with the merged text in place of the data
file (``load_site(replaced=…)``): the derived values, the data checks, the quotes
against archived sources, the references and the rules across a series all apply,
and nothing in the project is touched. A problem the merge caused is placed on the
cell of the row and field that brought it in; problems the project already had are
not blamed on the import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.errors import BuildFailed, Pos, Problem, Problems
from generator.i18n import t
from generator.importer.merge import Document
from generator.importer.rows import SheetRow


def check_loads(
    root: Path, document: Document, new_text: str, rows: Sequence[SheetRow]
) -> list[Problem]:
    """Return the errors the project's loader finds once new_text is the data file."""
    after = _load_errors(root, document.rel, new_text)
    if not after:
        return []
    before = {(p.pos.path, p.message) for p in _load_errors(root, document.rel, None)}
    spans = _spans(document, new_text, rows)
    out = []
    for problem in after:
        if (problem.pos.path, problem.message) in before:
            continue
        out.append(_place(problem, document.rel, spans))
    return out


def _load_errors(root: Path, rel: Path, text: str | None) -> list[Problem]:
    """The loader's errors for the project, with text as rel's content if given.

    The loader reads the project where it is (its archives, its narratives, its
    settings), with the merged text in place of the data file: nothing is written.
    """
    from generator.load.project import load_site  # the loader only when verifying

    try:
        load_site(root, Problems(), replaced={rel: text} if text is not None else None)
    except BuildFailed as exc:
        return [p for p in exc.problems if p.severity == "error"]
    return []


def _spans(document: Document, text: str, rows: Sequence[SheetRow]) -> list[_Span]:
    """Where each indicator the sheet gave stands in the merged text, 1-based."""
    data = document.yaml.load(text)
    items = data.get("indicators")
    if not isinstance(items, CommentedSeq):
        return []
    lines = text.count("\n") + 1
    starts = [items.lc.item(i)[0] + 1 for i in range(len(items))]
    ends = [*(s - 1 for s in starts[1:]), _end_of(data, lines)]
    by_id = {row.id: row for row in rows}
    return [
        _Span(start, end, by_id[str(item.get("id"))], _key_lines(item))
        for start, end, item in zip(starts, ends, items, strict=True)
        if isinstance(item, dict) and str(item.get("id")) in by_id
    ]


@dataclass(frozen=True, slots=True)
class _Span:
    """An indicator of the merged text: its lines, its sheet row, its fields' lines."""

    start: int
    end: int
    row: SheetRow
    keys: Mapping[str, int]  # field -> the line its key is on

    def cell(self, line: int) -> Pos:
        """The cell of the field at line (the last key above it), else the id's."""
        above = [(at, key) for key, at in self.keys.items() if at <= line]
        field = max(above)[1] if above else "id"
        return self.row.cells.get(field, self.row.pos)


def _key_lines(item: dict[Any, Any]) -> dict[str, int]:
    assert isinstance(item, CommentedMap)  # round-trip loaded: it knows its lines
    return {str(key): int(item.lc.key(key)[0]) + 1 for key in item}


def _end_of(data: dict[str, object], lines: int) -> int:
    """The last line of `indicators`: the line before the next top-level key."""
    keys = list(data)
    at = keys.index("indicators")
    if at + 1 < len(keys):
        return int(data.lc.key(keys[at + 1])[0])  # type: ignore[attr-defined]
    return lines


def _place(problem: Problem, rel: Path, spans: Sequence[_Span]) -> Problem:
    """Put a loader's problem on the sheet cell of the field it is about."""
    where = t(
        "{path} line {line}, as merged", path=rel.as_posix(), line=problem.pos.line
    )
    if problem.pos.path == rel:
        for span in spans:
            if span.start <= problem.pos.line <= span.end:
                hint = f"{problem.hint} ({where})" if problem.hint else where
                cell = span.cell(problem.pos.line)
                return Problem(cell, problem.message, hint, problem.severity)
    return Problem(
        problem.pos,
        t("after the import: {message}", message=problem.message),
        problem.hint or t("nothing was written; the line is that of the merged file"),
        problem.severity,
    )
