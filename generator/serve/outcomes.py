"""How a preview build ends: stopped by a newer change, or told on the terminal."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import click

from generator.core.context import Reporter
from generator.errors import Problem
from generator.i18n import t
from generator.serve.responses import Outcome, ServeOptions


class Stopped(Exception):
    """A newer change came in: the build running is dropped, and made again."""


class Stoppable:
    """A reporter that stops the build at its next step once newer is set."""

    def __init__(self, reporter: Reporter, newer: threading.Event) -> None:
        self.reporter, self.newer = reporter, newer

    def stage(self, name: str, total: int = 0) -> None:
        """Stop if a newer change came in; else pass it on."""
        if self.newer.is_set():
            raise Stopped
        self.reporter.stage(name, total)

    def step(self, label: str) -> None:
        """Stop if a newer change came in; else pass it on."""
        if self.newer.is_set():
            raise Stopped
        self.reporter.step(label)

    def problem(self, problem: Problem) -> None:
        """Pass it on."""
        self.reporter.problem(problem)


def say_outcome(
    outcome: Outcome, seconds: float, changed: Sequence[str], options: ServeOptions
) -> None:
    """Say on the terminal how a build of the preview went."""
    why = ""
    if changed:
        more = (
            t(" and {count} more", count=len(changed) - 1) if len(changed) > 1 else ""
        )
        why = t(" ({changed}{more} changed)", changed=changed[0], more=more)
    if outcome.ok:
        if options.verbosity >= 1:
            done = (
                t("rebuilt in {seconds:.2f} s{why}", seconds=seconds, why=why)
                if changed
                else t("built in {seconds:.2f} s{why}", seconds=seconds, why=why)
            )
            click.echo(done)
        return
    for problem in outcome.problems:
        click.echo(str(problem), err=True)
    if outcome.message:
        click.echo(t("error: {message}", message=outcome.message), err=True)
    if outcome.internal and not options.debug:
        click.echo(
            t("  this is a bug in proceedings; run with --debug for the traceback"),
            err=True,
        )
    errors = sum(p.severity == "error" for p in outcome.problems)
    click.echo(
        t(
            "build failed in {seconds:.2f} s{why}: {errors} error(s); still "
            "serving the last good build",
            seconds=seconds,
            why=why,
            errors=errors or 1,
        ),
        err=True,
    )
