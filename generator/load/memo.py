"""A memo of loaded conferences: each one parsed, validated and checked once.

Loading one conference — its data file parsed, derived, validated, its claims,
quotes and placeholders checked, its narratives read — costs milliseconds; on
1,000 conferences that is most of an incremental build. The memo keeps each
loaded ``Entry`` with the warnings its loading found and the files it read, keyed
by everything it was made from:

* the data file's text and every file under ``content/<slug>/`` (names and bytes:
  its narratives and their translations);
* what shapes loading besides (``Scope``): the languages, the folders archives may
  be in, whether the site has a feed, drafts, the project's place;
* the versions of our code and of the libraries that load.

The other files it read (the archived copies of its sources, under ``nguon/`` or
``../shared/``) are checked when it is reused: each must still have the content
digest it had, else the conference is loaded again. What depends on several
conferences (series, reports on earlier tasks, small counts, orphan content) is
no part of the memo: ``load_site`` checks it on every build, over every entry.
A conference with errors is never kept, so its errors are always found anew.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import generator
from generator.core.cache import Cache, digest, library_versions, tree_digest
from generator.errors import Problems
from generator.load.files import note_read, recording
from generator.model import Entry

KIND = "entries"  # .proceedings-cache/entries/
MEMO_VERSION = "1"
MAX_HASHED = 10_000_000  # larger files are refused by the loader anyway
_LIBRARIES = ("pydantic", "pydantic-core", "PyYAML", "markdown-it-py")


@dataclass(frozen=True, slots=True)
class Scope:
    """What loading a conference depends on besides its own files."""

    root: Path
    settings: str  # repr of the languages, archive folders, feed, drafts


def entry_key(scope: Scope, rel: Path, text: str) -> str:
    """Key of the conference whose data file rel holds text: see the module."""
    hasher = hashlib.sha256()
    for part in (_code(), str(scope.root), scope.settings, rel.as_posix(), text):
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\0")
    folder = os.path.join(scope.root, "content", rel.stem)
    for where, dirs, names in os.walk(folder):  # does not follow links
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(where, name)
            hasher.update(f"{os.path.relpath(path, folder)}\0".encode())
            _update(hasher, path)
    return hasher.hexdigest()


def remembered(
    cache: Cache,
    scope: Scope,
    key: str,
    problems: Problems,
    load: Callable[[Problems], Entry | None],
) -> Entry | None:
    """The entry of key from the memo if it is still true, else load(problems) kept.

    Reused, its warnings are added to problems and the files it read are noted
    in the run's dependency record, as if it had been loaded.
    """
    old = recall(cache, key, problems)
    if old is not None:
        return old
    found = Problems()
    read: set[Path] = set()
    with recording(read):
        entry = load(found)
    for path in read:
        note_read(path)
    problems.extend(found.items)
    if entry is not None and not found.errors:
        # Its data file and content/<slug>/ are in the key; the rest is checked.
        covered = (scope.root / "data", scope.root / "content")
        states = [
            (str(p), _content(str(p)))
            for p in sorted(read)
            if not any(p.is_relative_to(folder) for folder in covered)
        ]
        cache.save(KIND, key, (entry, list(found.items), states), live=True)
    return entry


def recall(cache: Cache, key: str, problems: Problems) -> Entry | None:
    """The entry of key from the memo if it is still true, else None.

    Its warnings are added to problems and the files it read are noted in the
    run's dependency record, as if it had been loaded.
    """
    kept = cache.load(KIND, key, live=True)
    if kept is None:
        return None
    old, found, reads = kept
    if not isinstance(old, Entry) or any(_content(p) != s for p, s in reads):
        return None
    problems.extend(found)
    for path, _ in reads:
        note_read(Path(path))
    return old


def _content(path: str) -> str:
    hasher = hashlib.sha256()
    _update(hasher, path)
    return hasher.hexdigest()


def _update(hasher: hashlib._Hash, path: str) -> None:
    """Add a file's bytes; only its state for a link, FIFO, device or huge file.

    Never read what the loader would refuse: a FIFO blocks, /dev/zero never ends.
    """
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED:
            target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
            hasher.update(
                f"{info.st_mode}|{target}|{info.st_size}|{info.st_mtime_ns}\0".encode()
            )
            return
        with open(path, "rb") as stream:
            hasher.update(hashlib.sha256(stream.read()).digest())
    except OSError as exc:  # gone, a folder, unreadable: its state, not its bytes
        hasher.update(f"{type(exc).__name__}\0".encode())


@functools.cache
def _code() -> str:
    """Our code (by size and modification time) and the libraries that load."""
    return digest(
        MEMO_VERSION,
        generator.__version__,
        library_versions(*_LIBRARIES),
        tree_digest([Path(generator.__file__).parent], content=False),
    )
