"""Render PDF briefs with WeasyPrint in worker processes, each within its limits.

The build starts the workers early (``Renderers.warm_up``), so each imports
WeasyPrint while the figures are drawn, and hands them all their jobs at once; the
HTML pages are made while they render. A worker renders its briefs one by one,
under a memory limit set when it has loaded WeasyPrint; a brief that runs past its
time is stopped with its worker, whose other briefs go to a fresh one. Every worker
dies with the build (``core.workers.become_worker``): an interrupted, terminated or
killed build leaves no renderer behind. What a worker said is reported where its
cause is written (``pdf.report``).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.core.workers import become_worker
from generator.i18n import t
from generator.pdf.fetch import Refusal, Resources, make_url_fetcher
from generator.pdf.holes import fill_holes

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from generator.pdf.options import PdfOptions

STARTUP_SECONDS = 60.0  # for a worker to load WeasyPrint before its first job


@dataclass(frozen=True, slots=True)
class Job:
    """One brief to render, and what is needed to report on it."""

    name: str  # slug, or series/<slug>
    path: str  # output path of the PDF
    html: str
    resources: Resources
    variant: str
    key: str  # cache key
    data_file: Path  # where problems with the brief as a whole are reported
    reported: frozenset[str] = frozenset()  # URLs refused before rendering


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a worker made of a brief: the PDF, or an error, and what it noticed."""

    pdf: bytes = b""
    refusals: tuple[Refusal, ...] = ()
    # Font families WeasyPrint used that no @font-face declared: system fonts.
    fallback_fonts: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()  # WeasyPrint's warnings
    error: str = ""
    seconds: float = 0.0


def render_pdf(html: str, resources: Resources, variant: str) -> Outcome:
    """Render one brief's HTML to PDF bytes with WeasyPrint, in this process."""
    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.text.fonts import (  # type: ignore[import-untyped]
        FontConfiguration,
    )

    refusals: list[Refusal] = []
    declared: set[str] = set()

    class Fonts(FontConfiguration):  # type: ignore[misc]  # records @font-face families
        def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
            declared.add(str(rule_descriptors.get("font_family", "")))
            return super().add_font_face(rule_descriptors, url_fetcher)

    messages: list[str] = []
    handler = _Collect(messages)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        fetcher = make_url_fetcher(resources, refusals)
        options: dict[str, Any] = {
            "pdf_tags": True,
            "pdf_identifier": True,
            "custom_metadata": True,  # <meta name="source">, "data-sha256": provenance
        }
        if variant != "none":
            options["pdf_variant"] = variant

        def lay_out(text: str) -> Any:
            return weasyprint.HTML(
                string=text, base_url=resources.root_url, url_fetcher=fetcher
            ).render(font_config=Fonts(), **options)

        document = fill_holes(html, lay_out)  # figures moved to leave no holes
        pdf = document.write_pdf(**options)
    finally:
        logger.removeHandler(handler)
    refused = {r.url for r in refusals}
    families = sorted({font.family for font in document.fonts.values()} - declared)
    return Outcome(
        pdf=pdf,
        refusals=tuple(refusals),
        fallback_fonts=tuple(families),
        messages=tuple(
            m for m in dict.fromkeys(messages) if not any(u in m for u in refused)
        ),
    )


