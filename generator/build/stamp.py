"""Build stamps: what a build read and wrote, so a build of an unchanged project stops.

A stamp hashes every input and the build options: the content of site.yaml, data/,
content/ and themes/ (the folders, so a new file counts), the content of every
other project file the last build read (its dependency record: an image beside
the project's folders, a source's archived file — whatever the loader and the
Markdown stage noted, ``BuildContext.reads``), and the size and modification time
of the shipped theme and of the generator's own code.

After a build, the stamp is kept in the cache's ``stamps`` record for that output
folder, with the list of files read, the manifest of output/ (the size and
modification time of every file in it) and the warnings and notes the build
reported. The next build with the same stamp and the same manifest has nothing to
do but print those problems again, as they were, in the same order; a file
deleted, added or altered in output/ makes it build again. ``proceedings clean``
forgets every stamp.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import generator
from generator.build.digests import Digests
from generator.core.cache import Cache
from generator.core.context import PACKAGE_THEMES  # cheap: no pipeline imported
from generator.errors import Pos, Problem
from generator.i18n import current_language, t

STAMP_VERSION = 3  # 2: dependency record and output manifest; 3: problems
INPUTS = ("site.yaml", "data", "content", "themes")
RECORD = "stamps"


def compute_stamp(root: Path, options: object, digests: Digests | None = None) -> str:
    """Hash the state of the project's input folders and of our code, and the options.

    The files the last build read elsewhere are added by ``with_reads``. Paths
    are plain strings here: on 1,000 conferences pathlib alone would cost more
    than reading and hashing the 4,000 files. digests, if given, knows the
    digests of files unchanged since a run took them (``build.digests``).
    """
    digests = digests or Digests(None)
    # The warnings kept with the stamp are in the language of the messages.
    said = current_language()
    hasher = hashlib.sha256(f"{STAMP_VERSION}|{options!r}|{said}".encode())
    # The project's own files by content (an edit within one clock tick still
    # counts); the shipped theme and our code by size and modification time.
    top = str(root)
    cut = len(top) + 1  # what _files gives starts with top and a slash
    for path in _files(os.path.join(top, name) for name in INPUTS):
        hasher.update(f"{path[cut:]}|".encode())
        hasher.update(digests.state(path))
    code = (str(PACKAGE_THEMES), os.path.dirname(generator.__file__))
    for path in _files(code):
        info = os.stat(path)
        hasher.update(f"{path}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return hasher.hexdigest()


def with_reads(
    stamp: str, root: Path, reads: Iterable[str], digests: Digests | None = None
) -> str:
    """The stamp, with the content of the other project files a build read added."""
    digests = digests or Digests(None)
    hasher = hashlib.sha256(stamp.encode())
    top = str(root)
    for rel in sorted(set(reads)):
        hasher.update(f"{rel}|".encode())
        hasher.update(digests.state(os.path.normpath(os.path.join(top, rel))))
    return hasher.hexdigest()


def outside_inputs(root: Path, reads: Iterable[Path]) -> list[str]:
    """The files of reads that the input folders do not cover, relative to root."""
    top = os.path.realpath(root)
    found = set()
    for path in reads:
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            continue
        if real.startswith(top + os.sep):
            rel = real[len(top) + 1 :]
            if rel.split(os.sep, 1)[0] not in INPUTS:
                found.add(rel.replace(os.sep, "/"))
        else:  # an archived copy under a root site.yaml declares (../shared/…)
            found.add(os.path.relpath(real, top).replace(os.sep, "/"))
    return sorted(found)


def _files(sources: Iterable[str]) -> list[str]:
    found: list[str] = []
    for source in sources:
        if os.path.isfile(source):
            found.append(source)
        elif os.path.isdir(source):
            for folder, dirs, names in os.walk(source):  # does not follow links
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                found.extend(os.path.join(folder, n) for n in sorted(names))
    return found


def manifest(out: Path) -> dict[str, list[int]]:
    """The size and modification time of every file in out (through its link)."""
    files: dict[str, list[int]] = {}
    _manifest(os.path.realpath(out), "", files)
    return files


def _manifest(folder: str, prefix: str, files: dict[str, list[int]]) -> None:
    """Add folder's files (prefix + name), then its subfolders', in sorted order."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            subfolders.append(entry)
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        files[prefix + entry.name] = [info.st_size, info.st_mtime_ns]
    for entry in subfolders:
        _manifest(entry.path, f"{prefix}{entry.name}/", files)


