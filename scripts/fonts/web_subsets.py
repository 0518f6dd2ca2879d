"""Cut the small WOFF files the site loads from the theme's full Noto TTF files.

The site (site.css) declares two @font-face rules per face: the subset below, with
its unicode-range, and the full TTF for every other character, so a page whose text
stays inside the subset (Vietnamese and English text, punctuation, currency and
number signs) never downloads the full file. The PDF briefs and the charts keep
using the full TTF files. Deterministic: re-running gives identical bytes.

    /work/main/.venv/bin/python scripts/fonts/web_subsets.py          # write the files
    /work/main/.venv/bin/python scripts/fonts/web_subsets.py --css    # print the ranges
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[2] / "themes/default/static/fonts"
WEB = FONTS / "web"
# The faces site.css uses; the rest (Noto Serif regular and italic) only the PDF uses.
FACES = (
    "NotoSans-Regular",
    "NotoSans-Bold",
    "NotoSans-Italic",
    "NotoSans-BoldItalic",
    "NotoSerif-Bold",
    "NotoSerif-BoldItalic",
)
# (first, last) code points of the subset: Basic Latin, Latin-1, Latin Extended-A, the
# Vietnamese letters of Latin Extended-B and Latin Extended Additional, the spacing
# accents and combining marks, general punctuation, currency (₫ U+20AB, € U+20AC),
# № ™, minus, division slash, the dotted circle, BOM and the replacement character.
RANGES = (
    (0x0000, 0x017F),
    (0x0192, 0x0192),
    (0x01A0, 0x01A1),
    (0x01AF, 0x01B0),
    (0x0218, 0x021B),
    (0x02BB, 0x02BC),
    (0x02C6, 0x02C7),
    (0x02D8, 0x02DD),
    (0x0300, 0x0323),
    (0x1EA0, 0x1EF9),
    (0x2000, 0x206F),
    (0x20A0, 0x20C0),
    (0x2113, 0x2113),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
    (0x2212, 0x2212),
    (0x2215, 0x2215),
    (0x25CC, 0x25CC),
    (0xFEFF, 0xFEFF),
    (0xFFFD, 0xFFFD),
)
# The blocks of NotoSansMath-Symbols.ttf (Proceedings Symbols: arrows, minus, ≤ ≥ ▲ ▼),
# where Noto Sans and Noto Serif have no glyph but U+25CC: the full TTF's range leaves
# them out, or a ▲ would download a full file only to find no glyph in it.
SYMBOLS = ((0x2190, 0x22FF), (0x25A0, 0x25FF))


def rest(ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """The code points outside ranges, as ranges (the full TTF's unicode-range)."""
    out: list[tuple[int, int]] = []
    start = 0
    for first, last in sorted(ranges):
        if first > start:
            out.append((start, first - 1))
        start = max(start, last + 1)
    if start <= 0x10FFFF:
        out.append((start, 0x10FFFF))
    return out


def css_range(ranges: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> str:
    """Ranges as a CSS unicode-range value."""
    return ", ".join(
        f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in ranges
    )


def cut(face: str) -> bytes:
    """The WOFF subset of one face: kerning, marks and ligatures kept, no hinting."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.flavor = "woff"
    font = TTFont(FONTS / f"{face}.ttf", recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for a, b in RANGES for c in range(a, b + 1)])
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    """Write the WOFF files, or with --css print the two unicode-range values."""
    if argv == ["--css"]:
        sys.stdout.write(f"subset: {css_range(RANGES)}\n")
        sys.stdout.write(f"full:   {css_range(rest(RANGES + SYMBOLS))}\n")
        return 0
    WEB.mkdir(exist_ok=True)
    for face in FACES:
        data = cut(face)
        (WEB / f"{face}.woff").write_bytes(data)
        sys.stdout.write(f"{face}.woff {len(data):,} bytes\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
