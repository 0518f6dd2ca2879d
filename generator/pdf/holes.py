"""Pages without holes: figures that do not fit where they stand wait for the text.

CSS paged media has no float to the top of the next page, and a figure is never
split, so one that does not fit the rest of a page would leave a hole there (its
heading too, which never ends a page). After laying a brief out, ``fill_holes``
looks at every page after the contents: when one is empty over its lower ``AIM``
(above its footnotes, if any) and the next starts with a figure (perhaps after a
heading), the figure moves after the paragraph that follows it, whose lines can
fill the hole (LaTeX's deferred floats, one paragraph at a time, past a subheading
if need be, never out of its section); a figure with no paragraph after it in its
section is printed smaller, down to ``SMALLEST`` of its width, if that makes it
fit. The brief is laid out again, at most ``PASSES`` times, and the layout with
the fewest and smallest holes is kept. The last page, and in a series brief the last
page before each part, may end where its content ends.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

AIM = 0.18  # act well before the promise (35 %): a gap a reader notices
PASSES = 4
SMALLEST = 0.8  # chart text stays at 7 pt or more (8.8 pt at full size)
FIGURE_MARGIN = 5 * 96 / 25.4  # brief.css: figure.figure { margin: 5mm 0 }, in px
FLOWING = frozenset({"p", "ul", "ol", "blockquote", "dl", "pre", "div"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
     "source", "track", "wbr"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PageFill:
    """How full one laid-out page is, and what starts the next."""

    blank: float  # the empty fraction at the bottom of the content area
    space: float  # that empty height, in CSS px
    may_end_short: bool  # the cover, the contents, the last page, a part's end
    opens_with: str  # id of a figure at the top of the page (after headings), or ""
    heading_height: float  # what stands above that figure on the page, CSS px
    figure_height: float  # the figure's own height, CSS px


def fill_holes(html: str, render: Callable[[str], Any]) -> Any:
    """Lay html out with render(html), moving or shrinking figures to fill holes.

    Stops at the first layout that is no better than the best so far.
    """
    best = render(html)
    pages = measure_pages(best)
    best_score = _score(pages)
    moved: dict[str, int] = {}
    for _ in range(PASSES):
        changed = _fix(html, pages, moved)
        if changed == html:
            break
        document = render(changed)
        pages = measure_pages(document)
        score = _score(pages)
        if score >= best_score:
            break
        html, best, best_score = changed, document, score
    return best


def _score(pages: list[PageFill]) -> tuple[int, float]:
    holes = [p.blank for p in pages if not p.may_end_short and p.blank >= AIM]
    return len(holes), sum(holes)


def _fix(html: str, pages: list[PageFill], moved: dict[str, int]) -> str:
    for page, following in itertools.pairwise(pages):
        if page.may_end_short or page.blank < AIM or not following.opens_with:
            continue
        ident = following.opens_with
        if moved.get(ident, 0) < 2:
            deferred = defer_figure(html, ident)
            if deferred is not None:
                moved[ident] = moved.get(ident, 0) + 1
                html = deferred
                continue
        # Headings keep their size; the figure's margins (5 mm each) come along.
        room = page.space - following.heading_height - 2 * FIGURE_MARGIN - 4
        scale = room / following.figure_height
        if SMALLEST <= scale < 1:
            html = shrink_figure(html, ident, scale)
    return html


def measure_pages(document: Any) -> list[PageFill]:
    """Measure each page of a WeasyPrint document: its hole and what opens it."""
    found = []
    last = len(document.pages) - 1
    after_contents = False
    for number, page in enumerate(document.pages):
        box = page._page_box
        top = box.content_box_y()
        height = box.height
        leaves = list(_leaves(box))
        bottom = max((b.position_y + b.margin_height() for b, _ in leaves), default=top)
        # Footnotes sit at the page's foot: the room left is above them.
        notes = [
            c for c in box.children if _kind(c) == "FootnoteAreaBox" and c.children
        ]
        limit = min((n.position_y for n in notes), default=top + height)
        contents = any("toc" in _classes(e).split() for _, p in leaves for e in p)
        after_contents = after_contents or contents
        may_end_short = (
            not after_contents
            or contents
            or number == last
            or _starts_part(document, number + 1)
        )
        ident, before, figure = _opening_figure(leaves)
        found.append(
            PageFill(
                blank=max(0.0, (limit - bottom) / height),
                space=max(0.0, limit - bottom),
                may_end_short=may_end_short,
                opens_with=ident,
                heading_height=before,
                figure_height=figure,
            )
        )
    return found


def _starts_part(document: Any, number: int) -> bool:
    """True when page number opens a part of a series brief (or does not exist)."""
    if number >= len(document.pages):
        return True
    for _, path in _leaves(document.pages[number]._page_box):
        return any("part-head" in _classes(e) for e in path)
    return False


def _leaves(page_box: Any) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Lines and images of a page's content, with the elements they lie in."""

    def walk(box: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, tuple[Any, ...]]]:
        element = getattr(box, "element", None)
        here = (*path, element) if element is not None and (
            not path or path[-1] is not element) else path  # fmt: skip
        name = type(box).__name__
        if name in ("LineBox", "BlockReplacedBox", "InlineReplacedBox"):
            yield box, here
            return
        for child in getattr(box, "children", None) or ():
            yield from walk(child, here)

    for child in page_box.children:
        if _kind(child) not in ("MarginBox", "FootnoteAreaBox"):
            yield from walk(child, ())


