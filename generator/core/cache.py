"""The build cache: one store under ``.proceedings-cache/``, verified on every read.

Three kinds of entry, all under ``<kind>/`` and named by a key that hashes every
input of what they hold (``Keys.of``: the inputs a result uses, plus a salt):

* **objects** (``load``/``save``): pickled results that are not files of their own —
  parsed YAML, a conference's rendered narratives, its search records, its figures;
* **files** (``file``/``store``): bytes published as they are — drawn figures, PDF
  briefs — kept as plain files so a build can link them into ``output/``;
* **blobs** (``blob``/``put_blob``): bytes read back whole, e.g. Jinja's bytecode.

Each entry is stored with the SHA-256 of its name and bytes (a header for objects
and blobs, a ``.sha256`` file beside a file) and verified when read: a damaged or
unreadable entry is removed and listed in ``damaged`` (the build notes it once:
"cache entry … damaged; rebuilt"), and the caller makes it again. The name is in
the digest, so an entry copied or renamed onto another is caught too. Nothing from
the cache is published or unpickled unverified; the files are ours, never content,
so unpickling a verified entry runs no user input. The build's records
(``records/``: the output record, the stamps) are blobs like any other.

Entries are written atomically (``write_atomic``). ``prune`` keeps, per kind, the
entries this build used and at most as many others, newest first, so the cache
stays about twice the project's size and a preview and a build keep their own side
by side. With no folder (a read-only project) nothing is kept and nothing is read;
``unusable`` decides that once per run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import pickle
import stat
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_DIGEST = 32  # bytes of SHA-256 before the payload of an object or blob
# Objects asked for with live=True, as unpickled last time, by (folder, kind,
# key): a long-running process (the preview) does not unpickle every unchanged
# conference again on each rebuild. Values are never changed by their users;
# ``prune`` keeps only what the last build of that folder used.
_LIVE: dict[tuple[str, str, str], object] = {}
_LIVE_LOCK = threading.Lock()
_MISSING = object()
_SIDECAR = ".sha256"


def digest(*parts: bytes | str) -> str:
    """Hash parts, each ended by a NUL so that ("ab", "c") differs from ("a", "bc")."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write data to path so that a reader sees the old file or the new, never half.

    The file is private (mode 0o600) unless mode is given.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=1)
def public_mode() -> int:
    """The mode of a new file of this process (0o666 less the umask): a site's.

    Read from /proc (changing the umask to read it is not thread-safe).
    """
    mask = 0o022
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text("ascii").splitlines():
            if line.startswith("Umask:"):
                mask = int(line.split()[1], 8)
    return 0o666 & ~mask


@functools.lru_cache(maxsize=16)
def library_versions(*names: str) -> str:
    """Name the installed version of each library, "-" for one not installed.

    From the installed metadata: nothing is imported to find them.
    """
    found = []
    for name in names:
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return ",".join(found)


def tree_digest(folders: Iterable[Path], *, content: bool) -> str:
    """Hash the files under folders: by content, or by size and mtime (our code).

    Links, FIFOs and devices are never read, only described. Paths are hashed
    relative to their folder, so a project moved elsewhere keeps its keys.
    """
    hasher = hashlib.sha256()
    for index, folder in enumerate(folders):
        if not folder.is_dir():
            continue
        for where, dirs, names in os.walk(folder):  # does not follow links
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                path = Path(where) / name
                hasher.update(f"{index}|{path.relative_to(folder)}\0".encode())
                try:
                    if content and path.is_file() and not path.is_symlink():
                        hasher.update(hashlib.sha256(path.read_bytes()).digest())
                    else:
                        info = path.lstat()
                        hasher.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
                except OSError:
                    hasher.update(b"unreadable")
    return hasher.hexdigest()


