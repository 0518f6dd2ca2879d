"""Build, check and brief: the pipeline's entry points, each one run of the stages.

``build_site`` runs every stage and publishes atomically; ``check_site`` runs them
up to the outputs without writing anything; ``make_brief`` makes one PDF brief.
The bundle (``build.bundle``) and the preview (``serve``) call ``build_site``; the
stages themselves are in ``build.stages``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import stages
from generator.build.digests import RECORD as DIGESTS
from generator.build.digests import Digests
from generator.build.fast import Warm, warm_of
from generator.build.outputs import (
    Outputs,
    Previous,
    forget_outputs,
    previous_outputs,
    record_outputs,
)
from generator.build.publish import SPARE_DIR, check_writable, publish
from generator.build.stamp import (
    compute_stamp,
    outside_inputs,
    record_stamp,
    stamped_problems,
    up_to_date_line,
    with_reads,
)
from generator.core.cache import Cache
from generator.core.context import (
    CACHE_DIR,
    BuildContext,
    BuildOptions,
    Reporter,
    require_project,
)
from generator.core.lock import project_lock
from generator.core.workers import shared_workers
from generator.errors import Problem, Problems, UsageError
from generator.i18n import t
from generator.load.files import MAX_DATA_BYTES, read_text
from generator.load.parse import parse_yaml
from generator.load.project import load_site
from generator.load.translate import missing_texts, translated_site
from generator.model import Positions, Site
from generator.pdf.options import VARIANTS, PdfOptions
from generator.pdf.worker import Renderers
from generator.site.links import check_links
from generator.site.pages import plan_site
from generator.site.views import PdfOut


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
            return up_to_date_line(self.output, self.seconds, self.warnings)
        parts = [t("{pages} pages", pages=self.pages)]
        if self.pages_reused:
            rendered = self.pages - self.pages_reused
            parts[0] += t(" ({rendered} rendered)", rendered=rendered)
        if self.figures_drawn or self.figures_cached:
            parts.append(
                t(
                    "{figures} figures ({drawn} drawn)",
                    figures=self.figures_drawn + self.figures_cached,
                    drawn=self.figures_drawn,
                )
            )
        if self.pdfs_made or self.pdfs_cached:
            parts.append(
                t(
                    "{pdfs} PDFs ({made} made)",
                    pdfs=self.pdfs_made + self.pdfs_cached,
                    made=self.pdfs_made,
                )
            )
        if self.warnings:
            parts.append(t("{warnings} warning(s)", warnings=len(self.warnings)))
        if self.notes:
            parts.append(t("{notes} notes", notes=len(self.notes)))
        return t(
            "Built {parts} into {output} in {seconds:.2f} s",
            parts=", ".join(parts),
            output=self.output,
            seconds=self.seconds,
        )


def build_site(
    root: Path,
    options: BuildOptions,
    reporter: Reporter | None = None,
    *,
    stamp: str | None = None,
    keep: Callable[[Warm], None] | None = None,
) -> Summary:
    """Build the site under root into options.output; BuildFailed on bad content.

    Holds the project's lock (``core.lock``) from reading the inputs to recording
    what was published; a caller that already holds it (the CLI, ``bundle``) is
    let through. stamp, if given, is ``stamp.compute_stamp(root, options)`` taken
    just before under that lock (the CLI has it from checking for a no-op), so the
    inputs are hashed once. keep, if given, is handed what the build loaded, for
    ``build.fast`` (a build that finds nothing changed loads nothing).
    """
    started = time.perf_counter()
    require_project(root)  # before the cache folder is made
    ctx = BuildContext.open(root, options, reporter)
    with project_lock(ctx.root / CACHE_DIR):
        summary = _build(ctx, stamp, keep)
    summary.seconds = time.perf_counter() - started
    return summary


def _build(
    ctx: BuildContext, stamp: str | None, keep: Callable[[Warm], None] | None
) -> Summary:
    options = ctx.options
    summary = Summary(output=options.output)
    digests = Digests(ctx.cache)
    ctx.cache.record(DIGESTS)  # a damaged record is noted, then written anew
    stamp = stamp or compute_stamp(ctx.root, options, digests)
    again = stamped_problems(
        ctx.cache, ctx.root, options.output, stamp, digests=digests
    )
    if again is not None:  # nothing changed: its problems, as they were printed
        digests.save(noted=True)
        summary.up_to_date = True
        _report(ctx, summary, again)
        return summary
    check_writable(options.output)  # say it now, not after every stage ran
    previous = previous_outputs(ctx.cache, options.output)
    files, outputs = _make(ctx, summary, previous, keep)
    reads = outside_inputs(ctx.root, ctx.reads)
    full_stamp = with_reads(stamp, ctx.root, reads, digests)  # before publishing
    ctx.reporter.stage("publish")
    forget_outputs(ctx.cache, options.output)  # the record is only true once published
    publish(files, options.output, _spare(ctx), ctx.cache.folder)
    record_outputs(ctx.cache, options.output, outputs.keys())
    ctx.cache.prune()
    # What the inputs gave (warnings, the masked small counts of
    # docs/suppression.md) is kept with the stamp, to be printed again by a
    # build that finds nothing changed; what this run's cache did is not.
    kept = [p for p in ctx.problems.items if p.pos.path != Path(CACHE_DIR)]
    ctx.note_damaged_cache()
    problems = _in_order(kept)
    record_stamp(ctx.cache, options.output, full_stamp, reads, problems)
    digests.save(noted=True)
    summary.pages = sum(path.endswith(".html") for path in files)
    summary.files = len(files)
    summary.pages_reused = outputs.reused.get("html", 0)
    _report(ctx, summary, _in_order(ctx.problems.items))
    return summary


def _spare(ctx: BuildContext) -> Path | None:
    """Where the site a build replaces is kept for the next one (``publish``)."""
    folder = ctx.cache.folder
    if folder is None:
        return None
    name = hashlib.sha256(str(ctx.options.output.absolute()).encode()).hexdigest()
    return folder / SPARE_DIR / name[:16]


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Warnings, then notes, each sorted: the order a build prints them in."""
    return [
        *sorted((p for p in problems if p.severity == "warning"), key=Problem.sort_key),
        *sorted((p for p in problems if p.severity == "note"), key=Problem.sort_key),
    ]


