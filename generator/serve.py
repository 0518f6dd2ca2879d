"""Live preview: build into ROOT/.preview/, serve it, rebuild and reload on change.

Threads::

    main        ThreadingHTTPServer.serve_forever; Ctrl-C stops everything
    watch x2    watchfiles on data/, content/, themes/ (recursive) and on the root
                folder for site.yaml (editors replace files, which kills a file watch)
    builder     takes batches of changes, runs build_site, publishes a PreviewState
    handlers    one per connection: files from .preview/site, the reload script,
                and the server-sent events that tell open pages to reload

A failed build leaves the last good site in place: pages keep being served with an
overlay listing each problem as ``path:line:col``, until the next good build. The
reload script and the overlay are injected into HTML responses here, at serve time,
so published builds never contain them.
"""

from __future__ import annotations

import contextlib
import errno
import html
import json
import mimetypes
import queue
import re
import secrets
import socket
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar
from urllib.parse import parse_qs, quote, unquote

import click
import watchfiles

from generator.build import BuildOptions, Reporter, build_site
from generator.errors import BuildFailed, Problem, UsageError

PREVIEW_DIR = ".preview"  # under the project root; `proceedings clean` removes it
WATCHED_DIRS = ("data", "content", "themes")
EVENTS_URL = "/__proceedings/events"
SCRIPT_URL = "/__proceedings/reload.js"
STEP_MS = 25  # watchfiles checks twice: a save is picked up ~50 ms after its last write
PING_SECONDS = 15.0  # keeps idle event streams alive and notices closed tabs
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_PDF_PATH = re.compile(r"^(?:series/)?([a-z0-9]+(?:-[a-z0-9]+)*)/\1\.pdf$")
_BY_BUILD = "PDF briefs are made by `proceedings build` (into output/)."
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}

RELOAD_JS = """\
// proceedings serve: reload this page after each good build; show build errors.
(() => {
  "use strict";
  const tag = document.currentScript;
  const build = (tag && tag.dataset.build) || "";
  const events = new EventSource("{events}?build=" + encodeURIComponent(build));
  window.proceedingsPreview = { build, connected: false }; // for tests and benchmarks
  events.addEventListener("open", () => {
    window.proceedingsPreview.connected = true;
  });
  events.addEventListener("reload", () => {
    events.close();
    location.reload();
  });
  events.addEventListener("error", (event) => {
    if (!(event instanceof MessageEvent)) return; // lost connection: it retries
    const box = document.createElement("div");
    box.innerHTML = JSON.parse(event.data).overlay;
    const old = document.getElementById("proceedings-overlay");
    if (old) old.replaceWith(box.firstElementChild);
    else document.body.prepend(box.firstElementChild);
  });
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target instanceof Element && target.closest("[data-proceedings-hide]")) {
      document.getElementById("proceedings-overlay")?.remove();
    }
  });
})();
""".replace("{events}", EVENTS_URL)


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where to listen and what to print."""

    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    verbosity: int = 1  # 0 errors only, 1 normal, 2 every request too
    debug: bool = False  # tracebacks of internal errors


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the latest build went: ok, or the problems (or message) that stopped it."""

    ok: bool
    problems: tuple[Problem, ...] = ()
    message: str = ""  # when there are no problems to list: usage or internal errors


@dataclass(frozen=True, slots=True)
class Response:
    """What a handler sends back."""

    status: HTTPStatus
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def url_to_path(site: Path, url: str) -> Path | None:
    """Map a request target to a path inside site, or None if it could lead outside.

    The path is percent-decoded once; ``..`` and hidden segments, NUL, backslashes
    and absolute paths after decoding are refused, and the resolved result must stay
    inside site (a symlink cannot lead out). The path need not exist.
    """
    raw = url.split("?", 1)[0].split("#", 1)[0]
    if not raw.startswith("/") or "\\" in raw:
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded or decoded.startswith("//"):
        return None
    parts = [p for p in decoded[1:].split("/") if p]
    if any(p.startswith(".") or ":" in p for p in parts):
        return None  # "..", ".hidden", and drive-like names
    base = site.resolve()
    target = base.joinpath(*parts).resolve()
    return target if target.is_relative_to(base) else None


