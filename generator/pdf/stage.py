"""Make the PDF briefs of a site, one per conference and one per series, cached.

How a brief is made (docs/pdf.md):

1. ``brief.html`` is rendered with the site's Jinja environment, twice: the first pass
   finds the headings, the second fills in the table of contents with them.
2. Every URL the HTML names is checked against what a brief may load: the theme's
   static files and the drawn figures, both addressed by their path under output/
   (``generator.pdf_fetch``).
3. The brief is keyed by a hash of its HTML, the files it loads, the versions of
   WeasyPrint and its PDF writer, the options and ``CACHE_VERSION``; a hit reuses the
   cached bytes without starting WeasyPrint.
4. Misses render in worker processes, at most ``PdfOptions.workers`` at a time, each
   with a time and a memory limit (``generator.pdf_worker``).

Output is reproducible: the dates in the PDF come from the data, its identifier is a
hash of its content, and nothing depends on the clock.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import posixpath
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from generator.errors import Problem, Problems, UsageError
from generator.markdown.pieces import RenderedNarrative
from generator.model import Narrative, Site
from generator.pdf.brief import _briefs, _logo_url, brief_environment, render_brief_html
from generator.pdf.fetch import (
    Resources,
    check_brief,
    site_resources,
)
from generator.pdf.options import VARIANTS, PdfOptions
from generator.pdf.worker import (
    Job,
    Outcome,
    render_isolated,
    report_outcome,
)
from generator.site.views import Extras, PdfOut

if TYPE_CHECKING:
    from generator.core.context import Reporter


# Bump when a change to generator/pdf*.py alters the PDFs (2: provenance metadata).
CACHE_VERSION = "2"


KEEP_CACHED = 2  # cached PDFs kept per brief of the site, most recently used first


_KEY_PACKAGES = ("weasyprint", "pydyf", "fonttools", "tinycss2", "tinyhtml5")


@dataclass(slots=True)
class PdfResult:
    """The PDFs of a site, the files they add to output/, and what was remade."""

    pdfs: dict[str, PdfOut] = field(default_factory=dict)  # slug, or series/<slug>
    files: dict[str, bytes] = field(default_factory=dict)
    made: int = 0
    cached: int = 0


def make_briefs(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes | Path],
    cache: Path,
    problems: Problems,
    reporter: Reporter,
    options: PdfOptions | None = None,
    only: str | None = None,
) -> PdfResult:
    """Make the briefs of site, or only the one named `only`, reusing cached ones."""
    options = options or PdfOptions()
    found = Problems()  # one brief's problem is often every brief's: reported once
    env = brief_environment(site)
    resources = site_resources(site, figure_files, narratives)
    logo = _logo_url(site, resources, found)
    jobs: list[Job] = []
    written: dict[str, list[Narrative]] = {}  # the narratives each brief prints
    digests: dict[str, bytes] = {}
    translate = cast(Callable[..., str], env.globals["t"])
    count = 0
    for brief in _briefs(site, narratives, extras, resources.root_url, translate):
        count += 1
        if only is not None and brief.doc.name != only:
            continue
        html = render_brief_html(env, brief, site, logo, found)
        pages = [(v.entry.slug, v.sources) for v in brief.views]
        reported = (
            None if html is None else check_brief(pages, html, resources, site, found)
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

    reporter.stage("pdf", len(jobs))
    result = PdfResult()
    todo = []
    for job in jobs:
        cached = _read_cache(cache, job.key) if options.use_cache else None
        if cached is None:
            todo.append(job)
            continue
        _add(result, job, cached)
        result.cached += 1
        reporter.step(job.name)

    def done(job: Job, outcome: Outcome) -> None:
        clean = report_outcome(job, outcome, written[job.name], site, found)
        if outcome.pdf:
            _add(result, job, outcome.pdf)
            result.made += 1
            if clean and options.use_cache:
                _write_cache(cache, job.key, outcome.pdf)
        reporter.step(job.name)

    todo.sort(key=lambda job: -len(job.html))  # longest first: workers finish together
    render_isolated(todo, options, done)
    _prune_cache(cache, max(16, KEEP_CACHED * count))
    problems.extend(dict.fromkeys(found.items))
    result.pdfs = dict(sorted(result.pdfs.items()))
    return result


def _add(result: PdfResult, job: Job, pdf: bytes) -> None:
    result.pdfs[job.name] = PdfOut(job.path, len(pdf))
    result.files[job.path] = pdf


def _cache_key(
    html: str, resources: Resources, variant: str, digests: dict[str, bytes]
) -> str:
    """Hash everything that decides a brief's bytes."""
    digest = hashlib.sha256()
    versions = [f"{p}={_version(p)}" for p in _KEY_PACKAGES]
    for part in (CACHE_VERSION, *versions, variant, resources.root_url, html):
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


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _read_cache(cache: Path, key: str) -> bytes | None:
    path = cache / f"{key}.pdf"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(b"%PDF-"):
        return None
    os.utime(path)  # most recently used: kept by _prune_cache
    return data


def _write_cache(cache: Path, key: str, pdf: bytes) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=cache)
    with os.fdopen(handle, "wb") as out:
        out.write(pdf)
    Path(tmp).replace(cache / f"{key}.pdf")


def _prune_cache(cache: Path, keep: int) -> None:
    if not cache.is_dir():
        return
    entries = sorted(cache.glob("*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)


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
    from generator.core.context import CACHE_DIR
    from generator.figures.stage import draw_figures
    from generator.load.project import load_site
    from generator.markdown.render import render_narratives

    if options.variant not in VARIANTS:
        raise UsageError(
            f"unknown PDF variant '{options.variant}'; "
            f"choose one of {', '.join(VARIANTS)}"
        )
    problems = Problems()
    site = load_site(root, problems)
    problems.check()
    series = {s for s, entries in site.series().items() if len(entries) > 1}
    known = [e.slug for e in site.entries] + [f"series/{s}" for s in sorted(series)]
    name = f"series/{name}" if name in series else name
    if name not in known:
        raise UsageError(f"no conference or series '{name}'; known: {', '.join(known)}")
    narratives = {
        e.slug: render_narratives(
            e,
            site.config.language,
            problems,
            site.root,
            allow_html=site.config.allow_html,
        )
        for e in site.entries
    }
    problems.check()
    figures = draw_figures(site, site.root / CACHE_DIR / "figures", problems, reporter)
    problems.check()
    extras = Extras(figures=figures.figures)
    result = make_briefs(
        site,
        narratives,
        extras,
        figures.files,
        site.root / CACHE_DIR / "pdf",
        problems,
        reporter,
        options,
        only=name,
    )
    problems.check()
    out = result.pdfs[name]
    target = output or Path.cwd() / f"{name.rsplit('/', 1)[-1]}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(result.files[out.path])
        Path(tmp).replace(target)  # whole or not at all
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target, out, problems.warnings
