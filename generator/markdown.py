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

import functools
import hashlib
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from generator.checks import explain_change
from generator.errors import Pos, Problems, did_you_mean
from generator.formats import format_change, slugify
from generator.model import Entry, Indicator, Narrative
from generator.suppress import change_text, number_text, previous_text, quantity_text
from generator.yamlload import visible

MAX_NESTING = 32  # block levels: a list level takes two, so lists nest 15 deep
MAX_IMAGE_BYTES = 10_000_000
IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
TIME_BUDGET = 2.0  # seconds to parse one narrative; markdown-it has quadratic corners
_CITE = re.compile(r":(ind|num|prev|change)\[([^\]\n]{1,100})\]")
_FIG = re.compile(r"::fig\[([^\]\n]{1,100})\][ \t]*$")
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"http", "https"})  # remote: linked, never fetched
FIGURE_MARK = "\x00fig:"
_SEARCH = 10_000  # characters searched for a position on one line, see _pos

# What raw HTML may keep when allow_html is on. Tags the Markdown renderer writes
# itself (img, headings with ids, table cells with text-align) must be here too,
# since the whole page is sanitised at once; a raw <img> keeps no src, see _keep().
HTML_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code",
     "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt",
     "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
     "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby",
     "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
     "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr"}
)  # fmt: skip
_HEADING_ATTRS = {f"h{n}": {"id"} for n in range(2, 7)}  # a page has one h1
HTML_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "class", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "code": {"class"},
    "time": {"datetime"},
    "data": {"value"},
    "del": {"datetime"},
    "ins": {"datetime"},
    **_HEADING_ATTRS,
}
# Removed together with their content: their text is code, or not for reading.
_HTML_DROPPED = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "noscript",
     "noembed", "noframes", "template", "textarea", "select", "title", "xmp", "svg",
     "math"}
)  # fmt: skip
_ALIGN = re.compile(r"text-align:(?:left|right|center)")
_RAW_TAG = re.compile(r"<\s*([A-Za-z][A-Za-z0-9:-]*)")
_RAW_HANDLER = re.compile(r"\s(on[A-Za-z]+)\s*=", re.I)
_RAW_URL = re.compile(r"\s(?:href|src)\s*=\s*[\"']?\s*([A-Za-z][A-Za-z0-9+.-]*):")
_IMG = re.compile(r'<img((?: [a-z-]+="[^"]*")*)>')  # as html5ever writes it


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a narrative, for tables of contents and PDF bookmarks."""

    level: int  # HTML level after shifting under the narrative title
    text: str
    id: str


@dataclass(frozen=True, slots=True)
class FigureRef:
    """A place in a narrative where a figure goes."""

    id: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class RenderedNarrative:
    """A narrative turned into HTML pieces, with figures still to be placed."""

    narrative: Narrative
    parts: tuple[str | FigureRef, ...]
    headings: tuple[Heading, ...]
    assets: tuple[
        tuple[str, Path], ...
    ] = ()  # (path relative to the page, source file)
    cited: frozenset[str] = frozenset()  # indicator ids cited
    links: tuple[tuple[str, Pos], ...] = ()  # relative links, to check after rendering

    @property
    def figure_ids(self) -> list[str]:
        """The ids of the figures placed in this narrative, in order."""
        return [p.id for p in self.parts if isinstance(p, FigureRef)]


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
                        f"figure '{part.id}' is placed more than once",
                        "place each figure once; remove this ::fig line",
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

    The whole of it, checks included, has TIME_BUDGET seconds: markdown-it has
    quadratic corners, and a narrative may be 2 MB.
    """
    found = Problems()
    try:
        with time_limit(TIME_BUDGET):
            rendered = _render(entry, narrative, lang, found, root, allow_html)
    except TimeoutError:
        problems.add(
            Pos(narrative.path, narrative.body_line),
            f"narrative took longer than {TIME_BUDGET:g} s to read and was left out",
            "look for very long runs of *, _, [ or | characters, or very wide tables; "
            "split the text into smaller pieces",
        )
        return RenderedNarrative(narrative, (), ())
    problems.extend(found.items)
    return rendered


