"""Make the PDF briefs of a site, one per conference and one per series, cached.

How a brief is made (docs/pdf.md):

1. ``brief.html`` is rendered with the site's Jinja environment, twice: the first pass
   finds the headings, the second fills in the table of contents with them.
2. Every URL the HTML names is checked against what a brief may load: the theme's
   static files and the drawn figures, both addressed by their path under output/
   (``generator.pdf.fetch``).
3. The brief is keyed by a hash of its HTML, the files it loads, the versions of
   WeasyPrint and its PDF writer, the options and ``CACHE_VERSION``; a hit reuses the
   cached bytes without starting WeasyPrint.
4. Misses render in worker processes, ``PdfOptions.workers`` of them, each with a
   time and a memory limit (``generator.pdf.worker``). The build starts them early
   and makes its pages while they render (``start_briefs``, then ``finish``).

Output is reproducible: the dates in the PDF come from the data, its identifier is a
hash of its content, and nothing depends on the clock.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from generator.core.cache import library_versions
from generator.core.context import BuildContext
from generator.errors import Problems
from generator.markdown.pieces import RenderedNarrative
from generator.model import Narrative, Site
from generator.pdf.brief import (
    brief_environment,
    logo_url,
    plan_briefs,
    render_brief_html,
)
from generator.pdf.fetch import Resources, check_brief, site_resources
from generator.pdf.options import PdfOptions
from generator.pdf.report import report_outcome
from generator.pdf.worker import Job, Outcome, Renderers
from generator.site.pages import Page
from generator.site.views import Extras, PdfOut

# Bump when a change to generator/pdf/ alters the PDFs (2: provenance metadata).
CACHE_VERSION = "2"
_KEY_PACKAGES = ("weasyprint", "pydyf", "fonttools", "tinycss2", "tinyhtml5")


@dataclass(slots=True)
class PdfResult:
    """The PDFs of a site, the files they add to output/, and what was remade."""

    pdfs: dict[str, PdfOut] = field(default_factory=dict)  # slug, or series/<slug>
    files: dict[str, bytes | Path] = field(default_factory=dict)  # Path: cached
    keys: dict[str, str] = field(default_factory=dict)  # output path -> cache key
    made: int = 0
    cached: int = 0


def make_briefs(
    ctx: BuildContext,
    site: Site,
    pages: Sequence[Page],
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes | Path],
    options: PdfOptions | None = None,
    only: str | None = None,
) -> PdfResult:
    """Make the briefs of the planned pages (or only the one named `only`).

    A brief whose key is in the cache is not rendered again.
    """
    options = options or PdfOptions()
    with Renderers(options) as renderers:
        return start_briefs(
            ctx, site, pages, narratives, extras, figure_files, renderers, only
        ).finish()


def start_briefs(
    ctx: BuildContext,
    site: Site,
    pages: Sequence[Page],
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes | Path],
    renderers: Renderers,
    only: str | None = None,
) -> PendingBriefs:
    """Start making the briefs: cached ones are taken, the others sent to renderers.

    Returns at once; ``finish`` waits for the renderers. The caller may do other
    work meanwhile (the build makes its pages).
    """
    options = renderers.options
    found = Problems()  # one brief's problem is often every brief's: reported once
    jobs, written = _jobs(
        ctx, site, pages, narratives, extras, figure_files, options, only, found
    )
    ctx.reporter.stage("pdf", len(jobs))
    pending = PendingBriefs(ctx, site, renderers, found, written)
    todo = []
    for job in jobs:
        cached = ctx.cache.file("pdf", f"{job.key}.pdf") if options.use_cache else None
        if cached is None:
            todo.append(job)
            continue
        _add(pending.result, job, cached, cached.stat().st_size)
        pending.result.cached += 1
        ctx.reporter.step(job.name)
    renderers.submit(todo)
    return pending


@dataclass(slots=True)
class PendingBriefs:
    """Briefs being rendered: ``finish`` waits for them and returns the result."""

    ctx: BuildContext
    site: Site
    renderers: Renderers
    found: Problems
    written: dict[str, list[Narrative]]  # the narratives each brief prints
    result: PdfResult = field(default_factory=PdfResult)

    def finish(self) -> PdfResult:
        """Wait for the renderers; report what they said, cache the clean PDFs."""
        self.renderers.collect(self._done)
        self.ctx.problems.extend(dict.fromkeys(self.found.items))
        self.result.pdfs = dict(sorted(self.result.pdfs.items()))
        return self.result

    def _done(self, job: Job, outcome: Outcome) -> None:
        ctx, result = self.ctx, self.result
        clean = report_outcome(
            job, outcome, self.written[job.name], self.site, self.found
        )
        if outcome.pdf:
            kept = (
                ctx.cache.store("pdf", f"{job.key}.pdf", outcome.pdf)
                if clean and self.renderers.options.use_cache
                else None
            )
            _add(result, job, kept or outcome.pdf, len(outcome.pdf))
            result.made += 1
        ctx.reporter.step(job.name)


def _jobs(
    ctx: BuildContext,
    site: Site,
    pages: Sequence[Page],
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes | Path],
    options: PdfOptions,
    only: str | None,
    found: Problems,
) -> tuple[list[Job], dict[str, list[Narrative]]]:
    """Render each brief's HTML and check what it loads; one job per good brief."""
    env = brief_environment(site, ctx.cache)
    resources = site_resources(site, figure_files, narratives)
    logo = logo_url(site, resources, found)
    translate = cast(Callable[..., str], env.globals["t"])
    jobs: list[Job] = []
    written: dict[str, list[Narrative]] = {}  # the narratives each brief prints
    digests: dict[str, bytes] = {}
    briefs = plan_briefs(site, pages, narratives, extras, resources.root_url, translate)
    for brief in briefs:
        if only is not None and brief.doc.name != only:
            continue
        html = render_brief_html(env, brief, site, logo, found)
        printed = [(v.entry.slug, v.sources) for v in brief.views]
        reported = (
            None if html is None else check_brief(printed, html, resources, site, found)
        )
        if html is None or reported is None:
            continue
        name = brief.doc.name
        path = f"{name}/{name.rsplit('/', 1)[-1]}.pdf"
        key = _cache_key(html, resources, options.variant, digests)
        data_file = brief.views[-1].entry.path
        written[name] = [r.narrative for v in brief.views for r in v.sources]
        jobs.append(
            Job(name, path, html, resources, options.variant, key, data_file, reported)
        )
    return jobs, written


def _add(result: PdfResult, job: Job, pdf: bytes | Path, size: int) -> None:
    result.pdfs[job.name] = PdfOut(job.path, size)
    result.files[job.path] = pdf
    result.keys[job.path] = job.key


def _cache_key(
    html: str, resources: Resources, variant: str, digests: dict[str, bytes]
) -> str:
    """Hash everything that decides a brief's bytes."""
    digest = hashlib.sha256()
    versions = library_versions(*_KEY_PACKAGES)
    for part in (CACHE_VERSION, versions, variant, resources.root_url, html):
        digest.update(part.encode("utf-8") + b"\0")
    for rel in sorted(resources.files):
        name = posixpath.basename(rel)
        keyed = rel.startswith("static/fonts/") or (
            rel.startswith("static/css/") and name.startswith("brief")
        )
        if keyed or rel in html:
            if rel not in digests:
                digests[rel] = hashlib.sha256(resources.read(rel)).digest()
            digest.update(rel.encode("utf-8") + b"\0" + digests[rel])
    return digest.hexdigest()
