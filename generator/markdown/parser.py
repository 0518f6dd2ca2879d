"""markdown-it-py with our syntax: citations, figure places, limits on its input.

markdown-it has costly corners (runs of emphasis markers, unclosed brackets, wide
tables): its time grows with the markup in a text, up to about 20 µs a character on
the 2-core development machine (bench/pathological.py). So a narrative is refused,
with the limit it passes, before it is parsed, by rules that depend only on its
text (``check_limits``): the same file is accepted or refused on any machine, in
``build``, ``check`` and the preview alike. Within the limits the worst input
known renders in about a second there. A generous wall-clock timeout
(``SAFETY_SECONDS``, main thread only) is left as a safety net against a corner
nobody has found yet, with its own message.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from generator.i18n import t
from generator.model import (
    Indicator,
    change_text,
    derivation_note,
    number_text,
    previous_text,
    quantity_text,
)
from generator.model.anchors import ANCHORS

MAX_NESTING = 32  # block levels: a list level takes two, so lists nest 15 deep
MAX_MARKUP = 50_000  # characters that can start or end a construct, per narrative
MARKUP = frozenset("*_~[]()<>!|&`:\\")
MAX_LINES = 40_000  # lines of one narrative
MAX_COLUMNS = 64  # '|' on one line: the width of a table
MAX_RUN = 1_000  # one marker repeated (******…)
_RUN = re.compile(rf"([*_~`\[\]|:<>!])\1{{{MAX_RUN},}}")
_CITE = re.compile(r":(ind|num|prev|change)\[([^\]\n]{1,100})\]")
_FIG = re.compile(r"::fig\[([^\]\n]{1,100})\][ \t]*$")
FIGURE_MARK = "\x00fig:"
SAFETY_SECONDS = 60.0  # never reached within the limits: a bug if it is


@dataclass(frozen=True, slots=True)
class OverLimit:
    """A limit a narrative passes: on which line of its body (0-based), and how."""

    line: int
    message: str


def check_limits(body: str) -> OverLimit | None:
    """The first limit the text passes, or None; it depends on the text alone."""
    lines = body.split("\n")
    if len(lines) > MAX_LINES:
        return OverLimit(
            MAX_LINES,
            t(
                "the narrative has {lines:,} lines, over {most:,}",
                lines=len(lines),
                most=MAX_LINES,
            ),
        )
    markup = 0
    for number, line in enumerate(lines):
        pipes = line.count("|")
        if pipes > MAX_COLUMNS:
            return OverLimit(
                number,
                t(
                    "a table row has {pipes} '|', over {most} (the widest table a "
                    "page or a brief can show)",
                    pipes=pipes,
                    most=MAX_COLUMNS,
                ),
            )
        run = _RUN.search(line)
        if run is not None:
            return OverLimit(
                number,
                t(
                    "'{character}' is repeated {times:,} times in a row, over {most:,}",
                    character=run.group(1),
                    times=len(run.group(0)),
                    most=MAX_RUN,
                ),
            )
        markup += sum(line.count(c) for c in MARKUP)
        if markup > MAX_MARKUP:
            return OverLimit(
                number,
                t(
                    "the narrative has over {most:,} characters that Markdown reads "
                    "as markup (* _ ~ [ ] ( ) < > ! | & ` : \\)",
                    most=MAX_MARKUP,
                ),
            )
    return None


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after seconds (main thread only).

    The safety net only: acceptance depends on ``check_limits``, never on time.
    """
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


# In running prose a derived number carries a short mark; its link leads to the
# key-figures row that says how it was computed (the PDF makes it a footnote).
DERIVED_MARK = "*"
DERIVED_WORDS = {
    "vi": ("tính toán", "Số liệu tính toán"),
    "en": ("derived", "Derived value"),
}


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
    if derived_note and token.meta["kind"] == "prev" and _said(tokens, derived_note):
        derived_note = ""  # the author wrote the derivation beside it
    href = f"#{ANCHORS.indicator}{indicator.id}"
    if not derived_note:
        return f'<a class="indicator" href="{href}">{escapeHtml(text)}</a>'
    short, long = DERIVED_WORDS.get(env["lang"], DERIVED_WORDS["vi"])
    return (
        f'<a class="indicator derived" href="{href}" '
        f'title="{escapeHtml(f"{long}: {derived_note}")}">{escapeHtml(text)}'
        f'<sup class="derived-ref" aria-hidden="true">{DERIVED_MARK}</sup>'
        f'<span class="visually-hidden"> ({short})</span></a>'
    )


def _said(tokens: list[Token], note: str) -> bool:
    """Tell whether the paragraph of a citation already says note, in its own words.

    The rule (docs/content.md, "Citing numbers"): a compared value derived from
    the change is marked, and explained, unless the same paragraph already writes
    the explanation ("tính từ mức giảm 43 vụ"), up to case and spacing.
    """
    text = " ".join(t.content for t in tokens if t.type == "text")
    return _fold(note) in _fold(text)


def _fold(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    return " ".join(text.split()).casefold()


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


def _render_figure(
    self: RendererHTML,
    tokens: list[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    return f"{FIGURE_MARK}{tokens[idx].meta['id']}\x00"