def inject(page: bytes, build_id: str, overlay: str) -> bytes:
    """Add the reload script (and the error overlay, if any) to an HTML page."""
    text = page.decode("utf-8", errors="replace")
    script = (
        f'<script src="{SCRIPT_URL}" data-build="{html.escape(build_id)}"></script>\n'
    )
    end = text.lower().rfind("</body>")
    text = text + script if end < 0 else text[:end] + script + text[end:]
    if overlay:
        body = re.search(r"<body\b[^>]*>", text, re.IGNORECASE)
        at = body.end() if body else 0
        text = text[:at] + "\n" + overlay + "\n" + text[at:]
    return text.encode("utf-8")


def render_overlay(outcome: Outcome) -> str:
    """Return the error panel of a failed build as one line; "" after a good build."""
    if outcome.ok:
        return ""
    errors = sum(p.severity == "error" for p in outcome.problems)
    title = (
        f"Build failed: {errors} error{'s' * (errors != 1)}"
        if errors
        else "Build failed"
    )
    items = []
    for problem in outcome.problems:
        label = "" if problem.severity == "error" else f"{problem.severity}: "
        line = html.escape(f"{problem.pos}: {label}{problem.message}")
        hint = (
            f'<br><span style="color:#444">hint: {html.escape(problem.hint)}</span>'
            if problem.hint
            else ""
        )
        items.append(
            f'<li style="margin:.35rem 0"><code style="font:13px/1.4 ui-monospace,'
            f'monospace;white-space:pre-wrap;color:#1a1a1a">{line}</code>{hint}</li>'
        )
    if outcome.message:
        items.append(f'<li style="margin:.35rem 0">{html.escape(outcome.message)}</li>')
    return (
        '<div id="proceedings-overlay" role="alert" aria-labelledby="proceedings-'
        'overlay-title" style="position:fixed;z-index:2147483647;left:1rem;right:1rem;'
        "bottom:1rem;max-height:60vh;overflow:auto;box-sizing:border-box;"
        "background:#fff;color:#1a1a1a;border:2px solid #b00020;border-left-width:8px;"
        "border-radius:6px;box-shadow:0 6px 24px rgba(0,0,0,.3);padding:1rem 1.25rem;"
        'font:15px/1.5 system-ui,sans-serif;text-align:left">'
        '<h2 id="proceedings-overlay-title" style="margin:0 0 .4rem;padding:0;'
        'border:0;font:700 1.1rem/1.3 system-ui,sans-serif;color:#b00020">'
        f"{html.escape(title)}</h2>"
        '<p style="margin:0 0 .5rem">This page shows the last good build. Fix the '
        "file and save: the page reloads by itself.</p>"
        f'<ul style="margin:0;padding-left:1.25rem">{"".join(items)}</ul>'
        '<button type="button" data-proceedings-hide style="margin-top:.6rem;'
        "font:inherit;padding:.2rem .8rem;border:1px solid #666;border-radius:4px;"
        'background:#f3f3f3;color:#1a1a1a;cursor:pointer">Hide</button></div>'
    )


@dataclass(slots=True)
class PreviewState:
    """What handlers need from the builder; every field is read under the lock."""

    session: str = field(default_factory=lambda: secrets.token_hex(4))
    generation: int = 0
    outcome: Outcome = field(default_factory=lambda: Outcome(ok=True))
    overlay: str = ""
    building: bool = False
    stopping: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def build_id(self) -> str:
        """Name the current build; a restarted server never reuses one."""
        return f"{self.session}.{self.generation}"


