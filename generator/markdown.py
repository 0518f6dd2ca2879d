"""Narrative Markdown to HTML, with indicator citations, figure placements and headings.

Syntax beyond CommonMark (documented in docs/content.md):

* ``:ind[id]`` the indicator's value with unit and qualifier ("hơn 20 tỷ đồng"),
  linked to its row in the key-figures table, where its source is given;
  ``:num[id]`` the number alone; ``:prev[id]`` the compared value;
  ``:change[id]`` the change in words ("giảm 31 vụ").
* ``::fig[id]`` on a line of its own places a declared figure.

Raw HTML is off: ``<script>`` in a narrative prints as text. Links may only use
http(s), mailto, tel or relative URLs.
"""

from __future__ import annotations

import functools
import hashlib
import re
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.common.utils import escapeHtml
from markdown_it.utils import EnvType, OptionsDict

from generator.errors import Pos, Problems, did_you_mean
from generator.formats import format_change, format_number, format_quantity, slugify
from generator.model import Entry, Indicator, Narrative

MAX_NESTING = 20
MAX_IMAGE_BYTES = 10_000_000
IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
TIME_BUDGET = 2.0  # seconds to parse one narrative; markdown-it has quadratic corners
_CITE = re.compile(r":(ind|num|prev|change)\[([^\]\n]{1,100})\]")
_FIG = re.compile(r"::fig\[([^\]\n]{1,100})\][ \t]*$")
_SAFE_URL = re.compile(r"^(?:https?:|mailto:|tel:|#|/|\.|[^:/?#]*(?:[/?#]|$))", re.I)
FIGURE_MARK = "\x00fig:"


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
    assets: tuple[tuple[str, Path], ...] = ()  # (path relative to the page, source file)
    cited: frozenset[str] = frozenset()  # indicator ids cited
    links: tuple[tuple[str, Pos], ...] = ()  # relative links, to check after rendering

    @property
    def figure_ids(self) -> list[str]:
        """The ids of the figures placed in this narrative, in order."""
        return [p.id for p in self.parts if isinstance(p, FigureRef)]


def render_narratives(
    entry: Entry, lang: str, problems: Problems, root: Path | None = None
) -> list[RenderedNarrative]:
    """Render every narrative of a conference, reporting unknown ids at their line.

    With the project root given, local images are checked and collected as assets.
    A figure placed twice is a warning; one placed nowhere goes at the page's end.
    """
    rendered = [render_narrative(entry, n, lang, problems, root) for n in entry.narratives]
    _warn_unused_indicators(entry, rendered, problems)
    placed: set[str] = set()
    for item in rendered:
        for part in item.parts:
            if isinstance(part, FigureRef):
                if part.id in placed:
                    problems.warn(part.pos, f"figure '{part.id}' is placed more than once",
                                  "place each figure once; remove this ::fig line")
                placed.add(part.id)
    return rendered


