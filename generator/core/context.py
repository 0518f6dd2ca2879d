"""The build context: options, the reporter stages talk to, the cache, the keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator.core.cache import Cache, Keys
from generator.errors import Problem, Problems

CACHE_DIR = ".proceedings-cache"  # figures, PDFs, memo, records; `proceedings clean`


def _package_themes() -> Path:
    """Find the themes shipped with the package.

    Inside the package when installed (generator/themes), else the repository's
    top-level themes/ (a checkout, or an editable install).
    """
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


@dataclass(slots=True)
class BuildContext:
    """What every stage of one run is handed: where, how, and what it found.

    ``keys`` is set once the site is loaded (it hashes the loaded inputs); stages
    key what they keep in the cache with ``key``.
    """

    root: Path  # the project folder, links resolved
    options: BuildOptions
    problems: Problems
    reporter: Reporter
    cache: Cache
    keys: Keys | None = None

    @classmethod
    def open(
        cls, root: Path, options: BuildOptions, reporter: Reporter | None = None
    ) -> BuildContext:
        """Start a run on the project at root, with its cache."""
        real = root.resolve()
        return cls(
            real,
            options,
            Problems(),
            reporter or SilentReporter(),
            Cache(real / CACHE_DIR),
        )

    def key(self, *uses: str, salt: str) -> str:
        """Key of a result made from the named inputs; see ``Keys.of``."""
        assert self.keys is not None, "keys are set when the site is loaded"
        return self.keys.of(*uses, salt=salt)

    def check(self) -> None:
        """End a stage: raise BuildFailed on errors (on warnings too, if strict)."""
        self.problems.check(strict=self.options.strict)
