"""`build`, `clean` and `bundle`: make the site, remove it, zip it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

from generator.commands.common import Context, run
from generator.commands.console import ConsoleReporter
from generator.core.context import CACHE_DIR


@click.command()
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
    from generator.build.stamp import check_stamp
    from generator.core.context import BuildOptions

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
    from generator.build.pipeline import build_site

    reporter = ConsoleReporter(obj.verbosity)
    summary = run(obj, lambda: build_site(obj.root, options, reporter, stamp=stamp))
    if obj.verbosity >= 1:
        click.echo(str(summary))


@click.command()
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


@click.command()
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
    from generator.build.bundle import BundleOptions, make_bundle

    options = BundleOptions(output=output, pdf=not no_pdf, strict=strict)
    reporter = ConsoleReporter(obj.verbosity)
    summary = run(obj, lambda: make_bundle(obj.root, options, reporter))
    if obj.verbosity >= 1:
        click.echo(str(summary.build))
        click.echo(str(summary))
