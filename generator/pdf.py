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

import datetime as dt
import hashlib
import html as htmllib
import importlib.metadata
import os
import posixpath
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup, escape

from generator.datasets import dataset_csv, dataset_paths
from generator.errors import Pos, Problem, Problems, UsageError
from generator.markdown import FigureRef, RenderedNarrative
from generator.model import Conference, Entry, Indicator, Narrative, Site
from generator.pdf_fetch import (
    FALLBACK_ROOT,
    FIGURE_FONTS,
    MAX_RESOURCE_BYTES,
    TEMPLATE,
    Refusal,
    RefusedURL,
    Resources,
    check_brief,
    check_url,
    find_in_text,
    loaded_urls,
    make_url_fetcher,
    pdf_figure,
    project_path,
    site_resources,
)
from generator.pdf_worker import (
    Job,
    Outcome,
    render_isolated,
    render_pdf,
    report_outcome,
)
from generator.render import (
    Extras,
    FigureOut,
    FollowUpStatus,
    PdfOut,
    comparison_rows,
    follow_up_reports,
    indicator_groups,
    make_environment,
)

if TYPE_CHECKING:
    from generator.build import Reporter

__all__ = [
    "CACHE_VERSION",
    "DEFAULT_VARIANT",
    "FALLBACK_ROOT",
    "FIGURE_FONTS",
    "KEEP_CACHED",
    "MAX_RESOURCE_BYTES",
    "TEMPLATE",
    "VARIANTS",
    "BriefDoc",
    "ConferenceView",
    "PdfOptions",
    "PdfResult",
    "Refusal",
    "RefusedURL",
    "Resources",
    "TocItem",
    "brief_environment",
    "check_url",
    "css_string",
    "extract_toc",
    "loaded_urls",
    "make_brief",
    "make_briefs",
    "make_pdfs",
    "make_url_fetcher",
    "pdf_figure",
    "render_brief_html",
    "render_isolated",
    "render_pdf",
    "site_resources",
]

# Bump when a change to generator/pdf*.py alters the PDFs (2: provenance metadata).
CACHE_VERSION = "2"
VARIANTS = ("pdf/ua-1", "pdf/a-2b", "pdf/a-2u", "pdf/a-3b", "pdf/a-3u", "none")
DEFAULT_VARIANT = "pdf/ua-1"
KEEP_CACHED = 2  # cached PDFs kept per brief of the site, most recently used first
_KEY_PACKAGES = ("weasyprint", "pydyf", "fonttools", "tinycss2", "tinyhtml5")
_ATTR = re.compile(r'(\s(?:id|href|src))="([^"]*)"')
_TOC_LEVELS = {"conference": {"h2": 1, "h3": 2}, "series": {"h1": 1, "h2": 2}}


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to make briefs: PDF variant, parallelism, limits, cache use."""

    variant: str = DEFAULT_VARIANT  # one of VARIANTS; "none" is a plain tagged PDF
    workers: int = 2  # briefs rendered at once, each in its own process
    timeout: float = 120.0  # seconds one brief may take
    memory: int = 1536 * 2**20  # bytes one brief may allocate beyond the worker's start
    use_cache: bool = True


@dataclass(slots=True)
class PdfResult:
    """The PDFs of a site, the files they add to output/, and what was remade."""

    pdfs: dict[str, PdfOut] = field(default_factory=dict)  # slug, or series/<slug>
    files: dict[str, bytes] = field(default_factory=dict)
    made: int = 0
    cached: int = 0


def make_pdfs(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes | Path],
    cache: Path,
    problems: Problems,
    reporter: Reporter,
) -> PdfResult:
    """Make the PDF brief of every conference, and of every series of two or more."""
    return make_briefs(
        site, narratives, extras, figure_files, cache, problems, reporter
    )


# The brief's HTML ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BriefDoc:
    """What the cover, the running header and the PDF metadata say about a brief."""

    kind: Literal["conference", "series"]
    name: str  # slug, or series/<slug>
    title: str
    short_title: str
    subtitle: str
    series: str
    authors: tuple[str, ...]
    subject: str
    keywords: tuple[str, ...]
    date: dt.date  # from the data, never the clock
    date_basis: Literal["dates", "period_end"]
    # Provenance in the PDF metadata (docs/provenance.md): the sources' titles, and
    # each conference's dataset CSV with its SHA-256, as (path in output/, hex).
    sources: tuple[str, ...] = ()
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ConferenceView:
    """One conference as brief templates see it (docs/pdf.md)."""

    entry: Entry
    conf: Conference
    pfx: str  # prefix of every id of this conference in the brief
    narratives: list[dict[str, Any]]
    figures: list[FigureOut]  # figures no narrative places
    groups: list[tuple[str, list[Indicator]]]
    reports: list[FollowUpStatus]
    key_indicators: list[Indicator]
    # Some indicator has a compared value, so the table shows the column.
    has_compared: bool
    sources: tuple[RenderedNarrative, ...] = ()  # as the Markdown stage made them


@dataclass(frozen=True, slots=True)
class TocItem:
    """A heading of a brief, as its table of contents lists it."""

    level: int
    text: str
    id: str


@dataclass(frozen=True, slots=True)
class _Brief:
    doc: BriefDoc
    views: list[ConferenceView]
    context: dict[str, Any]


def brief_environment(site: Site) -> jinja2.Environment:
    """Return the site's Jinja environment with what brief templates need besides."""
    env = make_environment(site.root, site.config.theme, site.config.language)
    env.filters["css_string"] = css_string
    env.globals.update(
        static=lambda path: f"static/{path}", pfx_of=lambda fig: _prefix(fig.slug)
    )
    return env


