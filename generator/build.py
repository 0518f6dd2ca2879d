"""Run the stages in order and publish the result atomically.

config -> loader -> markdown -> figures -> render -> pdf -> publish. Each stage
reports all its problems, and the build stops at the end of the first stage that
found errors, so later stages never see invalid data and ``output/`` is untouched.
"""

from __future__ import annotations

import errno
import fcntl
import posixpath
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote

from generator.datasets import dataset_files
from generator.errors import Problem, Problems, UsageError
from generator.loader import load_site
from generator.markdown import RenderedNarrative, render_narratives
from generator.render import Extras, render_site, static_files
from generator.search import search_index_files
from generator.seo import seo_files
from generator.stamp import compute_stamp, is_up_to_date, record_stamp

Payload = bytes | Path  # file content, or a file to copy
CACHE_DIR = ".proceedings-cache"  # figures and PDFs, keyed by content hash


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


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build: where to, what to include, how strict to be."""

    output: Path
    strict: bool = False
    pdf: bool = True
    drafts: bool = False
    preview: bool = False


@dataclass(slots=True)
class Summary:
    """What a build did, for the line printed at its end."""

    pages: int = 0
    files: int = 0
    figures_drawn: int = 0
    figures_cached: int = 0
    pdfs_made: int = 0
    pdfs_cached: int = 0
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    output: Path = Path("output")
    up_to_date: bool = False  # nothing changed since the build that made output

    def __str__(self) -> str:
        if self.up_to_date:
            return f"{self.output} is up to date ({self.seconds:.2f} s)"
        parts = [f"{self.pages} pages"]
        if self.figures_drawn or self.figures_cached:
            parts.append(
                f"{self.figures_drawn + self.figures_cached} figures "
                f"({self.figures_drawn} drawn)"
            )
        if self.pdfs_made or self.pdfs_cached:
            parts.append(
                f"{self.pdfs_made + self.pdfs_cached} PDFs ({self.pdfs_made} made)"
            )
        if self.warnings:
            parts.append(f"{len(self.warnings)} warnings")
        return f"Built {', '.join(parts)} into {self.output} in {self.seconds:.2f} s"


def check_site(root: Path, *, strict: bool = False) -> list[Problem]:
    """Validate the project without writing anything; return the warnings."""
    problems = Problems()
    site = load_site(root, problems)
    problems.check(strict=strict)
    for entry in site.entries:
        render_narratives(
            entry,
            site.config.language,
            problems,
            site.root,
            allow_html=site.config.allow_html,
        )
    from generator.figures import resolve_figures  # resolves numbers, draws nothing

    resolve_figures(site, problems)
    problems.check(strict=strict)
    return problems.warnings


def build_site(
    root: Path, options: BuildOptions, reporter: Reporter | None = None
) -> Summary:
    """Build the site under root into options.output; BuildFailed on bad content."""
    reporter = reporter or SilentReporter()
    started = time.perf_counter()
    summary = Summary(output=options.output)
    problems = Problems()
    cache = root.resolve() / CACHE_DIR
    stamp = compute_stamp(root.resolve(), options)
    if options.output.is_dir() and is_up_to_date(cache, options.output, stamp):
        summary.up_to_date = True
        summary.seconds = time.perf_counter() - started
        return summary

    reporter.stage("load")
    site = load_site(root, problems, drafts=options.drafts)
    problems.check(strict=options.strict)

    reporter.stage("markdown", len(site.entries))
    narratives: dict[str, list[RenderedNarrative]] = {}
    for entry in site.entries:
        narratives[entry.slug] = render_narratives(
            entry,
            site.config.language,
            problems,
            site.root,
            allow_html=site.config.allow_html,
        )
        reporter.step(entry.slug)
    problems.check(strict=options.strict)

    reporter.stage("figures", sum(len(e.data.figures) for e in site.entries))
    from generator.figures import draw_figures  # lazy: matplotlib only when needed

    figures = draw_figures(site, cache / "figures", problems, reporter)
    problems.check(strict=options.strict)
    summary.figures_drawn, summary.figures_cached = figures.drawn, figures.cached
    extras = Extras(figures=figures.figures, preview=options.preview)

    if options.pdf and site.config.pdf:
        from generator.pdf import make_pdfs  # lazy: WeasyPrint only when needed

        pdfs = make_pdfs(
            site, narratives, extras, figures.files, cache / "pdf", problems, reporter
        )
        problems.check(strict=options.strict)
        summary.pdfs_made, summary.pdfs_cached = pdfs.made, pdfs.cached
        extras.pdfs = pdfs.pdfs
    else:
        pdfs = None

    reporter.stage("render")
    pages = render_site(site, narratives, extras, problems)
    problems.check(strict=options.strict)
    _check_links(narratives, pages, problems)
    problems.check(strict=options.strict)

    files: dict[str, Payload] = dict(static_files(site.root, site.config.theme))
    files.update(figures.files)
    for entry_narratives in narratives.values():
        for rendered in entry_narratives:
            slug = rendered.narrative.path.parent.name
            files.update(
                {f"{slug}/{target}": source for target, source in rendered.assets}
            )
    if pdfs is not None:
        files.update(pdfs.files)
    files.update({path: html.encode("utf-8") for path, html in pages.items()})
    files.update(search_index_files(site, narratives, extras))  # search-index.js
    files.update(dataset_files(site))  # <slug>/<slug>.json and .csv
    files.update(seo_files(site, pages))  # robots.txt, sitemap.xml, feed.xml

    reporter.stage("publish")
    publish(files, options.output)
    # Only a clean build may be skipped next time: warnings must be shown again.
    record_stamp(cache, options.output, None if problems.warnings else stamp)
    summary.pages = sum(path.endswith(".html") for path in files)
    summary.files = len(files)
    summary.warnings = problems.warnings
    for warning in summary.warnings:
        reporter.problem(warning)
    summary.seconds = time.perf_counter() - started
    return summary


def _check_links(
    narratives: Mapping[str, list[RenderedNarrative]],
    pages: Mapping[str, str],
    problems: Problems,
) -> None:
    """Warn about relative links in narratives that lead to no page or no anchor."""
    for slug, items in narratives.items():
        here = f"{slug}/index.html"
        for item in items:
            for href, pos in item.links:
                path, _, fragment = href.partition("#")
                target = (
                    posixpath.normpath(posixpath.join(slug, unquote(path)))
                    if path
                    else here
                )
                if target in pages or f"{target}/index.html" in pages:
                    html = pages.get(target) or pages[f"{target}/index.html"]
                    if fragment and f'id="{fragment}"' not in html:
                        problems.warn(
                            pos,
                            f"link '{href}' names an anchor the page lacks",
                            "check the part after '#'",
                        )
                elif not _is_asset(target, item):
                    problems.warn(
                        pos,
                        f"link '{href}' leads to no page of the site",
                        "link to another conference as ../<slug>/index.html",
                    )


def _is_asset(target: str, item: RenderedNarrative) -> bool:
    slug = item.narrative.path.parent.name
    return any(f"{slug}/{rel}" == target for rel, _ in item.assets)


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold a lock beside out, so two builds never write one output at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.with_name(f".{out.name}.lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"output locked: another build is writing {out}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(files: Mapping[str, Payload], out: Path) -> None:
    """Replace out/ with files; a failure or Ctrl-C leaves the old out/ as it was."""
    out = out.absolute()
    with output_lock(out):
        _recover(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
        try:
            for rel, payload in sorted(files.items()):
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(payload, Path):
                    shutil.copyfile(payload, target)
                else:
                    target.write_bytes(payload)
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _recover(out: Path) -> None:
    """Clean up after a build killed outright (SIGKILL, power loss); lock held.

    Staging folders are removed, and a previous site left aside between the two
    renames of a swap is put back, so it is never lost.
    """
    for stale in out.parent.glob(f".{out.name}-new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = out.with_name(f".{out.name}-old")
    if old.is_dir() and not out.exists():
        old.rename(out)


def _swap(staging: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)  # left by a crashed run
    staging.chmod(0o755)
    try:
        if out.exists():
            out.rename(old)
        try:
            staging.rename(out)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copytree(staging, out)  # another file system: copy instead
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:  # incl. Ctrl-C between the two renames
        if old.exists():
            shutil.rmtree(out, ignore_errors=True)  # a partial copy, if any
            old.rename(out)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)
