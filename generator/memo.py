"""A cache of pickled results by key, under ``.proceedings-cache/memo/<kind>/``.

Used for work that is not an output file of its own: parsed YAML documents, a
conference's rendered narratives, its part of the search index. Entries are written
atomically; a damaged or unreadable one is simply recomputed. Each build prunes
the entries of a kind it did not ask for down to as many as it used, so the memo
stays about twice the project's size.
The files are ours, never content: unpickling them runs no user input.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

MEMO_DIR = "memo"


class Memo:
    """Pickled results in the cache, by kind and key."""

    def __init__(self, cache: Path) -> None:
        self.folder = cache / MEMO_DIR
        self.used: dict[str, set[str]] = {}

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored for kind and key, or None."""
        self.used.setdefault(kind, set()).add(key)
        try:
            with (self.folder / kind / f"{key}.pickle").open("rb") as handle:
                return pickle.load(handle)  # our own cache, never content
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, kind: str, key: str, value: object) -> None:
        """Store value; a read-only or full cache only costs time later."""
        self.used.setdefault(kind, set()).add(key)
        with contextlib.suppress(OSError):
            data = pickle.dumps(value, protocol=5)
            write_atomic(self.folder / kind / f"{key}.pickle", data)

    def prune(self) -> None:
        """Bound each kind to about twice what this build asked for.

        Entries this build did not use are deleted, oldest first, while they
        outnumber the used ones: a preview (drafts on) and a build keep their
        own entries side by side, and old versions of edited files go.
        """
        for kind, keys in self.used.items():
            try:
                files = list((self.folder / kind).iterdir())
            except OSError:
                continue
            unused = [p for p in files if p.name.removesuffix(".pickle") not in keys]
            excess = len(unused) - len(keys)
            if excess <= 0:
                continue
            unused.sort(key=_mtime)
            for path in unused[:excess]:
                path.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