def css_string(value: object) -> Markup:
    """Quote value as a CSS string that is safe inside a <style> element."""
    text = str(value)
    for char, code in (
        ("\\", "5c"),
        ('"', "22"),
        ("<", "3c"),
        (">", "3e"),
        ("\n", "a"),
        ("\r", "d"),
    ):
        text = text.replace(char, f"\\{code} ")
    return Markup(f'"{text}"')


def _prefix(slug: str) -> str:
    return f"{slug}--"


def _briefs(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    root_url: str,
    t: Callable[..., str],
) -> Iterator[_Brief]:
    """Yield the briefs of site: conferences by slug, then series of two or more."""
    series = site.series()
    for entry in sorted(site.entries, key=lambda e: e.slug):
        peers = series[entry.series_slug]
        view = _conference_view(
            entry, peers, narratives.get(entry.slug, ()), extras, root_url, True
        )
        yield _Brief(
            _conference_doc(entry), [view], {"online": _online(site, f"{entry.slug}/")}
        )
    for slug, entries in sorted(series.items()):
        if len(entries) < 2:
            continue
        views = [
            _conference_view(
                e, entries, narratives.get(e.slug, ()), extras, root_url, False
            )
            for e in entries
        ]
        slugs = {e.slug for e in entries}
        context = {
            "online": _online(site, f"series/{slug}/"),
            "rows": comparison_rows(entries),
            "series_figures": [
                f
                for (owner, ident), f in sorted(extras.figures.items())
                if f.series
                and owner in slugs
                and not any(ident in n.figure_ids for v in views for n in v.sources)
            ],
        }
        yield _Brief(_series_doc(slug, entries, t), views, context)


def _online(site: Site, path: str) -> str:
    base = site.config.base_url
    return (base if base.endswith("/") else base + "/") + path if base else ""


