"""Publish a built site atomically, wherever output/ lives.

The usual way: the new site is written into a folder beside output/ and swapped in
by two renames, so a reader (or a failed or killed build) sees the old site or the
new one, never a mix. When output/ is a symbolic link (a web root elsewhere), the
link is kept and the swap happens beside the folder it points to. When output/
cannot be renamed — it is a mount point (EBUSY), or its parent cannot be written —
its contents are replaced in place instead: the new site is staged inside it
(``.proceedings-new-*``), the old entries are moved into ``.proceedings-old-*``,
the new ones moved out of staging, and the old ones removed; a failure at any
point moves the old entries back. A build killed in the middle is repaired by the
next one (``_recover``), before it writes anything. The caller holds the project
lock (``core.lock``).

The site a swap replaced is not removed: it is kept as the *spare* (a folder in
the cache, on the same file system), and the next build stages into it rather
than into an empty folder. Its files that are the very files (same inode) the new
site reuses from output/ stay; every other one is replaced by a new file, never
written into, and the ones the new site lacks are removed (``_sync``). An edit
then touches the files it changed, not the whole site: no folder made or removed
per page, no link per file. The staged folder is complete before the swap, so the
guarantee is the same: a reader sees the old site or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.core.cache import public_mode

Payload = bytes | Path  # file content, or a file to copy

SPARE_DIR = "spare"  # in the cache: the sites swaps replaced, one per output folder
_IN_PLACE = "proceedings"  # prefix of the folders an in-place update keeps inside
# The errors that mean "this folder cannot be swapped by rename": update in place.
_NO_SWAP = frozenset({errno.EBUSY, errno.EXDEV, errno.EACCES, errno.EPERM})


def publish(
    files: Mapping[str, Payload],
    out: Path,
    spare: Path | None = None,
    cache: Path | None = None,
) -> None:
    """Replace out/ with files; a failure or Ctrl-C leaves the old out/ as it was.

    spare, if given, is where the replaced site is kept for the next build to
    stage into (see the module); it must be ours alone (in the cache). Files
    of cache (the build cache's folder: drawn figures, briefs) are linked, not
    copied, like the unchanged files of out: neither is ever written into.
    """
    out = out.absolute()
    linkable = (out, cache.absolute()) if cache is not None else (out,)
    target = published_folder(out)
    try:
        _recover(target)
        if target.is_dir() and (
            os.path.ismount(target) or not _writable(target.parent)
        ):
            _publish_in_place(files, target, linkable)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent)
        )
        try:
            if not (_take_spare(spare, staging) and _sync(staging, files, linkable)):
                _fill(staging, files, linkable)
            _swap(staging, target, spare)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise _about(exc, out) from exc


def _take_spare(spare: Path | None, staging: Path) -> bool:
    """Move the spare site into staging's place; False (staging empty) if none."""
    if spare is None or not spare.is_dir() or spare.is_symlink():
        return False
    try:
        staging.rmdir()
        spare.rename(staging)
        return True
    except OSError:  # another file system, say: stage from nothing
        shutil.rmtree(spare, ignore_errors=True)
        staging.mkdir(exist_ok=True)
        return False


def _sync(
    staging: Path, files: Mapping[str, Payload], linkable: tuple[Path, ...]
) -> bool:
    """Make staging hold exactly files, keeping what already is; False if it can't.

    A file of staging stays only if it is the very file (same device and inode)
    the new site reuses from out; any other is replaced by a new file. On False
    (an entry in the way the walk did not expect), staging is left empty.
    """
    top = str(staging)
    try:
        folders = {""}
        for rel, payload in sorted(files.items()):
            parent = rel.rpartition("/")[0]
            if parent not in folders:
                os.makedirs(os.path.join(top, parent), exist_ok=True)
                folders.update(_ancestors(parent))
            target = os.path.join(top, rel)
            if isinstance(payload, Path) and _same_file(payload, target):
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)  # never written into: it may be linked elsewhere
            if isinstance(payload, Path):
                _link_or_copy(payload, Path(target), linkable)
            else:
                with open(target, "xb") as stream:
                    stream.write(payload)
        _remove_others(staging, files, folders)
        staging.chmod(0o755)
        return True
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(exist_ok=True)
        return False


def _ancestors(folder: str) -> list[str]:
    parts = folder.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _same_file(source: Path, target: str) -> bool:
    try:
        one, other = os.lstat(source), os.lstat(target)
    except OSError:
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _remove_others(
    staging: Path, files: Mapping[str, Payload], folders: set[str]
) -> None:
    """Remove what staging holds besides files and their folders."""
    top = str(staging)
    for where, dirs, names in os.walk(top, topdown=False):
        rel = os.path.relpath(where, top).replace(os.sep, "/")
        prefix = "" if rel == "." else f"{rel}/"
        for name in names:
            if prefix + name not in files:
                os.unlink(os.path.join(where, name))
        for name in dirs:
            if prefix + name not in folders:
                path = os.path.join(where, name)
                if os.path.islink(path):
                    os.unlink(path)
                else:
                    shutil.rmtree(path)


def published_folder(out: Path) -> Path:
    """The folder that holds the site: out, or the folder its link leads to."""
    return Path(os.path.realpath(out))


