"""Run an import: read the sheet, check every row, merge, verify, then write once.

Two phases, as a build: everything is read and checked first, and every problem
of the sheet is reported together (``BuildFailed``); only an import without
problems writes, atomically, so a failed import leaves the data file as it was.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Problems, UsageError
from generator.i18n import t
from generator.importer.columns import find_layout
from generator.importer.merge import (
    Document,
    Outcome,
    encode,
    merge_rows,
    read_document,
    render,
    target_of,
)
from generator.importer.rows import SheetRow, read_rows
from generator.importer.sheets import SUFFIXES, read_sheet
from generator.importer.verify import check_loads

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did to a data file."""

    data_file: Path  # data/<slug>.yaml, relative to the project
    diff: str  # unified diff of the data file; empty when nothing changes
    written: bool
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    rows: dict[str, int]  # indicator id -> its row in the sheet
    layout_kept: bool  # False: the file's indentation could not be kept exactly

    @property
    def changed(self) -> bool:
        """True when the data file gets new or changed indicators."""
        return bool(self.added or self.updated)


def import_sheet(
    root: Path, sheet_path: Path, slug: str, *, update: bool = False,
    dry_run: bool = False,
) -> Imported:  # fmt: skip
    """Merge the indicators of sheet_path into data/<slug>.yaml under root.

    Raise BuildFailed with every problem found (nothing is written), or UsageError
    when the command cannot run (no project, no such conference, a file type that
    cannot be read).
    """
    rel = _data_file(root, slug)
    if sheet_path.suffix.lower() not in SUFFIXES:
        raise UsageError(
            t(
                "cannot import '{suffix}' files: save the sheet as .xlsx, .ods or "
                ".csv (UTF-8)",
                suffix=sheet_path.suffix,
            )
        )
    problems = Problems()
    document = read_document(root, rel, problems)
    rows = _read(sheet_path, document, rel, problems)
    outcome = Outcome()
    if document is not None and rows:
        outcome = merge_rows(document, rows, update, problems)
    problems.check()
    assert document is not None  # a document that cannot be read is a problem
    new_text = document.text
    if outcome.added or outcome.updated:
        new_text = render(document)
        problems.extend(check_loads(root, document, new_text, rows))
        problems.check()
    diff = "".join(
        difflib.unified_diff(
            _lines(document.text), _lines(new_text), f"a/{rel}", f"b/{rel}"
        )
    )
    written = bool(diff) and not dry_run
    if written:
        write_atomic(root / rel, encode(document, new_text))
    return Imported(
        rel, diff, written, tuple(outcome.added), tuple(outcome.updated),
        tuple(outcome.unchanged), {row.id: row.number for row in rows},
        document.layout_kept,
    )  # fmt: skip


def _data_file(root: Path, slug: str) -> Path:
    if not (root / "site.yaml").is_file():
        raise UsageError(
            t(
                "no site.yaml in {root}: run proceedings in a project folder (one "
                "with site.yaml, data/ and content/), or pass --root",
                root=root,
            )
        )
    if not _SLUG.match(slug):
        raise UsageError(
            t(
                "'{slug}' is not a conference slug: lowercase ASCII letters, digits "
                "and '-', as in data/SLUG.yaml",
                slug=slug,
            )
        )
    for suffix in (".yaml", ".yml"):
        rel = Path("data") / f"{slug}{suffix}"
        if (root / rel).is_file():
            return rel
    raise UsageError(
        t(
            "no data/{slug}.yaml: run `proceedings new {slug}` first to start the "
            "conference, then import its indicators",
            slug=slug,
        )
    )


def _read(
    sheet_path: Path, document: Document | None, rel: Path, problems: Problems
) -> list[SheetRow]:
    sheet = read_sheet(sheet_path, problems)
    layout = find_layout(sheet, problems) if sheet is not None else None
    if sheet is None or layout is None:
        return []
    rows = read_rows(sheet, layout, target_of(document, rel), problems)
    below = layout.heading_row + 1
    if not rows and not problems.errors and below > len(sheet.rows):
        problems.add(
            sheet.pos(below, 1),
            t(
                "no indicators below the headings (row {heading_row})",
                heading_row=layout.heading_row,
            ),
            t("type one indicator a row, starting in the row under the headings"),
        )
    return rows


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def write_atomic(path: Path, data: bytes) -> None:
    """Replace path with data; a failure leaves the old file as it was."""
    handle, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temp = Path(name)
        temp.chmod(path.stat().st_mode & 0o7777)
        temp.replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