def _report(ctx: BuildContext, summary: Summary, problems: list[Problem]) -> None:
    summary.warnings = [p for p in problems if p.severity == "warning"]
    summary.notes = [p for p in problems if p.severity == "note"]
    for problem in problems:
        ctx.reporter.problem(problem)


def _make(
    ctx: BuildContext,
    summary: Summary,
    previous: Previous,
    keep: Callable[[Warm], None] | None,
) -> tuple[dict[str, bytes | Path], Outputs]:
    """Run every stage; return the files to publish and the record of them.

    Loading, Markdown and figures share one pool of worker processes, forked by
    the first of them that wants workers (loading, in a cold build: while this
    process is small; ``core.workers.shared_workers``) and ended once the figures
    are drawn.
    """
    with shared_workers() as end_workers:
        site = stages.load(ctx)
        with stages.pdf_workers(ctx, site) as renderers:  # they load while we draw
            files, outputs, made = _make_loaded(
                ctx, summary, previous, site, renderers, end_workers
            )
    if keep is not None:
        primary = made[0]
        keep(
            warm_of(
                site,
                primary.narratives,
                primary.extras,
                primary.pages,
                ctx.options.drafts,
            )
        )
    return files, outputs


def _make_loaded(
    ctx: BuildContext,
    summary: Summary,
    previous: Previous,
    site: Site,
    renderers: Renderers | None,
    end_workers: Callable[[], None],
) -> tuple[dict[str, bytes | Path], Outputs, list[stages.Version]]:
    narratives = stages.narratives(ctx, site)
    ctx.check()
    drawn = stages.figures(ctx, site)
    ctx.check()
    end_workers()  # what follows holds the pages: no idle worker beside it
    summary.figures_drawn, summary.figures_cached = drawn.drawn, drawn.cached
    # The briefs render in their workers while the other languages are made; the
    # pages wait for them only to show each brief's size.
    briefs = None
    if renderers is not None:
        briefs = stages.start_briefs(ctx, site, narratives, drawn, renderers)
    made = stages.versions(ctx, site, narratives, drawn, None)
    for version in made[1:]:
        summary.figures_drawn += version.figures.drawn
        summary.figures_cached += version.figures.cached
    pdfs = None
    if briefs is not None:
        pdfs = briefs.finish()
        ctx.check()
        summary.pdfs_made, summary.pdfs_cached = pdfs.made, pdfs.cached
        stages.with_pdfs(made, pdfs)
    outputs = Outputs(previous)
    stages.outputs(ctx, made, pdfs, outputs)
    ctx.reporter.stage("render", sum(len(v.pages) for v in made))
    files = outputs.resolve(
        lambda o: ctx.reporter.step(o.path) if o.format == "html" else None
    )
    ctx.check()
    for version in made:  # links in each language's own narratives
        check_links(
            {
                f"{version.prefix}{slug}": [
                    r
                    for r in items
                    if r.narrative.lang == (version.lang or r.narrative.lang)
                ]
                for slug, items in version.narratives.items()
            },
            files,
            ctx.problems,
        )
    ctx.check()
    return files, outputs, made


def load_warm(root: Path, options: BuildOptions, reporter: Reporter) -> Warm:
    """Load the project as a build of options would, for ``build.fast``; write no page.

    For a preview whose first build found nothing changed (and so loaded
    nothing): its narratives and figures come from the cache a build left.
    Raises BuildFailed when the project has errors.
    """
    require_project(root)
    ctx = BuildContext.open(root, options, reporter)
    with project_lock(ctx.root / CACHE_DIR):
        site = stages.load(ctx)
        narratives = stages.narratives(ctx, site)
        ctx.check()
        drawn = stages.figures(ctx, site)
        ctx.check()
    primary = stages.primary_version(ctx, site, narratives, drawn, None)
    return warm_of(
        site, primary.narratives, primary.extras, primary.pages, options.drafts
    )


