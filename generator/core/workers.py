"""Share CPU-bound work among worker processes when there is enough of it.

Processes, not threads: Markdown rendering and matplotlib hold the GIL. Workers are
forked when that is safe (no other threads running, so no lock can be held by a
thread that does not exist in the child), else spawned. Results come back in
input order, so a parallel build gives exactly the output of a serial one.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
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
    preload: Callable[[], object] | None = None,
) -> Iterator[R]:
    """Yield function(item) for each item in order, in workers if there are many.

    preload runs in this process before forking, so forked workers start with
    heavy modules already imported.
    """
    workers = worker_count(len(items), parallel_from)
    if workers < 2:
        yield from map(function, items)
        return
    context: BaseContext
    if "fork" in multiprocessing.get_all_start_methods() and (
        threading.active_count() == 1
    ):
        if preload is not None:
            preload()
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(function, items, chunksize=chunksize)
