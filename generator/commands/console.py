"""Progress on the terminal: the reporter the commands hand to a build."""

from __future__ import annotations

import sys
import time

import click

from generator.errors import Problem


class ConsoleReporter:
    """Prints build progress to stderr: a bar on a terminal, stage names with -v.

    The bar shows the stage, how many of its steps are done, and the time spent
    in it; it is redrawn at most ten times a second and erased at the stage's
    end. Not on a terminal (CI logs, pipes) it prints nothing unless -v is given.
    """

    WIDTH = 24  # characters of the bar itself

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.tty = sys.stderr.isatty()
        self.total = 0
        self.done = 0
        self.name = ""
        self.started = 0.0
        self.drawn = 0.0  # when the bar was last redrawn
        self.showing = False

    def stage(self, name: str, total: int = 0) -> None:
        """Announce a stage."""
        self._end_line()
        self.name, self.total, self.done = name, total, 0
        self.started = time.monotonic()
        if self.verbosity >= 2:
            click.echo(f"  {name}" + (f" ({total})" if total else ""), err=True)

    def step(self, label: str) -> None:
        """Count one step; redraw the bar on a terminal."""
        self.done += 1
        if self.verbosity >= 2:
            click.echo(f"    {label}", err=True)
        elif self.verbosity == 1 and self.tty and self.total > 1:
            now = time.monotonic()
            if now - self.drawn >= 0.1 or self.done == self.total:
                self.drawn = now
                self.showing = True
                click.echo("\r\033[K" + self.bar(now), err=True, nl=False)

    def bar(self, now: float) -> str:
        """The progress line: stage, bar, count and seconds spent."""
        share = min(1.0, self.done / self.total) if self.total else 0.0
        filled = round(share * self.WIDTH)
        return (
            f"  {self.name:<9} [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
            f"{self.done}/{self.total}  {now - self.started:.0f} s"
        )

    def problem(self, problem: Problem) -> None:
        """Print a warning."""
        self._end_line()
        if self.verbosity >= 1:
            click.echo(str(problem), err=True)

    def _end_line(self) -> None:
        if self.showing:
            click.echo("\r\033[K", err=True, nl=False)
            self.showing = False
