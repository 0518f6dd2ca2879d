"""The site plan: every page with what it is made from and the outputs made of it.

Hugo's idea, page by output format: a conference is one page with four formats — its
HTML page, its PDF brief, its data (JSON and CSV) and its records in the search
index; a series of two or more meetings has an HTML page, a brief and search
records; the home, search and 404 pages are HTML only. Each page names the inputs
it uses (``data:<slug>``, ``text:<slug>``), so a build remakes it only when one of
them changed. Stages take the pages of their format from this one plan: no stage
lists conferences again.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jinja2

from generator.errors import Problems
from generator.figures.stage import FigureOut
from generator.markdown.pieces import RenderedNarrative
from generator.markdown.typeset import keep_together, page_units
from generator.model import Entry, Site
from generator.site.theme import render_template
from generator.site.views import (
    Extras,
    PdfOut,
    comparison_rows,
    follow_up_reports,
    indicator_groups,
    narrative_view,
)

PageKind = Literal["home", "404", "search", "conference", "series"]
Format = Literal["html", "pdf", "data", "search"]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the site and the formats it is published in.

    ``uses`` names the inputs the page depends on besides the theme and settings,
    as ``data:<slug>`` (a conference's data file) and ``text:<slug>`` (its
    narratives). ``entries`` are the conferences it shows: a conference page its
    own conference then those of its series (oldest first), a series page its
    conferences (oldest first), the home page all of them.
    """

    kind: PageKind
    out: str  # output path of its HTML, the language's prefix included
    template: str
    uses: tuple[str, ...] = ()
    formats: frozenset[Format] = frozenset({"html"})
    name: str = ""  # a conference's slug, or series/<slug>
    entries: tuple[Entry, ...] = ()
    lang: str = ""  # the page's language when not the site's primary one

    @property
    def entry(self) -> Entry:
        """The conference of a conference page."""
        return self.entries[0]

    @property
    def series(self) -> tuple[Entry, ...]:
        """The conferences of a series page, or of a conference page's series."""
        return self.entries[1:] if self.kind == "conference" else self.entries


def page_prefix(lang: str, primary: str) -> str:
    """Return where lang's pages go in output/: '' for the primary, else 'en/'."""
    return "" if lang == primary else f"{lang}/"


def plan_site(site: Site, *, lang: str = "") -> list[Page]:
    """List every page of site, with its inputs and formats.

    With lang (a secondary language, e.g. "en"), site is that language's copy and
    the pages go under its prefix (en/index.html, …); PDF briefs and data files
    are made once, in the primary language.
    """
    series = site.series()
    every = tuple(f"data:{e.slug}" for e in site.entries)
    pages = [
        Page("home", "index.html", "index.html", every, entries=site.entries),
        Page("404", "404.html", "404.html"),
        Page("search", "search.html", "search.html"),
    ]
    for entry in site.entries:
        peers = tuple(series[entry.series_slug])
        pages.append(
            Page(
                "conference",
                f"{entry.slug}/index.html",
                "conference.html",
                (f"text:{entry.slug}", *(f"data:{e.slug}" for e in peers)),
                frozenset({"html", "pdf", "data", "search"}),
                entry.slug,
                (entry, *peers),
            )
        )
    for slug, entries in series.items():
        brief: set[Format] = {"pdf"} if len(entries) > 1 else set()
        pages.append(
            Page(
                "series",
                f"series/{slug}/index.html",
                "series.html",
                tuple(f"data:{e.slug}" for e in entries),
                frozenset({"html", "search", *brief}),
                f"series/{slug}",
                tuple(entries),
            )
        )
    if not lang:
        return pages
    prefix = page_prefix(lang, site.config.output_languages[0])
    return [
        dataclasses.replace(
            p, out=prefix + p.out, lang=lang, formats=p.formats - {"pdf", "data"}
        )
        for p in pages
    ]


