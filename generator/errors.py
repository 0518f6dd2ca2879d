"""Problems found in a user's files, and how a failed stage reports them.

Hierarchy::

    Pos            where: a project-relative path, 1-based line and column, or a
                   spreadsheet cell ("chi-so.xlsx:Chỉ số!C7") for an imported sheet
    Problem        what is wrong at a Pos, with a hint and a severity (error,
                   warning, or note: information that never fails a build)
    Problems       the collector a stage fills; never raises by itself
    BuildFailed    raised at the end of a stage that found errors; carries them all

A traceback means a bug in our code, never a bad input: every problem in content is
a ``Problem``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True, order=True)
class Pos:
    """A place in a project file, as an editor shows it, or a cell of a spreadsheet.

    A cell keeps its row and column in line and col, so problems still sort in
    reading order, and prints as a spreadsheet names it: ``chi-so.xlsx:Chỉ số!C7``
    (``chi-so.csv:C7`` for a CSV file, which has no sheets).
    """

    path: Path  # relative to the project root (an imported sheet: as the user named it)
    line: int = 1  # 1-based; a cell's row
    col: int = 1  # 1-based; a cell's column (A is 1)
    cell: str = ""  # "Chỉ số!C7" or "C7": shown instead of line and col

    def __str__(self) -> str:
        if self.cell:
            return f"{self.path.as_posix()}:{self.cell}"
        return f"{self.path.as_posix()}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the user's files."""

    pos: Pos
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        head = f"{self.pos}: {self.severity}: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, line and column, as compilers do."""
        return (self.pos.path.as_posix(), self.pos.line, self.pos.col, self.message)


@dataclass(slots=True)
class Problems:
    """Collects every problem a stage finds, so one run reports them all."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        pos: Pos,
        message: str,
        hint: str = "",
        severity: Severity = "error",
    ) -> None:
        """Record a problem at pos."""
        self.items.append(Problem(pos, message, hint, severity))

    def warn(self, pos: Pos, message: str, hint: str = "") -> None:
        """Record a warning (an error under ``--strict``)."""
        self.add(pos, message, hint, "warning")

    def note(self, pos: Pos, message: str, hint: str = "") -> None:
        """Record a note: information that never fails a build, not even --strict."""
        self.add(pos, message, hint, "note")

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems found elsewhere."""
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build."""
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that only stop a ``--strict`` build."""
        return [p for p in self.items if p.severity == "warning"]

    @property
    def notes(self) -> list[Problem]:
        """The notes (e.g. each value masked by suppress_below), in file order."""
        return sorted(
            (p for p in self.items if p.severity == "note"), key=Problem.sort_key
        )

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(self.items, key=Problem.sort_key))

    def __len__(self) -> int:
        return len(self.items)

    def check(self, *, strict: bool = False) -> None:
        """End a stage: raise BuildFailed on errors (or on warnings, if strict)."""
        failing = self.errors + self.warnings if strict else self.errors
        if failing:
            # One template mistake fails every page alike: report it once.
            unique = dict.fromkeys(self.items)
            raise BuildFailed(sorted(unique, key=Problem.sort_key))


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name a typo most likely meant, or None if none is close.

    Among difflib's close matches, the fewest edits wins, a swap of two
    neighbouring letters counting as one ("edn" is "end", not "en"); then a
    name of the same length.
    """
    close = difflib.get_close_matches(name, sorted(known), n=4, cutoff=0.6)
    if not close:
        return None
    return min(close, key=lambda c: (_edits(name, c), abs(len(c) - len(name))))


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, replace, swap neighbours."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(row[j - 1] + 1, rows[-1][j] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(name: str, known: Iterable[str], what: str = "id") -> str:
    """Return a hint naming the closest known name, or listing the known ones."""
    names = sorted(known)
    close = closest(name, names)
    if close:
        return f"did you mean '{close}'?"
    if not names:
        return f"none is declared; declare the {what} first"
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f"known {what}s: {shown}"


class BuildFailed(Exception):
    """A stage found problems in the user's files; later stages must not run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        errors = sum(p.severity == "error" for p in self.problems)
        # Without errors, the build failed on warnings: it ran under --strict.
        failed = f"{errors} error(s)" if errors else "warnings under --strict"
        super().__init__(f"{failed} in content")


class UsageError(Exception):
    """The command was called wrongly (exit code 2), e.g. a missing site.yaml."""
