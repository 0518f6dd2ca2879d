"""Chart fonts: the theme's Noto files, how wide text set in them is, what they show.

Charts are laid out with the same font files the site and the PDF briefs use
(``themes/<theme>/static/fonts``, found through the theme chain). matplotlib is told
about exactly these files, whatever is installed on the machine, so a chart's layout
is the same everywhere; each SVG then carries a subset of them (``figures.embed``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.core.context import PACKAGE_THEMES

# The files of the default theme that charts use; a theme may replace them.
FILES = {
    "regular": "NotoSans-Regular.ttf",
    "bold": "NotoSans-Bold.ttf",
    "symbols": "NotoSansMath-Symbols.ttf",  # minus, arrows: Noto Sans lacks them
}
LAYOUT_FONT = "Noto Sans"  # the family name inside the regular and bold files
SYMBOLS_FONT = "Noto Sans Math"  # inside the symbols subset
# The names an SVG gives the subsets it embeds: names of our own, so that no font
# installed on a reader's machine can stand in for them.
SVG_FAMILY, SVG_SYMBOLS = "Proceedings Sans", "Proceedings Symbols"
SVG_FONTS = f"'{SVG_FAMILY}', '{SVG_SYMBOLS}', sans-serif"


@dataclass(frozen=True, slots=True)
class ChartFonts:
    """The font files a site's charts are set in, and a digest of their bytes."""

    regular: Path
    bold: Path
    symbols: Path
    digest: str  # SHA-256 of the three files: a chart's cache key includes it

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        """The three files, regular first."""
        return (self.regular, self.bold, self.symbols)


def chart_fonts(theme_dirs: tuple[Path, ...] = ()) -> ChartFonts:
    """Find the chart fonts in a theme chain (most specific first) or the default."""
    folders = [*(d / "static" / "fonts" for d in theme_dirs)]
    folders.append(PACKAGE_THEMES / "default" / "static" / "fonts")
    found = {
        role: next((f / name for f in folders if (f / name).is_file()), None)
        for role, name in FILES.items()
    }
    paths = [found[role] for role in FILES]
    if any(p is None for p in paths):  # the package always ships them
        raise FileNotFoundError(f"chart fonts missing from {folders[-1]}")
    regular, bold, symbols = (p.resolve() for p in paths if p is not None)
    return ChartFonts(regular, bold, symbols, _digest((regular, bold, symbols)))


def _digest(paths: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(bytes.fromhex(file_digest(path)))
    return digest.hexdigest()


@lru_cache(maxsize=64)
def file_digest(path: Path) -> str:
    """The SHA-256 of a font file (read once per process)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


_registered: list[tuple[Path, ...]] = []


def use_fonts(fonts: ChartFonts) -> None:
    """Make matplotlib lay text out with exactly these files (once per process).

    A copy of Noto Sans installed on the machine, perhaps another version, is
    forgotten, so that the family name can only mean the theme's file.
    """
    if _registered and _registered[-1] == fonts.paths:
        return
    from matplotlib import font_manager

    manager = font_manager.fontManager
    ours = set(fonts.paths)
    for path in fonts.paths:
        if not any(Path(e.fname) == path for e in manager.ttflist):
            manager.addfont(str(path))
    names = {LAYOUT_FONT, SYMBOLS_FONT}
    manager.ttflist = [
        e for e in manager.ttflist if e.name not in names or Path(e.fname) in ours
    ]
    manager._findfont_cached.cache_clear()  # type: ignore[attr-defined]
    _registered.append(fonts.paths)


def text_width(text: str, size: float, bold: bool, fonts: ChartFonts) -> float:
    """Return the width of one line of text in points, as matplotlib will set it."""
    path = fonts.bold if bold else fonts.regular
    key = (text, size, file_digest(path))
    if key not in _WIDTHS:
        if len(_WIDTHS) > 50_000:  # a long preview session: start again
            _WIDTHS.clear()
        _WIDTHS[key] = _width(text, size, str(path))
    return _WIDTHS[key]


# Widths by the font file's contents: layout measures the same labels many times
# over, and build after build.
_WIDTHS: dict[tuple[str, float, str], float] = {}


def _width(text: str, size: float, path: str) -> float:
    from matplotlib.font_manager import get_font

    covered = _chars(path)
    run = "".join(c for c in text if ord(c) in covered)
    width = size * 0.6 * (len(text) - len(run))  # symbols of the fallback font
    if run:
        font = get_font(path)
        font.set_size(size, 72)
        font.set_text(run, 0.0)
        width += font.get_width_height()[0] / 64
    return width


@lru_cache(maxsize=16)
def _chars(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # comes with matplotlib

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    """Code points that the chart fonts can draw in both weights (or as a symbol)."""
    fonts = chart_fonts()
    both = _chars(str(fonts.regular)) & _chars(str(fonts.bold))
    return both | _chars(str(fonts.symbols))


# Blocks the chart fonts cover in full (a test checks): Latin with every Vietnamese
# letter, general punctuation, arrows and maths. Text within them needs no look-up, so
# a build whose figures are all cached never opens the font files.
COVERED = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x1E00, 0x1EFB),
    (0x2000, 0x2064),
    (0x2190, 0x21AE),
    (0x2200, 0x22FF),
)


def uncovered(text: str) -> list[str]:
    """Return the characters of text that the chart fonts have no glyph for."""
    if all(any(lo <= ord(c) <= hi for lo, hi in COVERED) for c in text):
        return []
    chars = _font_chars()
    return sorted({c for c in text if ord(c) not in chars and not c.isspace()})