def page_salt(page: Page, extras: Extras) -> str:
    """What shapes a page besides its inputs: the PDF sizes it links to."""
    if page.kind == "home":
        return repr(sorted(extras.pdfs.items()))
    if page.kind in ("conference", "series"):
        return repr(extras.pdfs.get(page.name))
    return ""


class PageContexts:
    """What each page's template receives besides the site-wide names.

    Made once per language: the figures are grouped by conference here, not for
    every page.
    """

    def __init__(
        self,
        site: Site,
        narratives: Mapping[str, Sequence[RenderedNarrative]],
        extras: Extras,
    ) -> None:
        self.site, self.narratives, self.extras = site, narratives, extras
        self.figures_of: dict[str, list[FigureOut]] = {}
        for (owner, _), figure in sorted(extras.figures.items()):
            self.figures_of.setdefault(owner, []).append(figure)

    def __call__(self, page: Page) -> dict[str, Any]:
        """Return the context of page's template."""
        pdf = self.extras.pdfs.get(page.name)
        if page.kind == "home":
            return {
                "conferences": page.entries,
                "series": self.site.series(),
                "pdfs": self.extras.pdfs,
            }
        if page.kind == "conference":
            return self._conference(page, pdf)
        if page.kind == "series":
            entries = list(page.entries)
            return {
                "series_slug": page.name.removeprefix("series/"),
                "series_title": entries[0].data.series,
                "entries": entries,
                "rows": comparison_rows(entries),
                "figures": [
                    f
                    for e in entries
                    for f in self.figures_of.get(e.slug, [])
                    if f.series
                ],
                "pdf": pdf,
            }
        return {}

    def _conference(self, page: Page, pdf: PdfOut | None) -> dict[str, Any]:
        entry = page.entry
        return {
            "entry": entry,
            "conf": entry.data,
            "narratives": [
                narrative_view(n, entry.slug, self.extras)
                for n in self.narratives.get(entry.slug, ())
            ],
            "figures": self.figures_of.get(entry.slug, []),
            "pdf": pdf,
            "series_entries": list(page.series),
            "reports": follow_up_reports(entry, page.series),
            "groups": indicator_groups(entry.data.indicators),
        }


def render_page(
    env: jinja2.Environment,
    site: Site,
    page: Page,
    context: Mapping[str, Any],
    preview: bool,
    problems: Problems,
) -> str | None:
    """Render one page; a template error is a Problem and gives None."""
    out = page.out
    langs = site.config.output_languages
    prefix = page_prefix(page.lang, langs[0]) if page.lang else ""
    base = out.removeprefix(prefix)
    alternates = [
        Alternate(
            lang,
            relative_url(out, page_prefix(lang, langs[0]) + base),
            _public_url(site.config.base_url, page_prefix(lang, langs[0]) + base),
        )
        for lang in langs
    ]
    names = {
        "site": site.config,
        "page_path": base,
        "root": "../" * out.count("/"),
        "home": "../" * base.count("/"),  # the home folder of the page's language
        "primary_lang": langs[0],
        "alternates": alternates if len(langs) > 1 else [],
        "url": lambda target: relative_url(out, target),
        "canonical": _public_url(site.config.base_url, out),
        "preview": preview,
        **context,
    }
    html = render_template(
        env, page.template, lambda t: t.render(names), problems, site.root
    )
    return None if html is None else keep_together(html, page_units(page.entries))


@dataclass(frozen=True, slots=True)
class Alternate:
    """The same page in one of the site's languages (switcher and hreflang links)."""

    lang: str
    href: str  # relative to the current page
    absolute: str  # with base_url, for hreflang; "" without one


def _public_url(base_url: str, path: str) -> str:
    if not base_url:
        return ""
    return base_url.rstrip("/") + "/" + path.removesuffix("index.html")


def relative_url(current: str, target: str) -> str:
    """Return a link from page current to output path target that works from disk."""
    base = posixpath.dirname(current) or "."
    return posixpath.relpath(target, base)
