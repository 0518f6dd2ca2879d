"""The build cache: pickled results by key, atomic writes, input keys."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


_LIBRARIES = ("jinja2", "markdown-it-py", "pydantic", "nh3", "matplotlib")


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _library_versions() -> str:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return ",".join(found)


def _tree_state(folders: Iterable[Path], *, content: bool) -> str:
    """Hash the files under folders: by content, or by size and mtime (our code)."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for where, dirs, names in os.walk(folder):  # does not follow links
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                path = Path(where) / name
                digest.update(f"{path}\0".encode())
                try:
                    if content and path.is_file():
                        digest.update(hashlib.sha256(path.read_bytes()).digest())
                    else:
                        info = path.stat()
                        digest.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
                except OSError:
                    digest.update(b"unreadable")
    return digest.hexdigest()


ALL_DATA = "data:*"  # every data file at once, as one key


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys of a build's inputs; see the module's description."""

    global_key: str
    inputs: Mapping[str, str]  # "data:<slug>" / "text:<slug>" -> hash

    def of(self, *names: str, salt: str = "") -> str:
        """Key of something made from the named inputs (plus the global key)."""
        return _sha(
            self.global_key, salt, *(f"{n}={self.inputs.get(n, '-')}" for n in names)
        )
