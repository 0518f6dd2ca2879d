"""What every command shares: options, running an action, exit codes."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn, TypeVar

import click

from generator.errors import BuildFailed, Problem, UsageError, internal_error
from generator.i18n import t

T = TypeVar("T")
EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_ENVIRONMENT = 1  # the machine said no (a full disk, a read-only folder…)

# What the machine can refuse, and what to do about it. Any other OSError is ours.
_ENVIRONMENT = {
    errno.ENOSPC: t(
        "the disk is full: free some space on it, or build elsewhere with --output DIR"
    ),
    errno.EDQUOT: t(
        "your disk quota is used up: free some space, or build elsewhere "
        "with --output DIR"
    ),
    errno.EROFS: t(
        "the file system is read-only: build into a writable folder with --output DIR"
    ),
    errno.EACCES: t(
        "permission denied: check the owner and permissions of that path "
        "(ls -ld), or build elsewhere with --output DIR"
    ),
    errno.EPERM: t(
        "the operation is not permitted there: check the owner and "
        "attributes of that path, or build elsewhere with --output DIR"
    ),
    errno.EBUSY: t(
        "the path is in use (a mount point, or a folder another program "
        "holds): stop that program, or build elsewhere with --output DIR"
    ),
    errno.EXDEV: t(
        "the path is on another file system than the folder beside it: "
        "build elsewhere with --output DIR"
    ),
    errno.EIO: t(
        "the disk reported an input/output error: check it (dmesg), then run again"
    ),
    errno.EMFILE: t("too many open files: raise the limit (ulimit -n) and run again"),
    errno.ENFILE: t(
        "the system has too many open files: close some programs and run again"
    ),
    errno.ENAMETOOLONG: t(
        "a path is too long for the file system: build into a "
        "folder with a shorter path"
    ),
}


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program runs, as Ctrl-C would be."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def handle_termination() -> None:
    """Make SIGTERM and SIGHUP stop a run as Ctrl-C does: cleanly, children too."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)


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
        click.echo(t("error: {exc}", exc=exc), err=True)
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt as exc:
        click.echo(t("interrupted; output/ is unchanged"), err=True)
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        raise SystemExit(128 + signum) from None
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT:
            _internal(obj, exc)
        fail_environment(exc)
    except Exception as exc:
        _internal(obj, exc)


def _internal(obj: Context, exc: Exception) -> NoReturn:
    """Report a bug in our code in one line (the traceback with --debug)."""
    if obj.debug:
        raise exc
    click.echo(
        internal_error(exc),
        err=True,
    )
    raise SystemExit(EXIT_INTERNAL) from None


def fail_environment(exc: OSError) -> NoReturn:
    """Say what the machine refused, where, and what to do; exit 1."""
    reason = (exc.strerror or os.strerror(exc.errno or 0)).lower()
    where = f"{exc.filename}: " if exc.filename else ""
    click.echo(t("error: {where}{reason}", where=where, reason=reason), err=True)
    click.echo(t("  hint: {hint}", hint=_ENVIRONMENT.get(exc.errno or 0, "")), err=True)
    raise SystemExit(EXIT_ENVIRONMENT) from None


@contextlib.contextmanager
def holding_project(obj: Context, *, no_wait: bool) -> Iterator[None]:
    """Hold the project's lock around a command; say so when it has to wait.

    Raises UsageError first if the folder holds no project (nothing is made).
    """
    from generator.core.context import CACHE_DIR, require_project
    from generator.core.lock import project_lock

    require_project(obj.root)

    def say(message: str) -> None:
        if obj.verbosity >= 1:
            click.echo(message, err=True)

    with project_lock(obj.root / CACHE_DIR, wait=not no_wait, on_wait=say):
        yield


def fail_content(problems: list[Problem]) -> NoReturn:
    """Print problems and their count, then exit 1."""
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)  # not the notes
    if not warnings:
        line = t("{errors} error(s)", errors=errors)
    elif errors:
        line = t(
            "{errors} error(s), {warnings} warning(s)", errors=errors, warnings=warnings
        )
    else:
        line = t(
            "{errors} error(s), {warnings} warning(s) (warnings fail the run under "
            "--strict)",
            errors=errors,
            warnings=warnings,
        )
    click.echo(line, err=True)
    raise SystemExit(EXIT_CONTENT)