def check_writable(out: Path) -> None:
    """Raise OSError (with the path) now if publishing into out cannot work.

    Called before a build starts, so a read-only or missing output location is
    said at once rather than after every stage ran.
    """
    target = published_folder(out.absolute())
    where = target if target.is_dir() and os.path.ismount(target) else target.parent
    try:
        where.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=where))
        probe.rmdir()
    except OSError as exc:
        if target.is_dir() and _writable(target):
            return  # its parent is not writable: publishing updates it in place
        raise _about(exc, out) from exc


def _about(exc: OSError, out: Path) -> OSError:
    """The same error, naming the output folder rather than a staging file."""
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(out))


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _fill(
    staging: Path, files: Mapping[str, Payload], linkable: tuple[Path, ...]
) -> None:
    """Write every file into staging (hard links to unchanged files of out)."""
    folders: set[Path] = set()
    for rel, payload in sorted(files.items()):
        target = staging / rel
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if isinstance(payload, Path):
            _link_or_copy(payload, target, linkable)
        else:
            target.write_bytes(payload)
    staging.chmod(0o755)


def _link_or_copy(source: Path, target: Path, linkable: tuple[Path, ...]) -> None:
    """Hard-link a file of the previous output or of the cache; copy the rest.

    Linking is safe: neither a build nor the cache ever writes into an existing
    file, they always write a new one, so the old site, the new one and the
    cache share only unchanged files (the cache checks each file's digest when
    it reads it). A cache file with another mode than the site's files (made
    under another umask) is copied. Project files (images, the theme's) are copied, so
    an edit to one never reaches a published site without a build.
    """
    if any(source.is_relative_to(folder) for folder in linkable):
        try:
            if source.is_relative_to(linkable[0]) or _as_made_here(source):
                os.link(source, target)
                return
        except OSError:
            pass  # e.g. a file system without hard links, or another one
    shutil.copyfile(source, target)


def _as_made_here(path: Path) -> bool:
    """Tell whether path has the mode a file written by this build would have."""
    return stat.S_IMODE(path.stat().st_mode) == public_mode()


def _recover(target: Path) -> None:
    """Clean up after a build killed outright (SIGKILL, power loss); lock held.

    Staging folders are removed, and a previous site left aside between the two
    renames of a swap, or moved aside by an in-place update, is put back.
    """
    for stale in target.parent.glob(f".{target.name}-new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = target.with_name(f".{target.name}-old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    if not target.is_dir():
        return
    for stale in target.glob(f".{_IN_PLACE}-new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for done in target.glob(f".{_IN_PLACE}-done-*"):
        shutil.rmtree(done, ignore_errors=True)  # the new site was complete
    for backup in target.glob(f".{_IN_PLACE}-old-*"):
        _roll_back(target, backup)


def _swap(staging: Path, target: Path, spare: Path | None = None) -> None:
    """Put staging in target's place by rename; in place when that is refused.

    The replaced site becomes spare, if given (else it is removed).
    """
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)  # left by a crashed run
    try:
        if target.exists():
            target.rename(old)
    except OSError as exc:
        if exc.errno not in _NO_SWAP:
            raise
        _replace_contents(target, staging)  # e.g. a mount point: EBUSY
        return
    try:
        try:
            staging.rename(target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copytree(staging, target, symlinks=True)  # another file system
    except BaseException:  # incl. Ctrl-C between the two renames
        if old.exists():
            shutil.rmtree(target, ignore_errors=True)  # a partial copy, if any
            old.rename(target)  # put the previous site back
        raise
    if spare is not None and old.is_dir():
        try:
            shutil.rmtree(spare, ignore_errors=True)
            spare.parent.mkdir(parents=True, exist_ok=True)
            old.rename(spare)
            return
        except OSError:
            pass  # another file system: removed below
    shutil.rmtree(old, ignore_errors=True)


def _publish_in_place(
    files: Mapping[str, Payload], target: Path, linkable: tuple[Path, ...]
) -> None:
    """Stage inside target (one file system: renames), then replace its contents."""
    staging = Path(tempfile.mkdtemp(prefix=f".{_IN_PLACE}-new-", dir=target))
    try:
        _fill(staging, files, linkable)
        _replace_contents(target, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_contents(target: Path, source: Path) -> None:
    """Make target's entries those of source, keeping target itself; roll back."""
    backup = Path(tempfile.mkdtemp(prefix=f".{_IN_PLACE}-old-", dir=target))
    try:
        for entry in _entries(target):
            entry.rename(backup / entry.name)
        for entry in sorted(source.iterdir()):
            _move(entry, target / entry.name)
        target.chmod(0o755)
    except BaseException:
        _roll_back(target, backup)
        raise
    done = backup.with_name(backup.name.replace("-old-", "-done-", 1))
    backup.rename(done)  # from here on, recovery keeps the new site
    shutil.rmtree(done, ignore_errors=True)


def _roll_back(target: Path, backup: Path) -> None:
    """Remove what an in-place update put in target and move the old entries back."""
    for entry in _entries(target):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    for entry in sorted(backup.iterdir()):
        entry.rename(target / entry.name)
    backup.rmdir()


def _entries(target: Path) -> list[Path]:
    """The entries of target that belong to the site (not our own bookkeeping)."""
    return sorted(
        p for p in target.iterdir() if not p.name.startswith(f".{_IN_PLACE}-")
    )


def _move(source: Path, destination: Path) -> None:
    """Rename source to destination; copy across file systems."""
    try:
        source.rename(destination)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if source.is_dir():
            shutil.copytree(source, destination, symlinks=True)
        else:
            shutil.copy2(source, destination)
