"""Run the stages in order and publish the result atomically.

config -> loader -> markdown -> figures -> render -> pdf -> publish. Each stage
reports all its problems, and the build stops at the end of the first stage that
found errors, so later stages never see invalid data and ``output/`` is untouched.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build.outputs import (
    Previous,
    forget_outputs,
    input_keys,
    page_key,
    previous_outputs,
    record_outputs,
)
from generator.build.publish import Payload, publish
from generator.build.stamp import compute_stamp, is_up_to_date, record_stamp
from generator.core.cache import Keys, Memo
from generator.core.context import CACHE_DIR, BuildOptions, SilentReporter
from generator.core.workers import pool_map
from generator.errors import Problem, Problems
from generator.figures.stage import FigureOut
from generator.load.files import MAX_DATA_BYTES, read_text
from generator.load.parse import parse_yaml
from generator.load.project import load_site
from generator.load.translate import ENGLISH, english_site, missing_translations
from generator.markdown.pieces import RenderedNarrative
from generator.markdown.render import render_narrative, render_narratives
from generator.model import (
    Entry,
    Positions,
    Site,
    Untranslated,
)
from generator.site.datasets import dataset_csv, dataset_json, dataset_paths
from generator.site.links import check_links
from generator.site.pages import page_prefix, plan_pages, render_page
from generator.site.search import search_index_files
from generator.site.seo import seo_files
from generator.site.theme import make_environment, static_files
from generator.site.views import Extras

if TYPE_CHECKING:
    from generator.core.context import Reporter


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
    from generator.figures.stage import resolve_figures

    resolve_figures(site, problems)
    # Links lead to a page of the plan; their anchors are checked by a build only,
    # which renders the pages.
    pages = dict.fromkeys(p.out for p in plan_pages(site, narratives, Extras()))
    check_links(narratives, pages, problems)
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
    from generator.figures.stage import draw_figures

    figures = draw_figures(site, cache / "figures", problems, reporter, keys, memo)
    problems.check(strict=options.strict)
    summary.figures_drawn, summary.figures_cached = figures.drawn, figures.cached
    extras = Extras(figures=figures.figures, preview=options.preview)

    if options.pdf and site.config.pdf:
        from generator.pdf.stage import make_briefs  # lazy: WeasyPrint only when needed

        pdfs = make_briefs(
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
        key = file_keys[page.out] = page_key(keys, page)
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
    check_links(narratives, files, problems)
    for v in versions[1:]:  # links in translated narratives, from en/<slug>/
        translated = {
            f"{v.lang}/{slug}": [r for r in items if r.narrative.lang == v.lang]
            for slug, items in v.narratives.items()
        }
        check_links(translated, files, problems)
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


@dataclass(slots=True)
class Version:
    """What the pages of one secondary language are made from, and the files it adds.

    Figures are drawn again from the English copy (English titles, labels and number
    format) and go under en/ with the English search index and narrative images;
    PDFs, datasets and static files are shared with the primary pages.
    """

    lang: str
    site: Site
    narratives: dict[str, list[RenderedNarrative]]
    extras: Extras
    files: dict[str, bytes | Path] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # figure files' cache keys
    figures_drawn: int = 0
    figures_cached: int = 0


def english_version(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_cache: Path,
    problems: Problems,
    reporter: Reporter,
) -> Version:
    """Make what the English pages need: copy, narratives, figures, search index."""
    from generator.figures.stage import draw_figures
    from generator.site.search import search_index_files

    english = english_site(site)
    prefix = page_prefix(ENGLISH, site.config.output_languages[0])
    rendered = english_narratives(english, narratives, problems)
    # The figures' checks ran on the Vietnamese data already: report only what is
    # new in English (a label over a cap), not every warning a second time.
    found = Problems()
    figures = draw_figures(english, figure_cache, found, reporter)
    problems.extend(p for p in found.items if p not in problems.items)
    version = Version(
        ENGLISH,
        english,
        rendered,
        Extras(
            figures={
                k: _moved(f, prefix, _english_note(english, k))
                for k, f in figures.figures.items()
            },
            pdfs=extras.pdfs,  # the Vietnamese briefs, linked with a note
            preview=extras.preview,
        ),
        files={prefix + rel: data for rel, data in figures.files.items()},
        keys={prefix + rel: key for rel, key in figures.keys.items()},
        figures_drawn=figures.drawn,
        figures_cached=figures.cached,
    )
    for slug, items in rendered.items():
        for item in items:
            version.files.update(
                {f"{prefix}{slug}/{target}": src for target, src in item.assets}
            )
    index = search_index_files(english, rendered, version.extras)
    version.files.update({prefix + rel: data for rel, data in index.items()})
    return version


def english_narratives(
    english: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    problems: Problems,
) -> dict[str, list[RenderedNarrative]]:
    """Render the English narratives; reuse the Vietnamese one where none exists.

    english is the English copy (english_site). Citations in an English narrative
    read the English units and number format; a Vietnamese fallback stays exactly as
    rendered for the Vietnamese page.
    """
    out: dict[str, list[RenderedNarrative]] = {}
    for entry in english.entries:
        original = {r.narrative.slug: r for r in narratives.get(entry.slug, ())}
        items = []
        for narrative in entry.narratives:
            if narrative.lang == ENGLISH:
                items.append(
                    render_narrative(
                        entry,
                        narrative,
                        ENGLISH,
                        problems,
                        english.root,
                        allow_html=english.config.allow_html,
                    )
                )
            elif narrative.slug in original:
                items.append(original[narrative.slug])
        out[entry.slug] = items
    return out


def _moved(figure: FigureOut, prefix: str, note_translated: bool) -> FigureOut:
    note = figure.source_note
    return dataclasses.replace(
        figure,
        svg=prefix + figure.svg,
        png=prefix + figure.png if figure.png else "",
        csv=prefix + figure.csv if figure.csv else "",
        source_note=note if note_translated or not note else Untranslated(note),
    )


def _english_note(english: Site, key: tuple[str, str]) -> bool:
    """Tell whether a figure's source note is English: its own, not source titles."""
    entry = next((e for e in english.entries if e.slug == key[0]), None)
    spec = (
        next((f for f in entry.data.figures if f.id == key[1]), None) if entry else None
    )
    return spec is not None and spec.en is not None and spec.en.source_note is not None


def check_translations(root: Path) -> tuple[list[Problem], bool]:
    """Load the project at root; return its gaps and whether English pages are on.

    Raises BuildFailed when the project has errors.
    """
    site = load_site(root, Problems())
    config = Positions(Path("site.yaml"))
    text = read_text(site.root, config.path, Problems(), MAX_DATA_BYTES)
    parse_yaml(text or "", config, Problems())  # for the positions of its texts
    gaps = missing_translations(site, config)
    return gaps, ENGLISH in site.config.output_languages