class _Collect(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(slots=True)
class _Worker:
    """One worker process, the jobs it was given, and how far it got."""

    conn: Connection
    process: Any
    jobs: list[Job] = field(default_factory=list)
    finished: int = 0  # jobs it reported on
    since: float = 0.0  # when its current job began (or its jobs were sent)
    sent: bool = False
    ready: bool = False  # it has loaded WeasyPrint and started a job


class Renderers:
    """Worker processes that render briefs, started ahead of their jobs.

    ``warm_up`` starts the workers, each importing WeasyPrint while the build draws
    its figures; ``submit`` hands out the jobs at once, longest first, each to the
    worker with the least work (by HTML length), and returns; ``collect`` waits for
    every outcome, stops a job that runs past its time and gives the jobs its worker
    had left to a fresh one. Leaving the block kills every worker still running.
    """

    def __init__(self, options: PdfOptions) -> None:
        self.options = options
        self.workers: list[_Worker] = []

    def __enter__(self) -> Renderers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warm_up(self, count: int = 0) -> None:
        """Start workers until count (default: options.workers) wait for jobs."""
        want = count or max(1, self.options.workers)
        while sum(not w.sent for w in self.workers) < want:
            self.workers.append(self._launch())

    def submit(self, jobs: Sequence[Job]) -> None:
        """Give the jobs to the waiting workers (started now if need be)."""
        if not jobs:
            return
        self.warm_up(min(max(1, self.options.workers), len(jobs)))
        idle = [w for w in self.workers if not w.sent]
        load = [0] * len(idle)
        for job in sorted(jobs, key=lambda job: -len(job.html)):
            least = load.index(min(load))
            idle[least].jobs.append(job)
            load[least] += len(job.html)
        for worker in idle:
            if worker.jobs:
                self._send(worker)

    def collect(self, done: Callable[[Job, Outcome], None]) -> None:
        """Wait for every job submitted; tell done of each outcome as it comes."""
        while active := [w for w in self.workers if w.finished < len(w.jobs)]:
            deadline = min(self._deadline(w) for w in active)
            ready = multiprocessing.connection.wait(
                [w.conn for w in active], timeout=max(0.0, deadline - time.monotonic())
            )
            for worker in active:
                while worker.conn in ready and worker.finished < len(worker.jobs):
                    self._receive(worker, done)
                    if not worker.conn.poll():
                        break
            now = time.monotonic()
            for worker in active:
                if worker.finished < len(worker.jobs) and now >= self._deadline(worker):
                    self._fail(
                        worker,
                        done,
                        t(
                            "it took over {timeout:g} s and was stopped",
                            timeout=self.options.timeout,
                        ),
                    )

    def close(self) -> None:
        """Kill every worker still running (one done with its jobs has exited)."""
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join()
            worker.conn.close()
        self.workers.clear()

    def _deadline(self, worker: _Worker) -> float:
        """When the worker's current job is over its time.

        A job's time starts when the worker starts it; a worker still loading
        WeasyPrint (a fresh one, on a busy machine) gets STARTUP_SECONDS at least.
        """
        limit = self.options.timeout
        return worker.since + (limit if worker.ready else max(limit, STARTUP_SECONDS))

    def _launch(self) -> _Worker:
        context = _process_context()
        mine, theirs = context.Pipe()
        # A forked worker closes the ends it inherited (its parent's and the other
        # workers'), so no pipe outlives the worker it is for.
        inherited = (
            [mine.fileno(), *(w.conn.fileno() for w in self.workers)]
            if context.get_start_method() == "fork"
            else []
        )
        process = context.Process(
            target=_serve,
            args=(theirs, self.options.memory, os.getpid(), inherited),
            daemon=True,
        )
        process.start()
        theirs.close()
        return _Worker(mine, process, since=time.monotonic())

    def _send(self, worker: _Worker) -> None:
        """Send a worker its jobs, each with only the files its brief names."""
        with contextlib.suppress(OSError):  # it died: collect finds out, and says so
            worker.conn.send(
                [replace(job, resources=_named(job)) for job in worker.jobs]
            )
        worker.sent, worker.since = True, time.monotonic()

    def _receive(self, worker: _Worker, done: Callable[[Job, Outcome], None]) -> None:
        try:
            kind, index, value, at = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(5)
            self._fail(
                worker, done, _crash_message(worker.process.exitcode, self.options)
            )
            return
        worker.since, worker.ready = at, True  # the next job starts at `at`
        if kind == "done":
            worker.finished = index + 1
            done(worker.jobs[index], value)

    def _fail(
        self, worker: _Worker, done: Callable[[Job, Outcome], None], error: str
    ) -> None:
        """Report the worker's current job as failed; its other jobs go to another."""
        worker.process.kill()
        worker.process.join()
        job, rest = worker.jobs[worker.finished], worker.jobs[worker.finished + 1 :]
        worker.jobs = worker.jobs[: worker.finished + 1]
        worker.finished = len(worker.jobs)
        done(job, Outcome(error=error))
        if rest:
            fresh = self._launch()
            fresh.jobs = rest
            self.workers.append(fresh)
            self._send(fresh)


def _named(job: Job) -> Resources:
    """The job's resources without the drawn files its HTML never names.

    The same rule as the brief's cache key: a figure the HTML does not name cannot
    change the PDF, so a worker need not receive it.
    """
    files = job.resources.files
    kept = {
        rel: payload
        for rel, payload in files.items()
        if isinstance(payload, Path) or rel in job.html
    }
    return replace(job.resources, files=kept)


def _process_context() -> Any:
    """Fork when safe (Linux, one thread), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _crash_message(exitcode: int | None, options: PdfOptions) -> str:
    if exitcode is not None and exitcode < 0:
        return t(
            "the renderer was killed by signal {signal}, perhaps for using over "
            "{mib} MiB of memory",
            signal=-exitcode,
            mib=options.memory // 2**20,
        )
    return t(
        "the renderer stopped unexpectedly (exit code {exitcode}), perhaps over its "
        "memory limit of {mib} MiB",
        exitcode=exitcode,
        mib=options.memory // 2**20,
    )


def _serve(conn: Connection, memory: int, parent: int, inherited: list[int]) -> None:
    """A worker: load WeasyPrint, then render the jobs it is sent, one by one.

    The jobs are read by a thread while WeasyPrint loads; each job is announced
    when it starts (so the parent can time it) and its outcome sent when done. The
    worker dies with its parent, even one killed outright (``become_worker``).
    """
    become_worker(parent, inherited)
    received: list[list[Job]] = []
    reader = threading.Thread(target=_read_jobs, args=(conn, received), daemon=True)
    reader.start()
    with contextlib.suppress(Exception):  # a failing import is reported per job
        import weasyprint  # noqa: F401  # warms up while the build draws figures
    _limit_memory(memory)
    reader.join()
    for index, job in enumerate(received[0] if received else ()):
        conn.send(("start", index, None, time.monotonic()))
        outcome = _render(job, memory)
        conn.send(("done", index, outcome, time.monotonic()))
    conn.close()


def _read_jobs(conn: Connection, received: list[list[Job]]) -> None:
    with contextlib.suppress(EOFError, OSError):
        received.append(conn.recv())


def _render(job: Job, memory: int) -> Outcome:
    started = time.perf_counter()
    try:
        outcome = render_pdf(job.html, job.resources, job.variant)
    except MemoryError:
        outcome = Outcome(
            error=t("it needed more than {mib} MiB of memory", mib=memory // 2**20)
        )
    except BaseException as exc:  # a bug, or WeasyPrint failing: report, never hang
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        outcome = Outcome(error=t("the renderer failed: {last}", last=last))
    return replace(outcome, seconds=time.perf_counter() - started)


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus extra bytes."""
    try:
        import resource
    except ImportError:  # not on POSIX: no limit
        return
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
