"""Share CPU-bound work among worker processes when there is enough of it.

Processes, not threads: Markdown rendering and matplotlib hold the GIL. Workers are
forked when that is safe (no other threads running, so no lock can be held by a
thread that does not exist in the child), else spawned. Results come back in
input order, so a parallel build gives exactly the output of a serial one.

Workers never outlive the run: each asks the kernel to kill it when its parent
dies (``PR_SET_PDEATHSIG``, so even SIGKILL of the build takes them along),
ignores Ctrl-C (the parent stops them) and dies at once on SIGTERM; a pool is
terminated, not drained, when the run stops early.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.pool import Pool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worker_count(items: int, parallel_from: int) -> int:
    """How many processes to use for items: 1 when too few to pay for start-up."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if items < parallel_from:
        return 1
    return max(1, min(cpus, items // max(1, parallel_from // 2)))


def pool_map(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    parallel_from: int,
    chunksize: int = 1,
) -> Iterator[R]:
    """Yield function(item) for each item in order, in workers if there are many.

    Inside ``shared_workers`` the block's one pool is used (forked at the first
    call that wants workers); else a pool is made for this call (forked, or
    spawned when other threads run).
    """
    workers = worker_count(len(items), parallel_from)
    if workers < 2:
        yield from map(function, items)
        return
    shared = _SHARED.get()
    if shared is not None and shared.pool is None and _can_fork():
        shared.pool = _fork_pool(workers)
    if shared is not None and shared.pool is not None:
        yield from shared.pool.imap(function, items, chunksize=chunksize)
        return
    context: BaseContext
    if _can_fork():
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    # A Pool, not a ProcessPoolExecutor: leaving the block terminates the workers
    # (an interrupted run does not wait for their tasks to finish).
    with context.Pool(workers, become_worker, (os.getpid(),)) as pool:
        yield from pool.imap(function, items, chunksize=chunksize)


@dataclass(slots=True)
class _Shared:
    pool: Pool | None = None


@contextlib.contextmanager
def shared_workers() -> Iterator[Callable[[], None]]:
    """Let the block's ``pool_map`` calls share one pool, forked at the first.

    A build's first call that wants workers is loading, when a cold build is
    still small: a worker forked from a process that holds a whole loaded site
    starts with all of it mapped (counted again in its RSS) and copies the pages
    it touches; forked first, it holds only what it is sent. An incremental
    build, which loads from its memo, usually wants none and forks none. Gives a
    function that ends the sharing early (the pool is ended at the block's end
    anyway); later calls make their own pools.
    """
    shared = _Shared()
    token = _SHARED.set(shared)

    def end() -> None:
        if shared.pool is not None:
            shared.pool.terminate()
        if _SHARED.get() is shared:
            _SHARED.set(None)

    try:
        yield end
    finally:
        end()
        _SHARED.reset(token)


def _fork_pool(workers: int) -> Pool:
    context = multiprocessing.get_context("fork")
    return context.Pool(workers, become_worker, (os.getpid(),))


_SHARED: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar(
    "shared_workers", default=None
)


def _can_fork() -> bool:
    """Fork only when no other thread runs: none can hold a lock the child needs."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


_PR_SET_PDEATHSIG = 1


def become_worker(parent: int, inherited: Iterable[int] = ()) -> None:
    """Set up a worker process so that it never outlives parent (its process id).

    The kernel kills it when parent dies; Ctrl-C is left to the parent, SIGTERM
    and SIGHUP kill it at once; inherited descriptors (other workers' pipes) are
    closed, so no worker keeps another's pipe open.
    """
    # Signals first: until then a signal would run the parent's handler here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: signals still
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _libc() -> ctypes.CDLL:
    """The C library, found without ``find_library`` where possible.

    The symbols already loaded into this process have prctl on Linux;
    ``find_library`` would run ``ldconfig`` in every worker (60 ms).
    """
    loaded = ctypes.CDLL(None, use_errno=True)
    if hasattr(loaded, "prctl"):
        return loaded
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
