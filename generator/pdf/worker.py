"""Render PDF briefs with WeasyPrint in worker processes, each within its limits.

WeasyPrint is imported here only when a brief is rendered. Each worker renders one
brief, under a memory limit set when it starts; one that runs past its time is killed,
and every worker dies with the build (``core.workers.become_worker``): an
interrupted, terminated or killed build leaves no renderer behind.
What a worker said (refused URLs, system fonts, WeasyPrint's warnings) is reported
where its cause is written.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import posixpath
import re
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from generator.core.workers import become_worker
from generator.errors import Pos, Problems
from generator.i18n import t
from generator.model import Narrative, Site
from generator.pdf.fetch import (
    TEMPLATE,
    Refusal,
    Resources,
    find_in_text,
    find_in_theme,
    make_url_fetcher,
    report_refusal,
)
from generator.pdf.holes import fill_holes
from generator.site.theme import project_path, static_files

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from generator.pdf.options import PdfOptions


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


def render_isolated(
    jobs: Sequence[Job], options: PdfOptions, done: Callable[[Job, Outcome], None]
) -> None:
    """Render jobs in worker processes, options.workers at once, each within limits."""
    if not jobs:
        return
    context = _process_context()
    if context.get_start_method() == "fork":
        # Import once here, so that every forked worker starts with WeasyPrint loaded.
        import weasyprint  # noqa: F401
    pending = list(jobs)
    running: dict[Connection, tuple[Job, Any, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, options.workers):
                job = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                # A forked worker closes the read ends it inherited (its own and
                # the other workers'), so no pipe outlives the worker it is for.
                inherited = (
                    [receive.fileno(), *(c.fileno() for c in running)]
                    if context.get_start_method() == "fork"
                    else []
                )
                process = context.Process(
                    target=_work,
                    args=(job, options.memory, send, os.getpid(), inherited),
                    daemon=True,
                )
                process.start()
                send.close()
                running[receive] = (job, process, time.monotonic() + options.timeout)
            wait = max(
                0.0,
                min(deadline for _, _, deadline in running.values()) - time.monotonic(),
            )
            for conn in multiprocessing.connection.wait(list(running), timeout=wait):
                assert isinstance(conn, multiprocessing.connection.Connection)
                job, process, _ = running.pop(conn)
                try:
                    outcome = conn.recv()
                except EOFError:
                    process.join(5)
                    outcome = Outcome(error=_crash_message(process.exitcode, options))
                conn.close()
                process.join(5)
                done(job, outcome)
            now = time.monotonic()
            for conn, (job, process, deadline) in list(running.items()):
                if now >= deadline:
                    process.kill()
                    process.join()
                    conn.close()
                    del running[conn]
                    done(
                        job,
                        Outcome(
                            error=t(
                                "it took over {timeout:g} s and was stopped",
                                timeout=options.timeout,
                            )
                        ),
                    )
    finally:
        for conn, (_, process, _) in running.items():
            process.kill()
            process.join()
            conn.close()


def _process_context() -> Any:
    """Fork when safe (Linux, one thread): workers start with WeasyPrint loaded."""
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


def _work(
    job: Job, memory: int, conn: Connection, parent: int, inherited: list[int]
) -> None:
    """Render one job in a worker process and send back the outcome.

    The worker dies with its parent, even one killed outright (``become_worker``).
    """
    become_worker(parent, inherited)
    _limit_memory(memory)
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
    conn.send(replace(outcome, seconds=time.perf_counter() - started))
    conn.close()


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


def report_outcome(
    job: Job,
    outcome: Outcome,
    narratives: Sequence[Narrative],
    site: Site,
    problems: Problems,
) -> bool:
    """Turn what a worker said into problems; True if the PDF can be cached."""
    if outcome.error:
        problems.add(
            Pos(job.data_file),
            t(
                "could not make the PDF brief {path}: {error}",
                path=job.path,
                error=outcome.error,
            ),
            t("see docs/pdf.md (Limits); with ordinary content, this is a bug"),
        )
        return False
    refusals = [r for r in dict.fromkeys(outcome.refusals) if r.url not in job.reported]
    for refusal in refusals:
        report_refusal(refusal, find_in_theme(refusal.url, site), problems)
    for family in outcome.fallback_fonts:
        problems.warn(
            Pos(job.data_file),
            t(
                "the PDF brief {path} uses the system font '{family}' for characters "
                "its fonts lack",
                path=job.path,
                family=family,
            ),
            t(
                "add a font with those characters under themes/site/static/fonts/ "
                "and name it in brief.css (docs/pdf.md, Fonts)"
            ),
        )
    for message in outcome.messages:
        _report_message(message, narratives, site, problems)
    return not (outcome.refusals or outcome.fallback_fonts or outcome.messages)


def _report_message(
    message: str, narratives: Sequence[Narrative], site: Site, problems: Problems
) -> None:
    """Report a WeasyPrint warning where its cause is written, if it can be found."""
    quoted = re.search(r'"([^"]+)"', message)
    if quoted is None:
        problems.warn(
            _stylesheet_pos(message, site),
            t("PDF renderer: {message}", message=message),
        )
        return
    url = quoted.group(1)
    name = posixpath.basename(urlsplit(url).path)
    written = re.sub(r"^[0-9a-f]{8}-", "", name)  # the Markdown stage's media/<hash>-
    in_narrative = next(
        (
            found
            for needle in dict.fromkeys((url, name, written))
            for n in narratives
            if needle
            and (found := find_in_text(n.body, needle, n.path, n.body_line)) is not None
        ),
        None,
    )
    pos = in_narrative or find_in_theme(url, site)
    if "has no required alt description" in message:
        if in_narrative is not None:
            return  # the Markdown stage has warned at the image, with its line
        problems.warn(
            pos,
            t(
                "image '{src}' has no alt text, which the tagged PDF needs",
                src=written or url,
            ),
            t("describe what it shows: ![description](file)"),
        )
    else:
        problems.warn(pos, t("PDF renderer: {message}", message=message))


def _stylesheet_pos(message: str, site: Site) -> Pos:
    """Place a renderer warning ("... at 12:3 ...") in the brief's stylesheet."""
    css = static_files(site.root, site.config.theme).get("static/css/brief.css")
    path = project_path(css, site.root) if css else Path(TEMPLATE)
    at = re.search(r"\bat (\d+):(\d+)\b", message)
    return Pos(path, int(at.group(1)), int(at.group(2))) if at else Pos(path)
