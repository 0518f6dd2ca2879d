"""`new`: start a conference."""

from __future__ import annotations

import click

from generator.commands.common import Context, _run


@click.command()
@click.argument("slug")
@click.pass_obj
def new(obj: Context, slug: str) -> None:
    """Start a conference: data/SLUG.yaml and content/SLUG/gioi-thieu.md.

    SLUG is lowercase ASCII letters, digits and '-', e.g. hoi-nghi-tre-em-2025. The
    data file lists every field with what it means; the project builds at once.
    """
    from generator.scaffold.conference import new_conference

    created = _run(obj, lambda: new_conference(obj.root, slug))
    if obj.verbosity >= 1:
        for path in created:
            click.echo(f"created {path.as_posix()}")
