"""Narrative Markdown to HTML, with indicator citations, figure placements and headings.

Syntax beyond CommonMark (documented in docs/content.md):

* ``:ind[id]`` the indicator's value with unit and qualifier ("hơn 20 tỷ đồng"),
  linked to its row in the key-figures table, where its source is given;
  ``:num[id]`` the number alone; ``:prev[id]`` the compared value;
  ``:change[id]`` the change in words ("giảm 31 vụ").
* ``::fig[id]`` on a line of its own places a declared figure.

Raw HTML is off by default: ``<script>`` in a narrative prints as text. With
``allow_html: true`` in site.yaml it is kept but sanitised with nh3 (ammonia): only
formatting tags survive, never scripts, styles, frames or ``on*`` attributes. Links
may only use http(s), mailto, tel or relative URLs, images http(s) or a file inside
the project; any other scheme (``javascript:``, ``data:``, ``file:``) is an error at
its line, and the link is not made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from generator.errors import Pos, Problems
from generator.formats import slugify
from generator.i18n import t
from generator.markdown.checks import (
    Unloaded,
    _check_references,
    _check_urls,
    _collect_media,
)
from generator.markdown.numbers import note_typed_numbers
from generator.markdown.parser import (
    FIGURE_MARK,
    MAX_NESTING,
    SAFETY_SECONDS,
    _markdown,
    check_limits,
    time_limit,
)
from generator.markdown.pieces import FigureRef, Heading, RenderedNarrative, section_id
from generator.markdown.sanitise import _check_raw_html, sanitise_html
from generator.markdown.typeset import wrap_tables
from generator.model import (
    Entry,
    Indicator,
    Narrative,
)

TABLE_WORD = {"vi": "Bảng", "en": "Table"}  # names a narrative table's frame


def render_narratives(
    entry: Entry,
    lang: str,
    problems: Problems,
    root: Path | None = None,
    *,
    allow_html: bool = False,
) -> list[RenderedNarrative]:
    """Render every narrative of a conference, reporting unknown ids at their line.

    With the project root given, local images are checked and collected as assets.
    A figure placed twice is a warning; one placed nowhere goes at the page's end.
    allow_html is site.yaml's setting: raw HTML is kept, sanitised, instead of
    printed as text.
    """
    rendered = [
        render_narrative(entry, n, lang, problems, root, allow_html=allow_html)
        for n in entry.narratives
    ]
    _warn_unused_indicators(entry, rendered, problems)
    placed: set[str] = set()
    for item in rendered:
        for part in item.parts:
            if isinstance(part, FigureRef):
                if part.id in placed:
                    problems.warn(
                        part.pos,
                        t("figure '{id}' is placed more than once", id=part.id),
                        t("place each figure once; remove this ::fig line"),
                    )
                placed.add(part.id)
    return rendered


def render_narrative(
    entry: Entry,
    narrative: Narrative,
    lang: str,
    problems: Problems,
    root: Path | None = None,
    *,
    allow_html: bool = False,
) -> RenderedNarrative:
    """Render one narrative's Markdown body (raw HTML sanitised if allow_html).

    A narrative over a limit of its input (``parser.check_limits``) is refused
    with the limit, before it is parsed.
    """
    indicators = {i.id: i for i in entry.data.indicators}
    figures = {f.id for f in entry.data.figures}
    rendered = _guarded(
        narrative,
        problems,
        lambda found: _render(
            indicators, figures, narrative, lang, found, root, allow_html
        ),
    )
    return rendered or RenderedNarrative(narrative, (), ())


def check_unloaded(
    unloaded: Unloaded,
    narrative: Narrative,
    lang: str,
    problems: Problems,
    root: Path | None = None,
    *,
    allow_html: bool = False,
) -> None:
    """Check a narrative of a conference whose data file has errors.

    Everything is checked but what needs the data: a citation of an id the data
    file names is taken on trust until the file loads.
    """
    _guarded(
        narrative,
        problems,
        lambda found: _render(
            {}, set(), narrative, lang, found, root, allow_html, unloaded
        ),
    )


def _guarded(
    narrative: Narrative,
    problems: Problems,
    render: Callable[[Problems], RenderedNarrative],
) -> RenderedNarrative | None:
    """Render within the limits; None (and a problem) for a narrative over one."""
    over = check_limits(narrative.body)
    if over is not None:
        problems.add(
            Pos(narrative.path, narrative.body_line + over.line),
            t("{message}; the narrative was left out", message=over.message),
            t(
                "split it into smaller narratives; these limits keep a build as fast "
                "on any machine, and the same file accepted everywhere "
                "(docs/security.md, Limits)"
            ),
        )
        return None
    found = Problems()
    try:
        with time_limit(SAFETY_SECONDS):
            rendered = render(found)
    except TimeoutError:
        problems.add(
            Pos(narrative.path, narrative.body_line),
            t(
                "reading the narrative took over {safety_seconds:g} s although it is "
                "within the limits, and it was left out",
                safety_seconds=SAFETY_SECONDS,
            ),
            t("this is a bug in proceedings' limits: please report it with the file"),
        )
        return None
    problems.extend(found.items)
    return rendered


def _render(
    indicators: Mapping[str, Indicator],
    figures: set[str],
    narrative: Narrative,
    lang: str,
    problems: Problems,
    root: Path | None,
    allow_html: bool,
    unloaded: Unloaded | None = None,
) -> RenderedNarrative:
    md = _markdown(allow_html)
    env: dict[str, Any] = {"indicators": indicators, "lang": lang}
    tokens = md.parse(narrative.body, env)
    if "too_deep" in env:
        problems.add(
            Pos(narrative.path, narrative.body_line + env["too_deep"]),
            t(
                "lists or quotes are nested too deeply (over {lists} list levels or "
                "{quotes} quote levels); the text from here to the end would be lost",
                lists=(MAX_NESTING - 1) // 2,
                quotes=MAX_NESTING - 1,
            ),
            t(
                "indent less: a list inside a list inside a list is already hard to "
                "read"
            ),
        )
    lines = narrative.body.split("\n")
    headings = _prepare_headings(tokens, section_id(narrative))
    figure_refs = _check_references(
        tokens, narrative, lines, indicators, figures, problems, unloaded
    )
    _check_urls(tokens, narrative, lines, problems)
    if unloaded is None:
        note_typed_numbers(tokens, narrative, indicators, problems)
    assets, links = _collect_media(tokens, narrative, lines, root, problems)
    if allow_html:
        _check_raw_html(tokens, narrative, lines, problems)
    prefix = section_id(narrative)
    html = md.renderer.render(tokens, md.options, env)
    images = _image_sources(tokens)
    parts: list[str | FigureRef] = []
    for i, piece in enumerate(html.split(FIGURE_MARK)):
        if i:
            ident, _, piece = piece.partition("\x00")
            parts.append(figure_refs[ident])
        if allow_html:  # each piece alone: a figure always stands between blocks
            piece = sanitise_html(piece, images, prefix)
        piece = wrap_tables(piece, TABLE_WORD.get(lang, TABLE_WORD["vi"]))
        if piece:
            parts.append(piece)
    cited = frozenset(
        child.meta["id"]
        for token in tokens
        for child in token.children or ()
        if child.type == "indicator_ref"
    )
    return RenderedNarrative(
        narrative,
        tuple(parts),
        tuple(headings),
        assets=tuple(assets),
        cited=cited,
        links=tuple(links),
    )


def _warn_unused_indicators(
    entry: Entry, rendered: list[RenderedNarrative], problems: Problems
) -> None:
    used = {ident for item in rendered for ident in item.cited}
    for fig in entry.data.figures:
        used.update(fig.indicators)
        used.update(i for series in fig.series for i in series.indicators)
        if fig.across:
            used.add(fig.across)
    for i, indicator in enumerate(entry.data.indicators):
        if indicator.id not in used and not indicator.key:
            problems.warn(
                entry.positions.at(("indicators", i, "id")),
                t(
                    "indicator '{id}' is not cited by any narrative or figure",
                    id=indicator.id,
                ),
                t(
                    "cite it with :ind[{id}], draw it, or mark it key: true",
                    id=indicator.id,
                ),
            )


def _prepare_headings(tokens: list[Token], prefix: str) -> list[Heading]:
    """Shift headings one level under the narrative's title and give them ids."""
    headings = []
    used: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = min(int(token.tag[1]) + 1, 6)
        token.tag = f"h{level}"
        if token.type == "heading_close":
            continue
        text = "".join(
            c.content
            for c in tokens[i + 1].children or ()
            if c.type in ("text", "code_inline")
        )
        base = f"{prefix}-{slugify(text) or 'muc'}"
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        token.attrSet("id", ident)
        headings.append(Heading(level, text, ident))
    return headings


def _image_sources(tokens: list[Token]) -> frozenset[str]:
    """Return the src of every image written in Markdown, as rendered."""
    return frozenset(
        str(child.attrGet("src") or "")
        for token in tokens
        for child in token.children or ()
        if child.type == "image"
    )
