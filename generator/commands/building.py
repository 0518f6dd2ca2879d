"""`build`, `clean` and `bundle`: make the site, remove it, zip it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.commands.common import Context, holding_project, run
from generator.commands.console import ConsoleReporter
from generator.core.context import CACHE_DIR
from generator.i18n import t

if TYPE_CHECKING:
    from generator.core.context import BuildOptions

NO_WAIT = click.option(
    "--no-wait",
    is_flag=True,
    help=t(
        "If another run is using the project, stop at once (exit 2, naming its "
        "process) instead of waiting for it."
    ),
)


@click.command(
    help=t(
        "Build the HTML site (and PDF briefs) into output/.\n\nThe new site is "
        "written beside output/ and swapped in at the end: a build that fails or "
        "is interrupted leaves the previous output/ as it was. One run at a time: "
        "a second one waits (or, with --no-wait, exits 2)."
    )
)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=t("Where to write the site.  [default: ROOT/output]"),
)
@click.option("--strict", is_flag=True, help=t("Treat warnings as errors."))
@click.option(
    "--no-pdf", is_flag=True, help=t("Skip PDF briefs (fast HTML-only build).")
)
@click.option(
    "--drafts", is_flag=True, help=t("Include narratives marked draft: true.")
)
@NO_WAIT
@click.pass_obj
def build(
    obj: Context,
    output: Path | None,
    strict: bool,
    no_pdf: bool,
    drafts: bool,
    no_wait: bool,
) -> None:
    """Build the HTML site (and PDF briefs) into output/."""
    from generator.core.context import BuildOptions

    started = time.perf_counter()
    options = BuildOptions(
        output=output or obj.root / "output",
        strict=strict,
        pdf=not no_pdf,
        drafts=drafts,
    )
    summary = run(obj, lambda: _build(obj, options, no_wait=no_wait))
    if obj.verbosity >= 1:
        if isinstance(summary, list):  # up to date: the warnings printed again
            from generator.build.stamp import up_to_date_line

            seconds = time.perf_counter() - started
            warnings = [p for p in summary if p.severity == "warning"]
            click.echo(up_to_date_line(options.output, seconds, warnings))
        else:
            click.echo(str(summary))


def _build(obj: Context, options: BuildOptions, *, no_wait: bool) -> object:
    """Build holding the project's lock.

    When output/ is up to date, print the warnings and notes of the build that
    made it again, as it printed them, and return them (a list).
    """
    from generator.build.stamp import check_stamp
    from generator.core.cache import Cache

    reporter = ConsoleReporter(obj.verbosity)
    with holding_project(obj, no_wait=no_wait):
        stamp = None
        if (obj.root / "site.yaml").is_file():
            cache = Cache(obj.root.resolve() / CACHE_DIR)
            stamp, again = check_stamp(obj.root, options, cache)
            if again is not None:  # nothing changed: answer without the pipeline
                for problem in again:
                    reporter.problem(problem)
                return again
        from generator.build.pipeline import build_site

        return build_site(obj.root, options, reporter, stamp=stamp)


@click.command(
    help=t(
        "Remove output/, the preview and the build cache.\n\nWaits for a build "
        "that is running (or, with --no-wait, exits 2). When output/ is a link to "
        "a folder elsewhere (a web root), that folder's site is removed and the "
        "link is kept, so the next build publishes there again."
    )
)
@NO_WAIT
@click.pass_obj
def clean(obj: Context, no_wait: bool) -> None:
    """Remove output/, the preview and the build cache."""
    removed = run(obj, lambda: _clean(obj, no_wait=no_wait))
    if obj.verbosity >= 1:
        click.echo(
            t("Removed {removed}.", removed=", ".join(removed))
            if removed
            else t("Nothing to remove.")
        )


def _clean(obj: Context, *, no_wait: bool) -> list[str]:
    """Remove what builds made, holding the project's lock; say what went."""
    from generator.core.lock import LOCK_NAME

    removed = []
    with holding_project(obj, no_wait=no_wait):
        output = obj.root / "output"
        if output.is_symlink():
            target = Path(os.path.realpath(output))
            if target.is_dir():
                shutil.rmtree(target)
                removed.append(
                    t("output (the site in {target}; the link is kept)", target=target)
                )
        elif output.exists():
            shutil.rmtree(output)
            removed.append("output")
        for leftover in [*obj.root.glob(".output-new-*"), obj.root / ".output-old"]:
            shutil.rmtree(leftover, ignore_errors=True)  # of a build killed outright
        preview = obj.root / ".preview"
        if preview.exists():
            shutil.rmtree(preview)
            removed.append(".preview")
        cache = obj.root / CACHE_DIR
        entries = (
            [p for p in cache.iterdir() if p.name != LOCK_NAME]
            if cache.is_dir()
            else []
        )
        for entry in entries:  # the lock file stays: we hold it
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        if entries:
            removed.append(CACHE_DIR)
    return removed


@click.command(
    help=t(
        "Write one zip for delegates: the site, PDF briefs, data, SHA-256 "
        "manifest.\n\nBuilds the site into .proceedings-cache/bundle/ (output/ is "
        "left alone) and zips it under one folder, TITLE-DATE/, with README.txt "
        "(open index.html) and MANIFEST.sha256 (check with `sha256sum -c "
        "MANIFEST.sha256`). The site works from disk, search included. DATE is the "
        "end of the newest reporting period; the same inputs give a byte-identical "
        "zip. See docs/bundle.md."
    )
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help=t(
        "The zip file to write, or an existing folder to write it in.  "
        "[default: ROOT/bundle/TITLE-DATE.zip]"
    ),
)
@click.option("--strict", is_flag=True, help=t("Treat warnings as errors."))
@click.option(
    "--no-pdf", is_flag=True, help=t("Leave out the PDF briefs (included by default).")
)
@NO_WAIT
@click.pass_obj
def bundle(
    obj: Context, output: Path | None, strict: bool, no_pdf: bool, no_wait: bool
) -> None:
    """Write one zip for delegates: the site, PDF briefs, data, SHA-256 manifest."""
    from generator.build.bundle import BundleOptions, BundleSummary, make_bundle

    options = BundleOptions(output=output, pdf=not no_pdf, strict=strict)
    reporter = ConsoleReporter(obj.verbosity)

    def make() -> BundleSummary:
        with holding_project(obj, no_wait=no_wait):
            return make_bundle(obj.root, options, reporter)

    summary = run(obj, make)
    if obj.verbosity >= 1:
        click.echo(str(summary.build))
        click.echo(str(summary))
