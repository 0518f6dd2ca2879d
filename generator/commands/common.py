"""What every command shares: options, running an action, exit codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from generator.errors import BuildFailed, Problem, UsageError

T = TypeVar("T")
EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


@dataclass(frozen=True, slots=True)
class Context:
    """Options shared by every command."""

    root: Path
    verbosity: int  # 0 quiet, 1 normal, 2 verbose
    debug: bool


def run(obj: Context, action: Callable[[], T]) -> T:
    """Run a command's action; turn what it raises into a message and an exit code."""
    try:
        return action()
    except BuildFailed as exc:
        fail_content(exc.problems)
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        click.echo("interrupted; output/ is unchanged", err=True)
        raise SystemExit(130) from None
    except Exception as exc:
        if obj.debug:
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug in proceedings; run again with --debug for the traceback",
            err=True,
        )
        raise SystemExit(EXIT_INTERNAL) from None


def fail_content(problems: list[Problem]) -> NoReturn:
    """Print problems and their count, then exit 1."""
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)  # not the notes
    line = f"{errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")
    if warnings and not errors:
        line += " (warnings fail the run under --strict)"
    click.echo(line, err=True)
    raise SystemExit(EXIT_CONTENT)
