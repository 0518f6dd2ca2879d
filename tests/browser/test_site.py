"""The published site in a real browser: navigation, search, keyboard, mobile, axe.

Pages load from disk (file://), as a reader who opens output/index.html gets them;
one test serves output/ over HTTP on 127.0.0.1, as a static host would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import axe_problems, open_file

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}
CONF = "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
# One page of every type the site has.
PAGES = {
    "home": "index.html",
    "conference": f"{CONF}/index.html",
    "series": SERIES,
    "404": "404.html",
    "search": "search.html",
    "search-results": "search.html?q=tre+em",
}


def test_home_leads_to_a_conference_and_its_pdf(page: Page, built_site: Path) -> None:
    open_file(page, built_site, "index.html")
    expect(page.locator("h1")).to_have_count(1)
    page.locator(f"a[href='{CONF}/index.html']", has_text="Xem chi tiết").click()
    expect(page).to_have_url((built_site / CONF / "index.html").as_uri())
    expect(page.locator("h1")).to_contain_text("6 tháng đầu năm 2024")
    csv_link = page.locator(f"a[href='{CONF}.csv']").first
    expect(csv_link).to_be_visible()
    pdfs = sorted(built_site.rglob("*.pdf"))
    if pdfs:  # PDF briefs are optional in a build; when made, the page links its own
        link = page.locator("main a[href$='.pdf']").first
        expect(link).to_be_visible()
        href = link.get_attribute("href")
        assert href is not None and href.endswith(".pdf")
        assert (built_site / CONF / href).resolve().is_file()


def test_search_ignores_diacritics(page: Page, built_html: Path) -> None:
    open_file(page, built_html, "search.html")
    expect(page.locator("#search-nojs")).to_be_hidden()
    box = page.get_by_label("Từ khóa tìm kiếm")
    box.fill("tre em")
    results = page.locator("#search-results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-results mark").first).to_have_text(
        "trẻ em", ignore_case=True
    )
    expect(page.locator("#search-status")).to_contain_text("kết quả")

    box.fill("xam hai")
    expect(page.locator("#search-results mark").first).to_have_text(
        "xâm hại", ignore_case=True
    )
    first = results.first.locator("a")
    href = first.get_attribute("href")
    assert href is not None and href.startswith(f"{CONF}/index.html#")
    first.click()
    expect(page).to_have_url(
        (built_html / href.split("#")[0]).as_uri() + "#" + href.split("#")[1]
    )

    open_file(page, built_html, "search.html")
    page.get_by_label("Từ khóa tìm kiếm").fill("khong co tu nay zzqx")
    expect(page.locator("#search-status")).to_contain_text("Không tìm thấy")
    expect(results).to_have_count(0)


def test_header_search_box_opens_the_results(page: Page, built_html: Path) -> None:
    open_file(page, built_html, f"{CONF}/index.html")
    page.locator("#site-search-q").fill("duoi nuoc")
    page.locator("#site-search-q").press("Enter")
    expect(page.locator("#search-q")).to_have_value("duoi nuoc")
    expect(page.locator("#search-results mark").first).to_have_text(
        "đuối nước", ignore_case=True
    )


def test_search_without_javascript_points_to_the_list(
    browser: Browser, built_html: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto((built_html / "search.html").as_uri())
        notice = page.locator("#search-nojs")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("JavaScript")
        expect(notice.locator("a")).to_have_attribute("href", "index.html#danh-sach")
        expect(page.locator("#search-form")).to_be_hidden()
    finally:
        context.close()


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(
    page: Page, built_html: Path
) -> None:
    open_file(page, built_html, f"{CONF}/index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    skip = page.locator(".skip-link")
    expect(skip).to_be_in_viewport()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes on from the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_visible_on_links_and_buttons(page: Page, built_html: Path) -> None:
    open_file(page, built_html, "index.html")
    for _ in range(6):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth,"
            " s.boxShadow,"
            " s.backgroundColor]; })()"
        )
        _, outline, width, shadow, _ = style
        assert (outline != "none" and width != "0px") or shadow != "none", style


@pytest.mark.parametrize("width", [360, 375])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_no_horizontal_scroll_on_a_phone(
    browser: Browser, built_html: Path, path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        open_file(page, built_html, path)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth,"
            " document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (
            f"{path} scrolls sideways at {width} px: {widths}"
        )
        # Wide tables scroll inside their own wrapper instead.
        for wrap in page.locator(".table-wrap").all():
            box = wrap.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["375", "1280"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_axe_finds_no_violations(
    browser: Browser,
    built_html: Path,
    axe_script: Path,
    path: str,
    viewport: dict[str, int],
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        open_file(page, built_html, path)
        problems = axe_problems(page, axe_script)
        assert problems == [], "\n".join(problems)
    finally:
        context.close()


def test_key_figures_read_as_cards_at_375px_and_as_a_table_at_1280px(
    browser: Browser, built_html: Path
) -> None:
    for viewport, display in ((MOBILE, "block"), (DESKTOP, "table")):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        try:
            open_file(page, built_html, f"{CONF}/index.html")
            wrap = page.locator("#so-lieu .table-wrap")
            sizes = wrap.evaluate(
                "w => [w.scrollWidth, w.clientWidth,"
                " getComputedStyle(w.querySelector('table')).display]"
            )
            assert sizes[0] <= sizes[1] and sizes[2] == display, (viewport, sizes)
        finally:
            context.close()


def test_a_source_number_opens_the_words_it_cites_on_a_phone(
    browser: Browser, built_html: Path
) -> None:
    # No hover on a phone: the [n] after a topic leads to the source's words,
    # unfolding the list they are in.
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    try:
        open_file(page, built_html, f"{CONF}/index.html")
        ref = page.locator("#thao-luan a.source-ref").first
        target = ref.get_attribute("href") or ""
        assert target.startswith("#trich-")
        quote = page.locator(f"{target} q")
        expect(quote).to_be_hidden()  # folded until asked for
        ref.click()
        expect(quote).to_be_in_viewport()
        assert f"“{quote.inner_text()}”" == ref.get_attribute("title")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["375", "1280"])
def test_screenshots(
    browser: Browser, built_html: Path, artifacts: Path, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    try:
        for name, path in (
            ("home", "index.html"),
            ("conference", f"{CONF}/index.html"),
        ):
            open_file(page, built_html, path)
            page.evaluate("document.fonts.ready")
            shot = artifacts / f"site-{name}-{viewport['width']}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
    finally:
        context.close()


def test_site_works_from_a_static_http_server(page: Page, http_site: str) -> None:
    page.goto(http_site)
    expect(page.locator("h1")).to_have_count(1)
    primary = page.evaluate(
        "getComputedStyle(document.querySelector('.site-brand')).backgroundColor"
    )
    assert primary == "rgb(11, 79, 138)"  # the stylesheet loaded
    page.locator(
        "a[href='hoi-nghi-tre-em-phia-nam-2023/index.html']", has_text="Xem chi tiết"
    ).click()
    expect(page).to_have_url(f"{http_site}hoi-nghi-tre-em-phia-nam-2023/index.html")
    with page.expect_download() as download:
        page.locator("#so-lieu a[href$='.csv']").click()
    assert download.value.suggested_filename == "hoi-nghi-tre-em-phia-nam-2023.csv"
    page.goto(f"{http_site}search.html?q=Quy+Bao+tro")
    expect(page.locator("#search-results mark").first).to_have_text(
        "Quỹ Bảo trợ", ignore_case=True
    )


def test_print_stylesheet_keeps_the_content_and_drops_the_chrome(
    page: Page, built_html: Path
) -> None:
    open_file(page, built_html, f"{CONF}/index.html")
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".site-search", ".toc", ".downloads", ".skip-link"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#so-lieu table")).to_be_visible()
    color = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert color == "rgb(0, 0, 0)"
