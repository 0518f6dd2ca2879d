"""Live preview: build into ROOT/.preview/, serve it, rebuild and reload on change.

Threads::

    main        the HTTP server accepts connections; Ctrl-C stops everything
    gate        holds connections until a request arrives (serve.connections)
    pool        at most 48 threads answer requests and event streams
    watch x2    watchfiles on data/, content/, themes/ (recursive) and on the root
                folder for site.yaml (editors replace files, which kills a file watch)
    builder     takes batches of changes, runs build_site, publishes a PreviewState;
                an edited narrative's page is rendered and reloaded first, from what
                the last build loaded (build.fast), and a newer save stops a build
                still running (it starts again with every change so far)
    (the pool's threads answer with files from .preview/site, the reload script,
    and the server-sent events that tell open pages to reload)

A failed build leaves the last good site in place: pages keep being served with an
overlay listing each problem as ``path:line:col``, until the next good build. The
reload script and the overlay are injected into HTML responses here, at serve time,
so published builds never contain them.
"""

from __future__ import annotations

import json
import queue
import re
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import click
import watchfiles

from generator.build.fast import Warm, fast_pages
from generator.build.pipeline import build_site, load_warm
from generator.core.cache import write_atomic
from generator.core.context import CACHE_DIR, BuildOptions, Reporter
from generator.core.lock import project_lock
from generator.errors import BuildFailed, UsageError
from generator.i18n import t
from generator.serve.outcomes import Stoppable, Stopped, say_outcome
from generator.serve.responses import (
    _TYPES,
    RELOAD_JS,
    SCRIPT_URL,
    Outcome,
    Response,
    ServeOptions,
    _content_type,
    _is_page,
    _simple_page,
    _unavailable,
    inject,
    render_overlay,
    url_to_path,
)

PREVIEW_DIR = ".preview"  # under the project root; `proceedings clean` removes it
WATCHED_DIRS = ("data", "content", "themes")
STEP_MS = 25  # watchfiles checks twice: a save is picked up ~50 ms after its last write
PING_SECONDS = 15.0  # keeps idle event streams alive and notices closed tabs
_PDF_PATH = re.compile(r"^(?:series/)?([a-z0-9]+(?:-[a-z0-9]+)*)/\1\.pdf$")
_BY_BUILD = t("PDF briefs are made by `proceedings build` (into output/).")


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


