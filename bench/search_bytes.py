"""Bytes a browser downloads before a search shows its first results.

The measure of the search row of bench/run.py, kept apart so it can follow the search
as it changes (once one ``search-index.js``; now an index in shards, ``search/``,
of which the script loads those a query's words need: generator/site/search_index.py).
Two ways, the first preferred:

* **browser** (``browser_bytes``): the built site is served over HTTP from a local
  server that counts the bytes of every file it sends; headless Chromium (Debian's,
  through Playwright), with an empty cache, opens ``search.html``, waits for the
  search form, types the query and presses Enter, and the count stops when the first
  result is in the list (or, with none, when the status speaks and the list is no
  longer ``aria-busy``: "Searching…" is not an answer). Whatever the page loads —
  its stylesheets, fonts, scripts, one index or the shards the script picks for the
  query, by ``<script>``, ``fetch`` or ``import()`` — is counted as the browser
  asked for it, with no knowledge of how the index is laid out. Files are sent
  uncompressed, so the count is the uncompressed size.
* **static** (``static_bytes``), when Playwright or Chromium is missing: the page,
  the stylesheets (not ``media="print"``) and scripts ``search.html`` names, plus any
  file of the output those scripts name in a string literal (``"search-index.js"``);
  with a sharded index (``search/manifest.js``), the shards the query's words need
  (chosen as search.js does) and, for the texts of the first results, the
  ``FIRST_PAGE`` largest chunks: an upper bound, since which chunks hold the first
  results takes the ranking to know. No fonts: the browser way counts them.

``python bench/search_bytes.py OUTPUT_DIR ["trẻ em"]`` prints both.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html.parser
import json
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

DEFAULT_QUERY = "trẻ em"  # two words, the subject of every page of the corpus
SEARCH_PAGE = "search.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
FIRST_PAGE = 10  # results search.js shows at once (PAGE_SIZE)
# The first result is on screen, or the status speaks and the list is not busy.
_SHOWN = """() => {
  const list = document.getElementById('search-results');
  return list.querySelector('li') !== null || (!list.hasAttribute('aria-busy')
    && /\\S/.test(document.getElementById('search-status').textContent));
}"""


@dataclass(slots=True)
class SearchBytes:
    """What was downloaded before the first results, file by file."""

    method: str  # browser | static
    query: str
    files: dict[str, int] = field(default_factory=dict)  # output path -> bytes
    results: int | None = None  # items in the result list when the count stopped
    seconds: float | None = None  # from opening search.html to the first results
    note: str = ""

    @property
    def total(self) -> int:
        """Bytes of every file counted."""
        return sum(self.files.values())

    def largest(self, count: int = 3) -> str:
        """The largest files, e.g. 'search/t-tre.js 124 kB, search.html 4 kB'."""
        top = sorted(self.files.items(), key=lambda kv: -kv[1])[:count]
        return ", ".join(f"{path} {_size(size)}" for path, size in top)


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


def browser_available() -> str:
    """Return why the browser way cannot run, or "" when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return "no Chromium (apt-get install chromium)"
    return ""


def search_bytes(output: Path, query: str = DEFAULT_QUERY) -> SearchBytes:
    """Measure with the browser if it can run, else statically (an upper bound)."""
    why = browser_available()
    if not why:
        return browser_bytes(output, query)
    result = static_bytes(output, query)
    result.note = f"static count ({why}): every index file the scripts name"
    return result


# --- the browser way ---------------------------------------------------------------


class _Counter:
    """Bytes sent per path, while counting is on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counting = False
        self.sent: dict[str, int] = {}

    def add(self, path: str, size: int) -> None:
        with self.lock:
            if self.counting:
                self.sent[path] = self.sent.get(path, 0) + size


class _Handler(SimpleHTTPRequestHandler):
    counter: _Counter

    def copyfile(self, source: Any, outputfile: Any) -> None:
        sent = 0
        while chunk := source.read(1 << 16):
            outputfile.write(chunk)
            sent += len(chunk)
        self.counter.add(unquote(urlsplit(self.path).path).lstrip("/"), sent)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing."""


@contextlib.contextmanager
def _serve(root: Path) -> Iterator[tuple[str, _Counter]]:
    counter = _Counter()
    handler = type(
        "Handler",
        (_Handler,),
        {"counter": counter},
    )
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", counter
    finally:
        server.shutdown()
        server.server_close()


