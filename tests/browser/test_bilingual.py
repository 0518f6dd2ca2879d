"""The language switcher in a real browser, and axe on the English pages.

Pages load from disk (file://), as in test_site.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import axe_problems, open_file

pytestmark = pytest.mark.browser

CONF = "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ENGLISH_PAGES = {
    "conference": f"en/{CONF}/index.html",
    "home": "en/index.html",
    "series": f"en/{SERIES}",
    "search-results": "en/search.html?q=children",
}


def test_switcher_leads_to_the_english_page_and_back(
    page: Page, built_html: Path
) -> None:
    open_file(page, built_html, f"{CONF}/index.html")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url((built_html / "en" / CONF / "index.html").as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(
        "Conference reviewing child affairs, first half of 2024"
    )
    expect(page.locator(".site-nav a[aria-current]")).to_have_count(0)
    # An untranslated narrative shows, in Vietnamese, under its note.
    fallback = page.locator("#n-noi-dung-thao-luan")
    expect(fallback).to_have_attribute("lang", "vi")
    expect(fallback.locator(".translation-note")).to_be_visible()
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page).to_have_url((built_html / CONF / "index.html").as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_english_navigation_stays_in_english(page: Page, built_html: Path) -> None:
    open_file(page, built_html, f"en/{CONF}/index.html")
    page.locator(".site-nav").get_by_role("link", name="Home").click()
    expect(page).to_have_url((built_html / "en" / "index.html").as_uri())
    page.locator(".conference-card a.button").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "/en/" in page.url


def test_english_search_finds_english_words(page: Page, built_html: Path) -> None:
    open_file(page, built_html, "en/search.html?q=drowning")
    first = page.locator("#search-results li a").first
    expect(first).to_be_visible()
    first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.startswith((built_html / "en" / CONF / "index.html").as_uri())


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["375", "1280"])
@pytest.mark.parametrize("path", ENGLISH_PAGES.values(), ids=ENGLISH_PAGES.keys())
def test_axe_finds_no_violations_on_english_pages(
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
        width = page.evaluate(
            "document.documentElement.scrollWidth"
            " <= document.documentElement.clientWidth"
        )
        assert width, f"{path} scrolls sideways at {viewport['width']} px"
    finally:
        context.close()
