"""Phones and desktops in Chromium: charts, tables and type, measured, not eyeballed.

At 320, 390 and 1366 px (and at every width where the chart changes its drawing):
chart text between 11 px and the body text's size, every cell of the page's data
tables on screen, no sideways scrolling, no document number or number with its unit
broken across lines, the theme's own fonts. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions
from tests.browser.helpers import open_file
from tests.conftest import copy_project

pytestmark = pytest.mark.browser

WIDTHS = [320, 390, 1366]
S23, S24 = "hoi-nghi-tre-em-phia-nam-2023", "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
PAGES = {
    "home": "index.html",
    "conference": f"{S24}/index.html",
    "conference-2023": f"{S23}/index.html",
    "series": SERIES,
}
WITH_FIGURES = [
    f"{S23}/index.html",
    f"{S24}/index.html",
    SERIES,
    f"en/{S23}/index.html",
]
# Every width from 320 to 1440 where a chart's drawing or column changes, each side.
EDGES = [
    320, 360, 390, 408, 409, 480, 540, 541, 600, 639, 640, 768, 1023, 1024, 1366, 1440
]  # fmt: skip
WIDE_TABLE = (
    "---\ntitle: Bảng rộng\n---\n\n| "
    + " | ".join(f"Cột số {i} có tiêu đề dài" for i in range(9))
    + " |\n|"
    + "---|" * 9
    + "\n| "
    + " | ".join(f"Giá trị {i} 1.317 vụ" for i in range(9))
    + " |\n\nĐường dẫn rất dài https://example.gov.vn/"
    + "a" * 120
    + " và từ rất dài "
    + "Đ" * 80
    + ".\n"
)


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project plus a narrative with a very wide table, a URL, a long word."""
    root = copy_project(tmp_path_factory.mktemp("phones") / "site")
    (root / "content" / S24 / "zz-bang-rong.md").write_text(WIDE_TABLE, "utf-8")
    build_site(root, BuildOptions(output=root / "output", pdf=False))
    return root / "output"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def show(page: Page, site: Path, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    open_file(page, site, path)
    page.wait_for_function(
        "[...document.images].every(i => i.complete && i.naturalWidth > 0)"
    )


# --- charts -------------------------------------------------------------------------

CHART_TEXT = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  return {body, images: [...document.querySelectorAll('.figure img')].map(i => ({
    src: i.currentSrc, width: i.clientWidth}))};
}"""


def svg_text_sizes(svg: Path) -> tuple[float, list[float]]:
    """The width of an SVG's viewBox and the font size of each of its texts."""
    root = ET.parse(svg).getroot()
    view = (root.get("viewBox") or "").split()
    sizes = [
        float(m.group(1))
        for t in root.iter("{http://www.w3.org/2000/svg}text")
        if (m := re.search(r"font-size: ([\d.]+)px", t.get("style") or ""))
    ]
    return float(view[2]), sizes


def chart_text_px(page: Page) -> tuple[float, list[tuple[str, float, float]]]:
    """The body text's size, and the smallest and largest chart text of each chart."""
    found = page.evaluate(CHART_TEXT)
    measured = []
    for image in found["images"]:
        path = Path(unquote(urlsplit(image["src"]).path))
        width, sizes = svg_text_sizes(path)
        scale = image["width"] / width
        measured.append((path.name, min(sizes) * scale, max(sizes) * scale))
    return found["body"], measured


FRAMES = ("-narrow.svg", "-medium.svg")
PICKED = """suffix => [...document.querySelectorAll('.figure img')].every(i =>
  i.complete && i.naturalWidth > 0 && i.currentSrc.endsWith(suffix)
  && (suffix !== '.svg' || !/-(narrow|medium)[.]svg$/.test(i.currentSrc)))"""


def test_chart_text_reads_at_every_width(
    phone: Page, built_html: Path, artifacts: Path
) -> None:
    record: dict[str, dict[str, float]] = {}
    for path in WITH_FIGURES:
        open_file(phone, built_html, path)
        for width in EDGES:
            phone.set_viewport_size({"width": width, "height": 800})
            frame = "narrow" if width <= 408 else "medium" if width <= 540 else ""
            suffix = f"-{frame}.svg" if frame else ".svg"
            # The browser picks a <picture>'s source after the resize, not at once:
            # wait for the one this width should show (the assertion below says
            # which chart did not get there).
            with contextlib.suppress(PlaywrightTimeout):
                phone.wait_for_function(PICKED, arg=suffix, timeout=15_000)
            body, charts = chart_text_px(phone)
            assert charts, path
            for name, smallest, largest in charts:
                where = f"{path} at {width} px, {name}"
                assert smallest >= 11, f"{where}: text {smallest:.1f} px"
                assert largest <= body, f"{where}: text {largest:.1f} px > {body}"
                assert name.endswith(suffix), where
                assert suffix != ".svg" or not name.endswith(FRAMES), where
            row = record.setdefault(str(width), {"smallest": 99.0, "largest": 0.0})
            row["smallest"] = round(min(row["smallest"], *(c[1] for c in charts)), 2)
            row["largest"] = round(max(row["largest"], *(c[2] for c in charts)), 2)
            row["body"] = body
    (artifacts / "chart-text-px.json").write_text(json.dumps(record, indent=1))


def test_charts_are_set_in_the_fonts_they_embed(built_html: Path) -> None:
    for svg in sorted(built_html.glob(f"{S24}/figures/*.svg")):
        text = svg.read_text("utf-8")
        assert "@font-face { font-family: 'Proceedings Sans'" in text
        assert "src: url(data:font/woff;base64," in text


