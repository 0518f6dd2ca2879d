"""`check`: validate the project without writing anything."""

from __future__ import annotations

import click

from generator.commands.common import Context, fail_content, run
from generator.errors import Problem


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--no-pdf",
    is_flag=True,
    help="Leave out the checks of the PDF briefs, as `build --no-pdf` does.",
)
@click.option(
    "--translations",
    is_flag=True,
    help="Also list what has no English version yet: each narrative without "
    "content/SLUG/en/NAME.md and each text of the data (title, label, unit, …) "
    "without an `en:` entry, as path:line:col warnings with a hint. They do not "
    "fail the check unless --strict is given. See docs/bilingual.md.",
)
@click.pass_obj
def check(obj: Context, strict: bool, no_pdf: bool, translations: bool) -> None:
    """Check site.yaml, data/ and content/ without writing anything.

    Makes every check a build makes before rendering, the PDF briefs' included:
    what `build` refuses, `check` refuses. With --translations, also report every
    missing English translation; English pages show the Vietnamese text (marked
    as such) until one is written.
    """
    from generator.build.pipeline import check_site

    warnings = run(obj, lambda: check_site(obj.root, strict=strict, pdf=not no_pdf))
    for warning in warnings:
        click.echo(str(warning), err=True)
    missing: list[Problem] = []
    if translations:
        from generator.build.pipeline import check_translations

        missing, published = run(obj, lambda: check_translations(obj.root))
        for problem in missing:
            click.echo(str(problem), err=True)
        if not published:
            click.echo(
                "note: English pages are off; add `languages: [vi, en]` to site.yaml "
                "to publish them",
                err=True,
            )
        if strict and missing:
            fail_content(missing)
    if obj.verbosity >= 1:
        said = sum(p.severity == "warning" for p in warnings)  # not the notes
        click.echo(f"No errors{f', {said} warning(s)' if said else ''}.")
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
