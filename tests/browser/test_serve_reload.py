"""Live reload in a real browser: Debian's headless Chromium on `proceedings serve`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CONF = "hoi-nghi-tre-em-phia-nam-2024"

pytestmark = pytest.mark.browser


@pytest.fixture
def server(project: Path, tmp_path: Path) -> Iterator[str]:
    """A running `proceedings serve` on a copy of the project; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "--root",
            str(project),
            "serve",
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, (tmp_path / "serve.log").read_text("utf-8")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "server never answered"
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
            log.close()


def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_function("() => document.readyState === 'complete'")
    return page, errors


def wait_until_listening(page: Page) -> None:
    """The page's EventSource is open, so no reload can be missed."""
    page.wait_for_function("() => window.proceedingsPreview?.connected === true")


def test_a_page_reloads_by_itself_after_an_edit(
    server: str, browser: Browser, project: Path
) -> None:
    narrative = project / "content" / CONF / "ghi-chu-trinh-duyet.md"
    narrative.write_text("---\ntitle: Ghi chú\n---\n\nBản đầu.\n", "utf-8")
    time.sleep(0.5)  # let that build pass, so the page opens on it
    page, errors = open_page(browser, server + f"{CONF}/")
    expect(page.locator("main")).to_contain_text("Bản đầu.")
    page.evaluate("() => { window.__notReloaded = true; }")
    wait_until_listening(page)

    marker = f"Văn bản mới {time.monotonic_ns()}"
    narrative.write_text(f"---\ntitle: Ghi chú\n---\n\n{marker}.\n", "utf-8")
    expect(page.locator("main")).to_contain_text(marker, timeout=5000)
    assert page.evaluate("() => window.__notReloaded") is None  # a real reload
    assert errors == []


def test_a_build_error_shows_an_overlay_and_fixing_it_reloads(
    server: str, browser: Browser, project: Path
) -> None:
    data = project / "data" / f"{CONF}.yaml"
    good = data.read_text("utf-8")
    page, errors = open_page(browser, server + f"{CONF}/")
    page.evaluate("() => { window.__notReloaded = true; }")
    wait_until_listening(page)

    lines = good.splitlines(keepends=True)
    data.write_text("".join([*lines[:4], "\tbroken: tab\n", *lines[4:]]), "utf-8")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible(timeout=5000)
    expect(alert).to_contain_text(f"data/{CONF}.yaml:5:1:")
    expect(alert).to_contain_text("hint:")
    assert page.evaluate("() => window.__notReloaded") is True  # shown without a reload
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-overlay.png"))

    # a page opened while the build is broken shows the overlay from the start
    other, _ = open_page(browser, server)
    expect(other.get_by_role("alert")).to_contain_text(f"data/{CONF}.yaml:5:1:")
    other.get_by_role("button", name="Hide").click()
    expect(other.get_by_role("alert")).to_have_count(0)

    data.write_text(good, "utf-8")
    expect(page.get_by_role("alert")).to_have_count(0, timeout=5000)
    page.wait_for_function("() => window.__notReloaded === undefined")
    expect(page.locator("main h1")).to_be_visible()
    assert errors == []
