"""PDF briefs with WeasyPrint: one per conference and one per series, cached.

How a brief is made (docs/pdf.md):

1. ``brief.html`` is rendered with the site's Jinja environment, twice: the first pass
   finds the headings, the second fills in the table of contents with them.
2. Every URL the HTML names is checked against what a brief may load: the theme's
   static files and the drawn figures, both addressed by their path under output/.
3. The brief is keyed by a hash of its HTML, the files it loads, the versions of
   WeasyPrint and its PDF writer, the options and ``CACHE_VERSION``; a hit reuses the
   cached bytes without starting WeasyPrint.
4. Misses render in worker processes, at most ``PdfOptions.workers`` at a time, each
   with a time and a memory limit.

Safety: the HTML's base URL is the site's ``base_url`` (or ``https://proceedings.invalid/``)
and the URL fetcher serves only URLs under it that name a static file or a figure,
from memory or from the theme folders. Remote URLs, ``file:``, ``data:`` and paths that
leave the site are refused and reported at the line that names them; nothing is ever
fetched from the network. Output is reproducible: the dates in the PDF come from the
data, its identifier is a hash of its content, and nothing depends on the clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html as htmllib
import importlib.metadata
import logging
import multiprocessing
import multiprocessing.connection
import os
import posixpath
import re
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from generator.errors import Pos, Problem, Problems, Severity, UsageError
from generator.markdown import FigureRef, RenderedNarrative
from generator.model import Conference, Entry, Indicator, Narrative, Site
from generator.render import (
    Extras,
    FigureOut,
    FollowUpStatus,
    PdfOut,
    comparison_rows,
    follow_up_reports,
    indicator_groups,
    make_environment,
    static_files,
    theme_dirs,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from generator.build import Reporter

CACHE_VERSION = "1"  # bump when a change here alters the PDFs
TEMPLATE = "brief.html"
FALLBACK_ROOT = "https://proceedings.invalid/"  # .invalid never resolves (RFC 2606)
VARIANTS = ("pdf/ua-1", "pdf/a-2b", "pdf/a-2u", "pdf/a-3b", "pdf/a-3u", "none")
DEFAULT_VARIANT = "pdf/ua-1"
MAX_RESOURCE_BYTES = 20_000_000
KEEP_CACHED = 2  # cached PDFs kept per brief of the site, most recently used first
_KEY_PACKAGES = ("weasyprint", "pydyf", "fonttools", "tinycss2", "tinyhtml5")
_MIME = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
_ATTR = re.compile(r'(\s(?:id|href|src))="([^"]*)"')
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3"""
)
_SVG_FONT = re.compile(r"""(font-family\s*:\s*|font-family\s*=\s*["'])""")
FIGURE_FONTS = "Proceedings Sans, Proceedings Symbols, "  # declared by brief.css
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
    figure_files: Mapping[str, bytes],
    cache: Path,
    problems: Problems,
    reporter: Reporter,
) -> PdfResult:
    """Make the PDF brief of every conference, and of every series of two or more."""
    return make_briefs(
        site, narratives, extras, figure_files, cache, problems, reporter
    )


# Resources: what a brief may load ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    """A URL a brief asked for and did not get, and why."""

    url: str
    reason: str
    severity: Severity = "error"


