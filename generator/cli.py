"""The `proceedings` command: parse arguments, call one function, print problems.

Exit codes: 0 success; 1 content errors (each printed as path:line:col); 2 usage
errors (bad options, no project, output locked); 70 an internal error (a bug: run
again with --debug for the traceback).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from generator import __version__
from generator.errors import BuildFailed, Problem, UsageError
from generator.options import CACHE_DIR

T = TypeVar("T")
EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


@dataclass(frozen=True, slots=True)
class Context:
    """Options shared by every command."""

    root: Path
    verbosity: int  # 0 quiet, 1 normal, 2 verbose
    debug: bool


class ConsoleReporter:
    """Prints build progress to stderr: a bar on a terminal, stage names with -v.

    The bar shows the stage, how many of its steps are done, and the time spent
    in it; it is redrawn at most ten times a second and erased at the stage's
    end. Not on a terminal (CI logs, pipes) it prints nothing unless -v is given.
    """

    WIDTH = 24  # characters of the bar itself

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.tty = sys.stderr.isatty()
        self.total = 0
        self.done = 0
        self.name = ""
        self.started = 0.0
        self.drawn = 0.0  # when the bar was last redrawn
        self.showing = False

    def stage(self, name: str, total: int = 0) -> None:
        """Announce a stage."""
        self._end_line()
        self.name, self.total, self.done = name, total, 0
        self.started = time.monotonic()
        if self.verbosity >= 2:
            click.echo(f"  {name}" + (f" ({total})" if total else ""), err=True)

    def step(self, label: str) -> None:
        """Count one step; redraw the bar on a terminal."""
        self.done += 1
        if self.verbosity >= 2:
            click.echo(f"    {label}", err=True)
        elif self.verbosity == 1 and self.tty and self.total > 1:
            now = time.monotonic()
            if now - self.drawn >= 0.1 or self.done == self.total:
                self.drawn = now
                self.showing = True
                click.echo("\r\033[K" + self.bar(now), err=True, nl=False)

    def bar(self, now: float) -> str:
        """The progress line: stage, bar, count and seconds spent."""
        share = min(1.0, self.done / self.total) if self.total else 0.0
        filled = round(share * self.WIDTH)
        return (
            f"  {self.name:<9} [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
            f"{self.done}/{self.total}  {now - self.started:.0f} s"
        )

    def problem(self, problem: Problem) -> None:
        """Print a warning."""
        self._end_line()
        if self.verbosity >= 1:
            click.echo(str(problem), err=True)

    def _end_line(self) -> None:
        if self.showing:
            click.echo("\r\033[K", err=True, nl=False)
            self.showing = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="proceedings")
@click.option(
    "--root",
    "-C",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Project folder (the one holding site.yaml, data/ and content/).",
)
@click.option(
    "--verbose", "-v", "verbosity", flag_value=2, help="Print each stage and step."
)
@click.option("--quiet", "-q", "verbosity", flag_value=0, help="Print errors only.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, root: Path, verbosity: int | None, debug: bool) -> None:
    """Build conference proceedings: an HTML site and PDF briefs from data and Markdown.

    Run the commands in a project folder, or name one with --root. Exit codes: 0 ok,
    1 content errors, 2 usage errors, 70 internal error.
    """
    ctx.obj = Context(root, 1 if verbosity is None else verbosity, debug)


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site.  [default: ROOT/output]",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--no-pdf", is_flag=True, help="Skip PDF briefs (fast HTML-only build).")
@click.option("--drafts", is_flag=True, help="Include narratives marked draft: true.")
@click.pass_obj
def build(
    obj: Context, output: Path | None, strict: bool, no_pdf: bool, drafts: bool
) -> None:
    """Build the HTML site (and PDF briefs) into output/.

    The new site is written beside output/ and swapped in at the end: a build that
    fails or is interrupted leaves the previous output/ as it was.
    """
    from generator.options import BuildOptions
    from generator.stamp import check_stamp

    started = time.perf_counter()
    options = BuildOptions(
        output=output or obj.root / "output",
        strict=strict,
        pdf=not no_pdf,
        drafts=drafts,
    )
    stamp = None
    if (obj.root / "site.yaml").is_file():
        stamp, up_to_date = check_stamp(obj.root, options, CACHE_DIR)
        if up_to_date:  # nothing changed: answer before importing the pipeline
            if obj.verbosity >= 1:
                seconds = time.perf_counter() - started
                click.echo(f"{options.output} is up to date ({seconds:.2f} s)")
            return
    from generator.build import build_site  # lazy: keeps --help and no-ops fast

    reporter = ConsoleReporter(obj.verbosity)
    summary = _run(obj, lambda: build_site(obj.root, options, reporter, stamp=stamp))
    if obj.verbosity >= 1:
        click.echo(str(summary))


@cli.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--translations",
    is_flag=True,
    help="Also list what has no English version yet: each narrative without "
    "content/SLUG/en/NAME.md and each text of the data (title, label, unit, …) "
    "without an `en:` entry, as path:line:col warnings with a hint. They do not "
    "fail the check unless --strict is given. See docs/bilingual.md.",
)
@click.pass_obj
def check(obj: Context, strict: bool, translations: bool) -> None:
    """Check site.yaml, data/ and content/ without writing anything.

    With --translations, also report every missing English translation; English
    pages show the Vietnamese text (marked as such) until one is written.
    """
    from generator.build import check_site

    warnings = _run(obj, lambda: check_site(obj.root, strict=strict))
    for warning in warnings:
        click.echo(str(warning), err=True)
    missing: list[Problem] = []
    if translations:
        from generator.languages import check_translations

        missing, english_on = _run(obj, lambda: check_translations(obj.root))
        for problem in missing:
            click.echo(str(problem), err=True)
        if not english_on:
            click.echo(
                "note: English pages are off; add `languages: [vi, en]` to site.yaml "
                "to publish them",
                err=True,
            )
        if strict and missing:
            _fail_content(missing)
    if obj.verbosity >= 1:
        click.echo(f"No errors{f', {len(warnings)} warnings' if warnings else ''}.")
        if translations:
            click.echo(f"Translations: {_missing_summary(missing)}.")


def _missing_summary(missing: list[Problem]) -> str:
    narratives = sum(p.pos.path.suffix == ".md" for p in missing)
    texts = len(missing) - narratives
    if not missing:
        return "every narrative and text has an English version"
    return (
        f"{narratives} narrative(s) and {texts} text(s) of the data have no English "
        "version"
    )


@cli.command()
@click.pass_obj
def clean(obj: Context) -> None:
    """Remove output/ and the build cache."""
    removed = []
    for name in ("output", ".proceedings-cache", ".preview"):
        path = obj.root / name
        if path.exists():
            shutil.rmtree(path)
            removed.append(name)
    if obj.verbosity >= 1:
        click.echo(
            f"Removed {', '.join(removed)}." if removed else "Nothing to remove."
        )


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; other machines cannot connect to the default.",
)
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--open", "open_browser", is_flag=True, help="Open the preview in a browser."
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, open_browser: bool) -> None:
    """Preview the site, drafts included, rebuilding and reloading pages on each save.

    Builds into ROOT/.preview/ (output/ is left alone) and watches data/, content/,
    themes/ and site.yaml. Build errors show in the terminal and on the pages. Stop
    with Ctrl-C.
    """
    from generator.serve import ServeOptions
    from generator.serve import serve as serve_preview

    options = ServeOptions(host, port, open_browser, obj.verbosity, obj.debug)
    _run(obj, lambda: serve_preview(obj.root, options, ConsoleReporter(obj.verbosity)))


@cli.command()
@click.argument("slug")
@click.pass_obj
def new(obj: Context, slug: str) -> None:
    """Start a conference: data/SLUG.yaml and content/SLUG/gioi-thieu.md.

    SLUG is lowercase ASCII letters, digits and '-', e.g. hoi-nghi-tre-em-2025. The
    data file lists every field with what it means; the project builds at once.
    """
    from generator.scaffold import new_conference

    created = _run(obj, lambda: new_conference(obj.root, slug))
    if obj.verbosity >= 1:
        for path in created:
            click.echo(f"created {path.as_posix()}")


@cli.command()
@click.argument("slug")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the PDF.  [default: ./SLUG.pdf]",
)
@click.option(
    "--pdf-variant",
    default="pdf/ua-1",
    show_default=True,
    metavar="VARIANT",
    help="pdf/ua-1 (tagged, accessible), pdf/a-2b, pdf/a-2u, pdf/a-3b, pdf/a-3u "
    "(archival), or none (a plain tagged PDF). See docs/pdf.md.",
)
@click.option("--no-cache", is_flag=True, help="Render even if the brief is cached.")
@click.pass_obj
def pdf(
    obj: Context, slug: str, output: Path | None, pdf_variant: str, no_cache: bool
) -> None:
    """Make the PDF brief of one conference (SLUG) or of a series (series/SLUG).

    Uses the same templates, figures and cache as `build`; output/ is left alone.
    """
    from generator.pdf import PdfOptions, make_brief  # lazy: keeps --help fast

    options = PdfOptions(variant=pdf_variant, use_cache=not no_cache)
    reporter = ConsoleReporter(obj.verbosity)
    path, made, warnings = _run(
        obj, lambda: make_brief(obj.root, slug, output, options, reporter)
    )
    for warning in warnings:
        click.echo(str(warning), err=True)
    if obj.verbosity >= 1:
        click.echo(f"Wrote {path} ({made.size:,} bytes)")


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="The zip file to write, or an existing folder to write it in.  "
    "[default: ROOT/bundle/TITLE-DATE.zip]",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--no-pdf", is_flag=True, help="Leave out the PDF briefs (included by default)."
)
@click.pass_obj
def bundle(obj: Context, output: Path | None, strict: bool, no_pdf: bool) -> None:
    """Write one zip for delegates: the site, PDF briefs, data, SHA-256 manifest.

    Builds the site into .proceedings-cache/bundle/ (output/ is left alone) and zips
    it under one folder, TITLE-DATE/, with README.txt (open index.html) and
    MANIFEST.sha256 (check with `sha256sum -c MANIFEST.sha256`). The site works
    from disk, search included. DATE is the end of the newest reporting period;
    the same inputs give a byte-identical zip. See docs/bundle.md.
    """
    from generator.bundle import BundleOptions, make_bundle  # lazy: keeps --help fast

    options = BundleOptions(output=output, pdf=not no_pdf, strict=strict)
    reporter = ConsoleReporter(obj.verbosity)
    summary = _run(obj, lambda: make_bundle(obj.root, options, reporter))
    if obj.verbosity >= 1:
        click.echo(str(summary.build))
        click.echo(str(summary))


def _run(obj: Context, action: Callable[[], T]) -> T:
    try:
        return action()
    except BuildFailed as exc:
        _fail_content(exc.problems)
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        click.echo("interrupted; output/ is unchanged", err=True)
        raise SystemExit(130) from None
    except Exception as exc:
        if obj.debug:
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug in proceedings; run again with --debug for the traceback",
            err=True,
        )
        raise SystemExit(EXIT_INTERNAL) from None


def _fail_content(problems: list[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)  # not the notes
    line = f"{errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")
    if warnings and not errors:
        line += " (warnings fail the run under --strict)"
    click.echo(line, err=True)
    raise SystemExit(EXIT_CONTENT)


def main() -> None:
    """Run the CLI (console script entry point)."""
    cli(prog_name="proceedings")
