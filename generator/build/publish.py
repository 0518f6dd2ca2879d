"""Publish a built site atomically: a folder beside output/, swapped in by rename."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from generator.errors import UsageError

Payload = bytes | Path  # file content, or a file to copy


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold a lock beside out, so two builds never write one output at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.with_name(f".{out.name}.lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"output locked: another build is writing {out}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(files: Mapping[str, Payload], out: Path) -> None:
    """Replace out/ with files; a failure or Ctrl-C leaves the old out/ as it was."""
    out = out.absolute()
    with output_lock(out):
        _recover(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
        try:
            folders: set[Path] = set()
            for rel, payload in sorted(files.items()):
                target = staging / rel
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(target.parent)
                if isinstance(payload, Path):
                    _link_or_copy(payload, target, out)
                else:
                    target.write_bytes(payload)
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _link_or_copy(source: Path, target: Path, out: Path) -> None:
    """Hard-link a file of the previous output into the new one; copy the rest.

    Linking is safe: a build never writes into an existing file, it always
    writes a new one, so the old site and the new share only unchanged files.
    """
    if source.is_relative_to(out):
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # e.g. a file system without hard links
    shutil.copyfile(source, target)


def _recover(out: Path) -> None:
    """Clean up after a build killed outright (SIGKILL, power loss); lock held.

    Staging folders are removed, and a previous site left aside between the two
    renames of a swap is put back, so it is never lost.
    """
    for stale in out.parent.glob(f".{out.name}-new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = out.with_name(f".{out.name}-old")
    if old.is_dir() and not out.exists():
        old.rename(out)


def _swap(staging: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}-old")
    shutil.rmtree(old, ignore_errors=True)  # left by a crashed run
    staging.chmod(0o755)
    try:
        if out.exists():
            out.rename(old)
        try:
            staging.rename(out)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copytree(staging, out)  # another file system: copy instead
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:  # incl. Ctrl-C between the two renames
        if old.exists():
            shutil.rmtree(out, ignore_errors=True)  # a partial copy, if any
            old.rename(out)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)