class Preview:
    """The preview of one project: builds, state, and answers to requests."""

    def __init__(self, root: Path, options: ServeOptions, reporter: Reporter) -> None:
        self.root = root.resolve()
        self.options = options
        self.reporter = reporter
        self.site = self.root / PREVIEW_DIR / "site"  # never output/
        self.pdfs = self.root / PREVIEW_DIR / "pdf"  # briefs made on request
        self.state = PreviewState()
        self.stop_event = threading.Event()
        self.changes: queue.Queue[set[tuple[watchfiles.Change, str]]] = queue.Queue()
        self._build_lock = threading.Lock()  # one page build at a time
        self._pdf_lock = threading.Lock()  # one PDF at a time, beside page builds
        self._pdfs_made: dict[str, int] = {}  # output path: generation it is from

    # -- building ------------------------------------------------------------------

    def rebuild(self, changed: Sequence[str] = ()) -> Outcome:
        """Build the preview site, publish the outcome and wake the open pages."""
        with self._build_lock:
            with self.state.changed:
                self.state.building = True
            started = time.perf_counter()
            outcome = self._build()
            seconds = time.perf_counter() - started
            with self.state.changed:
                self.state.generation += 1
                self.state.outcome = outcome
                self.state.overlay = render_overlay(outcome)
                self.state.building = False
                self.state.changed.notify_all()
        self._report(outcome, seconds, changed)
        return outcome

    def _build(self) -> Outcome:
        options = BuildOptions(output=self.site, pdf=False, drafts=True, preview=True)
        try:
            build_site(self.root, options, self.reporter)
        except BuildFailed as exc:
            return Outcome(ok=False, problems=tuple(exc.problems))
        except UsageError as exc:
            return Outcome(ok=False, message=str(exc))
        except Exception as exc:  # a bug in a stage must not stop the preview
            if self.options.debug:
                traceback.print_exc()
            return Outcome(
                ok=False, message=f"internal error: {type(exc).__name__}: {exc}"
            )
        return Outcome(ok=True)

    def _report(self, outcome: Outcome, seconds: float, changed: Sequence[str]) -> None:
        why = ""
        if changed:
            more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
            why = f" ({changed[0]}{more} changed)"
        verb = "rebuilt" if changed else "built"
        if outcome.ok:
            if self.options.verbosity >= 1:
                click.echo(f"{verb} in {seconds:.2f} s{why}")
            return
        for problem in outcome.problems:
            click.echo(str(problem), err=True)
        if outcome.message:
            click.echo(f"error: {outcome.message}", err=True)
        if outcome.message.startswith("internal error") and not self.options.debug:
            click.echo(
                "  this is a bug in proceedings; run with --debug for the traceback",
                err=True,
            )
        errors = sum(p.severity == "error" for p in outcome.problems)
        click.echo(
            f"build failed in {seconds:.2f} s{why}: "
            f"{errors or 1} error(s); still serving the last good build",
            err=True,
        )

    def watch(
        self, paths: Sequence[Path], *, recursive: bool, names: Iterable[str] = ()
    ) -> None:
        """Queue batches of changes under paths until stopped (run in a thread)."""
        only = frozenset(names)
        default = watchfiles.DefaultFilter()

        def accept(change: watchfiles.Change, path: str) -> bool:
            return default(change, path) and (not only or Path(path).name in only)

        for batch in watchfiles.watch(
            *paths,
            watch_filter=accept,
            recursive=recursive,
            step=STEP_MS,
            debounce=1000,
            stop_event=self.stop_event,
            raise_interrupt=False,
        ):
            self.changes.put(batch)

    def build_on_change(self) -> None:
        """Rebuild after each batch of changes until stopped (run in a thread)."""
        while not self.stop_event.is_set():
            try:
                batch = self.changes.get(timeout=0.2)
            except queue.Empty:
                continue
            while not self.changes.empty():  # both watchers fired: one build
                batch |= self.changes.get_nowait()
            # files that exist first: an editor's temporary files are named last
            found = sorted(
                {path for _, path in batch}, key=lambda p: (not Path(p).exists(), p)
            )
            paths = [self._relative(path) for path in found]
            try:
                self.rebuild(paths)
            except Exception as exc:  # e.g. the disk is full: say so, keep serving
                click.echo(f"rebuild failed: {type(exc).__name__}: {exc}", err=True)

    def _relative(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return path

    def stop(self) -> None:
        """Stop watching and end the event streams."""
        self.stop_event.set()
        with self.state.changed:
            self.state.stopping = True
            self.state.changed.notify_all()

    # -- answering -----------------------------------------------------------------

    def respond(self, url: str) -> Response:
        """Answer a GET for url: a file of the preview site, the script, or an error."""
        if url.split("?", 1)[0] == SCRIPT_URL:
            return Response(HTTPStatus.OK, RELOAD_JS.encode("utf-8"), _TYPES[".js"])
        target = url_to_path(self.site, url)
        if target is None:
            return self._not_found()
        response = self._file(url, target)
        if response is None and self.state.building:
            self._wait_idle()  # the site is being swapped; look again once it is in
            response = self._file(url, target)
        if response is not None:
            return response
        rel = target.relative_to(self.site.resolve()).as_posix()
        if _PDF_PATH.match(rel):
            return self._pdf(rel)
        if not (self.site / "index.html").is_file() and _is_page(url):
            text = "The first build failed. Fix the problems shown here and save."
            return self._page(HTTPStatus.OK, _simple_page("No preview yet", text))
        return self._not_found()

    def _file(self, url: str, target: Path) -> Response | None:
        if target.is_dir():
            path = url.split("?", 1)[0]
            if not path.endswith("/"):  # relative links need the slash
                rel = target.relative_to(self.site.resolve()).as_posix()
                return Response(
                    HTTPStatus.MOVED_PERMANENTLY,
                    headers=(("Location", "/" + quote(rel) + "/"),),
                )
            target = target / "index.html"
        try:
            data = target.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        if target.suffix == ".html":
            return self._page(HTTPStatus.OK, data)
        return Response(HTTPStatus.OK, data, _content_type(target))

    def _page(self, status: HTTPStatus, data: bytes) -> Response:
        with self.state.changed:
            build_id, overlay = self.state.build_id, self.state.overlay
        return Response(status, inject(data, build_id, overlay), _TYPES[".html"])

    def _not_found(self) -> Response:
        page = self.site / "404.html"
        if page.is_file():
            return self._page(HTTPStatus.NOT_FOUND, page.read_bytes())
        return Response(HTTPStatus.NOT_FOUND, b"404 not found\n")

    def _wait_idle(self, timeout: float = 30.0) -> None:
        with self.state.changed:
            self.state.changed.wait_for(lambda: not self.state.building, timeout)

    def _pdf(self, rel: str) -> Response:
        """Make one PDF brief on request: preview builds skip PDFs to stay fast."""
        name = rel.rsplit("/", 1)[0]  # <slug> or series/<slug>
        if not (self.site / name / "index.html").is_file():
            return self._not_found()  # no such conference or series: make nothing
        target = self.pdfs / rel
        with self._pdf_lock:
            with self.state.changed:
                generation = self.state.generation
            if self._pdfs_made.get(rel) != generation or not target.is_file():
                failure = self._make_pdf(name, target)
                if failure:
                    return _unavailable(failure)
                self._pdfs_made[rel] = generation
        return Response(HTTPStatus.OK, target.read_bytes(), _TYPES[".pdf"])

    def _make_pdf(self, name: str, target: Path) -> str:
        """Make the brief called name into target; return why not, or ""."""
        try:
            from generator.pdf import PdfOptions, make_brief

            make_brief(self.root, name, target, PdfOptions(), self.reporter)
        except BuildFailed as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            return f"The PDF could not be made: fix the errors first. {_BY_BUILD}"
        except Exception as exc:  # the PDF stage is optional in a preview
            click.echo(f"PDF not made: {type(exc).__name__}: {exc}", err=True)
            return f"The preview could not make this PDF ({exc}). {_BY_BUILD}"
        return ""

    def _moved_on(self, seen: str) -> bool:
        return self.state.build_id != seen or self.state.stopping

    def events(self, last_seen: str, send: Callable[[str], None]) -> None:
        """Stream server-sent events to one page until it goes or the server stops.

        A page names the build it shows; whenever the current build differs it gets
        "reload" (a good build) or "error" (with the overlay to show).
        """
        send("retry: 1000\n\n")
        while True:
            with self.state.changed:
                self.state.changed.wait_for(
                    partial(self._moved_on, last_seen), PING_SECONDS
                )
                if self.state.stopping:
                    return
                build_id, outcome = self.state.build_id, self.state.outcome
                overlay = self.state.overlay
            if build_id == last_seen:
                send(": ping\n\n")
                continue
            last_seen = build_id
            kind = "reload" if outcome.ok else "error"
            data = json.dumps({"build": build_id, "overlay": overlay})
            send(f"id: {build_id}\nevent: {kind}\ndata: {data}\n\n")


def _is_page(url: str) -> bool:
    path = url.split("?", 1)[0]
    return path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]