def _render(
    entry: Entry,
    narrative: Narrative,
    lang: str,
    problems: Problems,
    root: Path | None,
    allow_html: bool,
) -> RenderedNarrative:
    md = _markdown(allow_html)
    indicators = {i.id: i for i in entry.data.indicators}
    figures = {f.id for f in entry.data.figures}
    env: dict[str, Any] = {"indicators": indicators, "lang": lang}
    tokens = md.parse(narrative.body, env)
    if "too_deep" in env:
        problems.add(
            Pos(narrative.path, narrative.body_line + env["too_deep"]),
            "lists or quotes are nested too deeply (over "
            f"{(MAX_NESTING - 1) // 2} list levels or {MAX_NESTING - 1} quote levels); "
            "the text from here to the end would be lost",
            "indent less: a list inside a list inside a list is already hard to read",
        )
    lines = narrative.body.split("\n")
    headings = _prepare_headings(tokens, section_id(narrative))
    figure_refs = _check_references(
        tokens, narrative, lines, indicators, figures, problems
    )
    _check_urls(tokens, narrative, lines, problems)
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
                f"indicator '{indicator.id}' is not cited by any narrative or figure",
                f"cite it with :ind[{indicator.id}], draw it, or mark it key: true",
            )


def section_id(narrative: Narrative) -> str:
    """Return the HTML id of a narrative's section, prefixed to avoid the page's ids."""
    return f"n-{narrative.slug}"


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after seconds (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expire(signum: int, frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, _expire)
    # The timer repeats: an exception raised while the interpreter runs a gc
    # callback or a __del__ is swallowed, so fire again until the block ends.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.02)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def _markdown(allow_html: bool = False) -> MarkdownIt:
    """Return the parser for one allow_html setting; built once, then reused."""
    md = MarkdownIt("commonmark", {"html": allow_html, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    # Every URL becomes a token, so _check_urls can report a refused one at its line
    # and unmake the link; markdown-it's own check would turn it into text silently.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.block.tokenize = _report_depth(md.block.tokenize)  # type: ignore[method-assign,assignment]
    md.block.ruler.before(
        "paragraph", "figure_ref", _figure_block, {"alt": ["paragraph"]}
    )
    md.inline.ruler.before("emphasis", "indicator_ref", _cite_inline)
    md.add_render_rule("indicator_ref", _render_cite)
    md.add_render_rule("figure_ref", _render_figure)
    return md


def _report_depth(
    tokenize: Callable[[StateBlock, int, int], None],
) -> Callable[[StateBlock, int, int], None]:
    """Note where markdown-it's nesting limit starts to drop text.

    It does so silently: past maxNesting it skips to the end of the enclosing range,
    which for a list item is the end of the document.
    """

    def guarded(state: StateBlock, start: int, end: int) -> None:
        if state.level >= MAX_NESTING:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                state.env.setdefault("too_deep", line)
        tokenize(state, start, end)

    return guarded


def _figure_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    begin = state.bMarks[start] + state.tShift[start]
    match = _FIG.match(state.src[begin : state.eMarks[start]])
    if match is None or state.sCount[start] - state.blkIndent >= 4:
        return False
    if not silent:
        token = state.push("figure_ref", "", 0)
        token.map = [start, start + 1]
        token.meta = {"id": match.group(1)}
        token.content = match.group(0)
    state.line = start + 1
    return True


def _cite_inline(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != ":":
        return False
    match = _CITE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("indicator_ref", "", 0)
        token.meta = {"kind": match.group(1), "id": match.group(2)}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _render_cite(
    self: RendererHTML,
    tokens: list[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    indicator: Indicator | None = env["indicators"].get(token.meta["id"])
    if indicator is None:
        return escapeHtml(token.content)  # already reported
    text, derived_note = cite_text(indicator, token.meta["kind"], env["lang"])
    css = "indicator derived" if derived_note else "indicator"
    title = f' title="{escapeHtml(derived_note)}"' if derived_note else ""
    return (
        f'<a class="{css}" href="#chi-so-{indicator.id}"{title}>{escapeHtml(text)}</a>'
    )


def cite_text(indicator: Indicator, kind: str, lang: str) -> tuple[str, str]:
    """Return the text a citation shows, and a note when the number is derived."""
    # Through suppress.py, so a small count reads "< N" (docs/suppression.md).
    note = indicator.derivation or "" if indicator.derived else ""
    if kind == "num":
        return number_text(indicator, lang), note
    if kind == "ind":
        return quantity_text(indicator, lang), note
    if kind == "change":
        return change_text(indicator, lang), ""
    if indicator.previous_value is None:
        return "", ""
    note = derivation_note(indicator, lang) if indicator.previous_derived else ""
    return previous_text(indicator, lang), note


def derivation_note(indicator: Indicator, lang: str) -> str:
    """Explain a derived compared value: 'tính từ mức giảm 31 vụ'."""
    assert indicator.change is not None
    note = explain_change(indicator.change, indicator.unit, lang)  # one wording
    if indicator.change_masked:  # 'tính từ mức giảm': the number would give it away
        stated = format_change(indicator.change, indicator.unit, lang)
        note = note.replace(stated, change_text(indicator, lang))
    return note


def _render_figure(
    self: RendererHTML,
    tokens: list[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return f"{FIGURE_MARK}{tokens[idx].meta['id']}\x00"


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


def _check_references(
    tokens: list[Token],
    narrative: Narrative,
    lines: list[str],
    indicators: Mapping[str, Indicator],
    figures: set[str],
    problems: Problems,
) -> dict[str, FigureRef]:
    refs: dict[str, FigureRef] = {}
    columns: dict[int, int] = {}  # where the last citation found on a line ended
    for token in tokens:
        if token.type == "figure_ref" and token.map:
            ident = token.meta["id"]
            pos = _pos(narrative, lines, token.map[0], token.content)
            refs[ident] = FigureRef(ident, pos)
            if ident not in figures:
                problems.add(
                    pos,
                    f"unknown figure '{visible(ident)}'",
                    did_you_mean(ident, figures, "figure id"),
                )
        if token.children is None or token.map is None:
            continue
        line = token.map[0]
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "indicator_ref":
                ident, kind = child.meta["id"], child.meta["kind"]
                pos = _pos(narrative, lines, line, child.content, columns)
                indicator = indicators.get(ident)
                if indicator is None:
                    problems.add(
                        pos,
                        f"unknown indicator '{visible(ident)}'",
                        did_you_mean(ident, indicators, "indicator id"),
                    )
                elif kind in ("prev", "change") and indicator.previous_value is None:
                    problems.add(
                        pos,
                        f"indicator '{ident}' has no compared value for :{kind}[]",
                        "give the indicator `change` or `previous` with `compared_to`",
                    )
    return refs


def _scheme(url: str) -> str | None:
    """Return a URL's scheme in lowercase, or None for a relative URL."""
    match = _SCHEME.match(url)
    return match.group(0)[:-1].lower() if match else None


def _check_urls(
    tokens: list[Token], narrative: Narrative, lines: list[str], problems: Problems
) -> None:
    """Report links and images whose scheme we don't publish, and unmake them.

    A refused link keeps its text without the link; a refused image becomes its alt
    text. Entity-encoded and mixed-case schemes arrive here decoded by markdown-it.
    """
    for token in tokens:
        if not token.children:
            continue
        line = token.map[0] if token.map else 0
        kept: list[Token] = []
        unmade = False
        columns: dict[int, int] = {}
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                scheme = _scheme(href)
                if scheme is not None and scheme not in LINK_SCHEMES:
                    problems.add(
                        _pos_of_url(narrative, lines, line, href, columns),
                        f"link '{visible(href[:80])}' uses '{scheme}:', "
                        "which a published page may not link to",
                        "links may use http(s), mailto or tel, or a path to a page "
                        "of the site such as ../<slug>/index.html",
                    )
                    unmade = True
                    continue
            elif child.type == "link_close" and unmade:
                unmade = False  # links do not nest: this closes the refused one
                continue
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                scheme = _scheme(src)
                if scheme is not None and scheme not in IMAGE_SCHEMES:
                    problems.add(
                        _pos_of_url(narrative, lines, line, src, columns),
                        f"image '{visible(src[:80])}' uses '{scheme}:', which the "
                        "build does not read",
                        "put the image in the conference's content folder and "
                        "write its name, e.g. ![Toàn cảnh](anh.png)",
                    )
                    text = Token("text", "", 0)
                    text.content = child.content
                    child = text
            kept.append(child)
        token.children = kept


def _pos_of_url(
    narrative: Narrative, lines: list[str], line: int, url: str, after: dict[int, int]
) -> Pos:
    """Place a URL on its line, as written (it may be %-encoded or an entity)."""
    start = after.get(line, 0)
    text = (lines[line] if line < len(lines) else "")[start : start + _SEARCH].lower()
    for needle in (url, unquote(url), url.split(":", 1)[0] + ":"):
        found = text.find(needle.lower())
        if found >= 0:
            after[line] = start + found + len(needle)
            return Pos(narrative.path, narrative.body_line + line, start + found + 1)
    return _pos(narrative, lines, line, "](", after)


def _image_sources(tokens: list[Token]) -> frozenset[str]:
    """Return the src of every image written in Markdown, as rendered."""
    return frozenset(
        str(child.attrGet("src") or "")
        for token in tokens
        for child in token.children or ()
        if child.type == "image"
    )


def sanitise_html(
    html: str, images: frozenset[str] = frozenset(), id_prefix: str = "n-"
) -> str:
    """Keep only formatting HTML: no scripts, styles, frames, on* or script URLs.

    images are the sources of the images written in Markdown, which were checked
    and copied; a raw ``<img>`` with any other src is removed, so it can't name a
    file the build did not check. Heading ids must start with id_prefix (the
    narrative's section id), so raw HTML can't take an id the page uses.
    """

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if value in images else None
        if attribute == "style":  # markdown-it aligns table cells this way
            return value if _ALIGN.fullmatch(value) else None
        if attribute == "id":
            return value if value.startswith(f"{id_prefix}-") else None
        return value

    clean = str(
        nh3.clean(
            html,
            tags=set(HTML_TAGS),
            clean_content_tags=set(_HTML_DROPPED),
            attributes=HTML_ATTRIBUTES,
            attribute_filter=keep,
            url_schemes=set(LINK_SCHEMES),
            link_rel=None,
            strip_comments=True,
        )
    )
    return _IMG.sub(lambda m: m.group(0) if ' src="' in m.group(1) else "", clean)


def _check_raw_html(
    tokens: list[Token], narrative: Narrative, lines: list[str], problems: Problems
) -> None:
    """Warn, at its line, about raw HTML the sanitiser will remove."""
    for token in tokens:
        if token.type == "html_block" and token.map:
            _warn_raw(token.content, token.map[0], narrative, lines, problems)
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                _warn_raw(child.content, line, narrative, lines, problems)


def _warn_raw(
    html: str, first: int, narrative: Narrative, lines: list[str], problems: Problems
) -> None:
    found = [
        (m.start(), f"<{m.group(1).lower()}>")
        for m in _RAW_TAG.finditer(html)
        if m.group(1).lower() not in HTML_TAGS or m.group(1).lower() == "img"
    ]
    found += [
        (m.start(1), f"the {m.group(1).lower()}= attribute")
        for m in _RAW_HANDLER.finditer(html)
    ]
    found += [
        (m.start(1), f"the link to '{m.group(1).lower()}:'")
        for m in _RAW_URL.finditer(html)
        if m.group(1).lower() not in LINK_SCHEMES
    ]
    for start, what in sorted(found):
        line = first + html.count("\n", 0, start)
        needle = html[start:].split("\n", 1)[0][:40]
        removed = "<img> without a Markdown picture" if what == "<img>" else what
        problems.warn(
            _pos(narrative, lines, line, needle),
            f"raw HTML: {removed} is removed from the page"
            + (" (pictures come from ![alt](file) only)" if what == "<img>" else ""),
            "allow_html keeps formatting tags only (b, i, sub, sup, span, table, …); "
            "write images as ![alt](file) and links as [text](url)",
        )


def _collect_media(
    tokens: list[Token],
    narrative: Narrative,
    lines: list[str],
    root: Path | None,
    problems: Problems,
) -> tuple[list[tuple[str, Path]], list[tuple[str, Pos]]]:
    """Check local images and links; point images at copies beside the page."""
    assets: dict[str, Path] = {}
    links: list[tuple[str, Pos]] = []
    columns: dict[int, int] = {}
    for token in tokens:
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if not _SCHEME.match(href):
                    links.append((href, _pos(narrative, lines, line, href, columns)))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                pos = _pos(narrative, lines, line, src, columns)
                if not child.content.strip():  # at the file, like other image problems
                    problems.warn(
                        pos,
                        f"image '{visible(src[:80])}' has no alt text, which screen "
                        "readers and the tagged PDF need",
                        "describe what it shows: ![Toàn cảnh hội nghị](anh.png)",
                    )
                if root is None or _SCHEME.match(src):
                    continue  # remote: linked from HTML, never fetched by the build
                source = _local_file(root, narrative, src, pos, problems)
                if source is not None:
                    digest = hashlib.sha256(str(source).encode()).hexdigest()[:8]
                    target = f"media/{digest}-{source.name}"
                    assets[target] = source
                    child.attrSet("src", target)
    return sorted(assets.items()), links


def _local_file(
    root: Path, narrative: Narrative, src: str, pos: Pos, problems: Problems
) -> Path | None:
    """Resolve an image path inside the project, or report why it can't be used."""
    rel = unquote(src.split("#")[0].split("?")[0])
    if not rel or rel.startswith("/") or "\\" in rel:
        problems.add(
            pos,
            f"image path '{src}' must be relative to the narrative",
            "put the image in the conference's content folder and write its name",
        )
        return None
    try:
        path = (root / narrative.path.parent / rel).resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop; a NUL from %00
        problems.add(
            pos,
            f"image '{src}' cannot be read: it is a link that leads nowhere",
            "copy the image into the conference's content folder",
        )
        return None
    if not path.is_relative_to(root.resolve()):
        problems.add(
            pos,
            f"image '{src}' is outside the project",
            "copy the image into the conference's content folder",
        )
        return None
    if not path.is_file():
        problems.add(
            pos,
            f"image '{src}' does not exist",
            f"looked for {path.relative_to(root.resolve()).as_posix()}",
        )
        return None
    if path.suffix.lower() not in IMAGE_TYPES:
        problems.add(
            pos,
            f"image '{src}' is not a picture format we publish",
            f"use one of: {', '.join(sorted(IMAGE_TYPES))}",
        )
        return None
    if path.stat().st_size > MAX_IMAGE_BYTES:
        problems.add(
            pos,
            f"image '{src}' is larger than {MAX_IMAGE_BYTES // 1_000_000} MB",
            "resize or compress it",
        )
        return None
    return path


def _pos(
    narrative: Narrative,
    lines: list[str],
    line: int,
    needle: str,
    after: dict[int, int] | None = None,
) -> Pos:
    """Find needle on a body line; with `after`, repeats get their own columns.

    The search looks at _SEARCH characters from where the last one ended: a 2 MB
    line with 20 000 links must not cost 20 000 scans of the line.
    """
    text = lines[line] if line < len(lines) else ""
    start = after.get(line, 0) if after is not None else 0
    found = text.find(needle, start, start + _SEARCH + len(needle))
    if found < 0 and start:
        found = text.find(needle, 0, _SEARCH + len(needle))
    if after is not None and found >= 0:
        after[line] = found + len(needle)
    return Pos(
        narrative.path, narrative.body_line + line, found + 1 if found >= 0 else 1
    )
