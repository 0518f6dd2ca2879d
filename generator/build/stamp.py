"""Build stamps: what a build read, so a build of an unchanged project can stop at once.

A stamp is a hash of every input (the content of site.yaml, data/, content/ and
themes/; the size and modification time of the shipped theme and of the generator's
own code) plus the build options. After a build without warnings, the stamp is
stored in the cache with the identity of the output folder it produced; the next
build with the same stamp and an untouched output folder has nothing to do.
`proceedings clean` forgets every stamp.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import generator
from generator.core.context import PACKAGE_THEMES  # cheap: no pipeline imported

STAMP_VERSION = 1
MAX_HASHED = 10_000_000  # larger inputs are refused by the loader anyway
_INPUTS = ("site.yaml", "data", "content", "themes")


def compute_stamp(root: Path, options: object) -> str:
    """Hash the state of every file a build of root could read, and the options."""
    digest = hashlib.sha256(f"{STAMP_VERSION}|{options!r}".encode())
    # The project's own files by content (an edit within one clock tick still
    # counts); the shipped theme and our code by size and modification time.
    for path in _files(root / name for name in _INPUTS):
        digest.update(f"{path}|".encode())
        info = path.lstat()
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_HASHED:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        else:  # links, FIFOs, devices, huge files: never read them here
            target = str(path.readlink()) if stat.S_ISLNK(info.st_mode) else ""
            digest.update(
                f"{info.st_mode}|{target}|{info.st_size}|{info.st_mtime_ns}".encode()
            )
    for path in _files((PACKAGE_THEMES, Path(generator.__file__).parent)):
        info = path.stat()
        digest.update(f"{path}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _files(sources: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for source in sources:
        if source.is_file():
            found.append(source)
        elif source.is_dir():
            for folder, dirs, names in os.walk(source):  # does not follow links
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                found.extend(Path(folder) / n for n in sorted(names))
    return found


def _output_identity(out: Path) -> str:
    stat = out.stat()
    return f"{stat.st_ino}:{stat.st_mtime_ns}"


def check_stamp(root: Path, options: object, cache_dir: str) -> tuple[str, bool]:
    """Compute the stamp of root's inputs and options; say if output/ matches it.

    The CLI calls this before importing the pipeline and hands the stamp to
    ``build_site``, so the inputs are hashed once per build.
    """
    root = root.resolve()
    stamp = compute_stamp(root, options)
    out = getattr(options, "output", None)
    if not isinstance(out, Path) or not out.is_dir():
        return stamp, False
    return stamp, is_up_to_date(root / cache_dir, out, stamp)


def is_up_to_date(cache: Path, out: Path, stamp: str) -> bool:
    """Return True if out was made by a build with this stamp and not touched since."""
    try:
        record = json.loads((cache / "stamps.json").read_text("utf-8"))
        entry = record.get(str(out.absolute()))
        return bool(entry) and entry == [stamp, _output_identity(out)]
    except (OSError, ValueError, AttributeError):
        return False


def record_stamp(cache: Path, out: Path, stamp: str | None) -> None:
    """Remember the stamp of the build that made out (None forgets it)."""
    path = cache / "stamps.json"
    try:
        record = json.loads(path.read_text("utf-8"))
        if not isinstance(record, dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    key = str(out.absolute())
    if stamp is None:
        record.pop(key, None)
    else:
        record[key] = [stamp, _output_identity(out)]
    cache.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1, sort_keys=True), "utf-8")
    temporary.replace(path)  # atomic: an interrupted write leaves the old record
