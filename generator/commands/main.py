"""The `proceedings` command: parse arguments, call one function, print problems.

Exit codes: 0 success; 1 content errors (each printed as path:line:col) or what the
machine refused (a full disk, a read-only folder: the path and what to do); 2 usage
errors (bad options, no project, the project in use with --no-wait); 70 an internal
error (a bug: run again with --debug for the traceback); 128 + the signal's number
when interrupted (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
"""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__
from generator.commands import building, checking, previewing, project
from generator.commands.common import Context, handle_termination
from generator.commands.helptext import HelpContext
from generator.i18n import t
from generator.importer.command import import_command


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=t(
        "Build conference proceedings: an HTML site and PDF briefs from data and "
        "Markdown.\n\nRun the commands in a project folder, or name one with "
        "--root. Exit codes: 0 ok, 1 content errors or a full disk, read-only "
        "folder…, 2 usage errors, 70 internal error, 130/143/129 interrupted."
    ),
)
@click.version_option(__version__, "--version", prog_name="proceedings")
@click.option(
    "--root",
    "-C",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help=t("Project folder (the one holding site.yaml, data/ and content/)."),
)
@click.option(
    "--verbose", "-v", "verbosity", flag_value=2, help=t("Print each stage and step.")
)
@click.option("--quiet", "-q", "verbosity", flag_value=0, help=t("Print errors only."))
@click.option("--debug", is_flag=True, help=t("Show tracebacks of internal errors."))
@click.pass_context
def cli(ctx: click.Context, root: Path, verbosity: int | None, debug: bool) -> None:
    """The `proceedings` group: options every command shares (help: above)."""
    ctx.obj = Context(root, 1 if verbosity is None else verbosity, debug)


for command in (
    building.build,
    checking.check,
    building.clean,
    previewing.serve,
    project.init,
    project.new,
    previewing.pdf,
    building.bundle,
    import_command,  # docs/import.md
):
    command.context_class = HelpContext
    cli.add_command(command)
cli.context_class = HelpContext  # --help in the language of the messages


def main() -> None:
    """Run the CLI (console script entry point); SIGTERM and SIGHUP act as Ctrl-C."""
    handle_termination()
    cli(prog_name="proceedings")
