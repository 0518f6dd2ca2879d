"""The delegate bundle in a real browser: unzipped, opened from disk, used.

The `page` fixture fails a test on any script error and on any request that is not a
local file, so these tests also show that the bundle needs no network.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from generator.build.bundle import BundleOptions, make_bundle
from tests.conftest import copy_project

pytestmark = pytest.mark.browser

TOP = "ky-yeu-hoi-nghi-cong-tac-tre-em-2024-06-30"
CONF = "hoi-nghi-tre-em-phia-nam-2024"


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project bundled (HTML and data; PDFs are tested in e2e), unzipped."""
    base = tmp_path_factory.mktemp("bundle-browser")
    root = copy_project(base / "project")
    summary = make_bundle(root, BundleOptions(output=base / "delegates.zip", pdf=False))
    dest = base / "unzipped"
    with zipfile.ZipFile(summary.path) as archive:
        archive.extractall(dest)
    return dest / TOP


def test_index_opens_from_disk_and_leads_to_a_conference(
    page: Page, unzipped: Path
) -> None:
    page.goto((unzipped / "index.html").as_uri())
    expect(page.locator("h1")).to_have_count(1)
    page.locator(f"a[href='{CONF}/index.html']", has_text="Xem chi tiết").click()
    expect(page).to_have_url((unzipped / CONF / "index.html").as_uri())
    expect(page.locator("h1")).to_contain_text("6 tháng đầu năm 2024")
    # the stylesheet and the web fonts load from the unzipped folder
    ink = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--ink')"
    )
    assert ink.strip() == "#1b1f24"
    loaded = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts]"
        ".filter(f => f.status === 'loaded').map(f => f.family))"
    )
    assert any("Noto" in family for family in loaded), loaded
    csv_link = page.locator(f"a[href='{CONF}.csv']").first
    expect(csv_link).to_be_visible()


def test_search_from_disk_finds_words_typed_without_accents(
    page: Page, unzipped: Path
) -> None:
    page.goto((unzipped / CONF / "index.html").as_uri())
    page.locator("#site-search-q").fill("tre em")
    page.locator("#site-search-q").press("Enter")
    expect(page).to_have_url(f"{(unzipped / 'search.html').as_uri()}?q=tre+em")
    expect(page.locator("#search-nojs")).to_be_hidden()
    results = page.locator("#search-results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-results mark").first).to_have_text(
        "trẻ em", ignore_case=True
    )
    first = results.first.locator("a")
    href = first.get_attribute("href")
    assert href is not None
    first.click()
    target, _, anchor = href.partition("#")
    expected = (unzipped / target).as_uri() + (f"#{anchor}" if anchor else "")
    expect(page).to_have_url(expected)
    assert (unzipped / target).is_file()
