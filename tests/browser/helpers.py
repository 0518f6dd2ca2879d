"""Plain helpers the browser tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect


def open_file(page: Page, site: Path, path: str) -> None:
    """Open an output page from disk, with every lazy image loaded."""
    name, _, query = path.partition("?")
    page.goto((site / name).as_uri() + (f"?{query}" if query else ""))
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]')"
        ".forEach(i => { i.loading = 'eager'; })"
    )
    page.wait_for_load_state("load")


def axe_problems(page: Page, axe_script: Path) -> list[str]:
    """Run axe-core on the page (search results shown first); list its violations."""
    if "?q=" in page.url:
        expect(page.locator("#search-results li").first).to_be_visible()
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]