def _content_type(path: Path) -> str:
    known = _TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _simple_page(title: str, text: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n"
        "</main>\n</body>\n</html>\n"
    ).encode()


def _unavailable(text: str) -> Response:
    page = _simple_page("PDF not available", text)
    return Response(HTTPStatus.SERVICE_UNAVAILABLE, page, _TYPES[".html"])


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive
    block_on_close = False
    allow_reuse_port = False  # a second server on the port must fail, not share it

    def __init__(self, address: tuple[str, int], preview: Preview) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return  # the browser went away mid-answer
        click.echo(f"request failed: {type(exc).__name__}: {exc}", err=True)
        if self.preview.options.debug:
            traceback.print_exc()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "proceedings-preview"
    server: _Server
    _hosts: ClassVar[frozenset[str]] = frozenset(_LOOPBACK)

    def do_GET(self) -> None:
        """Answer one GET."""
        self._answer(head=False)

    def do_HEAD(self) -> None:
        """Answer one HEAD: the GET's headers, no body."""
        self._answer(head=True)

    def _answer(self, *, head: bool) -> None:
        preview = self.server.preview
        if not self._host_allowed():
            self._send(
                Response(HTTPStatus.FORBIDDEN, b"unexpected Host header\n"), head
            )
        elif self.path.split("?", 1)[0] == EVENTS_URL and not head:
            self._stream(preview)
        else:
            self._send(preview.respond(self.path), head)

    def _host_allowed(self) -> bool:
        """Refuse other names for a loopback server (DNS rebinding)."""
        if self.server.preview.options.host not in _LOOPBACK:
            return True
        host = self.headers.get("Host")
        if host is None:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.strip("[]").lower() in self._hosts

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _stream(self, preview: Preview) -> None:
        self.close_connection = True  # the stream has no length: closing ends it
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        query = parse_qs(self.path.partition("?")[2])
        last_seen = self.headers.get("Last-Event-ID") or query.get("build", [""])[0]

        def send(text: str) -> None:
            self.wfile.write(text.encode("utf-8"))
            self.wfile.flush()

        with contextlib.suppress(ConnectionError, TimeoutError):  # the page went away
            preview.events(last_seen, send)

    def log_message(self, format: str, *args: object) -> None:
        """Log requests only with --verbose: a page load is a dozen of them."""
        if self.server.preview.options.verbosity >= 2:
            click.echo(
                f"  {self.command} {self.path} {args[1] if len(args) > 1 else ''}",
                err=True,
            )