def check_stamp(
    root: Path, options: object, cache: Cache
) -> tuple[str, list[Problem] | None]:
    """Compute the stamp of root's inputs and options; say if output/ matches it.

    Returns the stamp and, when output/ is up to date, the warnings and notes of
    the build that made it (to print again), else None. The CLI calls this,
    holding the project's lock, before importing the pipeline, and hands the
    stamp to ``build_site``, so the inputs are hashed once per build. A damaged
    record is left for the build to note.
    """
    root = root.resolve()
    digests = Digests(cache)
    stamp = compute_stamp(root, options, digests)
    out = getattr(options, "output", None)
    found = None
    if isinstance(out, Path):
        found = stamped_problems(cache, root, out, stamp, keep=True, digests=digests)
    digests.save()
    return stamp, found


def stamped_problems(
    cache: Cache,
    root: Path,
    out: Path,
    stamp: str,
    *,
    keep: bool = False,
    digests: Digests | None = None,
) -> list[Problem] | None:
    """The warnings and notes of the build that made out, to print again.

    None unless that build had this stamp and out is exactly as it left it.
    """
    if not Path(os.path.realpath(out)).is_dir():
        return None
    record = cache.record(RECORD, keep=keep)
    entry = record.get(str(out.absolute())) if isinstance(record, dict) else None
    if not isinstance(entry, dict):
        return None
    reads = entry.get("reads")
    if not isinstance(reads, list) or not all(isinstance(r, str) for r in reads):
        return None
    problems = _problems(entry.get("problems"))
    full = with_reads(stamp, root, reads, digests)
    if problems is None or entry.get("stamp") != full:
        return None
    return problems if entry.get("files") == manifest(out) else None


def _problems(rows: object) -> list[Problem] | None:
    """Problems from the record's rows; None if any row is not one."""
    if not isinstance(rows, list):
        return None
    found = []
    for row in rows:
        if not (
            isinstance(row, list)
            and len(row) == 7
            and all(isinstance(v, str) for v in row[:1] + row[3:])
            and all(isinstance(v, int) for v in row[1:3])
            and row[6] in ("warning", "note")
        ):
            return None
        path, line, col, cell, message, hint, severity = row
        found.append(Problem(Pos(Path(path), line, col, cell), message, hint, severity))
    return found


def _rows(problems: Iterable[Problem]) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    for p in problems:
        pos = p.pos
        rows.append([pos.path.as_posix(), pos.line, pos.col, pos.cell])
        rows[-1].extend((p.message, p.hint, p.severity))
    return rows


def record_stamp(
    cache: Cache,
    out: Path,
    stamp: str | None,
    reads: Sequence[str] = (),
    problems: Iterable[Problem] = (),
) -> None:
    """Remember the stamp of the build that made out (None forgets it).

    stamp is the full stamp (``with_reads``) and reads the files it added;
    problems are the warnings and notes it printed, in order, to print again
    when nothing changed. The manifest of out is taken now, after publishing.
    """
    record = cache.record(RECORD)
    if not isinstance(record, dict):
        record = {}
    key = str(out.absolute())
    if stamp is None:
        if record.pop(key, None) is None:
            return
    else:
        record[key] = {
            "stamp": stamp,
            "reads": sorted(reads),
            "problems": _rows(problems),
            "files": manifest(out),
        }
    cache.put_record(RECORD, record)


def up_to_date_line(output: Path, seconds: float, warnings: Sequence[Problem]) -> str:
    """What a build that found nothing to do says last."""
    if warnings:
        return t(
            "{output} is up to date ({seconds:.2f} s), {warnings} warning(s)",
            output=output,
            seconds=seconds,
            warnings=len(warnings),
        )
    return t("{output} is up to date ({seconds:.2f} s)", output=output, seconds=seconds)
