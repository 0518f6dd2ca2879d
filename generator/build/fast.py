"""Fast render: the page an edited narrative shows, before the build that follows.

The preview (``serve``) keeps what its last build loaded — the site, its rendered
narratives, figures and page plan — as a ``Warm``. When every file changed since
is a narrative of a loaded conference, ``fast_pages`` renders those conferences'
pages from it at once: their narratives read and rendered, one template each, no
other file read. The open page reloads on that; the full build runs right after
and publishes the very same bytes (tests/e2e/test_fast.py compares them) with all
else an edit changes: the search index, the links checked, the warnings. Hugo's
server does the same ("fast render mode").

Anything else — a data file, a theme, settings, a translated narrative, a new
image, an error in the edit — gives None: the full build alone says what it means.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.errors import Problems
from generator.load.narratives import load_narratives, load_translations
from generator.load.placeholders import check_placeholders
from generator.markdown.pieces import RenderedNarrative
from generator.markdown.render import render_narratives
from generator.model import Entry, Site
from generator.site.pages import Page, PageContexts, render_page
from generator.site.theme import make_environment
from generator.site.views import Extras


@dataclass(slots=True)
class Warm:
    """What a build loaded, kept to render an edited conference's page alone."""

    site: Site
    narratives: Mapping[str, Sequence[RenderedNarrative]]
    extras: Extras
    pages: Mapping[str, Page]  # the primary language's conference pages, by slug
    drafts: bool
    env: jinja2.Environment | None = None  # made on first use, then kept


def warm_of(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    pages: Iterable[Page],
    drafts: bool,
) -> Warm:
    """Keep a build's primary-language version for ``fast_pages``."""
    conference = {p.name: p for p in pages if p.kind == "conference" and not p.lang}
    return Warm(site, dict(narratives), extras, conference, drafts)


def fast_pages(warm: Warm, changed: Iterable[Path]) -> dict[str, bytes] | None:
    """Render the pages of the conferences whose narratives changed, or give None.

    changed are paths relative to the project root, every file changed since
    warm was loaded. Gives the HTML by output path, exactly as the build renders
    it, or None when a change is anything but an existing narrative (in the
    primary language) of a loaded conference, or when the edit brings an error
    or a new image. Only the primary language's pages are rendered: those in
    other languages are the build's.
    """
    site = warm.site
    by_slug = {e.slug: e for e in site.entries}
    slugs = set()
    for rel in changed:
        parts = rel.parts
        if (
            len(parts) != 3
            or parts[0] != "content"
            or rel.suffix != ".md"
            or parts[1] not in by_slug
            or parts[1] not in warm.pages
            or not (site.root / rel).is_file()
        ):
            return None
        slugs.add(parts[1])
    if not slugs:
        return None
    edited: dict[str, tuple[Entry, list[RenderedNarrative]]] = {}
    for slug in sorted(slugs):
        made = _conference(warm, by_slug[slug])
        if made is None:
            return None
        edited[slug] = made
    entries = {**by_slug, **{slug: entry for slug, (entry, _) in edited.items()}}
    new_site = dataclasses.replace(
        site, entries=tuple(entries[e.slug] for e in site.entries)
    )
    narratives = {
        **warm.narratives,
        **{slug: items for slug, (_, items) in edited.items()},
    }
    if warm.env is None:
        warm.env = make_environment(site, site.config.language)
    contexts = PageContexts(new_site, narratives, warm.extras)
    found = Problems()
    out: dict[str, bytes] = {}
    for slug in sorted(edited):
        page = warm.pages[slug]
        page = dataclasses.replace(
            page, entries=tuple(entries[e.slug] for e in page.entries)
        )
        html = render_page(
            warm.env, new_site, page, contexts(page), warm.extras.preview, found
        )
        if html is None or found.errors:
            return None
        out[page.out] = html.encode("utf-8")
    return out


def _conference(
    warm: Warm, entry: Entry
) -> tuple[Entry, list[RenderedNarrative]] | None:
    """Read and render one conference's narratives again; None if the build must.

    Its translations are read again too, as the loader does (they take their
    place from their originals), in the languages it had translations in.
    """
    site = warm.site
    lang = site.config.language
    found = Problems()
    texts = load_narratives(site.root, entry.slug, found, warm.drafts, lang)
    translations = [
        narrative
        for other in sorted({n.lang for n in entry.translations})
        for narrative in load_translations(
            site.root, entry.slug, (other, lang), texts, found, warm.drafts
        )
    ]
    check_placeholders(entry.data, texts, entry.positions, found)
    if found.errors:
        return None
    new = dataclasses.replace(
        entry, narratives=tuple(texts), translations=tuple(translations)
    )
    rendered = render_narratives(
        new, lang, found, site.root, allow_html=site.config.allow_html
    )
    before = {a for r in warm.narratives.get(entry.slug, ()) for a in r.assets}
    if found.errors or any(a not in before for r in rendered for a in r.assets):
        return None  # an error to report, or an image the site does not have yet
    return new, rendered
