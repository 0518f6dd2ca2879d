"""The page plan: every HTML page with its template, context and inputs; rendering one."""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.errors import Pos, Problems
from generator.figures.stage import FigureOut
from generator.markdown.pieces import RenderedNarrative
from generator.model import (
    Site,
)
from generator.site.theme import _project_path, template_pos
from generator.site.views import (
    Extras,
    _narrative_view,
    comparison_rows,
    follow_up_reports,
    indicator_groups,
)


def page_prefix(lang: str, primary: str) -> str:
    """Return where lang's pages go in output/: '' for the primary, else 'en/'."""
    return "" if lang == primary else f"{lang}/"


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render: where it goes, its template, and what it shows.

    ``uses`` names the inputs the page depends on besides the theme and settings,
    as ``data:<slug>`` (a conference's data file) and ``text:<slug>`` (its
    narratives); ``salt`` holds anything else that shapes it (PDF sizes). An
    incremental build re-renders a page only when one of these changed.
    """

    out: str
    template: str
    context: Mapping[str, Any]
    uses: tuple[str, ...] = ()
    salt: str = ""
    lang: str = ""  # the page's language when not the site's primary one


def plan_pages(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    *,
    lang: str = "",
) -> list[Page]:
    """List every HTML page of the site with its context and what it depends on.

    With lang (a secondary language, e.g. "en"), site is that language's copy
    (languages.english_site) and the pages go under its prefix (en/index.html, …).
    """
    primary = site.config.output_languages[0]
    prefix = page_prefix(lang, primary) if lang else ""
    series = site.series()
    figures_of: dict[str, list[FigureOut]] = {}  # grouped once, not per page
    for (owner, _), figure in sorted(extras.figures.items()):
        figures_of.setdefault(owner, []).append(figure)
    every = tuple(f"data:{e.slug}" for e in site.entries)
    pages = [
        Page(
            "index.html",
            "index.html",
            {"conferences": site.entries, "series": series, "pdfs": extras.pdfs},
            every,
            repr(sorted(extras.pdfs.items())),
        ),
        Page("404.html", "404.html", {}),
        Page("search.html", "search.html", {}),
    ]
    for entry in site.entries:
        in_series = series[entry.series_slug]
        pdf = extras.pdfs.get(entry.slug)
        pages.append(
            Page(
                f"{entry.slug}/index.html",
                "conference.html",
                {
                    "entry": entry,
                    "conf": entry.data,
                    "narratives": [
                        _narrative_view(n, entry.slug, extras)
                        for n in narratives.get(entry.slug, ())
                    ],
                    "figures": figures_of.get(entry.slug, []),
                    "pdf": pdf,
                    "series_entries": in_series,
                    "reports": follow_up_reports(entry, in_series),
                    "groups": indicator_groups(entry.data.indicators),
                },
                (f"text:{entry.slug}", *(f"data:{e.slug}" for e in in_series)),
                repr(pdf),
            )
        )
    for slug, entries in series.items():
        pdf = extras.pdfs.get(f"series/{slug}")
        pages.append(
            Page(
                f"series/{slug}/index.html",
                "series.html",
                {
                    "series_slug": slug,
                    "series_title": entries[0].data.series,
                    "entries": entries,
                    "rows": comparison_rows(entries),
                    "figures": [
                        f
                        for e in entries
                        for f in figures_of.get(e.slug, [])
                        if f.series
                    ],
                    "pdf": pdf,
                },
                tuple(f"data:{e.slug}" for e in entries),
                repr(pdf),
            )
        )
    if prefix:
        pages = [dataclasses.replace(p, out=prefix + p.out, lang=lang) for p in pages]
    return pages


def render_page(
    env: jinja2.Environment,
    site: Site,
    page: Page,
    preview: bool,
    problems: Problems,
) -> str | None:
    """Render one page; a template error is a Problem and gives None."""
    out = page.out
    root = "../" * out.count("/")
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
    try:
        return env.get_template(page.template).render(
            site=site.config,
            page_path=base,
            root=root,
            home="../" * base.count("/"),  # the home folder of the page's language
            primary_lang=langs[0],
            alternates=alternates if len(langs) > 1 else [],
            url=lambda target: relative_url(out, target),
            canonical=site.config.base_url.rstrip("/")
            + "/"
            + out.removesuffix("index.html")
            if site.config.base_url
            else "",
            preview=preview,
            **page.context,
        )
    except jinja2.TemplateSyntaxError as exc:
        pos = Pos(
            _project_path(exc.filename or page.template, site.root), exc.lineno or 1
        )
        problems.add(pos, f"template error: {exc.message}")
    except jinja2.TemplateError as exc:
        problems.add(
            template_pos(exc, page.template, site.root),
            f"template error: {exc.message}",
            "check the name in the template; see docs/themes.md for what pages receive",
        )
    return None


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
