"""Time from saving a narrative to the reloaded page showing it (`proceedings serve`).

Runs the server on a project, opens a conference page in headless Chromium (Debian's,
through Playwright), then saves a narrative ten times. For each save it prints the
time until the reloaded page had the new text (DOMContentLoaded of the new page, read
from the page's own clock) and until Playwright saw it; then the medians.

Without --root it works on a temporary copy of the real project (with the archive
folders its site.yaml declares copied beside it) and adds a narrative to the newest
conference. With --root it works on that project in place — bench/run.py's `serve`
row passes the 1,000-conference corpus — appending a paragraph to an existing
narrative on each save and putting the file back as it was at the end.

Usage: .venv/bin/python bench/serve_reload.py [--root DIR --narrative content/…/x.md]
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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
PROJECT_PARTS = ("site.yaml", "data", "content", "themes")


def copy_project(dest: Path, source: Path = REPO) -> Path:
    """Copy a project's inputs into dest, and its declared archive folders beside it.

    site.yaml's ``archives: [../shared/seeds]`` is resolved from dest as from source,
    so the copy finds the archived sources the quotes are checked against.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, dest / part)
        elif path.is_file():
            shutil.copy2(path, dest / part)
    for folder in declared_archives(source):
        origin, target = (source / folder).resolve(), (dest / folder).resolve()
        if origin.is_dir() and not target.exists():
            shutil.copytree(origin, target)
    return dest


def declared_archives(root: Path) -> list[str]:
    """The archive folders root's site.yaml declares (``archives:``), if any."""
    try:
        config = yaml.safe_load((root / "site.yaml").read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    folders = config.get("archives") if isinstance(config, dict) else None
    return [str(f) for f in folders or () if isinstance(f, str)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proceedings() -> str:
    """The installed `proceedings` beside this Python (the code under test)."""
    return str(Path(sys.executable).parent / "proceedings")


@dataclass(slots=True)
class Reload:
    """The rounds of one run: ms from the save to the page, and the server's view."""

    page_ms: list[float] = field(default_factory=list)  # reloaded page ready
    seen_ms: list[float] = field(default_factory=list)  # Playwright saw the text
    rebuild_ms: list[float] = field(default_factory=list)  # "rebuilt in" lines
    startup_s: float = 0.0  # first build, until the server answered

    @property
    def median_s(self) -> float:
        """Median seconds from a save to the reloaded page, ready."""
        return statistics.median(self.page_ms) / 1000


def serve_reload(
    root: Path,
    narrative: Path,
    conference: str,
    *,
    rounds: int = ROUNDS,
    log: Path,
    startup_timeout: float = 600.0,
    initial: str | None = None,
    echo: bool = True,
) -> Reload:
    """Run `proceedings serve` on root and time `rounds` saves of narrative.

    Each save writes ``initial`` (default: the file as it is) plus a paragraph with a
    new marker; the file is put back as it was at the end. The server's first build
    must finish within startup_timeout seconds.
    """
    original = narrative.read_text("utf-8") if narrative.exists() else None
    base = initial if initial is not None else (original or "")
    if initial is not None:
        narrative.parent.mkdir(parents=True, exist_ok=True)
        narrative.write_text(initial, "utf-8")
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    result = Reload()
    try:
        with log.open("wb") as out:
            server = subprocess.Popen(
                [proceedings(), "--root", str(root), "serve", "--port", str(port)],
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            url = f"http://127.0.0.1:{port}/{conference}/"
            started = time.perf_counter()
            wait_for_server(url, server, startup_timeout)
            result.startup_s = time.perf_counter() - started
            measure(url, narrative, base, rounds, result, echo=echo)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    finally:
        if original is None:
            narrative.unlink(missing_ok=True)
        else:
            narrative.write_text(original, "utf-8")
    result.rebuild_ms = [
        float(m) * 1000
        for m in re.findall(r"rebuilt in ([\d.]+) s", log.read_text("utf-8"))
    ]
    return result


def wait_for_server(
    url: str, server: subprocess.Popen[bytes], timeout: float = 60.0
) -> None:
    """Wait until url answers: the server answers once its first build is done."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited (code {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not answer within {timeout:.0f} s"
                ) from None
            time.sleep(0.05)


def measure(
    url: str,
    narrative: Path,
    base: str,
    rounds: int,
    result: Reload,
    *,
    echo: bool = True,
) -> None:
    """Save narrative rounds times; record when each reloaded page had the text."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.goto(url, timeout=120_000)
        for i in range(1, rounds + 1):
            page.wait_for_function(
                "() => window.proceedingsPreview?.connected === true", timeout=120_000
            )
            time.sleep(0.2)  # let the watcher settle after the previous build
            marker = f"Lần sửa {i} {time.time_ns()}"
            written = time.time()
            narrative.write_text(f"{base.rstrip()}\n\n{marker}.\n", "utf-8")
            page.wait_for_function(
                "marker => document.body.innerText.includes(marker)",
                arg=marker,
                polling=10,
                timeout=120_000,
            )
            seen = (time.time() - written) * 1000
            ready = page.evaluate(
                "() => performance.timeOrigin + "
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            origin = page.evaluate("() => performance.timeOrigin")  # reload began
            result.page_ms.append(ready - written * 1000)
            result.seen_ms.append(seen)
            if echo:
                print(
                    f"edit {i:2}: page ready {result.page_ms[-1]:4.0f} ms "
                    f"(watch + build + event {origin - written * 1000:4.0f} ms, "
                    f"page load {ready - origin:4.0f} ms), seen at {seen:4.0f} ms"
                )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        type=Path,
        help="a project to serve in place (default: a copy of the real project)",
    )
    parser.add_argument(
        "--narrative",
        help="the narrative to save, from the project root "
        "(required with --root; it must exist)",
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        if args.root is None:
            root = copy_project(Path(tmp) / "site")
            narrative = root / "content" / CONF / "do-thoi-gian.md"
            initial: str | None = "---\ntitle: Đo thời gian\n---\n\nBắt đầu.\n"
            conference = CONF
        else:
            if not args.narrative:
                parser.error("--root needs --narrative content/<slug>/<name>.md")
            root = args.root.resolve()
            narrative = root / args.narrative
            if not narrative.is_file():
                parser.error(f"no narrative {narrative}")
            initial = None
            conference = Path(args.narrative).parent.name
        result = serve_reload(
            root,
            narrative,
            conference,
            rounds=args.rounds,
            log=Path(tmp) / "serve.log",
            initial=initial,
        )
    rebuild = (
        f", rebuild {statistics.median(result.rebuild_ms):.0f} ms"
        if result.rebuild_ms
        else ""
    )
    print(
        f"first build {result.startup_s:.1f} s; median: page ready "
        f"{statistics.median(result.page_ms):.0f} ms, seen by Playwright "
        f"{statistics.median(result.seen_ms):.0f} ms{rebuild}"
    )


if __name__ == "__main__":
    main()