def browser_bytes(
    output: Path, query: str = DEFAULT_QUERY, timeout_ms: int = 300_000
) -> SearchBytes:
    """Open search.html in headless Chromium, search for query, count the bytes."""
    from playwright.sync_api import sync_playwright

    result = SearchBytes("browser", query)
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with _serve(output) as (base, counter), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context()  # an empty cache
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            counter.counting = True
            started = time.perf_counter()
            page.goto(base + quote(SEARCH_PAGE), wait_until="commit")
            page.wait_for_selector("#search-form:not([hidden])", state="visible")
            page.fill("#search-q", query)
            page.press("#search-q", "Enter")
            page.wait_for_function(_SHOWN, polling=10)
            result.seconds = time.perf_counter() - started
            counter.counting = False
            result.results = page.evaluate(
                "() => document.querySelectorAll('#search-results li').length"
            )
            context.close()
        finally:
            browser.close()
    result.files = dict(counter.sent)
    if not result.results:
        result.note = "no results for the query: the count runs until 'none found'"
    return result


# --- the static way ----------------------------------------------------------------


class _Assets(html.parser.HTMLParser):
    """The scripts and (non-print) stylesheets a page names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.scripts.append(str(found["src"]))
        elif (
            tag == "link"
            and "stylesheet" in (found.get("rel") or "").split()
            and (found.get("media") or "all") != "print"
            and found.get("href")
        ):
            self.styles.append(str(found["href"]))


_LITERAL = re.compile(r"""["']([\w./-]+\.(?:js|json|bin|txt))["']""")


def static_bytes(output: Path, query: str = DEFAULT_QUERY) -> SearchBytes:
    """Count search.html, what it names, and the index files its scripts name."""
    result = SearchBytes("static", query)
    page = output / SEARCH_PAGE
    result.files[SEARCH_PAGE] = page.stat().st_size
    assets = _Assets()
    assets.feed(page.read_text("utf-8"))
    todo = [_local(output, page, ref) for ref in assets.scripts + assets.styles]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path is None or path in seen or not path.is_file():
            continue
        seen.add(path)
        result.files[path.relative_to(output).as_posix()] = path.stat().st_size
        if path.suffix == ".js" and path.stat().st_size < 2_000_000:  # code, not data
            text = path.read_text("utf-8", "replace")
            todo += [_local(output, page, ref) for ref in _LITERAL.findall(text)]
    for path in _shard_files(output, query):
        result.files[path.relative_to(output).as_posix()] = path.stat().st_size
    return result


def _shard_files(output: Path, query: str) -> list[Path]:
    """The manifest, the shards for the query, the largest chunks (see above)."""
    manifest = output / "search" / "manifest.js"
    if not manifest.is_file():
        return []
    text = manifest.read_text("utf-8")
    keys: list[str] = json.loads(text[text.index("{") : text.rindex("}") + 1])["shards"]
    needed: set[str] = set()
    for term in _fold(query).split():
        needed |= {k for k in keys if k.startswith(term) and k != term}
        needed |= {max((k for k in keys if term.startswith(k)), key=len, default="")}
    shards = [output / "search" / f"t-{key}.js" for key in sorted(needed - {""})]
    chunks = sorted(
        (output / "search").glob("p-*.js"), key=lambda p: (-p.stat().st_size, p.name)
    )
    return [manifest, *shards, *chunks[:FIRST_PAGE]]


def _fold(text: str) -> str:
    """As generator.formats.fold: no diacritics, đ -> d, lower case, words."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", bare).split())


def _local(output: Path, page: Path, ref: str) -> Path | None:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    return target if target.is_relative_to(output.resolve()) else None


def main() -> None:
    """Print both counts for a built site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a built site (output/)")
    parser.add_argument("query", nargs="?", default=DEFAULT_QUERY)
    args = parser.parse_args()
    for way in (static_bytes, browser_bytes):
        if way is browser_bytes and browser_available():
            print(f"browser: {browser_available()}")
            continue
        found = way(args.output, args.query)
        extra = (
            f", {found.results} results in {found.seconds:.2f} s"
            if found.seconds is not None
            else ""
        )
        print(
            f"{found.method}: {found.total:,} bytes for '{found.query}'{extra} "
            f"({len(found.files)} files; {found.largest()})"
        )


if __name__ == "__main__":
    main()