class RefusedURL(ValueError):
    """Raised by the URL fetcher for a URL a brief may not load."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"refused {refusal.url}: {refusal.reason}")
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Resources:
    """The files a brief may load, by output path: static files, figures, images."""

    root_url: str  # base URL of the site; ends with "/"
    files: Mapping[str, Path | bytes]  # output path -> file on disk, or content
    folders: tuple[Path, ...] = ()  # real paths the files on disk must stay inside

    def locate(self, url: str) -> str:
        """Return the output path url names, or raise RefusedURL saying why not."""
        parts = urlsplit(url)
        root = urlsplit(self.root_url)
        scheme = parts.scheme.lower()
        if (scheme, parts.netloc.lower()) == (root.scheme, root.netloc.lower()) and (
            parts.path.startswith(root.path)
        ):
            rel = posixpath.normpath(unquote(parts.path[len(root.path) :]) or ".")
            if rel in self.files:
                return rel
            raise RefusedURL(
                Refusal(
                    url,
                    f"'{rel}' is no static file, figure or narrative image",
                    "warning",
                )
            )
        if scheme in ("http", "https", "ftp", "ftps", "ws", "wss"):
            reason = "it is on the network, and briefs never fetch from the network"
        elif scheme == "file":
            reason = "it is a local file outside the theme's static files"
        elif scheme == "data":
            reason = "data: URLs are not allowed in briefs"
        elif not scheme:
            reason = "it is not an absolute URL"
        else:
            reason = f"the {scheme}: scheme is not allowed in briefs"
        raise RefusedURL(Refusal(url, reason))

    def read(self, rel: str) -> bytes:
        """Return the content of the file at output path rel."""
        payload = self.files[rel]
        if isinstance(payload, bytes):
            return payload
        real = payload.resolve()
        if self.folders and not any(real.is_relative_to(f) for f in self.folders):
            raise RefusedURL(
                Refusal(
                    rel, "it leads outside the project and the theme's static folders"
                )
            )
        if real.stat().st_size > MAX_RESOURCE_BYTES:
            raise RefusedURL(Refusal(rel, f"it is over {MAX_RESOURCE_BYTES:,} bytes"))
        return real.read_bytes()

    def open(self, url: str) -> tuple[bytes, str]:
        """Return the content and media type of url, or raise RefusedURL."""
        rel = self.locate(url)
        return self.read(rel), _MIME.get(
            posixpath.splitext(rel)[1].lower(), "application/octet-stream"
        )


def site_resources(
    site: Site,
    figure_files: Mapping[str, bytes],
    narratives: Mapping[str, Sequence[RenderedNarrative]] | None = None,
) -> Resources:
    """Collect what briefs may load: theme static files, figures, narratives' images."""
    base = site.config.base_url
    root_url = (
        (base if base.endswith("/") else base + "/")
        if re.match(r"https?://", base)
        else FALLBACK_ROOT
    )
    files: dict[str, Path | bytes] = dict(static_files(site.root, site.config.theme))
    for slug, rendered in (narratives or {}).items():
        # Images the Markdown stage checked and publishes beside the page.
        files.update({f"{slug}/{rel}": src for r in rendered for rel, src in r.assets})
    files.update(
        {
            rel: pdf_figure(data) if rel.endswith(".svg") else data
            for rel, data in figure_files.items()
        }
    )
    themes = theme_dirs(site.root, site.config.theme)
    folders = (*(d.resolve() / "static" for d in themes), site.root.resolve())
    return Resources(root_url, files, folders)


def pdf_figure(svg: bytes) -> bytes:
    """Set a figure's text in the brief's own sans font, so no system font is used."""
    text = svg.decode("utf-8", errors="replace")
    return _SVG_FONT.sub(lambda m: m.group(1) + FIGURE_FONTS, text).encode("utf-8")


