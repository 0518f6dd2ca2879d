"""`serve` and `pdf`: the live preview, and one PDF brief."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import Context, holding_project, run
from generator.commands.console import ConsoleReporter
from generator.i18n import t


@click.command(
    help=t(
        "Preview the site, drafts included, rebuilding and reloading pages on each "
        "save.\n\nBuilds into ROOT/.preview/ (output/ is left alone) and watches "
        "data/, content/, themes/ and site.yaml. Build errors show in the terminal "
        "and on the pages. Stop with Ctrl-C."
    )
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=t("Address to listen on; other machines cannot connect to the default."),
)
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help=t("Port to listen on (0 picks a free one)."),
)
@click.option(
    "--open", "open_browser", is_flag=True, help=t("Open the preview in a browser.")
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, open_browser: bool) -> None:
    """Preview the site, rebuilding and reloading pages on each save."""
    from generator.serve.http import serve as serve_preview
    from generator.serve.responses import ServeOptions

    options = ServeOptions(host, port, open_browser, obj.verbosity, obj.debug)
    run(obj, lambda: serve_preview(obj.root, options, ConsoleReporter(obj.verbosity)))


@click.command(
    help=t(
        "Make the PDF brief of one conference (SLUG) or of a series "
        "(series/SLUG).\n\nUses the same templates, figures and cache as `build`; "
        "output/ is left alone."
    )
)
@click.argument("slug")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=t("Where to write the PDF.  [default: ./SLUG.pdf]"),
)
@click.option(
    "--pdf-variant",
    default="pdf/ua-1",
    show_default=True,
    metavar="VARIANT",
    help=t(
        "pdf/ua-1 (tagged, accessible), pdf/a-2b, pdf/a-2u, pdf/a-3b, pdf/a-3u "
        "(archival), or none (a plain tagged PDF). See docs/pdf.md."
    ),
)
@click.option("--no-cache", is_flag=True, help=t("Render even if the brief is cached."))
@click.option(
    "--no-wait",
    is_flag=True,
    help=t("If another run is using the project, stop at once (exit 2)."),
)
@click.pass_obj
def pdf(
    obj: Context,
    slug: str,
    output: Path | None,
    pdf_variant: str,
    no_cache: bool,
    no_wait: bool,
) -> None:
    """Make the PDF brief of one conference (SLUG) or of a series (series/SLUG)."""
    from generator.build.pipeline import make_brief
    from generator.errors import Problem
    from generator.pdf.options import PdfOptions
    from generator.site.views import PdfOut

    options = PdfOptions(variant=pdf_variant, use_cache=not no_cache)
    reporter = ConsoleReporter(obj.verbosity)

    def make() -> tuple[Path, PdfOut, list[Problem]]:
        with holding_project(obj, no_wait=no_wait):
            return make_brief(obj.root, slug, output, options, reporter)

    path, made, warnings = run(obj, make)
    for warning in warnings:
        click.echo(str(warning), err=True)
    if obj.verbosity >= 1:
        click.echo(t("Wrote {path} ({size:,} bytes)", path=path, size=made.size))