def render_narrative(
    entry: Entry,
    narrative: Narrative,
    lang: str,
    problems: Problems,
    root: Path | None = None,
) -> RenderedNarrative:
    """Render one narrative's Markdown body."""
    md = _markdown()
    indicators = {i.id: i for i in entry.data.indicators}
    figures = {f.id for f in entry.data.figures}
    env: dict[str, Any] = {"indicators": indicators, "lang": lang}
    try:
        with time_limit(TIME_BUDGET):
            tokens = md.parse(narrative.body, env)
    except TimeoutError:
        problems.add(
            Pos(narrative.path, narrative.body_line),
            f"narrative took longer than {TIME_BUDGET:g} s to read and was left out",
            "look for very long runs of *, _, [ or | characters, or very wide tables; "
            "split the text into smaller pieces",
        )
        return RenderedNarrative(narrative, (), ())
    lines = narrative.body.split("\n")
    headings = _prepare_headings(tokens, section_id(narrative))
    figure_refs = _check_references(tokens, narrative, lines, indicators, figures, problems)
    assets, links = _collect_media(tokens, narrative, lines, root, problems)
    html = md.renderer.render(tokens, md.options, env)
    parts: list[str | FigureRef] = []
    for i, piece in enumerate(html.split(FIGURE_MARK)):
        if i:
            ident, _, piece = piece.partition("\x00")
            parts.append(figure_refs[ident])
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
    """Return the HTML id of a narrative's section; prefixed so it can't clash with the page's."""
    return f"n-{narrative.slug}"


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after seconds (main thread only; else no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expire(signum: int, frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: bool(_SAFE_URL.match(url.strip()))  # type: ignore[method-assign]
    md.block.ruler.before("paragraph", "figure_ref", _figure_block, {"alt": ["paragraph"]})
    md.inline.ruler.before("emphasis", "indicator_ref", _cite_inline)
    md.add_render_rule("indicator_ref", _render_cite)
    md.add_render_rule("figure_ref", _render_figure)
    return md


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
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    indicator: Indicator | None = env["indicators"].get(token.meta["id"])
    if indicator is None:
        return escapeHtml(token.content)  # already reported
    text, derived_note = cite_text(indicator, token.meta["kind"], env["lang"])
    css = "indicator derived" if derived_note else "indicator"
    title = f' title="{escapeHtml(derived_note)}"' if derived_note else ""
    return (
        f'<a class="{css}" href="#chi-so-{indicator.id}"{title}>'
        f"{escapeHtml(text)}</a>"
    )


def cite_text(indicator: Indicator, kind: str, lang: str) -> tuple[str, str]:
    """Return the text a citation shows, and a note when the number is derived."""
    note = indicator.derivation or "" if indicator.derived else ""
    if kind == "num":
        return format_number(indicator.value, lang), note
    if kind == "ind":
        return format_quantity(indicator.value, indicator.unit, indicator.approx, lang), note
    if kind == "change":
        if indicator.change is None:
            return "", ""
        return format_change(indicator.change, indicator.unit, lang), ""
    previous = indicator.previous_value
    if previous is None:
        return "", ""
    note = derivation_note(indicator, lang) if indicator.previous_derived else ""
    return format_quantity(previous, indicator.unit, "exact", lang), note


def derivation_note(indicator: Indicator, lang: str) -> str:
    """Explain a derived compared value: 'tính từ mức giảm 31 vụ'."""
    assert indicator.change is not None
    change = format_change(indicator.change, indicator.unit, lang)
    return f"derived from the stated change ({change})" if lang == "en" else f"tính từ mức {change}"


def _render_figure(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
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
        text = "".join(c.content for c in tokens[i + 1].children or () if c.type in ("text", "code_inline"))
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
                problems.add(pos, f"unknown figure '{ident}'", did_you_mean(ident, figures, "figure id"))
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
                        pos, f"unknown indicator '{ident}'",
                        did_you_mean(ident, indicators, "indicator id"),
                    )
                elif kind in ("prev", "change") and indicator.previous_value is None:
                    problems.add(
                        pos,
                        f"indicator '{ident}' has no compared value for :{kind}[]",
                        "give the indicator `change` or `previous` with `compared_to`",
                    )
    return refs


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
    for token in tokens:
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if not _SCHEME.match(href):
                    links.append((href, _pos(narrative, lines, line, href)))
            elif child.type == "image" and root is not None:
                src = str(child.attrGet("src") or "")
                if _SCHEME.match(src):
                    continue  # remote: linked from HTML, never fetched by the build
                pos = _pos(narrative, lines, line, src)
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
        problems.add(pos, f"image path '{src}' must be relative to the narrative",
                     "put the image in the conference's content folder and write its name")
        return None
    path = (root / narrative.path.parent / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        problems.add(pos, f"image '{src}' is outside the project",
                     "copy the image into the conference's content folder")
        return None
    if not path.is_file():
        problems.add(pos, f"image '{src}' does not exist",
                     f"looked for {path.relative_to(root.resolve()).as_posix()}")
        return None
    if path.suffix.lower() not in IMAGE_TYPES:
        problems.add(pos, f"image '{src}' is not a picture format we publish",
                     f"use one of: {', '.join(sorted(IMAGE_TYPES))}")
        return None
    if path.stat().st_size > MAX_IMAGE_BYTES:
        problems.add(pos, f"image '{src}' is larger than {MAX_IMAGE_BYTES // 1_000_000} MB",
                     "resize or compress it")
        return None
    return path


def _pos(
    narrative: Narrative,
    lines: list[str],
    line: int,
    needle: str,
    after: dict[int, int] | None = None,
) -> Pos:
    """Find needle on a body line; with `after`, repeated needles get their own columns."""
    text = lines[line] if line < len(lines) else ""
    start = after.get(line, 0) if after is not None else 0
    found = text.find(needle, start)
    if found < 0:
        found = text.find(needle)
    if after is not None and found >= 0:
        after[line] = found + len(needle)
    return Pos(narrative.path, narrative.body_line + line, found + 1 if found >= 0 else 1)
