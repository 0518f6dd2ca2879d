"""Chart fonts: the one laid out with, the ones an SVG names, and what they can show."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

LAYOUT_FONT = "DejaVu Sans"  # bundled with matplotlib: same metrics on every machine
SVG_FONTS = "'Noto Sans', 'DejaVu Sans', 'Segoe UI', Arial, sans-serif"


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    """Code points that both the regular and bold layout fonts can draw."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # comes with matplotlib

    # Found without importing matplotlib, which a fully cached build never needs.
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    sets = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(folder / name, lazy=True) as font:
            sets.append(frozenset(font.getBestCmap()))
    return sets[0] & sets[1]


# Blocks the layout fonts cover in full (a test checks): Latin with every Vietnamese
# letter, punctuation, arrows and maths. Text within them needs no look-up, so a build
# whose figures are all cached never loads the font files.
COVERED = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x1E00, 0x1EFB),
    (0x2000, 0x2064),
    (0x2190, 0x22FF),
)


def uncovered(text: str) -> list[str]:
    """Return the characters of text that the chart font has no glyph for."""
    if all(any(lo <= ord(c) <= hi for lo, hi in COVERED) for c in text):
        return []
    chars = _font_chars()
    return sorted({c for c in text if ord(c) not in chars and not c.isspace()})