def serve(root: Path, options: ServeOptions, reporter: Reporter) -> None:
    """Serve a live preview of the project at root until Ctrl-C.

    Raises UsageError if the address cannot be used (e.g. the port is taken).
    """
    preview = Preview(root, options, reporter)
    server = _bind(options, preview)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    dirs = [preview.root / d for d in WATCHED_DIRS if (preview.root / d).is_dir()]
    threads = [
        _thread(preview.build_on_change),
        _thread(preview.watch, [preview.root], recursive=False, names=["site.yaml"]),
    ]
    if dirs:
        threads.append(_thread(preview.watch, dirs, recursive=True))
    try:
        for thread in threads:
            thread.start()
        preview.rebuild()
        if options.host not in _LOOPBACK:
            click.echo(
                "warning: the preview (drafts included) is open to every machine "
                f"that can reach {options.host}",
                err=True,
            )
        click.echo(f"Serving {url} (Ctrl-C to stop)")
        if options.open_browser:
            _thread(webbrowser.open, url).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        server.server_close()
        for thread in threads:
            thread.join(timeout=2.0)
    click.echo("stopped")


def _thread(target: Callable[..., object], *args: object, **kwargs: object) -> Thread:
    return Thread(target=target, args=args, kwargs=kwargs, daemon=True)


def _bind(options: ServeOptions, preview: Preview) -> _Server:
    try:
        return _Server((options.host, options.port), preview)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {options.port} is in use; try --port {options.port + 1}"
            ) from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                f"not allowed to listen on port {options.port}; use one above 1023"
            ) from None
        raise UsageError(
            f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}"
        ) from None
