"""Headless Chromium for the browser tests: Debian's build, driven by Playwright.

We never download a browser (`playwright install`): the tests use the system
Chromium that `make test` installs with apt. When it is missing the tests fail with
a message saying so; they do not skip, so CI cannot pass without running them.
Every page records the requests it makes; one to anything but a local file or the
test's own loopback server fails the test, so the published site needs no network.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = (
    os.environ.get("PROCEEDINGS_CHROMIUM")
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs the "
            "Debian "
            "package `chromium`), or set PROCEEDINGS_CHROMIUM to its path",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh desktop-sized page; script errors or network use fail the test."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if _is_outside(request.url) else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"pages fetched from the network: {outside}"


def _is_outside(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme not in ("file", "data", "about") and parts.hostname != "127.0.0.1"
    )


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.is_file():
        pytest.fail(
            "node_modules/axe-core is missing: run `make test` (it runs `npm ci`)",
            pytrace=False,
        )
    return AXE


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def http_site(built_html: Path) -> Iterator[str]:
    """output/ served over HTTP on 127.0.0.1, as any static host would serve it."""
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
