"""Check that a merged data file still loads with the project's own loader.

The project is copied into a temporary folder (site.yaml, every data file, the
conference's narratives), the merged text replaces the data file there, and the
loader runs on the copy: the derived values, the data checks, the references and
the rules across a series all apply, and nothing in the project is touched. A
problem the merge caused is placed on the row that brought the indicator in;
problems the project already had are not blamed on the import.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ruamel.yaml.comments import CommentedSeq

from generator.errors import BuildFailed, Problem, Problems
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
    # The one import of the loader: the restructuring moves it (see docs/import.md).
    from generator.load.project import load_site

    with tempfile.TemporaryDirectory(prefix="proceedings-import-") as tmp:
        copy = Path(tmp)
        shutil.copy2(root / "site.yaml", copy / "site.yaml")
        (copy / "data").mkdir()
        for path in sorted((root / "data").iterdir()):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                shutil.copy2(path, copy / "data" / path.name)
        narratives = root / "content" / rel.stem
        if narratives.is_dir():
            shutil.copytree(narratives, copy / "content" / rel.stem)
        if text is not None:
            (copy / rel).write_text(text, encoding="utf-8")
        try:
            load_site(copy, Problems())
        except BuildFailed as exc:
            return [p for p in exc.problems if p.severity == "error"]
    return []


def _spans(
    document: Document, text: str, rows: Sequence[SheetRow]
) -> list[tuple[int, int, SheetRow]]:
    """(first line, last line, row) of each indicator the sheet gave, 1-based."""
    data = document.yaml.load(text)
    items = data.get("indicators")
    if not isinstance(items, CommentedSeq):
        return []
    lines = text.count("\n") + 1
    starts = [items.lc.item(i)[0] + 1 for i in range(len(items))]
    ends = [*(s - 1 for s in starts[1:]), _end_of(data, lines)]
    by_id = {row.id: row for row in rows}
    return [
        (start, end, by_id[str(item.get("id"))])
        for start, end, item in zip(starts, ends, items, strict=True)
        if isinstance(item, dict) and str(item.get("id")) in by_id
    ]


def _end_of(data: dict[str, object], lines: int) -> int:
    """The last line of `indicators`: the line before the next top-level key."""
    keys = list(data)
    at = keys.index("indicators")
    if at + 1 < len(keys):
        return int(data.lc.key(keys[at + 1])[0])  # type: ignore[attr-defined]
    return lines


def _place(
    problem: Problem, rel: Path, spans: Sequence[tuple[int, int, SheetRow]]
) -> Problem:
    """Put a loader's problem on the sheet row whose indicator it is in."""
    where = f"{rel.as_posix()} line {problem.pos.line}, as merged"
    if problem.pos.path == rel:
        for start, end, row in spans:
            if start <= problem.pos.line <= end:
                hint = f"{problem.hint} ({where})" if problem.hint else where
                return Problem(row.pos, problem.message, hint, problem.severity)
    return Problem(
        problem.pos,
        f"after the import: {problem.message}",
        problem.hint or "nothing was written; the line is that of the merged file",
        problem.severity,
    )
