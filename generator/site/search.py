"""Client-side search: what each page contributes to the index the search page reads.

One document per section of a conference page (overview, key figures, each narrative
heading, agenda, …) and one per series page, each with its text as written, for
snippets. ``generator.site.search_index`` folds it (lower case, no diacritics,
đ -> d) into word postings, one part per page, and assembles the parts into shards
that ``static/js/search.js`` loads by ``<script>`` for the words of a query only;
the script folds the query the same way, so "tre em" finds "trẻ em".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from html.parser import HTMLParser

from generator.core.context import BuildContext
from generator.figures.stage import FigureOut
from generator.load.themes import load_messages, theme_dirs
from generator.markdown.pieces import RenderedNarrative, section_id
from generator.model import Conference, Entry, Site, quantity_text
from generator.model.anchors import ANCHORS
from generator.site.pages import Page
from generator.site.search_index import (
    INDEX_VERSION,
    SearchDoc,
    SearchPart,
    assemble,
    make_part,
)
from generator.site.views import Extras


def search_index_files(
    ctx: BuildContext,
    site: Site,
    pages: Sequence[Page],
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
) -> dict[str, bytes]:
    """Write the index the search page reads: {"search/…": bytes}.

    The records come from the planned pages that have a search format. Once the
    inputs are keyed (a build), each conference's part is reused from the cache
    unless its data or narratives changed; the shards are then only concatenated.
    """
    dirs = theme_dirs(site.root, site.config.theme)
    messages = load_messages(dirs, site.config.language)
    parts = []
    for page, records in build_index(pages, narratives, extras, messages, site):
        key = ""
        if ctx.keys is not None and page.kind == "conference":
            salt = f"search-part|{INDEX_VERSION}|{site.config.language}"
            key = ctx.key(f"data:{page.name}", f"text:{page.name}", salt=salt)
        part = ctx.cache.load("search", key) if key else None
        if not isinstance(part, SearchPart):
            part = make_part(records())
            if key:
                ctx.cache.save("search", key, part)
        if part.words:
            parts.append(part)
    return assemble(parts)


def build_index(
    pages: Sequence[Page],
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    messages: Mapping[str, str],
    site: Site,
) -> list[tuple[Page, Callable[[], list[SearchDoc]]]]:
    """List the searchable sections of each page with a search format.

    Returns (page, a function making its records), so a caller can skip making
    the records of a conference that did not change.
    """
    figures_of: dict[str, list[FigureOut]] = {}  # grouped once, not per conference
    for (owner, _), figure in sorted(extras.figures.items()):
        if not figure.series:
            figures_of.setdefault(owner, []).append(figure)
    docs: list[tuple[Page, Callable[[], list[SearchDoc]]]] = []
    lang = site.config.language
    for page in pages:
        if "search" not in page.formats:
            continue
        if page.kind == "conference":
            entry = page.entry
            records = functools.partial(
                _conference_records,
                entry,
                narratives.get(entry.slug, ()),
                figures_of.get(entry.slug, []),
                messages,
                lang,
            )
        else:
            records = functools.partial(_series_records, page, messages)
        docs.append((page, records))
    return docs


def _series_records(page: Page, messages: Mapping[str, str]) -> list[SearchDoc]:
    entries = page.entries
    labels = dict.fromkeys(i.label for e in entries for i in e.data.indicators)
    return [
        SearchDoc(
            page.out.removeprefix(f"{page.lang}/") if page.lang else page.out,
            entries[0].data.series,
            messages.get("compare_series", "compare_series"),
            _join([entries[0].data.series, *labels]),
        )
    ]


def _conference_records(
    entry: Entry,
    rendered: Sequence[RenderedNarrative],
    figures: Sequence[FigureOut],
    messages: Mapping[str, str],
    lang: str,
) -> list[SearchDoc]:
    docs = _conference_docs(entry, rendered, figures, messages, lang)
    return [d for d in docs if d.text]


def _conference_docs(
    entry: Entry,
    rendered: Sequence[RenderedNarrative],
    figures: Sequence[FigureOut],
    messages: Mapping[str, str],
    lang: str,
) -> Iterator[SearchDoc]:
    """The page, its overview and figures, narratives, charts, then the rest."""
    conf = entry.data
    page = f"{entry.slug}/index.html"

    def sections(found: Iterator[Section]) -> Iterator[SearchDoc]:
        for key, parts, extra in found:
            yield SearchDoc(
                f"{page}#{ANCHORS.section(key)}",
                conf.short_title,
                messages.get(key, key),
                _join(parts),
                extra,
            )

    yield SearchDoc(
        page,
        conf.short_title,
        "",
        _join(
            [
                conf.title,
                conf.period.label,
                conf.venue,
                *(o.name for o in conf.organisers),
            ]
        ),
    )
    yield from sections(_opening(conf, lang))
    for narrative in rendered:
        yield from _narrative_docs(page, conf.short_title, narrative)
    for fig in figures:
        yield SearchDoc(
            f"{page}#{ANCHORS.figure}{fig.id}",
            conf.short_title,
            fig.title,
            _join([fig.caption, fig.alt]),
        )
    yield from sections(_closing(conf))


Section = tuple[str, Sequence[str | None], str]  # anchor key, texts, matched-only text


def _opening(conf: Conference, lang: str) -> Iterator[Section]:
    """The sections before the narratives: overview and key figures."""
    if conf.summary:
        yield "overview", [conf.summary.text], ""
    if conf.indicators:
        yield (
            "key_figures",
            [f"{i.label}: {quantity_text(i, lang)}" for i in conf.indicators],
            # "1317" finds 1.317, which folds to "1 317"; a masked count stays out
            " ".join(
                format(i.value.normalize(), "f")
                for i in conf.indicators
                if not i.masked
            ),
        )


def _closing(conf: Conference) -> Iterator[Section]:
    """The sections after the narratives: agenda, topics, tasks, documents, sources."""
    speakers = {s.id: s.name for s in conf.speakers}
    people = [f"{s.name}, {s.role or ''} {s.organisation or ''}" for s in conf.speakers]
    sessions = [
        _join(
            [
                s.title,
                *(speakers.get(i, "") for i in s.speakers),
                s.presenter,
                s.summary,
            ]
        )
        for s in conf.sessions
    ]
    yield "agenda", [*people, *sessions], ""
    yield "topics", [t.text for t in conf.topics], ""
    tasks = [_join([f.task, f.owner, f.due]) for f in conf.follow_up]
    yield "follow_up", [*tasks, *(r.note for r in conf.follow_up_reports)], ""
    laws = [
        _join(
            [" ".join(filter(None, (d.kind, d.number))), d.issuer, d.title, d.context]
        )
        for d in conf.legal_documents
    ]
    yield "legal_documents", laws, ""
    yield "sources", [_join([s.title, s.author, s.publisher]) for s in conf.sources], ""


def _narrative_docs(
    page: str, page_title: str, rendered: RenderedNarrative
) -> Iterator[SearchDoc]:
    """Split a narrative at its headings: one document per heading, linked to it."""
    html = "".join(p for p in rendered.parts if isinstance(p, str))
    title = rendered.narrative.front.title
    chunks = _split_at_headings(html)
    for anchor, heading, text in chunks:
        section = f"{title} » {heading}" if heading else title
        body = _join([rendered.narrative.front.summary, text]) if not heading else text
        yield SearchDoc(
            f"{page}#{anchor or section_id(rendered.narrative)}",
            page_title,
            section,
            body,
        )


class _SectionText(HTMLParser):
    """Collect the text of rendered Markdown, starting a section at each heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[list[str]] = [["", "", ""]]  # anchor, heading, text
        self.in_heading = False
        self.hidden = ""  # inside this aria-hidden element (a derived number's "*")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.hidden and dict(attrs).get("aria-hidden") == "true":
            self.hidden = tag
        if tag in {"h2", "h3", "h4", "h5", "h6"}:
            self.chunks.append([dict(attrs).get("id") or "", "", ""])
            self.in_heading = True
        elif tag in {"p", "li", "td", "th", "br", "blockquote"}:
            self.chunks[-1][2] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag == self.hidden:
            self.hidden = ""
        if tag in {"h2", "h3", "h4", "h5", "h6"}:
            self.in_heading = False

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks[-1][1 if self.in_heading else 2] += data


def _split_at_headings(html: str) -> list[tuple[str, str, str]]:
    parser = _SectionText()
    parser.feed(html)
    parser.close()
    out = [(a, " ".join(h.split()), " ".join(t.split())) for a, h, t in parser.chunks]
    return [c for i, c in enumerate(out) if c[2] or (i and c[1])]


def _join(parts: Sequence[str | None] | Iterator[str | None]) -> str:
    return " · ".join(" ".join(p.split()) for p in parts if p and p.strip())
