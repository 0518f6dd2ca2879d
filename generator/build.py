"""Run the stages in order and publish the result atomically.

config -> loader -> markdown -> figures -> render -> pdf -> publish. Each stage
reports all its problems, and the build stops at the end of the first stage that
found errors, so later stages never see invalid data and ``output/`` is untouched.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import os
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

from generator.datasets import dataset_csv, dataset_json, dataset_paths
from generator.errors import Problem, Problems, UsageError
from generator.incremental import (
    Keys,
    Previous,
    forget_outputs,
    input_keys,
    previous_outputs,
    record_outputs,
)
from generator.languages import (
    Version,
    english_narratives,
    english_site,
    english_version,
)
from generator.loader import load_site
from generator.markdown import RenderedNarrative, render_narratives
from generator.memo import Memo
from generator.model import Entry, Site
from generator.options import CACHE_DIR, BuildOptions
from generator.render import (
    Extras,
    make_environment,
    plan_pages,
    render_page,
    static_files,
)
from generator.search import search_index_files
from generator.seo import seo_files
from generator.stamp import compute_stamp, is_up_to_date, record_stamp
from generator.workers import pool_map

__all__ = [
    "CACHE_DIR",
    "PARALLEL_MARKDOWN_FROM",
    "BuildOptions",
    "Payload",
    "Reporter",
    "SilentReporter",
    "Summary",
    "build_site",
    "check_site",
    "output_lock",
    "publish",
]

Payload = bytes | Path  # file content, or a file to copy


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
class Summary:
    """What a build did, for the line printed at its end."""

    pages: int = 0
    files: int = 0
    figures_drawn: int = 0
    figures_cached: int = 0
    pdfs_made: int = 0
    pdfs_cached: int = 0
    pages_reused: int = 0  # unchanged since the last build: linked, not rendered
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # e.g. each masked small count
    seconds: float = 0.0
    output: Path = Path("output")
    up_to_date: bool = False  # nothing changed since the build that made output

    def __str__(self) -> str:
        if self.up_to_date:
            return f"{self.output} is up to date ({self.seconds:.2f} s)"
        parts = [f"{self.pages} pages"]
        if self.pages_reused:
            parts[0] += f" ({self.pages - self.pages_reused} rendered)"
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
        if self.notes:
            parts.append(f"{len(self.notes)} notes")
        return f"Built {', '.join(parts)} into {self.output} in {self.seconds:.2f} s"


def check_site(root: Path, *, strict: bool = False) -> list[Problem]:
    """Validate the project without writing anything; return the warnings."""
    problems = Problems()
    site = load_site(root, problems)
    problems.check(strict=strict)
    narratives = {
        entry.slug: render_narratives(
            entry,
            site.config.language,
            problems,
            site.root,
            allow_html=site.config.allow_html,
        )
        for entry in site.entries
    }
    if any(entry.translations for entry in site.entries):  # content/<slug>/en/*.md
        english_narratives(english_site(site), {}, problems)
    from generator.figures import resolve_figures  # resolves numbers, draws nothing

    resolve_figures(site, problems)
    # Links lead to a page of the plan; their anchors are checked by a build only,
    # which renders the pages.
    pages = dict.fromkeys(p.out for p in plan_pages(site, narratives, Extras()))
    _check_links(narratives, pages, problems)
    problems.check(strict=strict)
    return problems.warnings


def build_site(
    root: Path,
    options: BuildOptions,
    reporter: Reporter | None = None,
    *,
    stamp: str | None = None,
) -> Summary:
    """Build the site under root into options.output; BuildFailed on bad content.

    stamp, if given, is ``stamp.compute_stamp(root, options)`` taken just before
    (the CLI has it from checking for a no-op), so the inputs are hashed once.
    """
    reporter = reporter or SilentReporter()
    started = time.perf_counter()
    summary = Summary(output=options.output)
    problems = Problems()
    cache = root.resolve() / CACHE_DIR
    stamp = stamp or compute_stamp(root.resolve(), options)
    if options.output.is_dir() and is_up_to_date(cache, options.output, stamp):
        summary.up_to_date = True
        summary.seconds = time.perf_counter() - started
        return summary

    reporter.stage("load")
    memo = Memo(cache)
    site = load_site(root, problems, drafts=options.drafts, memo=memo)
    problems.check(strict=options.strict)

    keys = input_keys(site, (options.drafts, options.preview))
    previous = previous_outputs(cache, options.output)

    reporter.stage("markdown", len(site.entries))
    narratives = _render_markdown(site, keys, memo, problems, reporter)
    problems.check(strict=options.strict)

    reporter.stage("figures", sum(len(e.data.figures) for e in site.entries))
    from generator.figures import draw_figures  # lazy: matplotlib only when needed

    figures = draw_figures(site, cache / "figures", problems, reporter, keys, memo)
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

    # Other languages (site.yaml `languages`): the same stages on a translated copy,
    # into pages under en/ (docs/bilingual.md).
    versions = [Version("", site, narratives, extras)]
    for lang in site.config.output_languages[1:]:
        reporter.stage(lang, sum(len(e.data.figures) for e in site.entries))
        version = english_version(
            site, narratives, extras, cache / "figures", problems, reporter
        )
        problems.check(strict=options.strict)
        summary.figures_drawn += version.figures_drawn
        summary.figures_cached += version.figures_cached
        versions.append(version)

    plan = [
        page
        for v in versions
        for page in plan_pages(v.site, v.narratives, v.extras, lang=v.lang)
    ]
    reporter.stage("render", len(plan))
    files: dict[str, Payload] = {}
    file_keys: dict[str, str] = {}
    envs = {
        v.lang: make_environment(site.root, site.config.theme, v.site.config.language)
        for v in versions
    }
    sites = {v.lang: v.site for v in versions}
    for page in plan:
        key = file_keys[page.out] = keys.page(page)
        old = previous.reusable(page.out, key)
        if old is not None:
            files[page.out] = old
            summary.pages_reused += 1
        else:
            lang = page.lang
            html = render_page(envs[lang], sites[lang], page, options.preview, problems)
            if html is not None:
                files[page.out] = html.encode("utf-8")
        reporter.step(page.out)
    problems.check(strict=options.strict)
    _check_links(narratives, files, problems)
    for v in versions[1:]:  # links in translated narratives, from en/<slug>/
        translated = {
            f"{v.lang}/{slug}": [r for r in items if r.narrative.lang == v.lang]
            for slug, items in v.narratives.items()
        }
        _check_links(translated, files, problems)
    problems.check(strict=options.strict)

    static = static_files(site.root, site.config.theme)
    files.update(static)
    file_keys.update({rel: keys.of(salt=f"static|{rel}") for rel in static})
    files.update(figures.files)
    file_keys.update(figures.keys)
    linkable = set(figures.keys) | set(static)
    for version in versions[1:]:  # figures, images and search index under en/
        files.update(version.files)
        file_keys.update(version.keys)
        linkable.update(version.keys)
    for entry_narratives in narratives.values():
        for rendered in entry_narratives:
            slug = rendered.narrative.path.parent.name
            files.update(
                {f"{slug}/{target}": source for target, source in rendered.assets}
            )
    if pdfs is not None:
        files.update(pdfs.files)
    files.update(search_index_files(site, narratives, extras, keys, memo))
    files.update(_datasets(site, keys, previous, file_keys))  # <slug>/<slug>.json, .csv
    files.update(seo_files(site, [p.out for p in plan]))  # robots, sitemap, feed
    for rel, key in file_keys.items():  # figures, static: link old files if unchanged
        if rel not in linkable:
            continue
        old = previous.reusable(rel, key)
        if old is not None:
            files[rel] = old

    reporter.stage("publish")
    forget_outputs(cache, options.output)  # the record is only true once published
    publish(files, options.output)
    record_outputs(cache, options.output, file_keys)
    memo.prune()
    # Only a clean build may be skipped next time: warnings (and the list of
    # masked small counts, docs/suppression.md) must be shown again.
    clean = not problems.warnings and not problems.notes
    record_stamp(cache, options.output, stamp if clean else None)
    summary.pages = sum(path.endswith(".html") for path in files)
    summary.files = len(files)
    summary.warnings = sorted(problems.warnings, key=Problem.sort_key)
    for warning in summary.warnings:
        reporter.problem(warning)
    summary.notes = sorted(problems.notes, key=Problem.sort_key)
    for note in summary.notes:
        reporter.problem(note)
    summary.seconds = time.perf_counter() - started
    return summary


PARALLEL_MARKDOWN_FROM = 64  # conferences; fewer render faster than workers start


def _render_markdown(
    site: Site, keys: Keys, memo: Memo, problems: Problems, reporter: Reporter
) -> dict[str, list[RenderedNarrative]]:
    """Render every conference's narratives, the unchanged ones from the memo.

    Reused narratives bring back the warnings they had; the others are rendered
    in worker processes when there are many.
    """
    narratives: dict[str, list[RenderedNarrative]] = {}
    todo: list[tuple[Entry, str]] = []
    for entry in site.entries:
        salt = f"markdown|{site.config.language}"
        key = keys.of(f"data:{entry.slug}", f"text:{entry.slug}", salt=salt)
        cached = memo.get("markdown", key)
        if cached is not None:
            rendered, warnings, assets = cached
            if all(_file_state(path) == state for path, state in assets):
                problems.extend(warnings)
                narratives[entry.slug] = list(rendered)
                reporter.step(entry.slug)
                continue
        todo.append((entry, key))
    work = functools.partial(
        _narratives_of,
        lang=site.config.language,
        root=site.root,
        allow_html=site.config.allow_html,
    )
    done = pool_map(
        work,
        [entry for entry, _ in todo],
        parallel_from=PARALLEL_MARKDOWN_FROM,
        chunksize=8,
    )
    for (entry, key), (rendered, found) in zip(todo, done, strict=True):
        problems.extend(found)
        narratives[entry.slug] = rendered
        if not any(p.severity == "error" for p in found):
            assets = [(s, _file_state(s)) for r in rendered for _, s in r.assets]
            warnings = [p for p in found if p.severity != "error"]
            memo.put("markdown", key, (rendered, warnings, assets))
        reporter.step(entry.slug)
    return {entry.slug: narratives[entry.slug] for entry in site.entries}


def _narratives_of(
    entry: Entry, *, lang: str, root: Path, allow_html: bool
) -> tuple[list[RenderedNarrative], list[Problem]]:
    """Render one conference's narratives (in a worker process, maybe)."""
    found = Problems()
    rendered = render_narratives(entry, lang, found, root, allow_html=allow_html)
    return rendered, found.items


