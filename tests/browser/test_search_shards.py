"""Search loads only the shards a query needs, from disk and over HTTP.

The real site's index (search/, generator/site/search_index.py) in headless
Chromium: every script the page asks for under search/ is recorded, and must be
the manifest, the shards the query's words need (chosen in Python the same way)
and chunks of the pages shown, nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from generator.formats import fold
from generator.site.search_index import shards_for
from tests.browser.helpers import open_file
from tests.conftest import search_index

pytestmark = pytest.mark.browser

CONF = "hoi-nghi-tre-em-phia-nam-2024"
KNOWN = f"{CONF}/index.html#n-tinh-hinh-tre-em-xam-hai-va-duoi-nuoc"


def _loaded(page: Page) -> list[str]:
    """Record the names of the index files the page asks for, in order."""
    names: list[str] = []
    page.on(
        "request",
        lambda r: (
            names.append(r.url.rsplit("/", 1)[1]) if "/search/" in r.url else None
        ),
    )
    return names


def _expected(built_html: Path, *terms: str) -> set[str]:
    keys = search_index(built_html).manifest["shards"]
    return {f"t-{k}.js" for term in terms for k in shards_for(term, keys)}


@pytest.mark.parametrize("where", ["file", "http"])
def test_a_query_loads_only_the_shards_of_its_words(
    page: Page, built_html: Path, http_site: str, where: str
) -> None:
    loaded = _loaded(page)
    if where == "file":
        open_file(page, built_html, "search.html")
    else:
        page.goto(f"{http_site}search.html")
    box = page.get_by_label("Từ khóa tìm kiếm")
    box.fill("xâm hại")
    results = page.locator("#search-results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#search-results mark").first).to_have_text(
        "xâm hại", ignore_case=True
    )
    hrefs = results.locator("h2 a").evaluate_all("as => as.map(a => a.href)")
    assert any(h.endswith(KNOWN) for h in hrefs)
    shards = {n for n in loaded if n.startswith("t-")}
    assert shards == _expected(built_html, "xam", "hai")
    total = len(list((built_html / "search").glob("t-*.js")))
    assert len(shards) < total / 4  # not the whole index
    chunks = {n for n in loaded if n.startswith("p-")}
    assert chunks and all((built_html / "search" / n).is_file() for n in chunks)
    assert loaded[0] == "manifest.js"

    # Without diacritics: the same results, from the shards already loaded.
    before = len(loaded)
    box.fill("xam hai")
    expect(page.locator("#search-results mark").first).to_have_text(
        "xâm hại", ignore_case=True
    )
    expect(page.locator("#search-status")).to_contain_text("“xam hai”")
    assert results.locator("h2 a").evaluate_all("as => as.map(a => a.href)") == hrefs
    assert loaded[before:] == []


def test_results_come_a_page_at_a_time_and_more_moves_focus(
    page: Page, built_html: Path
) -> None:
    loaded = _loaded(page)
    open_file(page, built_html, "search.html?q=tre+em")
    results = page.locator("#search-results li")
    expect(results).to_have_count(10)
    status = page.locator("#search-status")
    expect(status).to_contain_text("kết quả")
    total = int(status.inner_text().split()[2])  # "Tìm thấy 48 kết quả cho …"
    assert total > 20
    assert {n for n in loaded if n.startswith("t-")} == _expected(
        built_html, "tre", "em"
    )
    assert page.locator("#search-results").get_attribute("aria-busy") is None
    more = page.get_by_role("button", name="Xem thêm kết quả")
    more.click()
    expect(results).to_have_count(20)
    focused = page.evaluate("document.activeElement.closest('li') !== null")
    assert focused  # on the first new result, for keyboard and screen readers
    assert page.evaluate(
        "document.activeElement === document.querySelectorAll("
        "'#search-results li')[10].querySelector('a')"
    )
    while more.is_visible():
        more.click()
    expect(results).to_have_count(total)


def _scan_ranking(built_html: Path, query: str) -> list[str]:
    """Rank as search.js did when it scanned every section's folded text."""

    def starts(text: str, term: str) -> int:  # how often term starts a word, to 20
        padded, needle, count = f" {text}", f" {term}", 0
        at = padded.find(needle)
        while at != -1 and count < 20:
            count += 1
            at = padded.find(needle, at + len(needle))
        return count

    index = search_index(built_html)
    docs = [d for key in sorted(index.chunks) for d in index.chunks[key]]
    phrase = fold(query)
    terms = phrase.split()
    hits = []
    for order, (url, _, section, text) in enumerate(docs):
        folded = fold(f"{section} {text}")
        counts = [starts(folded, term) for term in terms]
        if not all(counts):
            continue
        score = sum(counts) + (5 * starts(folded, phrase) if len(terms) > 1 else 0)
        score += 3 if starts(fold(section), terms[0]) else 0
        hits.append((-score, order, url))
    return [url for *_, url in sorted(hits)]


@pytest.mark.parametrize("query", ["tre em", "Quỹ Bảo trợ", "đuối nước năm"])
def test_shards_rank_as_the_scan_of_every_text_did(
    page: Page, built_html: Path, query: str
) -> None:
    open_file(page, built_html, "search.html")
    page.get_by_label("Từ khóa tìm kiếm").fill(query)
    expect(page.locator("#search-results li").first).to_be_visible()
    more = page.locator("#search-more")
    while more.is_visible():
        count = page.locator("#search-results li").count()
        more.click()
        expect(page.locator("#search-results li")).not_to_have_count(count)
    shown = page.locator("#search-results h2 a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    expected = _scan_ranking(built_html, query)
    assert len(expected) >= 5 and shown == expected
