"""`check`: validate the project without writing anything."""

from __future__ import annotations

import click

from generator.commands.common import Context, fail_content, run
from generator.errors import Problem
from generator.i18n import t


@click.command(
    help=t(
        "Check site.yaml, data/ and content/ without writing anything.\n\nMakes "
        "every check a build makes before rendering, the PDF briefs' included: "
        "what `build` refuses, `check` refuses. With --translations, also report "
        "every missing English translation; English pages show the Vietnamese text "
        "(marked as such) until one is written."
    )
)
@click.option("--strict", is_flag=True, help=t("Treat warnings as errors."))
@click.option(
    "--no-pdf",
    is_flag=True,
    help=t("Leave out the checks of the PDF briefs, as `build --no-pdf` does."),
)
@click.option(
    "--translations",
    is_flag=True,
    help=t(
        "Also list what has no English version yet: each narrative without "
        "content/SLUG/en/NAME.md and each text of the data (title, label, unit, "
        "…) without an `en:` entry, as path:line:col warnings with a hint. They "
        "do not fail the check unless --strict is given. See docs/bilingual.md."
    ),
)
@click.pass_obj
def check(obj: Context, strict: bool, no_pdf: bool, translations: bool) -> None:
    """Check site.yaml, data/ and content/ without writing anything."""
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
                t(
                    "note: English pages are off; add `languages: [vi, en]` to "
                    "site.yaml to publish them"
                ),
                err=True,
            )
        if strict and missing:
            fail_content(missing)
    if obj.verbosity >= 1:
        said = sum(p.severity == "warning" for p in warnings)  # not the notes
        click.echo(
            t("No errors, {warnings} warning(s).", warnings=said)
            if said
            else t("No errors.")
        )
        if translations:
            click.echo(
                t(
                    "Translations: {missing_summary}.",
                    missing_summary=_missing_summary(missing),
                )
            )


def _missing_summary(missing: list[Problem]) -> str:
    narratives = sum(p.pos.path.suffix == ".md" for p in missing)
    texts = len(missing) - narratives
    if not missing:
        return t("every narrative and text has an English version")
    return t(
        "{narratives} narrative(s) and {texts} text(s) of the data have no English "
        "version",
        narratives=narratives,
        texts=texts,
    )