def _say(message: str) -> None:
    click.echo(message, err=True)


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
        self._warm: Warm | None = None  # what the last build loaded (build.fast)
        self._newer = threading.Event()  # a batch of changes came in
        self._rendered = 0  # pages the last build rendered (the others were reused)
        self._tried = 0  # the generation warm_up last ran after (0: none yet)

    # -- building ------------------------------------------------------------------

    def rebuild(
        self,
        changed: Sequence[str] = (),
        *,
        stoppable: bool = False,
        shown: Mapping[str, bytes] | None = None,
    ) -> Outcome:
        """Build the preview site, publish the outcome and wake the open pages.

        With stoppable, a newer batch of changes stops the build (``Stopped``),
        leaving the site as it was. shown are the pages ``fast`` rendered for
        these changes: when the build publishes them unchanged and is good, the
        open pages, reloaded already, are not reloaded again.
        """
        with self._build_lock:
            with self.state.changed:
                self.state.building = True
            started = time.perf_counter()
            try:
                outcome = self._build(stoppable)
            except Stopped:
                with self.state.changed:
                    self.state.building = False
                    self.state.changed.notify_all()
                raise
            seconds = time.perf_counter() - started
            with self.state.changed:
                if not (
                    outcome.ok
                    and self.state.outcome.ok
                    and shown
                    and self._rendered == len(shown)  # no other page changed
                    and self._has(shown)
                ):
                    self.state.generation += 1
                self.state.outcome = outcome
                self.state.overlay = render_overlay(outcome)
                self.state.building = False
                self.state.changed.notify_all()
        say_outcome(outcome, seconds, changed, self.options)
        return outcome

    def _has(self, pages: Mapping[str, bytes]) -> bool:
        """Tell whether the site holds exactly these pages."""
        try:
            return all(
                (self.site / rel).read_bytes() == data for rel, data in pages.items()
            )
        except OSError:
            return False

    def _options(self) -> BuildOptions:
        return BuildOptions(output=self.site, pdf=False, drafts=True, preview=True)

    def _reporter(self, stoppable: bool) -> Reporter:
        return Stoppable(self.reporter, self._newer) if stoppable else self.reporter

    def _build(self, stoppable: bool = False) -> Outcome:
        try:
            # One run at a time per project: a `build` of it makes the preview wait.
            with project_lock(self.root / CACHE_DIR, on_wait=_say):
                summary = build_site(
                    self.root,
                    self._options(),
                    self._reporter(stoppable),
                    keep=self._keep,
                )
            self._rendered = (
                -1 if summary.up_to_date else summary.pages - summary.pages_reused
            )
        except Stopped:
            raise
        except BuildFailed as exc:
            return Outcome(ok=False, problems=tuple(exc.problems))
        except UsageError as exc:
            return Outcome(ok=False, message=str(exc))
        except Exception as exc:  # a bug in a stage must not stop the preview
            if self.options.debug:
                traceback.print_exc()
            return Outcome(
                ok=False,
                internal=True,
                message=t(
                    "internal error: {kind}: {exc}", kind=type(exc).__name__, exc=exc
                ),
            )
        return Outcome(ok=True)

    def _keep(self, warm: Warm) -> None:
        self._warm = warm

    def warm_up(self) -> None:
        """Load the project for fast renders when the first build loaded nothing.

        Run by the builder when idle; a failure only means no fast render yet.
        """
        with self._build_lock:
            if self._warm is not None or not self.state.outcome.ok:
                return
            try:
                with project_lock(self.root / CACHE_DIR, on_wait=_say):
                    self._warm = load_warm(
                        self.root, self._options(), self._reporter(True)
                    )
            except Exception:  # Stopped, bad content, a bug: the builds say it
                if self.options.debug:
                    traceback.print_exc()

    def fast(self, changed: Sequence[str]) -> dict[str, bytes]:
        """Show the pages of edited narratives now, before the build (build.fast).

        Renders them from what the last build loaded, writes each over the
        served one (a new file renamed into place: a reader sees the old page
        or the new one) and reloads the open pages. Gives the pages shown, none
        when the changes need the whole build or the site shows an error.
        """
        started = time.perf_counter()
        with self._build_lock:
            warm = self._warm
            if warm is None or not self.state.outcome.ok:
                return {}
            try:
                pages = fast_pages(warm, [Path(p) for p in changed])
            except Exception:  # the build that follows reports what it is
                if self.options.debug:
                    traceback.print_exc()
                return {}
            if not pages:
                return {}
            try:
                for rel, data in pages.items():
                    write_atomic(self.site / rel, data)  # renamed into place
            except OSError:
                return {}
            with self.state.changed:
                self.state.generation += 1
                self.state.changed.notify_all()
        if self.options.verbosity >= 1:
            click.echo(
                t(
                    "page shown in {seconds:.2f} s ({changed}); building the rest",
                    seconds=time.perf_counter() - started,
                    changed=", ".join(changed),
                )
            )
        return pages

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
            self._newer.set()  # a build still running stops: it is out of date

    def build_on_change(self) -> None:
        """Rebuild after each batch of changes until stopped (run in a thread).

        An edited narrative's page is shown first (``fast``); a build stopped by
        a newer batch is made again with its changes and the new ones.
        """
        pending: list[str] = []  # changed since the last build that finished
        while not self.stop_event.is_set():
            try:
                batch = self.changes.get(timeout=0.2)
            except queue.Empty:
                if not pending:
                    if self._warm is None and self._tried != self.state.generation:
                        self._tried = self.state.generation
                        self.warm_up()  # once after each build that loaded nothing
                    continue
                batch = set()
            self._newer.clear()  # before taking the queue: a later batch sets it
            while not self.changes.empty():  # both watchers fired: one build
                batch |= self.changes.get_nowait()
            # files that exist first: an editor's temporary files are named last
            found = sorted(
                {path for _, path in batch}, key=lambda p: (not Path(p).exists(), p)
            )
            new = [self._relative(path) for path in found]
            paths = [p for p in pending if p not in new] + new
            try:
                shown = self.fast(paths)
                self.rebuild(paths, stoppable=True, shown=shown)
                pending = []
            except Stopped:
                pending = paths
            except Exception as exc:  # e.g. the disk is full: say so, keep serving
                click.echo(
                    t(
                        "rebuild failed: {kind}: {exc}",
                        kind=type(exc).__name__,
                        exc=exc,
                    ),
                    err=True,
                )

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
            text = t("The first build failed. Fix the problems shown here and save.")
            page = _simple_page(t("No preview yet"), text)
            return self._page(HTTPStatus.OK, page)
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
            from generator.build.pipeline import make_brief
            from generator.pdf.options import PdfOptions

            make_brief(self.root, name, target, PdfOptions(), self.reporter)
        except BuildFailed as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            return t(
                "The PDF could not be made: fix the errors first. {by_build}",
                by_build=_BY_BUILD,
            )
        except Exception as exc:  # the PDF stage is optional in a preview
            click.echo(
                t("PDF not made: {kind}: {exc}", kind=type(exc).__name__, exc=exc),
                err=True,
            )
            return t(
                "The preview could not make this PDF ({exc}). {by_build}",
                exc=exc,
                by_build=_BY_BUILD,
            )
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