def _conference_doc(entry: Entry) -> BriefDoc:
    conf = entry.data
    laws = tuple(
        d.number if d.number.startswith(d.kind) else f"{d.kind} {d.number}"
        for d in conf.legal_documents
    )
    return BriefDoc(
        kind="conference",
        name=entry.slug,
        title=conf.title,
        short_title=conf.short_title,
        subtitle=conf.period.label,
        series=conf.series,
        authors=tuple(conf.organisers),
        subject=conf.summary or conf.title,
        keywords=(conf.series, conf.period.label, *laws),
        date=max(conf.dates) if conf.dates else conf.period.end,
        date_basis="dates" if conf.dates else "period_end",
        sources=tuple(s.title for s in conf.sources),
        data=((dataset_paths(entry.slug)[1], _sha256(dataset_csv(entry))),),
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _series_doc(slug: str, entries: Sequence[Entry], t: Callable[..., str]) -> BriefDoc:
    first, last = entries[0].data, entries[-1].data
    authors = tuple(dict.fromkeys(o for e in entries for o in e.data.organisers))
    docs = [_conference_doc(e) for e in entries]
    latest = max(docs, key=lambda d: d.date)
    subtitle = f"{first.period.label} \u2013 {last.period.label}"  # en dash
    return BriefDoc(
        kind="series",
        name=f"series/{slug}",
        title=first.series,
        short_title=first.series,
        subtitle=subtitle,
        series=first.series,
        authors=authors,
        subject=f"{t('pdf_cover_series')}: {first.series}, {subtitle}",
        keywords=(first.series, *(e.data.period.label for e in entries)),
        date=latest.date,
        date_basis=latest.date_basis,
        sources=tuple(dict.fromkeys(s for d in docs for s in d.sources)),
        data=tuple(item for d in docs for item in d.data),
    )


def _conference_view(
    entry: Entry,
    peers: Sequence[Entry],
    rendered: Sequence[RenderedNarrative],
    extras: Extras,
    root_url: str,
    with_series_figures: bool,
) -> ConferenceView:
    pfx = _prefix(entry.slug)
    page_url = f"{root_url}{entry.slug}/"
    views = []
    placed: set[str] = set()
    for narrative in rendered:
        pieces: list[Any] = []
        for part in narrative.parts:
            if isinstance(part, FigureRef):
                pieces.append(extras.figures.get((entry.slug, part.id)))
                placed.add(part.id)
            else:
                pieces.append(Markup(_rebase(part, pfx, page_url)))
        front = narrative.narrative.front
        views.append(
            {
                "narrative": narrative.narrative,
                "front": front,
                "pieces": pieces,
                "id": f"bai-{narrative.narrative.slug}",
                "headings": narrative.headings,
            }
        )
    figures = [
        f
        for (slug, ident), f in sorted(extras.figures.items())
        if slug == entry.slug
        and ident not in placed
        and (with_series_figures or not f.series)
    ]
    conf = entry.data
    return ConferenceView(
        entry=entry,
        conf=conf,
        pfx=pfx,
        narratives=views,
        figures=figures,
        groups=indicator_groups(conf.indicators),
        reports=follow_up_reports(entry, peers),
        key_indicators=[i for i in conf.indicators if i.key][:6],
        has_compared=any(i.previous_value is not None for i in conf.indicators),
        sources=tuple(rendered),
    )


def _rebase(html: str, pfx: str, page_url: str) -> str:
    """Make a narrative's ids unique in the brief and its relative URLs absolute."""

    def fix(match: re.Match[str]) -> str:
        name, value = match.group(1), htmllib.unescape(match.group(2))
        if name.endswith("id"):
            value = pfx + value
        elif value.startswith("#"):
            value = "#" + pfx + value[1:]
        else:
            value = urljoin(page_url, value)
        return f'{name}="{escape(value)}"'

    return _ATTR.sub(fix, html)


def render_brief_html(
    env: jinja2.Environment, brief: _Brief, site: Site, logo: str, problems: Problems
) -> str | None:
    """Render a brief's HTML with a table of contents of its headings; None on error."""
    context = {
        "doc": brief.doc,
        "site": site.config,
        "conferences": brief.views,
        "logo": logo,
        "online": "",
        "rows": [],
        "series_figures": [],
        **brief.context,
    }
    try:
        template = env.get_template(TEMPLATE)
        first = template.render(toc=[], **context)
        return template.render(toc=extract_toc(first, brief.doc.kind), **context)
    except jinja2.TemplateSyntaxError as exc:
        problems.add(
            Pos(project_path(site.root, exc.filename or TEMPLATE), exc.lineno or 1),
            f"template error: {exc.message}",
        )
    except jinja2.TemplateNotFound as exc:
        problems.add(
            Pos(Path("themes")),
            f"template not found: {exc.name}",
            "a theme must provide brief.html or extend one that does",
        )
    except jinja2.TemplateError as exc:
        problems.add(
            _template_pos(exc, site.root),
            f"template error: {exc.message}",
            "check the name in the template; see docs/pdf.md for what briefs receive",
        )
    return None


def _template_pos(exc: BaseException, root: Path) -> Pos:
    tb = exc.__traceback__
    found = Pos(Path("themes/default/templates") / TEMPLATE)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html"):
            found = Pos(project_path(root, filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


class _HeadingParser(HTMLParser):
    def __init__(self, levels: Mapping[str, int]) -> None:
        super().__init__(convert_charrefs=True)
        self.levels = levels
        self.items: list[TocItem] = []
        self.current: tuple[int, str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag in self.levels and found.get("id") and "no-toc" not in classes:
            self.current, self.text = (self.levels[tag], found["id"] or ""), []

    def handle_endtag(self, tag: str) -> None:
        if self.current is not None and tag in self.levels:
            level, ident = self.current
            self.items.append(
                TocItem(level, " ".join("".join(self.text).split()), ident)
            )
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.text.append(data)


def extract_toc(html: str, kind: str) -> list[TocItem]:
    """List the headings of a brief that its contents and bookmarks show, in order."""
    parser = _HeadingParser(_TOC_LEVELS.get(kind, _TOC_LEVELS["conference"]))
    parser.feed(html)
    parser.close()
    return parser.items


# Making the briefs --------------------------------------------------------------------


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


def _logo_url(site: Site, resources: Resources, problems: Problems) -> str:
    logo = site.config.colors.logo
    if not logo:
        return ""
    rel = posixpath.normpath("static/" + logo.lstrip("/"))
    if rel in resources.files and not rel.startswith(".."):
        return rel
    text = (site.root / "site.yaml").read_text("utf-8", errors="replace")
    pos = find_in_text(text, logo, Path("site.yaml"), 1) or Pos(Path("site.yaml"))
    problems.warn(
        pos,
        f"logo '{logo}' is not a file in a theme's static/ folder; briefs show none",
        "put it in themes/site/static/ and give its path from there, e.g. img/logo.svg",
    )
    return ""


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


# One brief from the command line ------------------------------------------------------


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
    from generator.build import CACHE_DIR
    from generator.figures import draw_figures
    from generator.loader import load_site
    from generator.markdown import render_narratives

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