def unusable(folder: Path) -> str:
    """Say why the cache cannot be kept in folder (e.g. "read-only file system").

    "" when it can: the folder exists or was made, and a file can be written in it.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".tmp-probe-", dir=folder)
        os.close(handle)
        Path(probe).unlink()
    except OSError as exc:
        return (exc.strerror or type(exc).__name__).lower()
    return ""


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys of a build's inputs: one global key and one per named input.

    Named inputs are ``data:<slug>`` (a conference's data file), ``text:<slug>`` (its
    narratives) and ``data:*`` (every data file at once); the global key covers what
    shapes every result (settings, theme, options, the versions of our code and of
    the libraries that render).
    """

    global_key: str
    inputs: Mapping[str, str]

    def of(self, *uses: str, salt: str = "") -> str:
        """Key of something made from the named inputs (plus the global key)."""
        return digest(
            self.global_key, salt, *(f"{n}={self.inputs.get(n, '-')}" for n in uses)
        )


class Cache:
    """The store under one folder; see the module's description."""

    def __init__(self, folder: Path | None, *, keep_live: bool = True) -> None:
        self.folder = folder
        self.keep_live = keep_live  # False in a worker process: it keeps nothing
        self.used: dict[str, set[str]] = {}
        self.damaged: list[str] = []  # entries found damaged, "kind/name"
        self._records: dict[str, Any] = {}  # records read or written this run

    # -- objects ---------------------------------------------------------------------

    def load(self, kind: str, key: str, *, live: bool = False) -> Any | None:
        """The object stored for kind and key, or None.

        live: the object is never changed by its users, so the one unpickled
        last time in this process may be handed out again (``_LIVE``).
        """
        name = f"{key}.pickle"
        if live and self.folder is not None:
            with _LIVE_LOCK:
                known = _LIVE.get((str(self.folder), kind, key), _MISSING)
            if known is not _MISSING:
                self._path(kind, name)  # used, for prune
                return known
        data = self.blob(kind, name)
        if data is None:
            return None
        try:
            value = pickle.loads(data)  # verified bytes we wrote; never content
        except Exception:  # intact, but written by another version of our code
            path = self._path(kind, name)
            if path is not None:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            return None
        if live:
            self._keep_live(kind, key, value)
        return value

    def save(self, kind: str, key: str, value: object, *, live: bool = False) -> None:
        """Store value; a read-only or full cache only costs time later."""
        self.put_blob(kind, f"{key}.pickle", pickle.dumps(value, protocol=5))
        if live:
            self._keep_live(kind, key, value)

    def _keep_live(self, kind: str, key: str, value: object) -> None:
        if self.folder is not None and self.keep_live:
            with _LIVE_LOCK:
                _LIVE[(str(self.folder), kind, key)] = value

    # -- blobs -----------------------------------------------------------------------

    def blob(self, kind: str, name: str, *, keep: bool = False) -> bytes | None:
        """The bytes stored under kind/name if they are intact, else None.

        A damaged entry is removed and listed, unless keep (a look before the
        run that will rebuild it, so that one notes it).
        """
        path = self._path(kind, name)
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            if not keep:
                self._discard(kind, name, path)
            return None
        data = raw[_DIGEST:]
        if raw[:_DIGEST] != _sum(kind, name, data).digest():
            if not keep:
                self._discard(kind, name, path)
            return None
        return data

    def put_blob(self, kind: str, name: str, data: bytes) -> None:
        """Store data under kind/name with its digest."""
        path = self._path(kind, name)
        if path is not None:
            with contextlib.suppress(OSError):
                write_atomic(path, _sum(kind, name, data).digest() + data)

    # -- files -----------------------------------------------------------------------

    def file(self, kind: str, name: str) -> Path | None:
        """The stored file kind/name if it is intact, else None."""
        path = self._path(kind, name)
        if path is None:
            return None
        sidecar = path.with_name(path.name + _SIDECAR)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            with contextlib.suppress(OSError):
                sidecar.unlink(missing_ok=True)
            return None
        except OSError:
            self._discard(kind, name, path)
            return None
        try:
            expected = sidecar.read_bytes()
        except FileNotFoundError:  # killed between the two writes: not damage
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
            return None
        except OSError:
            expected = b""
        if expected.strip() != _sum(kind, name, data).hexdigest().encode("ascii"):
            self._discard(kind, name, path)
            return None
        with contextlib.suppress(OSError):  # kept by an earlier version: private
            if stat.S_IMODE(path.stat().st_mode) != public_mode():
                path.chmod(public_mode())
        return path

    def store(self, kind: str, name: str, data: bytes) -> Path | None:
        """Keep data as the file kind/name; return it, or None if nothing is kept."""
        path = self._path(kind, name)
        if path is None:
            return None
        sidecar = path.with_name(path.name + _SIDECAR)
        try:
            write_atomic(path, data, public_mode())  # publish links it into sites
            write_atomic(sidecar, _sum(kind, name, data).hexdigest().encode("ascii"))
        except OSError:  # a read-only or full cache only costs time later
            for partial in (sidecar, path):
                with contextlib.suppress(OSError):
                    partial.unlink(missing_ok=True)
            return None
        return path

    # -- records ---------------------------------------------------------------------

    def record(self, name: str, *, keep: bool = False) -> Any | None:
        """The JSON record called name (the output record, the stamps), or None.

        Read once per Cache (one run): a caller that changes it puts it back.
        """
        if name in self._records:
            return self._records[name]
        data = self.blob("records", f"{name}.json", keep=keep)
        if data is None:
            return None
        try:
            value = json.loads(data)
        except ValueError:  # intact but not ours: another version wrote it
            return None
        self._records[name] = value
        return value

    def put_record(self, name: str, value: object) -> None:
        """Keep value as the JSON record called name."""
        data = json.dumps(value, separators=(",", ":"), sort_keys=True)
        self.put_blob("records", f"{name}.json", data.encode("utf-8"))
        self._records[name] = value

    def drop_record(self, name: str) -> None:
        """Forget the record called name."""
        self._records.pop(name, None)
        path = self._path("records", f"{name}.json")
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    # -- upkeep ----------------------------------------------------------------------

    def prune(self) -> None:
        """Bound each kind this build used to about twice what it asked for."""
        if self.folder is None:
            return
        folder = str(self.folder)
        with _LIVE_LOCK:  # what this build did not use is not kept alive either
            for live in [k for k in _LIVE if k[0] == folder]:
                if live[2] not in self.used.get(live[1], ()):
                    del _LIVE[live]
        for kind, keys in self.used.items():
            where = self.folder / kind
            try:
                names = os.listdir(where)  # noqa: PTH208 (thousands: strings are cheaper)
            except OSError:
                continue
            unused: dict[str, list[Path]] = {}
            for name in names:
                if name.startswith(".tmp-"):  # left by a killed run; lock held
                    with contextlib.suppress(OSError):
                        (where / name).unlink()
                    continue
                stem = _stem(name)
                if stem not in keys:
                    unused.setdefault(stem, []).append(where / name)
            excess = len(unused) - len(keys)
            if excess <= 0:
                continue
            for stem in sorted(unused, key=lambda s: _newest(unused[s]))[:excess]:
                for path in unused[stem]:
                    path.unlink(missing_ok=True)

    def _path(self, kind: str, name: str) -> Path | None:
        self.used.setdefault(kind, set()).add(_stem(name))
        return None if self.folder is None else self.folder / kind / name

    def _discard(self, kind: str, name: str, path: Path) -> None:
        self.damaged.append(f"{kind}/{name}")
        for stale in (path, path.with_name(path.name + _SIDECAR)):
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)


def _sum(kind: str, name: str, data: bytes) -> Any:
    """The SHA-256 of an entry: its kind and name, then its bytes."""
    hasher = hashlib.sha256(f"{kind}/{name}\0".encode())
    hasher.update(data)
    return hasher


def _stem(name: str) -> str:
    """The key part of an entry's file name: 'ab12.svg.sha256' -> 'ab12'."""
    return name.split(".", 1)[0]


def _newest(paths: list[Path]) -> float:
    times = []
    for path in paths:
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    return max(times, default=0.0)