def _datasets(
    site: Site, keys: Keys, previous: Previous, file_keys: dict[str, str]
) -> dict[str, Payload]:
    """Each conference's data as JSON and CSV, unchanged ones linked from before."""
    files: dict[str, Payload] = {}
    for entry in site.entries:
        json_path, csv_path = dataset_paths(entry.slug)
        key = keys.of(f"data:{entry.slug}", salt="dataset")
        old_json = previous.reusable(json_path, key)
        old_csv = previous.reusable(csv_path, key)
        if old_json is not None and old_csv is not None:
            files[json_path], files[csv_path] = old_json, old_csv
        else:
            files[json_path] = dataset_json(entry, site.config.base_url)
            files[csv_path] = dataset_csv(entry)
        file_keys[json_path] = file_keys[csv_path] = key
    return files


def _file_state(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _check_links(
    narratives: Mapping[str, list[RenderedNarrative]],
    pages: Mapping[str, Payload | None],
    problems: Problems,
) -> None:
    """Warn about relative links in narratives that lead to no page or no anchor.

    pages holds each HTML page: rendered now (bytes), reused from the last
    build (a path, read only if a link names an anchor in it), or None when the
    pages are only planned (`check`): then anchors are not checked.
    """
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
                    page = pages.get(target) or pages.get(f"{target}/index.html")
                    html = page.read_bytes() if isinstance(page, Path) else page
                    if (
                        fragment
                        and html is not None
                        and f'id="{fragment}"'.encode() not in html
                    ):
                        problems.warn(
                            pos,
                            f"link '{href}' names an anchor the page lacks",
                            "check the part after '#'",
                        )
                elif not any(f"{slug}/{rel}" == target for rel, _ in item.assets):
                    problems.warn(
                        pos,
                        f"link '{href}' leads to no page of the site",
                        "link to another conference as ../<slug>/index.html",
                    )


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
            folders: set[Path] = set()
            for rel, payload in sorted(files.items()):
                target = staging / rel
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(target.parent)
                if isinstance(payload, Path):
                    _link_or_copy(payload, target, out)
                else:
                    target.write_bytes(payload)
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _link_or_copy(source: Path, target: Path, out: Path) -> None:
    """Hard-link a file of the previous output into the new one; copy the rest.

    Linking is safe: a build never writes into an existing file, it always
    writes a new one, so the old site and the new share only unchanged files.
    """
    if source.is_relative_to(out):
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # e.g. a file system without hard links
    shutil.copyfile(source, target)


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
