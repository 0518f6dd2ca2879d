"""Read project files as NFC text with LF line ends, within size limits.

Every file the loader reads is noted in the run's dependency record (``recording``,
``note_read``), so a build's stamp covers exactly what it read: a reader of another
kind of file (an archived source, an image) calls ``note_read`` too.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from generator.errors import Pos, Problems
from generator.i18n import t

MAX_DATA_BYTES = 1_000_000
MAX_NARRATIVE_BYTES = 2_000_000


# The record of the run in progress in this thread, if it keeps one. A context
# variable rather than a parameter: the loader's many readers need not pass it on.
_READS: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar(
    "reads", default=None
)


@contextlib.contextmanager
def recording(reads: set[Path]) -> Iterator[None]:
    """Note in reads every project file read in the block (this thread)."""
    token = _READS.set(reads)
    try:
        yield
    finally:
        _READS.reset(token)


def note_read(path: Path) -> None:
    """Add a file (its real path) to the dependency record of the run, if any."""
    reads = _READS.get()
    if reads is not None:
        reads.add(path)


@functools.lru_cache(maxsize=8)
def _real_root(root: Path) -> Path:
    """The project folder with links resolved; once per folder, not once per file."""
    return root.resolve()


def read_text(root: Path, rel: Path, problems: Problems, limit: int) -> str | None:
    """Read a project file as NFC text with LF line ends, reporting what is wrong."""
    path = root / rel
    try:
        real = path.resolve()
        if not real.is_relative_to(_real_root(root)):
            problems.add(
                Pos(rel),
                t("file is a link to a place outside the project"),
                t("copy the file into the project instead of linking to it"),
            )
            return None
        if not real.is_file():  # a folder, a FIFO or a device would block or fail
            problems.add(
                Pos(rel),
                t("file is not an ordinary file"),
                t("replace it with an ordinary text file, or remove it"),
            )
            return None
        with real.open("rb") as handle:  # never more than the limit in memory
            raw = handle.read(limit + 1)
            size = max(len(raw), os.fstat(handle.fileno()).st_size)
        note_read(real)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        reason = (
            t("it is a link that leads back to itself")
            if isinstance(exc, RuntimeError)
            else (exc.strerror or type(exc).__name__).lower()
        )
        problems.add(
            Pos(rel),
            t("file cannot be read: {reason}", reason=reason),
            t("replace it with an ordinary file, or remove it"),
        )
        return None
    if size > limit:
        problems.add(
            Pos(rel),
            t(
                "file is {size:,} bytes, over the limit of {limit:,}",
                size=size,
                limit=limit,
            ),
            t("split it into smaller files"),
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.add(
            Pos(rel, line, col),
            t(
                "not valid UTF-8 (byte 0x{byte:02x} at offset {start})",
                byte=raw[exc.start],
                start=exc.start,
            ),
            t(
                "save the file as UTF-8; if it came from an old Windows program, "
                "convert it from Windows-1258 or Latin-1, e.g. iconv -f WINDOWS-1258 "
                "-t UTF-8 {name}",
                name=rel.name,
            ),
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.add(
            Pos(rel), t("file is empty"), t("see docs/content.md for an example")
        )
        return None
    return unicodedata.normalize("NFC", text)
