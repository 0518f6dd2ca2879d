"""The build context: options, the reporter stages talk to, and where the cache lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator.errors import Problem

CACHE_DIR = ".proceedings-cache"  # figures, PDFs, memo, records; `proceedings clean`


def _package_themes() -> Path:
    """The themes shipped with the package: inside it when installed, else the
    repository's top-level themes/ (a checkout or an editable install)."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "themes"
    return inside if inside.is_dir() else package.parent / "themes"


PACKAGE_THEMES = _package_themes()


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build: where to, what to include, how strict to be."""

    output: Path
    strict: bool = False
    pdf: bool = True
    drafts: bool = False
    preview: bool = False


class Reporter(Protocol):
    """Where a build tells how it is going; stages never print."""

    def stage(self, name: str, total: int = 0) -> None:
        """A stage starts; total is how many steps it has, if known."""

    def step(self, label: str) -> None:
        """One step of the current stage is done."""

    def problem(self, problem: Problem) -> None:
        """A warning that does not stop the build."""


class SilentReporter:
    """A reporter that says nothing (tests, library use)."""

    def stage(self, name: str, total: int = 0) -> None:
        """Ignore."""

    def step(self, label: str) -> None:
        """Ignore."""

    def problem(self, problem: Problem) -> None:
        """Ignore."""
