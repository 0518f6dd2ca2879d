"""Time from saving a narrative to the reloaded page showing it (`proceedings serve`).

Runs the server on a temporary copy of the real project, opens a conference page in
headless Chromium (Debian's, through Playwright), then saves a narrative ten times.
For each save it prints the time until the reloaded page had the new text
(DOMContentLoaded of the new page, read from the page's own clock) and until
Playwright saw it; then the medians. Usage: .venv/bin/python bench/serve_reload.py
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
CONF = "hoi-nghi-tre-em-phia-nam-2024"
ROUNDS = 10
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("site.yaml", "data", "content", "themes"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        elif source.is_file():
            shutil.copy2(source, dest / part)
    return dest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        root = copy_project(Path(tmp) / "site")
        narrative = root / "content" / CONF / "do-thoi-gian.md"
        narrative.parent.mkdir(parents=True, exist_ok=True)
        narrative.write_text("---\ntitle: Đo thời gian\n---\n\nBắt đầu.\n", "utf-8")
        port = free_port()
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "generator",
                    "--root",
                    str(root),
                    "serve",
                    "--port",
                    str(port),
                ],
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            url = f"http://127.0.0.1:{port}/{CONF}/"
            wait_for_server(url, server)
            page_ms, seen_ms = measure(url, narrative)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=10)
        rebuilds = [
            float(m) * 1000
            for m in re.findall(r"rebuilt in ([\d.]+) s", log.read_text("utf-8"))
        ]
    print(
        f"median: page ready {statistics.median(page_ms):.0f} ms, "
        f"seen by Playwright {statistics.median(seen_ms):.0f} ms, "
        f"rebuild {statistics.median(rebuilds):.0f} ms"
    )


def wait_for_server(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise SystemExit("the server exited")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the server never answered") from None
            time.sleep(0.05)


def measure(url: str, narrative: Path) -> tuple[list[float], list[float]]:
    page_ms: list[float] = []
    seen_ms: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.goto(url)
        for i in range(1, ROUNDS + 1):
            page.wait_for_function(
                "() => window.proceedingsPreview?.connected === true"
            )
            time.sleep(0.2)  # let the watcher settle after the previous build
            marker = f"Lần sửa {i} {time.time_ns()}"
            written = time.time()
            narrative.write_text(
                f"---\ntitle: Đo thời gian\n---\n\n{marker}.\n", "utf-8"
            )
            page.wait_for_function(
                "marker => document.body.innerText.includes(marker)",
                arg=marker,
                polling=10,
                timeout=10_000,
            )
            seen = (time.time() - written) * 1000
            ready = page.evaluate(
                "() => performance.timeOrigin + "
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            origin = page.evaluate("() => performance.timeOrigin")  # reload began
            page_ms.append(ready - written * 1000)
            seen_ms.append(seen)
            print(
                f"edit {i:2}: page ready {page_ms[-1]:4.0f} ms "
                f"(watch + build + event {origin - written * 1000:4.0f} ms, "
                f"page load {ready - origin:4.0f} ms), seen at {seen:4.0f} ms"
            )
        browser.close()
    return page_ms, seen_ms


if __name__ == "__main__":
    main()
