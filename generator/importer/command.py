"""``proceedings import``: parse the options, run the import, print what it did.

Shaped like the commands of generator/commands/: problems print as ``str(problem)``
on stderr; exit 1 on content problems, 2 on usage errors, 70 on a bug (its
traceback with --debug). Only click and generator.errors are imported here, so
``proceedings --help`` loads no spreadsheet or YAML library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from generator.errors import BuildFailed, Problem, UsageError, internal_error
from generator.i18n import t

T = TypeVar("T")
EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 70


@click.command(
    "import",
    help=t(
        "Merge a sheet of indicators (.xlsx, .ods or .csv) into "
        "data/SLUG.yaml.\n\nFILE has a row of headings (Mã số, Tên chỉ số, Giá "
        "trị, Đơn vị, Nguồn, Trích dẫn, …, or the English field names) and one "
        "indicator a row; numbers are read the Vietnamese way (1.317, 9,4, hơn "
        "20). New ids are appended to `indicators`; comments and layout of the "
        "data file are kept. Every problem of the sheet is named by its cell "
        "(chi-so.xlsx:Chỉ số!C7), and an import with problems writes nothing. "
        "Prints the diff of the data file. See docs/import.md."
    ),
)
@click.argument(
    "file",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--conference",
    "-c",
    "slug",
    metavar="SLUG",
    help=t(
        "The conference whose data file, data/SLUG.yaml, gets the indicators. "
        "Required to import; the file must exist (`proceedings new SLUG`)."
    ),
)
@click.option(
    "--update",
    is_flag=True,
    help=t(
        "Replace the fields of indicators the data file already has (same id) "
        "with the sheet's. Without it such a row is an error, unless it is "
        "unchanged."
    ),
)
@click.option(
    "--dry-run",
    is_flag=True,
    help=t("Print the diff of the data file, and write nothing."),
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help=t(
        "Instead of importing, write an empty sheet to OUT: .xlsx (headings, an "
        "example row, a sheet of notes on each column) or .csv (headings and "
        "the example row). An existing file is never overwritten."
    ),
)
@click.pass_obj
def import_command(
    obj: Any,
    file: Path | None,
    slug: str | None,
    update: bool,
    dry_run: bool,
    template: Path | None,
) -> None:
    """Merge a sheet of indicators (.xlsx, .ods or .csv) into data/SLUG.yaml."""
    root = Path(getattr(obj, "root", Path()))
    verbosity = int(getattr(obj, "verbosity", 1))
    debug = bool(getattr(obj, "debug", False))
    if template is not None:
        if file is not None or slug or update or dry_run:
            raise click.UsageError(
                t(
                    "--template writes an empty sheet: give it alone, without FILE, "
                    "--conference, --update or --dry-run"
                )
            )
        _make_template(template, verbosity, debug)
        return
    if file is None:
        raise click.UsageError(
            t("missing FILE, the sheet to import (or --template OUT)")
        )
    if not slug:
        raise click.UsageError(t("missing --conference SLUG: which data/SLUG.yaml"))
    from generator.importer.run import import_sheet  # lazy: keeps --help fast

    result = _run(
        debug,
        lambda: import_sheet(root, file, slug, update=update, dry_run=dry_run),
    )
    if verbosity < 1:
        return
    if result.diff:
        click.echo(result.diff, nl=False)
    if not result.layout_kept:
        click.echo(
            t(
                "note: the indentation of {data_file} differs from what this command "
                "writes; the diff shows every line it changes",
                data_file=result.data_file,
            ),
            err=True,
        )
    for word, ids in (
        (t("added"), result.added),
        (t("updated"), result.updated),
        (t("unchanged"), result.unchanged),
    ):
        for ident in ids:
            click.echo(
                t(
                    "{word:<9} {ident} (row {rows})",
                    word=word,
                    ident=ident,
                    rows=result.rows[ident],
                )
            )
    click.echo(_summary(result, dry_run))


def _summary(result: Any, dry_run: bool) -> str:
    counts = ", ".join(
        f"{len(ids)} {word}"
        for word, ids in (
            (t("added"), result.added),
            (t("updated"), result.updated),
            (t("unchanged"), result.unchanged),
        )
        if ids
    )
    path = result.data_file.as_posix()
    if not result.changed:
        return t(
            "{path} is up to date ({counts}).", path=path, counts=counts or t("no rows")
        )
    if dry_run:
        return t("Dry run: {path} not written ({counts}).", path=path, counts=counts)
    return t("Wrote {path} ({counts}).", path=path, counts=counts)


def _make_template(path: Path, verbosity: int, debug: bool) -> None:
    from generator.importer.template import write_template

    _run(debug, lambda: write_template(path))
    if verbosity >= 1:
        click.echo(t("Wrote {path}", path=path))


def _run(debug: bool, action: Callable[[], T]) -> T:
    try:
        return action()
    except BuildFailed as exc:
        _fail_content(exc.problems)
    except UsageError as exc:
        click.echo(t("error: {exc}", exc=exc), err=True)
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        click.echo(t("interrupted; the data file is unchanged"), err=True)
        raise SystemExit(130) from None
    except Exception as exc:
        if debug:
            raise
        click.echo(
            internal_error(exc),
            err=True,
        )
        raise SystemExit(EXIT_INTERNAL) from None


def _fail_content(problems: Sequence[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(p.severity == "error" for p in problems)
    click.echo(t("{errors} error(s); nothing was written", errors=errors), err=True)
    raise SystemExit(EXIT_CONTENT)
