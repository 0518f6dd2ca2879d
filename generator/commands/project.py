"""`init` and `new`: start a project, start a conference."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import Context, run
from generator.i18n import t


@click.command(
    help=t(
        "Start a project in FOLDER (default: the --root folder, else "
        "here).\n\nWrites a commented site.yaml, empty data/ and content/ folders "
        "and a .gitignore for what builds make. Then add a conference with "
        "`proceedings new SLUG` and build with `proceedings build`. A folder that "
        "holds a project is left alone."
    )
)
@click.argument("folder", required=False, type=click.Path(path_type=Path), default=None)
@click.pass_obj
def init(obj: Context, folder: Path | None) -> None:
    """Start a project in FOLDER (default: the --root folder, else here)."""
    from generator.scaffold.project import init_project

    target = folder if folder is not None else obj.root
    created = run(obj, lambda: init_project(target))
    if obj.verbosity >= 1:
        for path in created:
            click.echo(t("created {path}", path=(target / path).as_posix()))
        where = "" if target == Path() else f"cd {target.as_posix()} && "
        click.echo(
            t("next: {where}proceedings new SLUG, then proceedings build", where=where)
        )


@click.command(
    help=t(
        "Start a conference: data/SLUG.yaml and "
        "content/SLUG/gioi-thieu.md.\n\nSLUG is lowercase ASCII letters, digits "
        "and '-', e.g. hoi-nghi-tre-em-2025. The data file lists every field with "
        "what it means; the project builds at once."
    )
)
@click.argument("slug")
@click.pass_obj
def new(obj: Context, slug: str) -> None:
    """Start a conference: data/SLUG.yaml and content/SLUG/gioi-thieu.md."""
    from generator.scaffold.conference import description_reminder, new_conference

    created = run(obj, lambda: new_conference(obj.root, slug))
    if obj.verbosity >= 1:
        for path in created:
            click.echo(t("created {path}", path=path.as_posix()))
        reminder = description_reminder(obj.root)
        if reminder:
            click.echo(t("note: {reminder}", reminder=reminder))