def _kind(box: Any) -> str:
    return type(box).__name__


def _classes(element: Any) -> str:
    return f"{element.tag} {element.get('class') or ''}"


def _is_figure(element: Any) -> bool:
    return bool(element.tag == "figure" and "figure" in (element.get("class") or ""))


def _opening_figure(
    leaves: list[tuple[Any, tuple[Any, ...]]],
) -> tuple[str, float, float]:
    """The figure a page opens with, after headings only.

    Returns its id, the height of what comes before it (headings), and its own.
    """
    if not leaves:
        return "", 0.0, 0.0
    top = leaves[0][0].position_y
    for _, path in leaves:
        figure = next((e for e in path if _is_figure(e)), None)
        if figure is not None:
            mine = [b for b, p in leaves if figure in p]
            start = min(b.position_y for b in mine)
            end = max(b.position_y + b.margin_height() for b in mine)
            return figure.get("id") or "", start - top, end - start
        if not any(re.fullmatch(r"h[1-6]", e.tag) for e in path):
            break
    return "", 0.0, 0.0


@dataclass(slots=True)
class _Span:
    tag: str
    attrs: dict[str, str]
    start: int
    end: int = -1
    children: list[_Span] | None = None


class _Spans(HTMLParser):
    """The elements of our own (well-formed) HTML, with their offsets in it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.lines = [0]
        for line in html.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.root = _Span("#root", {}, 0, len(html), [])
        self.stack = [self.root]
        self.by_id: dict[str, tuple[_Span, _Span]] = {}  # id: (element, parent)
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        span = _Span(tag, {k: v or "" for k, v in attrs}, start, -1, [])
        parent = self.stack[-1]
        assert parent.children is not None
        parent.children.append(span)
        if "id" in span.attrs:
            self.by_id[span.attrs["id"]] = (span, parent)
        if tag in _VOID:
            span.end = start + len(raw)
        else:
            self.stack.append(span)

    def handle_endtag(self, tag: str) -> None:
        start = self._offset()
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                self.stack[depth].end = self.html.index(">", start) + 1
                del self.stack[depth:]
                return


def defer_figure(html: str, ident: str) -> str | None:
    """Move the figure with this id after the paragraph (list…) that follows it.

    The figure may pass a subheading (h3 to h6) on the way, as floats do in print,
    but never leaves its section.
    """
    spans = _Spans(html)
    if ident not in spans.by_id:
        return None
    figure, parent = spans.by_id[ident]
    siblings = parent.children or []
    after = siblings[siblings.index(figure) + 1 :]
    while after and re.fullmatch(r"h[3-6]", after[0].tag):
        after = after[1:]
    if not after or after[0].tag not in FLOWING or after[0].end < 0:
        return None
    following = after[0]
    return (
        html[: figure.start]
        + html[figure.end : following.end]
        + "\n"
        + html[figure.start : figure.end]
        + html[following.end :]
    )


def shrink_figure(html: str, ident: str, scale: float) -> str:
    """Print the figure with this id at scale times its width."""
    spans = _Spans(html)
    if ident not in spans.by_id:
        return html
    figure, _ = spans.by_id[ident]
    inner = html[figure.start : figure.end]
    resized = re.sub(
        r'style="width: ([\d.]+)pt"',
        lambda m: f'style="width: {float(m.group(1)) * scale:.1f}pt"',
        inner,
        count=1,
    )
    return html[: figure.start] + resized + html[figure.end :]
