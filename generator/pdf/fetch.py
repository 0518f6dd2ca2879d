"""Decide which URLs a PDF brief may load, and serve only those to WeasyPrint.

The HTML's base URL is the site's ``base_url`` (or ``https://proceedings.invalid/``)
and the URL fetcher serves only URLs under it that name a static file or a figure,
from memory or from the theme folders. Remote URLs, ``file:``, ``data:`` and paths that
leave the site are refused and reported at the line that names them; nothing is ever
fetched from the network.
"""

from __future__ import annotations

import functools
import html as htmllib
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

from generator.errors import Pos, Problems, Severity
from generator.figures.embed import FONT_STYLE_ID
from generator.i18n import t
from generator.load.themes import theme_dirs
from generator.markdown.pieces import FigureRef, RenderedNarrative
from generator.model import Narrative, Site
from generator.site.theme import project_path, static_files

TEMPLATE = "brief.html"  # the brief's template, where its own URLs are written
FALLBACK_ROOT = "https://proceedings.invalid/"  # .invalid never resolves (RFC 2606)
MAX_RESOURCE_BYTES = 20_000_000
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
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3"""
)
_SVG_FONT = re.compile(r"""(font-family\s*:\s*|font-family\s*=\s*["'])""")
# The fonts a chart embeds for browsers (figures.embed); the brief has its own.
_SVG_FONT_FACES = re.compile(rf'<style id="{FONT_STYLE_ID}">.*?</style>', re.S)
FIGURE_FONTS = "Proceedings Sans, Proceedings Symbols, "  # declared by brief.css


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
                    t("'{rel}' is no static file, figure or narrative image", rel=rel),
                    "warning",
                )
            )
        if scheme in ("http", "https", "ftp", "ftps", "ws", "wss"):
            reason = t("it is on the network, and briefs never fetch from the network")
        elif scheme == "file":
            reason = t("it is a local file outside the theme's static files")
        elif scheme == "data":
            reason = t("data: URLs are not allowed in briefs")
        elif not scheme:
            reason = t("it is not an absolute URL")
        else:
            reason = t("the {scheme}: scheme is not allowed in briefs", scheme=scheme)
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
                    rel,
                    t("it leads outside the project and the theme's static folders"),
                )
            )
        if real.stat().st_size > MAX_RESOURCE_BYTES:
            raise RefusedURL(
                Refusal(
                    rel,
                    t(
                        "it is over {resource_bytes:,} bytes",
                        resource_bytes=MAX_RESOURCE_BYTES,
                    ),
                )
            )
        return real.read_bytes()

    def open(self, url: str) -> tuple[bytes, str]:
        """Return the content and media type of url, or raise RefusedURL."""
        rel = self.locate(url)
        return self.read(rel), _MIME.get(
            posixpath.splitext(rel)[1].lower(), "application/octet-stream"
        )


def site_resources(
    site: Site,
    figure_files: Mapping[str, bytes | Path],
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
            rel: pdf_figure(data.read_bytes() if isinstance(data, Path) else data)
            if rel.endswith(".svg")
            else data
            for rel, data in figure_files.items()
        }
    )
    themes = theme_dirs(site.root, site.config.theme)
    folders = (*(d.resolve() / "static" for d in themes), site.root.resolve())
    return Resources(root_url, files, folders)


def pdf_figure(svg: bytes) -> bytes:
    """Set a figure's text in the brief's own sans font, so no system font is used."""
    text = _SVG_FONT_FACES.sub("", svg.decode("utf-8", errors="replace"), count=1)
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
        return Refusal(
            raw, t("it is an absolute path; write a path relative to the page")
        )
    resolved = urljoin(base, raw)
    if not urlsplit(raw).scheme and not raw.startswith("//"):
        inside = posixpath.relpath(
            urlsplit(base).path, urlsplit(resources.root_url).path
        )
        if posixpath.normpath(posixpath.join(inside, urlsplit(raw).path)).startswith(
            ".."
        ):
            return Refusal(raw, t("it leads outside the site with '../'"))
    try:
        resources.locate(resolved)
    except RefusedURL as exc:
        return replace(exc.refusal, url=raw)
    return None


def check_brief(
    pages: Sequence[tuple[str, Sequence[RenderedNarrative]]],
    html: str,
    resources: Resources,
    site: Site,
    problems: Problems,
) -> frozenset[str] | None:
    """Report each URL a brief may not load where it is written.

    pages are the brief's conferences in order, as (slug, narratives printed), and
    html is the brief's whole HTML. Returns the resolved URLs reported, or None if
    one of them is an error.
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
            report_refusal(refusal, where(raw), problems)
            reported.add(resolved)
            ok = ok and refusal.severity != "error"

    for slug, sources in pages:
        page_url = f"{resources.root_url}{slug}/"
        for rendered in sources:
            where = functools.partial(_narrative_pos, rendered.narrative)
            place = rendered.narrative.path.as_posix()
            for piece in rendered.parts:
                for raw in [] if isinstance(piece, FigureRef) else loaded_urls(piece):
                    check(raw, page_url, where, place)
    for raw in loaded_urls(html):
        check(
            raw,
            resources.root_url,
            functools.partial(find_in_theme, site=site),
            TEMPLATE,
        )
    return frozenset(reported) if ok else None


def _narrative_pos(narrative: Narrative, needle: str) -> Pos:
    """Find where a narrative writes a URL: in Markdown's (url) or <url> if possible."""
    for prefix in ("](", "<", ""):
        found = find_in_text(
            narrative.body, prefix + needle, narrative.path, narrative.body_line
        )
        if found is not None:
            return Pos(found.path, found.line, found.col + len(prefix))
    return Pos(narrative.path, narrative.body_line)


def report_refusal(refusal: Refusal, pos: Pos, problems: Problems) -> None:
    """Report a URL a brief may not load at pos, with a hint on what it may load."""
    hint = (
        t(
            "put the file under themes/site/static/ and name it in a template, or "
            "declare a figure"
        )
        if refusal.severity == "error"
        else t("briefs can show theme static files and declared figures only")
    )
    problems.add(
        pos,
        t(
            "the PDF brief may not load '{url}': {reason}",
            url=refusal.url,
            reason=refusal.reason,
        ),
        hint,
        refusal.severity,
    )


def find_in_text(text: str, needle: str, path: Path, first_line: int) -> Pos | None:
    """Find needle, as written or URL- or HTML-escaped, in text that starts at line."""
    for candidate in dict.fromkeys((needle, unquote(needle), htmllib.escape(needle))):
        for number, line in enumerate(text.split("\n")):
            col = line.find(candidate)
            if col >= 0:
                return Pos(path, first_line + number, col + 1)
    return None


def find_in_theme(needle: str, site: Site) -> Pos:
    """Find the brief template or stylesheet naming needle, most specific first."""
    candidates: list[Path] = []
    for folder in theme_dirs(site.root, site.config.theme):
        candidates += sorted((folder / "templates").glob("brief*.html"))
        candidates += sorted((folder / "static" / "css").glob("brief*.css"))
    names = (needle, posixpath.basename(urlsplit(needle).path) or needle)
    for name in dict.fromkeys(names):
        for path in candidates:
            pos = find_in_text(
                path.read_text("utf-8", errors="replace"),
                name,
                project_path(path, site.root),
                1,
            )
            if pos is not None:
                return pos
    return Pos(project_path(candidates[0], site.root) if candidates else Path(TEMPLATE))
