"""The site's web fonts: small WOFF subsets cover the real text (issue 18, "Scale").

site.css declares each Noto face twice: a WOFF subset and the full TTF for every other
character. A browser downloads the full TTF (half a megabyte) only for a character in
its unicode-range, so no character of the real site may fall there.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "themes/default/static/fonts"
_RULE = re.compile(r"@font-face \{[^}]*\}")
_RANGE = re.compile(r"U\+([0-9A-F]+)(?:-([0-9A-F]+))?")
_HIDDEN = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S)


def script() -> ModuleType:
    path = ROOT / "scripts/fonts/web_subsets.py"
    spec = importlib.util.spec_from_file_location("web_subsets", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def full_ttf_ranges(css: str) -> list[tuple[int, int]]:
    """The unicode-ranges of the rules that load a full Noto TTF."""
    ranges: list[tuple[int, int]] = []
    for rule in _RULE.findall(css):
        if '"Noto' in rule and ".ttf" in rule:
            value = rule.split("unicode-range:")[1]
            for first, last in _RANGE.findall(value):
                ranges.append((int(first, 16), int(last or first, 16)))
    return ranges


def test_the_real_text_never_needs_a_full_font(built_html: Path) -> None:
    css = (built_html / "static/css/site.css").read_text(encoding="utf-8")
    ranges = full_ttf_ranges(css)
    assert len(ranges) > 10  # every Noto rule with a .ttf has a unicode-range
    assert css.count("/web/Noto") == css.count('.ttf") format("truetype"); unicode')
    chars: set[str] = set()
    for page in built_html.rglob("*.html"):
        text = _HIDDEN.sub(" ", page.read_text(encoding="utf-8"))
        chars |= set(html.unescape(re.sub(r"<[^>]+>", " ", text)))
    assert {"ạ", "ư", "đ", "ộ"} <= chars  # the text was really read
    outside = {c for c in chars if any(a <= ord(c) <= b for a, b in ranges)}
    assert not outside, sorted(f"U+{ord(c):04X} {c}" for c in outside)


def test_committed_subsets_are_what_the_script_cuts() -> None:
    web_subsets = script()
    for face in web_subsets.FACES:
        committed = (FONTS / "web" / f"{face}.woff").read_bytes()
        assert committed == web_subsets.cut(face), face
    css = (ROOT / "themes/default/static/css/site.css").read_text(encoding="utf-8")
    assert css.count(web_subsets.css_range(web_subsets.RANGES)) == len(
        web_subsets.FACES
    )
    full = web_subsets.css_range(
        web_subsets.rest(web_subsets.RANGES + web_subsets.SYMBOLS)
    )
    assert css.count(full) == len(web_subsets.FACES)