# --- tables -------------------------------------------------------------------------

# Cells of the page's data tables (a narrative's own table scrolls in its frame; a
# card's column headers are hidden, each cell names its column).
CELLS = """() => [...document.querySelectorAll('main table')]
  .filter(t => !t.closest('.table-scroll'))
  .flatMap(t => [...t.querySelectorAll('tbody th, tbody td')])
  .filter(c => c.getClientRects().length)
  .map(c => { const r = c.getBoundingClientRect();
    return {text: c.textContent.trim().slice(0, 40), left: r.left, right: r.right,
            clipped: c.scrollWidth > c.clientWidth + 1}; })"""


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_every_table_cell_is_on_screen_on_a_phone(
    phone: Page, built_html: Path, path: str, width: int
) -> None:
    show(phone, built_html, path, width)
    phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    cells = phone.evaluate(CELLS)  # the figures' data tables too, opened
    for cell in cells:
        assert cell["left"] >= 0 and cell["right"] <= width, (path, width, cell)
        assert not cell["clipped"], (path, width, cell)
    sizes = phone.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"{path} scrolls sideways at {width} px"


def test_key_figures_are_labelled_cards_on_a_phone(
    phone: Page, built_html: Path
) -> None:
    show(phone, built_html, PAGES["conference-2023"], 390)
    row = phone.locator("#chi-so-ban-ghi-chua-lam-sach")
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    labels = row.locator("td").evaluate_all(
        "cs => cs.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels[0] == '"Giá trị"' and '"Nguồn"' in labels
    assert "6\u00a0triệu bản ghi" in row.inner_text()


def test_a_wide_narrative_table_scrolls_in_its_frame_not_the_page(
    phone: Page, wide_site: Path
) -> None:
    for width in (320, 390):
        show(phone, wide_site, f"{S24}/index.html", width)
        sizes = phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert sizes[0] <= sizes[1], f"the page scrolls sideways at {width} px"
    frame = phone.locator(".table-scroll")
    assert frame.get_attribute("role") == "region"
    assert frame.get_attribute("aria-label") == "Bảng 1"
    state = frame.evaluate(
        "f => [f.scrollWidth > f.clientWidth, getComputedStyle(f).overflowX,"
        " getComputedStyle(f).backgroundImage]"
    )
    assert state[0] and state[1] == "auto"
    assert "gradient" in state[2]  # the shadow at the edge with more table
    frame.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function(
        "document.querySelector('.table-scroll').scrollLeft > 0", timeout=5000
    )


# --- type ---------------------------------------------------------------------------

RUNS = """() => [...document.querySelectorAll('main .nw')]
  .filter(s => s.getClientRects().length)
  .map(s => [s.textContent, s.getClientRects().length,
             getComputedStyle(s).whiteSpace])"""


@pytest.mark.parametrize("width", WIDTHS)
def test_document_numbers_dates_and_units_never_break(
    phone: Page, built_html: Path, width: int
) -> None:
    seen: set[str] = set()
    for path in PAGES.values():
        show(phone, built_html, path, width)
        for text, lines, white_space in phone.evaluate(RUNS):
            assert lines == 1 and white_space == "nowrap", (path, width, text)
            seen.add(text)
    assert {
        "13/2021/TT-LĐTBXH",
        "28-CT/TW",
        "1.317\u00a0vụ",
        "9,4\u00a0tỷ đồng",
    } <= seen


def test_a_derived_number_in_prose_has_a_short_mark_linking_to_its_derivation(
    phone: Page, built_html: Path
) -> None:
    show(phone, built_html, PAGES["conference-2023"], 390)
    cite = phone.locator("main section.narrative a.indicator.derived").first
    assert cite.locator(".derived-ref").inner_text() == "*"
    assert "tính bằng" not in cite.inner_text()  # the derivation is not inline
    cite.click()
    row = phone.locator("tr:target")
    assert "Cách tính: tính bằng 23" in row.inner_text()


def test_text_uses_the_theme_fonts_never_a_local_copy(
    browser: Browser, built_html: Path
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        open_file(page, built_html, PAGES["conference-2023"])
        page.evaluate("document.fonts.ready")
        # the small WOFF subsets, never the half-megabyte TTF files the PDF uses
        fonts = [url.rsplit("/static/", 1)[1] for url in fetched if "/fonts/" in url]
        assert "fonts/web/NotoSans-Regular.woff" in fonts, fonts
        assert not [f for f in fonts if f.endswith(".ttf") and "Math" not in f], fonts
        assert page.evaluate("document.fonts.check('16px \"Noto Sans\"', 'Tiếng Việt')")
        session = context.new_cdp_session(page)
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        used: dict[str, set[str]] = {}
        for selector in ("main p", "h1", "#so-lieu q", ".kn-value", "#so-lieu th"):
            node = session.send(
                "DOM.querySelector", {"nodeId": root, "selector": selector}
            )["nodeId"]
            fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})
            for font in fonts["fonts"]:
                assert font["isCustomFont"], (selector, font)
                used.setdefault(selector, set()).add(font["postScriptName"])
        assert any("Italic" in name for name in used["#so-lieu q"]), used
        assert any("NotoSerif-Bold" in name for name in used["h1"]), used
    finally:
        context.close()


# --- screenshots --------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_at_phone_and_desktop_widths(
    phone: Page, built_html: Path, artifacts: Path, width: int
) -> None:
    for name, path in PAGES.items():
        show(phone, built_html, path, width)
        phone.evaluate("document.fonts.ready")
        shot = artifacts / f"phones-{name}-{width}.png"
        phone.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
