"""One run at a time per project: a lock held from reading the inputs to publishing.

``build``, ``bundle``, ``clean``, ``pdf`` and each rebuild of ``serve`` hold the lock
of the project, the file ``lock`` in its cache folder (``flock``, so a killed run
never leaves it held). A second run waits, saying for whom, or with ``--no-wait``
stops at once with a usage error naming the holder's process id. The file holds
that id; it is never removed, not even by ``clean``, or two runs could lock two
different files at once.

The lock is re-entrant within a thread (``bundle`` runs ``build_site``, which takes
it again) and excludes the other threads of the process (the preview's PDF route
and its builder). A project whose cache folder cannot be written (read-only) locks
a file named after it in the temporary folder instead.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import UsageError
from generator.i18n import t

LOCK_NAME = "lock"


@dataclass(slots=True)
class _Holder:
    """This process's hold on one lock file: a thread, a depth, the open file."""

    mutex: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    fd: int = -1


_guard = threading.Lock()
_holders: dict[Path, _Holder] = {}


def lock_path(cache: Path) -> Path:
    """The lock file of the project whose cache folder is cache."""
    return cache / LOCK_NAME


@contextlib.contextmanager
def project_lock(
    cache: Path,
    *,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the project's lock for the block; wait for it, or raise UsageError.

    on_wait is told once, in words, whom the run waits for.
    """
    path = lock_path(cache.absolute())
    with _guard:
        holder = _holders.setdefault(path, _Holder())
    if not holder.mutex.acquire(blocking=False):
        if not wait:
            raise UsageError(_busy(path, os.getpid()))
        if on_wait is not None:
            on_wait(_waiting(path, os.getpid()))
        holder.mutex.acquire()
    try:
        if holder.depth == 0:
            holder.fd = _lock_file(path, wait, on_wait)
        holder.depth += 1
    except BaseException:
        holder.mutex.release()
        raise
    try:
        yield
    finally:
        holder.depth -= 1
        if holder.depth == 0:
            with contextlib.suppress(OSError):
                fcntl.flock(holder.fd, fcntl.LOCK_UN)
            os.close(holder.fd)
            holder.fd = -1
        holder.mutex.release()


def holder_pid(cache: Path) -> int | None:
    """The process id written in the project's lock file, if any."""
    try:
        text = lock_path(cache).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _lock_file(path: Path, wait: bool, on_wait: Callable[[str], None] | None) -> int:
    """Open and lock the file at path (or its stand-in); return the descriptor."""
    fd, writable = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            if not wait:
                raise UsageError(_busy(path, pid)) from None
            if on_wait is not None:
                on_wait(_waiting(path, pid))
            fcntl.flock(fd, fcntl.LOCK_EX)
        if writable:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open(path: Path) -> tuple[int, bool]:
    """Open the lock file for writing, else for reading, else a stand-in in /tmp."""
    flags = os.O_CLOEXEC | os.O_NOFOLLOW
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), True
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
    with contextlib.suppress(OSError):
        return os.open(path, os.O_RDONLY | flags), False
    name = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    stand_in = Path(tempfile.gettempdir()) / f"proceedings-{name}.lock"
    return os.open(stand_in, os.O_RDWR | os.O_CREAT | flags, 0o600), True


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _who(pid: int | None) -> str:
    return t("process {pid}", pid=pid) if pid else t("another process")


def _busy(path: Path, pid: int | None) -> str:
    return t(
        "the project is in use by another proceedings run ({who}), which holds "
        "{path}; wait for it to finish, or run again without --no-wait",
        who=_who(pid),
        path=path,
    )


def _waiting(path: Path, pid: int | None) -> str:
    return t(
        "waiting for another proceedings run ({who}) to finish with this project "
        "(it holds {path}) …",
        who=_who(pid),
        path=path,
    )