def make_url_fetcher(resources: Resources, refusals: list[Refusal]) -> Any:
    """Return a WeasyPrint URL fetcher serving only resources; refusals are recorded."""
    from weasyprint.urls import (  # type: ignore[import-untyped]
        URLFetcher,
        URLFetcherResponse,
    )

    class BriefFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
        """Serves a brief's resources from memory and the theme; never the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                data, mime = resources.open(url)
            except RefusedURL as exc:
                refusals.append(exc.refusal)
                raise
            return URLFetcherResponse(url, data, {"Content-Type": mime})

        def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
            return self.fetch(getattr(url, "full_url", url))

    # No protocol allowed and no redirects, should anything reach urllib after all.
    return BriefFetcher(
        allowed_protocols=(), allow_redirects=False, fail_on_errors=False
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
    )


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
            Pos(_project_path(site.root, exc.filename or TEMPLATE), exc.lineno or 1),
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
            found = Pos(_project_path(root, filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _project_path(root: Path, filename: str | Path) -> Path:
    path = Path(filename)
    return (
        path.relative_to(root)
        if path.is_absolute() and path.is_relative_to(root)
        else path
    )


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


# Checking URLs before rendering -------------------------------------------------------


class _URLParser(HTMLParser):
    """Collects the URLs of an HTML fragment that a renderer would load."""

    _LOADED: ClassVar[frozenset[str]] = frozenset(
        {"src", "data", "poster", "xlink:href"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        for name, value in found.items():
            if name in self._LOADED:
                self.urls.append(value.strip())
            elif name == "srcset":
                self.urls.extend(p.split()[0] for p in value.split(",") if p.split())
            elif name == "style":
                self.urls.extend(_css_urls(value))
        loads_href = (
            tag in ("link", "image", "use", "feimage")
            or "attachment" in found.get("rel", "").split()
        )
        if "href" in found and loads_href:
            self.urls.append(found["href"].strip())
        self.in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.urls.extend(_css_urls(data))


def _css_urls(css: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css)]


def loaded_urls(html: str) -> list[str]:
    """Return the URLs an HTML document or fragment would make a renderer load."""
    parser = _URLParser()
    parser.feed(html)
    parser.close()
    return parser.urls


def check_url(raw: str, base: str, resources: Resources) -> Refusal | None:
    """Say why a brief may not load raw, written in a page at base; None if it may."""
    if raw.startswith("/") and not raw.startswith("//"):
        return Refusal(raw, "it is an absolute path; write a path relative to the page")
    resolved = urljoin(base, raw)
    if not urlsplit(raw).scheme and not raw.startswith("//"):
        inside = posixpath.relpath(
            urlsplit(base).path, urlsplit(resources.root_url).path
        )
        if posixpath.normpath(posixpath.join(inside, urlsplit(raw).path)).startswith(
            ".."
        ):
            return Refusal(raw, "it leads outside the site with '../'")
    try:
        resources.locate(resolved)
    except RefusedURL as exc:
        return replace(exc.refusal, url=raw)
    return None


def _check_brief(
    brief: _Brief, html: str, resources: Resources, site: Site, problems: Problems
) -> frozenset[str] | None:
    """Report each URL a brief may not load where it is written.

    Returns the resolved URLs reported, or None if one of them is an error.
    """
    checked: set[tuple[str, str]] = set()  # (where it is written, URL as written)
    reported: set[str] = set()
    ok = True

    def check(raw: str, base: str, where: Callable[[str], Pos], place: str) -> None:
        nonlocal ok
        resolved = urljoin(base, raw)
        if (place, raw) in checked or (place == TEMPLATE and resolved in reported):
            return
        checked.add((place, raw))
        refusal = check_url(raw, base, resources)
        if refusal is not None:
            _report_refusal(refusal, where(raw), problems)
            reported.add(resolved)
            ok = ok and refusal.severity != "error"

    for view in brief.views:
        page_url = f"{resources.root_url}{view.entry.slug}/"
        for rendered in view.sources:
            where = functools.partial(_narrative_pos, rendered.narrative)
            place = rendered.narrative.path.as_posix()
            for piece in rendered.parts:
                for raw in [] if isinstance(piece, FigureRef) else loaded_urls(piece):
                    check(raw, page_url, where, place)
    for raw in loaded_urls(html):
        check(
            raw,
            resources.root_url,
            functools.partial(_find_in_theme, site=site),
            TEMPLATE,
        )
    return frozenset(reported) if ok else None


def _narrative_pos(narrative: Narrative, needle: str) -> Pos:
    """Find where a narrative writes a URL: in Markdown's (url) or <url> if possible."""
    for prefix in ("](", "<", ""):
        found = _find_in_text(
            narrative.body, prefix + needle, narrative.path, narrative.body_line
        )
        if found is not None:
            return Pos(found.path, found.line, found.col + len(prefix))
    return Pos(narrative.path, narrative.body_line)


def _report_refusal(refusal: Refusal, pos: Pos, problems: Problems) -> None:
    hint = (
        "put the file under themes/site/static/ and name it in a template, "
        "or declare a figure"
        if refusal.severity == "error"
        else "briefs can show theme static files and declared figures only"
    )
    problems.add(
        pos,
        f"the PDF brief may not load '{refusal.url}': {refusal.reason}",
        hint,
        refusal.severity,
    )


def _find_in_text(text: str, needle: str, path: Path, first_line: int) -> Pos | None:
    for candidate in dict.fromkeys((needle, unquote(needle), htmllib.escape(needle))):
        for number, line in enumerate(text.split("\n")):
            col = line.find(candidate)
            if col >= 0:
                return Pos(path, first_line + number, col + 1)
    return None


def _find_in_theme(needle: str, site: Site) -> Pos:
    """Find the brief template or stylesheet naming needle, most specific first."""
    candidates: list[Path] = []
    for folder in theme_dirs(site.root, site.config.theme):
        candidates += sorted((folder / "templates").glob("brief*.html"))
        candidates += sorted((folder / "static" / "css").glob("brief*.css"))
    names = (needle, posixpath.basename(urlsplit(needle).path) or needle)
    for name in dict.fromkeys(names):
        for path in candidates:
            pos = _find_in_text(
                path.read_text("utf-8", errors="replace"),
                name,
                _project_path(site.root, path),
                1,
            )
            if pos is not None:
                return pos
    return Pos(
        _project_path(site.root, candidates[0]) if candidates else Path(TEMPLATE)
    )


