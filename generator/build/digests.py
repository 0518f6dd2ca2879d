"""Content digests of input files, read again only when a file may have changed.

A build's stamp hashes every input by content (``build.stamp``). On 1,000
conferences that is 6,000 files opened and read to learn that nothing changed.
``Digests`` keeps each file's SHA-256 with what ``lstat`` said of it (size,
modification and change times, inode) in the cache's ``digests`` record, and
reuses the digest while ``lstat`` says the same, as git's index does. A write
always changes the change time (``ctime``, which no program can set back), so a
file whose state is unchanged has unchanged bytes — unless it was written within
the same clock tick as it was last hashed: a digest is only reused for a file
last modified well before (``MARGIN_NS``) the moment its digest was taken, so a
file written then is always read again ("racy git").
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from typing import Any

from generator.core.cache import Cache

RECORD = "digests"
VERSION = 1
MAX_HASHED = 10_000_000  # larger inputs are refused by the loader anyway
MARGIN_NS = 2_000_000_000  # coarser than any file system's timestamps


class Digests:
    """What each input file's content hashes to, remembered between runs."""

    def __init__(self, cache: Cache | None) -> None:
        self.cache = cache if cache is not None and cache.folder else None
        self.started = time.time_ns()  # before any file is read
        self.old: dict[str, Any] = {}
        self.trusted_before = 0
        record = self.cache.record(RECORD, keep=True) if self.cache else None
        # A damaged record is left for a build to note (it reads it with keep
        # False); a look before the build does not write over it.
        self.damaged = record is None and self._exists()
        if isinstance(record, dict) and record.get("version") == VERSION:
            files, taken = record.get("files"), record.get("taken")
            if isinstance(files, dict) and isinstance(taken, int):
                self.old, self.trusted_before = files, taken - MARGIN_NS
        self.new: dict[str, list[int | str]] = {}
        self.read = 0  # files read this run (the others' digests were reused)
        self.lasting = 0  # of them, those written long enough ago to be trusted

    def state(self, path: str) -> bytes:
        """The bytes to hash for path: its content's digest, or what it is."""
        try:
            info = os.lstat(path)
        except OSError:
            return b"missing\n"
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED:
            # Links, FIFOs, devices, huge files: never read them here.
            target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
            return f"{info.st_mode}|{target}|{info.st_size}|{info.st_mtime_ns}".encode()
        seen = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        known = self.old.get(path)
        if (
            isinstance(known, list)
            and known[:4] == seen
            and max(info.st_mtime_ns, info.st_ctime_ns) < self.trusted_before
            and isinstance(known[4], str)
        ):
            self.new[path] = known
            return bytes.fromhex(known[4])
        try:
            with open(path, "rb") as stream:
                found = hashlib.sha256(stream.read()).digest()
        except OSError:
            return b"unreadable\n"
        self.read += 1
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.started - MARGIN_NS:
            self.lasting += 1  # the next run may trust it
        self.new[path] = [*seen, found.hex()]
        return found

    def _exists(self) -> bool:
        folder = self.cache.folder if self.cache else None
        return folder is not None and (folder / "records" / f"{RECORD}.json").exists()

    def save(self, *, noted: bool = False) -> None:
        """Keep the digests taken this run, if the next run could use any of them.

        A digest of a file written just now (the one being edited) cannot be
        trusted next time anyway, so a run that read only such files writes
        nothing. The digests of files not looked at this run stay as they were:
        each is true for the state it was taken in. noted: a damaged record was
        noted by this run (a build), so it may be written over.
        """
        if self.cache is None or (self.damaged and not noted) or not self.lasting:
            return
        files = {**self.old, **self.new}
        self.cache.put_record(
            RECORD, {"version": VERSION, "taken": self.started, "files": files}
        )
