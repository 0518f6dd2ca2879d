"""Raw HTML in narratives (allow_html): what nh3 keeps, warnings for what it drops."""

from __future__ import annotations

import re

import nh3
from markdown_it.token import Token

from generator.errors import Problems
from generator.i18n import t
from generator.markdown.checks import LINK_SCHEMES, _pos
from generator.model import (
    Narrative,
)

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
        (m.start(1), t("the {name}= attribute", name=m.group(1).lower()))
        for m in _RAW_HANDLER.finditer(html)
    ]
    found += [
        (m.start(1), t("the link to '{scheme}:'", scheme=m.group(1).lower()))
        for m in _RAW_URL.finditer(html)
        if m.group(1).lower() not in LINK_SCHEMES
    ]
    for start, what in sorted(found):
        line = first + html.count("\n", 0, start)
        needle = html[start:].split("\n", 1)[0][:40]
        problems.warn(
            _pos(narrative, lines, line, needle),
            t(
                "raw HTML: <img> without a Markdown picture is removed from the page "
                "(pictures come from ![alt](file) only)"
            )
            if what == "<img>"
            else t("raw HTML: {what} is removed from the page", what=what),
            t(
                "allow_html keeps formatting tags only (b, i, sub, sup, span, table, "
                "…); write images as ![alt](file) and links as [text](url)"
            ),
        )
