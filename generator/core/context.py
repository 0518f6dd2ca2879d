"""The build context: options, the reporter stages talk to, the cache, the keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from generator.core.cache import Cache, Keys, unusable
from generator.errors import Pos, Problem, Problems, UsageError
from generator.i18n import current_language, t

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


def require_project(root: Path) -> None:
    """Raise UsageError unless root is a project folder (one holding site.yaml)."""
    if not (root / "site.yaml").is_file():
        raise UsageError(
            t(
                "no site.yaml in {root}: run proceedings in a project folder (one "
                "with site.yaml, data/ and content/), or pass --root",
                root=root.resolve(),
            )
        )


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
    key what they keep in the cache with ``key``. ``reads`` is the dependency
    record: every project file the run read (the loader's files, the images the
    narratives show), for the stamp of the build (``build.stamp``).
    """

    root: Path  # the project folder, links resolved
    options: BuildOptions
    problems: Problems
    reporter: Reporter
    cache: Cache
    keys: Keys | None = None
    reads: set[Path] = field(default_factory=set)

    @classmethod
    def open(
        cls, root: Path, options: BuildOptions, reporter: Reporter | None = None
    ) -> BuildContext:
        """Start a run on the project at root, with its cache if it can be written.

        A cache folder that cannot be written (a read-only project) is noted and
        the run goes on without a cache: it only costs time.
        """
        real = root.resolve()
        why = unusable(real / CACHE_DIR)
        ctx = cls(
            real,
            options,
            Problems(),
            reporter or SilentReporter(),
            Cache(None if why else real / CACHE_DIR),
        )
        if why:
            ctx.problems.note(
                Pos(Path(CACHE_DIR)),
                t(
                    "the cache folder cannot be written ({why}); building without it",
                    why=why,
                ),
                t(
                    "every figure and PDF brief is made again on each build; make "
                    "the project folder writable to keep them"
                ),
            )
        return ctx

    def note_damaged_cache(self) -> None:
        """Note, once, the cache entries this run found damaged (and made again)."""
        damaged = self.cache.damaged
        if not damaged:
            return
        more = (
            t(" and {count} other(s)", count=len(damaged) - 1)
            if len(damaged) > 1
            else ""
        )
        self.problems.note(
            Pos(Path(CACHE_DIR)),
            t(
                "cache entry {cache_dir}/{damaged}{more} damaged; rebuilt",
                cache_dir=CACHE_DIR,
                damaged=damaged[0],
                more=more,
            ),
            t(
                "each entry is checked against its SHA-256 when read; if this "
                "happens again, check the disk"
            ),
        )
        damaged.clear()

    def key(self, *uses: str, salt: str) -> str:
        """Key of a result made from the named inputs; see ``Keys.of``.

        Results cached with their warnings (narratives, figures) keep them in the
        language of the messages: a run in another language makes its own.
        """
        assert self.keys is not None, "keys are set when the site is loaded"
        messages = current_language()
        salt = salt if messages == "en" else f"{salt}|messages:{messages}"
        return self.keys.of(*uses, salt=salt)

    def check(self) -> None:
        """End a stage: raise BuildFailed on errors (on warnings too, if strict)."""
        self.problems.check(strict=self.options.strict)
