"""The stages of a run, each taking the build context: the one wiring of the pipeline.

load -> narratives -> figures -> briefs -> languages -> outputs. Each stage reports
all its problems in the context; the caller ends a stage with ``ctx.check()``, so
later stages never see invalid data. ``build``, ``check``, ``pdf``, ``bundle`` and
``serve`` all run these functions; none wires the stages again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.build.outputs import Outputs, input_keys, page_key
from generator.core.context import BuildContext
from generator.core.workers import pool_map
from generator.errors import BuildFailed, Problem, Problems
from generator.figures.stage import FigureOut, FigureResult, draw_figures
from generator.load.files import MAX_DATA_BYTES, read_text, recording
from generator.load.narratives import load_narratives
from generator.load.parse import parse_yaml
from generator.load.project import load_config, load_site
from generator.load.translate import translated_site
from generator.markdown.checks import Unloaded
from generator.markdown.pieces import RenderedNarrative
from generator.markdown.render import (
    check_unloaded,
    render_narrative,
    render_narratives,
)
from generator.model import Entry, Positions, Site, Untranslated
from generator.pdf.options import PdfOptions
from generator.pdf.stage import PdfResult, PendingBriefs
from generator.pdf.worker import Renderers
from generator.site.datasets import dataset_csv, dataset_json, dataset_paths
from generator.site.pages import (
    Page,
    PageContexts,
    page_prefix,
    page_salt,
    plan_site,
    render_page,
)
from generator.site.search import search_index_files
from generator.site.seo import seo_files
from generator.site.theme import make_environment, static_files
from generator.site.views import Extras

Narratives = dict[str, list[RenderedNarrative]]
PARALLEL_MARKDOWN_FROM = 64  # conferences; fewer render faster than workers start


def conference_count(ctx: BuildContext) -> int:
    """How many data files the project has (before loading them)."""
    data = ctx.root / "data"
    return sum(p.suffix in _DATA for p in (data.iterdir() if data.is_dir() else ()))


def load(ctx: BuildContext) -> Site:
    """Load and check the project; key its inputs for the cache."""
    ctx.reporter.stage("load", conference_count(ctx))  # a progress bar
    try:
        with recording(ctx.reads):  # the dependency record: every file it reads
            site = load_site(
                ctx.root,
                ctx.problems,
                drafts=ctx.options.drafts,
                cache=ctx.cache,
                progress=ctx.reporter.step,
            )
    except BuildFailed:
        _check_unloaded_narratives(ctx)
        ctx.check()  # raises, with every problem sorted
        raise
    ctx.check()
    if ctx.cache.folder is not None:
        ctx.keys = input_keys(site, (ctx.options.drafts, ctx.options.preview))
    return site


def _check_unloaded_narratives(ctx: BuildContext) -> None:
    """Check the Markdown of conferences whose data file has errors, this run.

    Their citations are checked against the ids the data file names; the loader
    reported their front matter already.
    """
    failed = sorted(
        {
            p.pos.path
            for p in ctx.problems.errors
            if p.pos.path.parent == Path("data") and p.pos.path.suffix in _DATA
        }
    )
    if not failed:
        return
    settings = load_config(ctx.root, Problems())
    config, languages = settings.config, settings.languages
    allow_html = config.allow_html if config else False
    for rel in failed:
        unloaded = _unloaded(ctx.root, rel)
        for narrative in load_narratives(
            ctx.root, rel.stem, Problems(), ctx.options.drafts, languages.primary
        ):
            check_unloaded(
                unloaded,
                narrative,
                languages.primary,
                ctx.problems,
                ctx.root,
                allow_html=allow_html,
            )


_DATA = (".yaml", ".yml")


def _unloaded(root: Path, rel: Path) -> Unloaded:
    """The ids a data file with errors names, as far as it can be read."""
    text = read_text(root, rel, Problems(), MAX_DATA_BYTES)
    raw = parse_yaml(text, Positions(rel), Problems()) if text else None
    found: dict[str, set[str]] = {"indicators": set(), "figures": set()}
    if isinstance(raw, dict):
        for kind, ids in found.items():
            items = raw.get(kind)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.add(item["id"])
    return Unloaded(
        rel,
        frozenset(found["indicators"]),
        frozenset(found["figures"]),
        readable=isinstance(raw, dict),
    )


def narratives(ctx: BuildContext, site: Site) -> Narratives:
    """Render every conference's narratives, the unchanged ones from the cache.

    Reused narratives bring back the warnings they had; the others are rendered
    in worker processes when there are many.
    """
    ctx.reporter.stage("markdown", len(site.entries))
    lang = site.config.language
    done: Narratives = {}
    todo: list[tuple[Entry, str]] = []
    for entry in site.entries:
        key = _narratives_key(ctx, entry, lang)
        if key and _reuse_narratives(ctx, key, entry, done):
            continue
        todo.append((entry, key))
    work = functools.partial(
        _narratives_of, lang=lang, root=site.root, allow_html=site.config.allow_html
    )
    rendered = pool_map(
        work,
        [entry for entry, _ in todo],
        parallel_from=PARALLEL_MARKDOWN_FROM,
        chunksize=8,
    )
    for (entry, key), (items, found) in zip(todo, rendered, strict=True):
        ctx.problems.extend(found)
        done[entry.slug] = items
        if key and not any(p.severity == "error" for p in found):
            _keep_narratives(ctx, key, items, found)
        ctx.reporter.step(entry.slug)
    return {entry.slug: done[entry.slug] for entry in site.entries}


def _narratives_key(ctx: BuildContext, entry: Entry, lang: str) -> str:
    if ctx.keys is None:
        return ""
    uses = (f"data:{entry.slug}", f"text:{entry.slug}")
    return ctx.key(*uses, salt=f"markdown|{lang}")


def _reuse_narratives(
    ctx: BuildContext, key: str, entry: Entry, done: Narratives
) -> bool:
    cached = ctx.cache.load("markdown", key, live=True)
    if cached is None:
        return False
    items, warnings, assets = cached
    if any(_file_state(path) != state for path, state in assets):
        return False  # an image it shows changed
    ctx.problems.extend(warnings)
    done[entry.slug] = list(items)
    ctx.reporter.step(entry.slug)
    return True


def _keep_narratives(
    ctx: BuildContext,
    key: str,
    items: Sequence[RenderedNarrative],
    found: Sequence[Problem],
) -> None:
    assets = [(s, _file_state(s)) for r in items for _, s in r.assets]
    warnings = [p for p in found if p.severity != "error"]
    ctx.cache.save("markdown", key, (list(items), warnings, assets), live=True)


def _narratives_of(
    entry: Entry, *, lang: str, root: Path, allow_html: bool
) -> tuple[list[RenderedNarrative], list[Problem]]:
    """Render one conference's narratives (in a worker process, maybe)."""
    found = Problems()
    rendered = render_narratives(entry, lang, found, root, allow_html=allow_html)
    return rendered, found.items