# Making the briefs --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    name: str  # slug, or series/<slug>
    path: str  # output path of the PDF
    html: str
    resources: Resources
    variant: str
    key: str  # cache key
    data_file: Path  # where problems with the brief as a whole are reported
    reported: frozenset[str] = frozenset()  # URLs refused before rendering


@dataclass(frozen=True, slots=True)
class _Outcome:
    pdf: bytes = b""
    refusals: tuple[Refusal, ...] = ()
    # Font families WeasyPrint used that no @font-face declared: system fonts.
    fallback_fonts: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()  # WeasyPrint's warnings
    error: str = ""
    seconds: float = 0.0


def make_briefs(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes],
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
    jobs: list[_Job] = []
    written: dict[str, list[Narrative]] = {}  # the narratives each brief prints
    digests: dict[str, bytes] = {}
    translate = cast(Callable[..., str], env.globals["t"])
    count = 0
    for brief in _briefs(site, narratives, extras, resources.root_url, translate):
        count += 1
        if only is not None and brief.doc.name != only:
            continue
        html = render_brief_html(env, brief, site, logo, found)
        reported = (
            None if html is None else _check_brief(brief, html, resources, site, found)
        )
        if html is None or reported is None:
            continue
        name = brief.doc.name
        path = f"{name}/{name.rsplit('/', 1)[-1]}.pdf"
        key = _cache_key(html, resources, options.variant, digests)
        data_file = brief.views[-1].entry.path
        written[name] = [r.narrative for v in brief.views for r in v.sources]
        jobs.append(
            _Job(name, path, html, resources, options.variant, key, data_file, reported)
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

    def done(job: _Job, outcome: _Outcome) -> None:
        clean = _report_outcome(job, outcome, written[job.name], site, found)
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


def _add(result: PdfResult, job: _Job, pdf: bytes) -> None:
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
    pos = _find_in_text(text, logo, Path("site.yaml"), 1) or Pos(Path("site.yaml"))
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


def _report_outcome(
    job: _Job,
    outcome: _Outcome,
    narratives: Sequence[Narrative],
    site: Site,
    problems: Problems,
) -> bool:
    """Turn what a worker said into problems; True if the PDF can be cached."""
    if outcome.error:
        problems.add(
            Pos(job.data_file),
            f"could not make the PDF brief {job.path}: {outcome.error}",
            "see docs/pdf.md (Limits); with ordinary content, this is a bug",
        )
        return False
    refusals = [r for r in dict.fromkeys(outcome.refusals) if r.url not in job.reported]
    for refusal in refusals:
        _report_refusal(refusal, _find_in_theme(refusal.url, site), problems)
    for family in outcome.fallback_fonts:
        problems.warn(
            Pos(job.data_file),
            f"the PDF brief {job.path} uses the system font '{family}' "
            "for characters its fonts lack",
            "add a font with those characters under "
            "themes/site/static/fonts/ and name it in brief.css (docs/pdf.md, Fonts)",
        )
    for message in outcome.messages:
        _report_message(message, narratives, site, problems)
    return not (outcome.refusals or outcome.fallback_fonts or outcome.messages)


def _report_message(
    message: str, narratives: Sequence[Narrative], site: Site, problems: Problems
) -> None:
    """Report a WeasyPrint warning where its cause is written, if it can be found."""
    quoted = re.search(r'"([^"]+)"', message)
    if quoted is None:
        problems.warn(_stylesheet_pos(message, site), f"PDF renderer: {message}")
        return
    url = quoted.group(1)
    name = posixpath.basename(urlsplit(url).path)
    written = re.sub(r"^[0-9a-f]{8}-", "", name)  # the Markdown stage's media/<hash>-
    pos = next(
        (
            found
            for needle in dict.fromkeys((url, name, written))
            for n in narratives
            if needle
            and (found := _find_in_text(n.body, needle, n.path, n.body_line))
            is not None
        ),
        None,
    ) or _find_in_theme(url, site)
    if "has no required alt description" in message:
        problems.warn(
            pos,
            f"image '{written or url}' has no alt text, which the tagged PDF needs",
            "describe what it shows: ![description](file)",
        )
    else:
        problems.warn(pos, f"PDF renderer: {message}")


def _stylesheet_pos(message: str, site: Site) -> Pos:
    """Place a renderer warning ("... at 12:3 ...") in the brief's stylesheet."""
    css = static_files(site.root, site.config.theme).get("static/css/brief.css")
    path = _project_path(site.root, css) if css else Path(TEMPLATE)
    at = re.search(r"\bat (\d+):(\d+)\b", message)
    return Pos(path, int(at.group(1)), int(at.group(2))) if at else Pos(path)


# Rendering, in worker processes -------------------------------------------------------


def render_pdf(html: str, resources: Resources, variant: str) -> _Outcome:
    """Render one brief's HTML to PDF bytes with WeasyPrint, in this process."""
    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.text.fonts import (  # type: ignore[import-untyped]
        FontConfiguration,
    )

    refusals: list[Refusal] = []
    declared: set[str] = set()

    class Fonts(FontConfiguration):  # type: ignore[misc]  # records @font-face families
        def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
            declared.add(str(rule_descriptors.get("font_family", "")))
            return super().add_font_face(rule_descriptors, url_fetcher)

    messages: list[str] = []
    handler = _Collect(messages)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        fetcher = make_url_fetcher(resources, refusals)
        options: dict[str, Any] = {"pdf_tags": True, "pdf_identifier": True}
        if variant != "none":
            options["pdf_variant"] = variant
        document = weasyprint.HTML(
            string=html, base_url=resources.root_url, url_fetcher=fetcher
        ).render(font_config=Fonts(), **options)
        pdf = document.write_pdf(**options)
    finally:
        logger.removeHandler(handler)
    refused = {r.url for r in refusals}
    families = sorted({font.family for font in document.fonts.values()} - declared)
    return _Outcome(
        pdf=pdf,
        refusals=tuple(refusals),
        fallback_fonts=tuple(families),
        messages=tuple(
            m for m in dict.fromkeys(messages) if not any(u in m for u in refused)
        ),
    )


class _Collect(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_isolated(
    jobs: Sequence[_Job], options: PdfOptions, done: Callable[[_Job, _Outcome], None]
) -> None:
    """Render jobs in worker processes, options.workers at once, each within limits."""
    if not jobs:
        return
    context = _process_context()
    if context.get_start_method() == "fork":
        # Import once here, so that every forked worker starts with WeasyPrint loaded.
        import weasyprint  # noqa: F401
    pending = list(jobs)
    running: dict[Connection, tuple[_Job, Any, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, options.workers):
                job = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=_work, args=(job, options.memory, send), daemon=True
                )
                process.start()
                send.close()
                running[receive] = (job, process, time.monotonic() + options.timeout)
            wait = max(
                0.0,
                min(deadline for _, _, deadline in running.values()) - time.monotonic(),
            )
            for conn in multiprocessing.connection.wait(list(running), timeout=wait):
                assert isinstance(conn, multiprocessing.connection.Connection)
                job, process, _ = running.pop(conn)
                try:
                    outcome = conn.recv()
                except EOFError:
                    process.join(5)
                    outcome = _Outcome(error=_crash_message(process.exitcode, options))
                conn.close()
                process.join(5)
                done(job, outcome)
            now = time.monotonic()
            for conn, (job, process, deadline) in list(running.items()):
                if now >= deadline:
                    process.kill()
                    process.join()
                    conn.close()
                    del running[conn]
                    done(
                        job,
                        _Outcome(
                            error=f"it took over {options.timeout:g} s and was stopped"
                        ),
                    )
    finally:
        for conn, (_, process, _) in running.items():
            process.kill()
            process.join()
            conn.close()


def _process_context() -> Any:
    """Fork when safe (Linux, one thread): workers start with WeasyPrint loaded."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _crash_message(exitcode: int | None, options: PdfOptions) -> str:
    if exitcode is not None and exitcode < 0:
        return (
            f"the renderer was killed by signal {-exitcode}, perhaps for using over "
            f"{options.memory // 2**20} MiB of memory"
        )
    return (
        f"the renderer stopped unexpectedly (exit code {exitcode}), "
        f"perhaps over its memory limit of {options.memory // 2**20} MiB"
    )


def _work(job: _Job, memory: int, conn: Connection) -> None:
    """Render one job in a worker process and send back the outcome."""
    _limit_memory(memory)
    started = time.perf_counter()
    try:
        outcome = render_pdf(job.html, job.resources, job.variant)
    except MemoryError:
        outcome = _Outcome(error=f"it needed more than {memory // 2**20} MiB of memory")
    except BaseException as exc:  # a bug, or WeasyPrint failing: report, never hang
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        outcome = _Outcome(error=f"the renderer failed: {last}")
    conn.send(replace(outcome, seconds=time.perf_counter() - started))
    conn.close()


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus extra bytes."""
    try:
        import resource
    except ImportError:  # not on POSIX: no limit
        return
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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
        e.slug: render_narratives(e, site.config.language, problems, site.root)
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
