"""The HTML of a brief: its documents, views of its conferences, table of contents."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html as htmllib
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup, escape

from generator.core.cache import Cache
from generator.errors import Pos, Problems
from generator.figures.stage import FigureOut
from generator.i18n import t
from generator.markdown.pieces import RenderedNarrative
from generator.markdown.typeset import keep_together, page_units
from generator.model import Conference, Entry, Indicator, Site
from generator.pdf.fetch import (
    TEMPLATE,
    Resources,
    find_in_text,
)
from generator.site.datasets import dataset_csv, dataset_paths
from generator.site.pages import Page
from generator.site.theme import make_environment, render_template
from generator.site.views import (
    Extras,
    FollowUpStatus,
    comparison_rows,
    follow_up_reports,
    indicator_groups,
    narrative_view,
)

if TYPE_CHECKING:
    pass


_ATTR = re.compile(r'(\s(?:id|href|src))="([^"]*)"')
_TOC_LEVELS = {"conference": {"h2": 1, "h3": 2}, "series": {"h1": 1, "h2": 2}}


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
    date_basis: Literal["published", "dates", "period_end"]
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


def brief_environment(site: Site, cache: Cache | None = None) -> jinja2.Environment:
    """Return the site's Jinja environment with what brief templates need besides."""
    env = make_environment(site, site.config.language, cache)
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


def plan_briefs(
    site: Site,
    pages: Sequence[Page],
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    root_url: str,
    t: Callable[..., str],
) -> list[_Brief]:
    """The briefs of the planned pages that have a PDF format, in a stable order."""
    briefs = []
    for page in sorted(pages, key=lambda p: (p.kind != "conference", p.name)):
        if "pdf" not in page.formats:
            continue
        if page.kind == "conference":
            briefs.append(_conference_brief(site, page, narratives, extras, root_url))
        elif page.kind == "series":
            briefs.append(_series_brief(site, page, narratives, extras, root_url, t))
    return briefs


def _conference_brief(
    site: Site,
    page: Page,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    root_url: str,
) -> _Brief:
    entry = page.entry
    view = _conference_view(
        entry, page.series, narratives.get(entry.slug, ()), extras, root_url, True
    )
    online = {"online": _online(site, f"{entry.slug}/")}
    publisher = site.config.organisation or site.config.title
    return _Brief(_conference_doc(entry, publisher), [view], online)


def _series_brief(
    site: Site,
    page: Page,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    root_url: str,
    t: Callable[..., str],
) -> _Brief:
    entries = page.entries
    slug = page.name.removeprefix("series/")
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
    publisher = site.config.organisation or site.config.title
    return _Brief(_series_doc(slug, entries, t, publisher), views, context)


def _online(site: Site, path: str) -> str:
    base = site.config.base_url
    return (base if base.endswith("/") else base + "/") + path if base else ""


def _conference_doc(entry: Entry, publisher: str) -> BriefDoc:
    conf = entry.data
    laws = tuple(d.label for d in conf.legal_documents if d.number)
    return BriefDoc(
        kind="conference",
        name=entry.slug,
        title=conf.title,
        short_title=conf.short_title,
        subtitle=conf.period.label,
        series=conf.series,
        # The brief's author is its publisher; organisers may be the editors' word.
        authors=(publisher,),
        subject=conf.summary.text if conf.summary else conf.title,
        keywords=(conf.series, conf.period.label, *laws),
        date=_date(conf),
        date_basis=(
            "published"
            if conf.publication_date
            else "dates"
            if conf.dates
            else "period_end"
        ),
        sources=tuple(s.title for s in conf.sources),
        data=((dataset_paths(entry.slug)[1], _sha256(dataset_csv(entry))),),
    )


def _date(conf: Conference) -> dt.date:
    """The brief's date: from the data, never the clock.

    Its publication (as the feed dates it), else the last day of the meeting, else
    the end of the period reviewed.
    """
    if conf.publication_date:
        return conf.publication_date
    return max(conf.dates) if conf.dates else conf.period.end


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _series_doc(
    slug: str, entries: Sequence[Entry], t: Callable[..., str], publisher: str
) -> BriefDoc:
    first, last = entries[0].data, entries[-1].data
    docs = [_conference_doc(e, publisher) for e in entries]
    latest = max(docs, key=lambda d: d.date)
    subtitle = f"{first.period.label} \u2013 {last.period.label}"  # en dash
    return BriefDoc(
        kind="series",
        name=f"series/{slug}",
        title=first.series,
        short_title=first.series,
        subtitle=subtitle,
        series=first.series,
        authors=(publisher,),
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
    placed = {ident for narrative in rendered for ident in narrative.figure_ids}
    views = [
        narrative_view(
            narrative,
            entry.slug,
            extras,
            rewrite=functools.partial(_rebase, pfx=pfx, page_url=page_url),
            ident=f"bai-{narrative.narrative.slug}",
        )
        for narrative in rendered
    ]
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


# A derived number cited in a narrative (markdown.parser): its title says how it
# was computed, which paper prints as a footnote.
_DERIVED_CITE = re.compile(
    r'(<a class="indicator derived" href="[^"]*" title="([^"]*)">.*?</a>)', re.S
)


def _footnotes(html: str) -> str:
    """Give each derived number cited in a narrative a footnote with its derivation."""
    return _DERIVED_CITE.sub(
        lambda m: f'{m.group(1)}<span class="footnote">{m.group(2)}</span>', html
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

    return _footnotes(_ATTR.sub(fix, html))


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

    def two_passes(template: jinja2.Template) -> str:
        first = template.render(toc=[], **context)
        return template.render(toc=extract_toc(first, brief.doc.kind), **context)

    html = render_template(
        env, TEMPLATE, two_passes, problems, site.root, "docs/pdf.md"
    )
    units = page_units(view.entry for view in brief.views)
    return None if html is None else keep_together(html, units)


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


def logo_url(site: Site, resources: Resources, problems: Problems) -> str:
    """Return the brief's URL of site.yaml's logo; warn if no theme holds it."""
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
        t(
            "logo '{logo}' is not a file in a theme's static/ folder; briefs show none",
            logo=logo,
        ),
        t(
            "put it in themes/site/static/ and give its path from there, e.g. "
            "img/logo.svg"
        ),
    )
    return ""
