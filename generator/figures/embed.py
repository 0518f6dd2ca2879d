"""A drawn SVG made whole: its title and description, and the fonts it is set in.

A browser shows an SVG loaded by ``<img>`` in isolation: it may not use the page's web
fonts, only fonts inside the SVG or installed on the machine. So each SVG carries, as
``@font-face`` rules with ``data:`` URLs, a subset of the theme's Noto files holding
just the glyphs its text uses (a few kilobytes, WOFF). The subsets keep the kerning:
matplotlib laid the text out with it (through libraqm), and the browser must set it
the same way, or it would no longer fit where it was placed. The PDF stage removes
these rules (``FONT_STYLE_ID``) and sets the text in the brief's own copies of the
same files.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator.figures.fonts import (
    COVERED,
    LAYOUT_FONT,
    SVG_FAMILY,
    SVG_FONTS,
    SVG_SYMBOLS,
    SYMBOLS_FONT,
    ChartFonts,
    _chars,
    file_digest,
)

FONT_STYLE_ID = "chart-fonts"  # the <style> the PDF stage removes
# Kerning, as libraqm applied it for matplotlib. Vietnamese text is NFC, set with
# precomposed glyphs, so the mark and composition features have nothing to do; the
# rest of GSUB and GPOS would double the time a subset takes.
FEATURES = ("kern",)
_TEXT = re.compile(r"<text\b([^>]*)>([^<]*)</text>")
_MPL_FAMILY = f"font-family: '{LAYOUT_FONT}', '{SYMBOLS_FONT}'"


def text_runs(svgs: Iterable[str]) -> tuple[str, str]:
    """Return the characters set in regular and in bold type in some SVGs."""
    regular: set[str] = set()
    bold: set[str] = set()
    for svg in svgs:
        for attrs, text in _TEXT.findall(svg):
            chars = set(_unescape(text))
            (bold if "font-weight: 700" in attrs else regular).update(chars)
    return "".join(sorted(regular)), "".join(sorted(bold))


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def font_faces(fonts: ChartFonts, regular: str, bold: str) -> str:
    """Return @font-face rules embedding subsets of fonts for the given characters."""
    covered = _chars(str(fonts.regular))
    symbols = "".join(c for c in regular + bold if ord(c) not in covered)
    rules = []
    for family, path, chars, weight in (
        (SVG_FAMILY, fonts.regular, regular, 400),
        (SVG_FAMILY, fonts.bold, bold, 700),
        (SVG_SYMBOLS, fonts.symbols, symbols, 400),
    ):
        wanted = "".join(sorted(set(chars) - {" ", "\u00a0"}))
        if not wanted:
            continue
        data = base64.b64encode(_subset(path, wanted)).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
            f"src: url(data:font/woff;base64,{data}) format('woff'); }}"
        )
    return "\n".join(rules)


_SUBSETS: dict[tuple[str, str], bytes] = {}  # (file's SHA-256, chars): WOFF


def _subset(path: Path, chars: str) -> bytes:
    """Subset a font file to chars, as WOFF; the same input gives the same bytes.

    Kept for the life of the process, by the file's contents: subsetting is a
    tenth of a figure's drawing time, and the same labels come back build after
    build (in a test run, in a preview).
    """
    key = (file_digest(path), chars)
    if key not in _SUBSETS:
        if len(_SUBSETS) > 500:  # a long preview session: start again
            _SUBSETS.clear()
        _SUBSETS[key] = _make_subset(path, chars)
    return _SUBSETS[key]


def _make_subset(path: Path, chars: str) -> bytes:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    within = all(any(lo <= ord(c) <= hi for lo, hi in COVERED) for c in chars)
    has = _chars(str(path))  # none at all: an empty font, whose tables differ
    within = within and any(ord(c) in has for c in chars)
    source = io.BytesIO(_base(path)) if within else path
    with TTFont(source, lazy=True, recalcTimestamp=False) as font:
        _subsetter(chars).subset(font)
        font.flavor = "woff"
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


@lru_cache(maxsize=8)
def _base(path: Path) -> bytes:
    """The font file cut down once to the blocks of ``COVERED``, kerning kept.

    A chart's subset is cut from this small font rather than from the whole file,
    whose tables (every script's kerning) take most of a subset's time to read;
    text outside these blocks is cut from the file itself. Subsetting twice gives
    the same bytes as once (a test checks), except for a subset with no glyph at
    all, which is cut from the file.
    """
    from fontTools.ttLib import TTFont

    blocks = "".join(chr(c) for lo, hi in COVERED for c in range(lo, hi + 1))
    with TTFont(path, lazy=True, recalcTimestamp=False) as font:
        _subsetter(blocks, flavor=None).subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _subsetter(chars: str, flavor: str | None = "woff") -> Any:
    from fontTools import subset  # type: ignore[import-untyped]

    options = subset.Options()
    options.flavor = flavor
    options.hinting = False  # smaller; screens at these sizes do not need it
    options.layout_features = list(FEATURES)
    options.name_IDs = [1, 2, 4, 6]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    return subsetter


def finish_svg(raw: bytes, ident: str, title: str, desc: str, faces: str) -> bytes:
    """Give a drawn SVG its title, description, fonts and the names of its fonts."""
    text = raw.decode("utf-8").replace(_MPL_FAMILY, f"font-family: {SVG_FONTS}")
    start = text.index("<svg ")
    end = text.index(">", start)
    title_id, desc_id = f"fig-{ident}-title", f"fig-{ident}-desc"
    head = (
        f'{text[start:end]} role="img"'
        f" aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>"
        f'\n <title id="{title_id}">{escape(title)}</title>'
        f'\n <desc id="{desc_id}">{escape(desc)}</desc>'
    )
    if faces:
        head += f'\n <style id="{FONT_STYLE_ID}">\n{faces}\n </style>'
    return (text[:start] + head + text[end + 1 :]).encode("utf-8")