def check_site(root: Path, *, strict: bool = False, pdf: bool = True) -> list[Problem]:
    """Validate the project without writing anything; return the warnings and notes.

    Every check a build makes before rendering is made, the PDF stage's included
    (unless pdf is false, as for ``build --no-pdf``): what a build refuses, check
    refuses. What only rendering finds (a renderer's warning, a link's anchor in
    a rendered page) is a build's.
    """
    ctx = BuildContext(
        root.resolve(),
        BuildOptions(root / "output", strict=strict, pdf=pdf),
        Problems(),
        _silent(),
        Cache(None),
    )
    site = stages.load(ctx)
    narratives = stages.narratives(ctx, site)
    ctx.check()  # each stage ends where a build's does: the same problems
    from generator.figures.stage import resolve_figures  # resolves, draws nothing

    resolve_figures(site, ctx.problems)
    ctx.check()
    if pdf and site.config.pdf:
        _check_briefs(ctx, site, narratives)
        ctx.check()
    for lang in sorted({n.lang for e in site.entries for n in e.translations}):
        copy = translated_site(site, lang)  # content/<slug>/<lang>/*.md
        stages.translated_narratives(ctx, copy, {}, lang)
    ctx.check()
    # Links lead to a page of the plan; their anchors are checked by a build only,
    # which renders the pages.
    pages = dict.fromkeys(p.out for p in plan_site(site))
    check_links(narratives, pages, ctx.problems)
    ctx.check()
    return ctx.problems.warnings + ctx.problems.notes


def _check_briefs(ctx: BuildContext, site: Site, narratives: stages.Narratives) -> None:
    """Check what the PDF stage refuses before it renders, as it does (pdf.fetch).

    Each narrative's images and other loaded URLs against what a brief may load
    (a remote image: never fetched, so refused), and the logo of the briefs.
    """
    from generator.pdf.brief import logo_url
    from generator.pdf.fetch import check_brief, site_resources

    found = Problems()  # a problem in several briefs is reported once, as by build
    resources = site_resources(site, {}, narratives)
    logo_url(site, resources, found)
    check_brief(list(narratives.items()), "", resources, site, found)
    ctx.problems.extend(dict.fromkeys(found.items))


def _silent() -> Reporter:
    from generator.core.context import SilentReporter

    return SilentReporter()


def make_brief(
    root: Path,
    name: str,
    output: Path | None,
    options: PdfOptions,
    reporter: Reporter,
) -> tuple[Path, PdfOut, list[Problem]]:
    """Make the brief of one conference (slug) or series (series/<slug>) into output.

    Returns where it was written, its size and the warnings. Raises BuildFailed on
    content errors and UsageError for an unknown name or variant.
    """
    if options.variant not in VARIANTS:
        raise UsageError(
            t(
                "unknown PDF variant '{variant}'; choose one of {variants}",
                variant=options.variant,
                variants=", ".join(VARIANTS),
            )
        )
    require_project(root)
    ctx = BuildContext.open(root, BuildOptions(root / "output"), reporter)
    with project_lock(ctx.root / CACHE_DIR):
        return _make_brief(ctx, name, output, options)


def _make_brief(
    ctx: BuildContext, name: str, output: Path | None, options: PdfOptions
) -> tuple[Path, PdfOut, list[Problem]]:
    site = stages.load(ctx)
    series = {s for s, entries in site.series().items() if len(entries) > 1}
    known = [e.slug for e in site.entries] + [f"series/{s}" for s in sorted(series)]
    name = f"series/{name}" if name in series else name
    if name not in known:
        raise UsageError(
            t(
                "no conference or series '{name}'; known: {known}",
                name=name,
                known=", ".join(known),
            )
        )
    narratives = stages.narratives(ctx, site)
    ctx.check()
    drawn = stages.figures(ctx, site)
    ctx.check()
    result = stages.briefs(ctx, site, narratives, drawn, options, only=name)
    ctx.check()
    out = result.pdfs[name]
    payload = result.files[out.path]
    data = payload.read_bytes() if isinstance(payload, Path) else payload
    target = output or Path.cwd() / f"{name.rsplit('/', 1)[-1]}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(tmp).replace(target)  # whole or not at all
    finally:
        Path(tmp).unlink(missing_ok=True)
    ctx.cache.prune()
    ctx.note_damaged_cache()
    return target, out, ctx.problems.warnings + ctx.problems.notes


def check_translations(root: Path) -> tuple[list[Problem], tuple[str, ...]]:
    """Load the project at root; return its gaps and the other languages published.

    The gaps are those of each language the site publishes besides its primary
    one, or of English when it publishes none (to prepare English pages). Raises
    BuildFailed when the project has errors.
    """
    site = load_site(root, Problems())
    config = Positions(Path("site.yaml"))
    text = read_text(site.root, config.path, Problems(), MAX_DATA_BYTES)
    parse_yaml(text or "", config, Problems())  # for the positions of its texts
    published = site.config.output_languages[1:]
    gaps = [
        p for lang in published or ("en",) for p in missing_texts(site, lang, config)
    ]
    return sorted(gaps, key=Problem.sort_key), published