def _file_state(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def figures(ctx: BuildContext, site: Site) -> FigureResult:
    """Draw site's figures (the cached ones are reused)."""
    ctx.reporter.stage("figures", sum(len(e.data.figures) for e in site.entries))
    return draw_figures(ctx, site)


def briefs(
    ctx: BuildContext,
    site: Site,
    narratives: Narratives,
    drawn: FigureResult,
    options: PdfOptions | None = None,
    only: str | None = None,
) -> PdfResult:
    """Make the PDF briefs of the planned pages (or only the one named `only`)."""
    from generator.pdf.stage import make_briefs  # lazy: WeasyPrint when needed

    extras = Extras(figures=drawn.figures, preview=ctx.options.preview)
    pages = plan_site(site)
    return make_briefs(
        ctx, site, pages, narratives, extras, drawn.files, options, only=only
    )


@contextlib.contextmanager
def pdf_workers(ctx: BuildContext, site: Site) -> Iterator[Renderers | None]:
    """Start the PDF workers now if the build makes briefs (else give None).

    Each loads WeasyPrint while the figures are drawn; they die with the block.
    """
    if not (ctx.options.pdf and site.config.pdf):
        yield None
        return
    with Renderers(PdfOptions()) as renderers:
        renderers.warm_up()
        yield renderers


def start_briefs(
    ctx: BuildContext,
    site: Site,
    narratives: Narratives,
    drawn: FigureResult,
    renderers: Renderers,
) -> PendingBriefs:
    """Send the briefs not in the cache to the workers; ``finish`` waits for them."""
    from generator.pdf.stage import start_briefs as start

    extras = Extras(figures=drawn.figures, preview=ctx.options.preview)
    pages = plan_site(site)
    return start(ctx, site, pages, narratives, extras, drawn.files, renderers)


def with_pdfs(made: Sequence[Version], pdfs: PdfResult) -> None:
    """Give every version's pages the briefs (their links show each one's size)."""
    for version in made:
        version.extras = dataclasses.replace(version.extras, pdfs=pdfs.pdfs)


@dataclass(slots=True)
class Version:
    """The site in one of its languages: the copy, its narratives, figures, pages.

    The primary language's version is the site as loaded; another language's is a
    translated copy (``load.translate``) whose narratives, figures and search index
    are made by the same stages and go under its prefix (en/…). PDF briefs, data
    files and static files are made once, in the primary language.
    """

    lang: str  # "" for the primary language
    prefix: str  # where its pages go: "" or "en/"
    site: Site
    narratives: Narratives
    figures: FigureResult
    extras: Extras
    pages: list[Page]


def primary_version(
    ctx: BuildContext,
    site: Site,
    narratives: Narratives,
    drawn: FigureResult,
    pdfs: PdfResult | None,
) -> Version:
    """The site in its primary language, as loaded: its pages' plan and extras."""
    extras = Extras(
        figures=drawn.figures,
        pdfs=pdfs.pdfs if pdfs else {},
        preview=ctx.options.preview,
    )
    return Version("", "", site, narratives, drawn, extras, plan_site(site))


def versions(
    ctx: BuildContext,
    site: Site,
    narratives: Narratives,
    drawn: FigureResult,
    pdfs: PdfResult | None,
) -> list[Version]:
    """Make the site in each of its languages, primary first."""
    made = [primary_version(ctx, site, narratives, drawn, pdfs)]
    extras = made[0].extras
    primary, *others = site.config.output_languages
    for lang in others:
        ctx.reporter.stage(lang, sum(len(e.data.figures) for e in site.entries))
        made.append(_translated(ctx, site, narratives, extras, lang, primary))
        ctx.check()
    return made


def _translated(
    ctx: BuildContext,
    site: Site,
    narratives: Narratives,
    extras: Extras,
    lang: str,
    primary: str,
) -> Version:
    copy = translated_site(site, lang)
    prefix = page_prefix(lang, primary)
    rendered = translated_narratives(ctx, copy, narratives, lang)
    # The figures' checks ran on the primary data already: report only what is new
    # in this language (a label over a cap), not every warning a second time.
    found = Problems()
    drawn = draw_figures(dataclasses.replace(ctx, problems=found), copy)
    ctx.problems.extend(p for p in found.items if p not in ctx.problems.items)
    moved = FigureResult(
        figures={
            k: _moved(f, prefix, _note_translated(copy, k))
            for k, f in drawn.figures.items()
        },
        files={prefix + rel: data for rel, data in drawn.files.items()},
        keys={prefix + rel: key for rel, key in drawn.keys.items()},
        drawn=drawn.drawn,
        cached=drawn.cached,
    )
    own = Extras(figures=moved.figures, pdfs=extras.pdfs, preview=extras.preview)
    pages = plan_site(copy, lang=lang)
    return Version(lang, prefix, copy, rendered, moved, own, pages)


def translated_narratives(
    ctx: BuildContext,
    copy: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    lang: str,
) -> Narratives:
    """Render the narratives written in lang; keep the primary one where none exists.

    copy is the site in lang (``translated_site``): citations in a translated
    narrative read its units and number format; a fallback stays exactly as
    rendered for the primary page.
    """
    out: Narratives = {}
    for entry in copy.entries:
        original = {r.narrative.slug: r for r in narratives.get(entry.slug, ())}
        items = []
        for narrative in entry.narratives:
            if narrative.lang == lang:
                items.append(
                    render_narrative(
                        entry,
                        narrative,
                        lang,
                        ctx.problems,
                        copy.root,
                        allow_html=copy.config.allow_html,
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


def _note_translated(copy: Site, key: tuple[str, str]) -> bool:
    """Tell whether a figure's source note is translated: its own, not source titles."""
    entry = next((e for e in copy.entries if e.slug == key[0]), None)
    spec = (
        next((f for f in entry.data.figures if f.id == key[1]), None) if entry else None
    )
    note = spec.source_note if spec is not None else None
    return note is not None and not isinstance(note, Untranslated)


def outputs(
    ctx: BuildContext,
    made: Sequence[Version],
    pdfs: PdfResult | None,
    outputs: Outputs,
) -> None:
    """Plan every file of the site into outputs: each version's, then the shared."""
    for version in made:
        _version_outputs(ctx, version, outputs)
    primary = made[0]
    site = primary.site
    static = static_files(site.root, site.config.theme)
    keys = {rel: ctx.key(salt=f"static|{rel}") if ctx.keys else "" for rel in static}
    outputs.add_all(static, "static", keys)
    if pdfs is not None:
        outputs.add_all(pdfs.files, "pdf", pdfs.keys)
    for page in primary.pages:
        if "data" in page.formats:
            _dataset_outputs(ctx, site, page.entry, outputs)
    html = [p.out for v in made for p in v.pages]
    outputs.add_all(seo_files(site, html), "seo")  # robots, sitemap, feed


def _version_outputs(ctx: BuildContext, version: Version, outputs: Outputs) -> None:
    """A version's pages, figures, narrative images and search index."""
    site, extras = version.site, version.extras
    env = make_environment(site, site.config.language, ctx.cache)
    contexts = PageContexts(site, version.narratives, extras)
    for page in version.pages:
        key = page_key(ctx.keys, page, page_salt(page, extras)) if ctx.keys else ""

        def make(page: Page = page) -> bytes | None:
            html = render_page(
                env, site, page, contexts(page), ctx.options.preview, ctx.problems
            )
            return None if html is None else html.encode("utf-8")

        outputs.add(page.out, "html", make, key)
    outputs.add_all(version.figures.files, "figure", version.figures.keys)
    for slug, items in version.narratives.items():
        for rendered in items:
            ctx.reads.update(source for _, source in rendered.assets)
            outputs.add_all(
                {f"{version.prefix}{slug}/{rel}": src for rel, src in rendered.assets},
                "asset",
            )
    index = search_index_files(ctx, site, version.pages, version.narratives, extras)
    outputs.add_all({version.prefix + rel: d for rel, d in index.items()}, "search")


def _dataset_outputs(
    ctx: BuildContext, site: Site, entry: Entry, outputs: Outputs
) -> None:
    json_path, csv_path = dataset_paths(entry.slug)
    key = ctx.key(f"data:{entry.slug}", salt="dataset") if ctx.keys else ""
    base_url = site.config.base_url
    outputs.add(json_path, "data", lambda: dataset_json(entry, base_url), key)
    outputs.add(csv_path, "data", lambda: dataset_csv(entry), key)
