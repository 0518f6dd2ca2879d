"""Publishing output/: all or nothing, wherever output/ lives.

A symlinked output/ keeps its link; output/ on its own mount point (a tmpfs here,
mounted in a private mount namespace with unshare, so nothing leaks) is updated in
place with rollback; a full or read-only file system is an OSError naming
output/, with no temporary folder left behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.build.publish import check_writable, publish

OLD = {
    "index.html": b"<h1>old</h1>",
    "a/index.html": b"old a",
    "gone/only-old.txt": b"only in the old site",
    "static/css/site.css": b"body{}",
}


def snapshot(root: Path) -> dict[str, str]:
    """Hash every file and list every folder under root."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            out[rel + "/"] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def read_tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file()
    }


def siblings(out: Path) -> list[str]:
    """Names beside out other than out itself."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "output"
    publish(OLD, out)
    return out


def test_publish_writes_exactly_the_files(tmp_path: Path) -> None:
    source = tmp_path / "source.css"
    source.write_bytes(b"copied")
    out = tmp_path / "site" / "output"
    publish({"index.html": b"<h1>x</h1>", "static/css/x.css": source}, out)
    assert read_tree(out) == {
        "index.html": b"<h1>x</h1>",
        "static/css/x.css": b"copied",
    }
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert siblings(out) == []


def test_publish_replaces_rather_than_merges(out: Path) -> None:
    publish({"index.html": b"new"}, out)
    assert read_tree(out) == {"index.html": b"new"}
    assert siblings(out) == []


def test_failed_payload_leaves_previous_output_byte_identical(
    out: Path, tmp_path: Path
) -> None:
    before = snapshot(out)
    files: dict[str, bytes | Path] = {
        "a.html": b"new a",
        "b.html": b"new b",
        "m/missing.png": tmp_path / "does-not-exist.png",  # fails midway
        "z.html": b"new z",
    }
    with pytest.raises(FileNotFoundError):
        publish(files, out)
    assert snapshot(out) == before
    assert siblings(out) == [], "the staging folder must be removed"


def test_interrupt_while_writing_leaves_previous_output(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    original = Path.write_bytes
    calls = []

    def write_then_interrupt(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        publish({f"p{i}.html": b"x" for i in range(10)}, out)
    monkeypatch.undo()
    assert len(calls) == 3
    assert snapshot(out) == before
    assert siblings(out) == []


def test_failed_swap_puts_the_previous_output_back(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    original = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if Path(target) == out and self.name.startswith(".output-new-"):
            raise PermissionError(errno.EACCES, "denied")
        return original(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(PermissionError):
        publish({"index.html": b"new"}, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert siblings(out) == []


def test_interrupt_during_the_swap_puts_the_previous_output_back(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    original = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if Path(target) == out and self.name.startswith(".output-new-"):
            raise KeyboardInterrupt  # Ctrl-C between the two renames
        return original(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        publish({"index.html": b"new"}, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert siblings(out) == []


def test_cross_device_swap_falls_back_to_copying(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if Path(target) == out and self.name.startswith(".output-new-"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return original(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    publish({"index.html": b"new", "x/y.html": b"y"}, out)
    monkeypatch.undo()
    assert read_tree(out) == {"index.html": b"new", "x/y.html": b"y"}
    assert siblings(out) == []


def test_leftover_from_a_crashed_run_is_cleared(out: Path) -> None:
    leftover = out.with_name(".output-old")
    leftover.mkdir()
    (leftover / "stale.html").write_bytes(b"stale")
    publish({"index.html": b"new"}, out)
    assert read_tree(out) == {"index.html": b"new"}
    assert not leftover.exists()


def test_a_build_killed_between_the_renames_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish({"index.html": b"old"}, out)
    out.rename(tmp_path / ".output-old")  # as if killed right after the first rename
    stale = tmp_path / ".output-new-abc"
    stale.mkdir()  # and a staging folder left behind
    publish({"index.html": b"new"}, out)
    assert (out / "index.html").read_bytes() == b"new"
    assert not stale.exists()
    assert not (tmp_path / ".output-old").exists()


def test_the_previous_site_is_put_back_before_a_build_fails(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish({"index.html": b"old"}, out)
    out.rename(tmp_path / ".output-old")

    class Boom(Exception):
        pass

    class Exploding(dict):  # type: ignore[type-arg]
        def items(self):  # type: ignore[no-untyped-def]
            raise Boom

    with contextlib.suppress(Boom):
        publish(Exploding(), out)
    assert (out / "index.html").read_bytes() == b"old"


# ------------------------------------------------------------ where output/ lives


def test_a_symlinked_output_keeps_its_link_and_publishes_where_it_leads(
    tmp_path: Path,
) -> None:
    web = tmp_path / "var" / "www"
    web.mkdir(parents=True)
    site = web / "site"
    out = tmp_path / "project" / "output"
    out.parent.mkdir()
    out.symlink_to(site, target_is_directory=True)  # the target does not exist yet
    publish(OLD, out)
    assert out.is_symlink() and out.readlink() == site
    assert read_tree(site) == OLD
    publish({"index.html": b"new"}, out)  # the second build used to fail here
    assert out.is_symlink() and out.readlink() == site
    assert read_tree(site) == {"index.html": b"new"}
    assert sorted(p.name for p in web.iterdir()) == ["site"]  # nothing left beside
    assert sorted(p.name for p in out.parent.iterdir()) == ["output"]


def test_an_in_place_update_killed_midway_is_rolled_back_by_the_next_publish(
    tmp_path: Path,
) -> None:
    out = tmp_path / "output"
    out.mkdir()
    backup = out / ".proceedings-old-x1"  # the old site, moved aside ...
    (backup / "a").mkdir(parents=True)
    (backup / "a" / "index.html").write_bytes(b"old a")
    (backup / "index.html").write_bytes(b"old")
    (out / "index.html").write_bytes(b"half of the new site")  # ... half replaced
    (out / ".proceedings-new-x2").mkdir()  # and its staging folder
    with pytest.raises(FileNotFoundError):  # a build that fails: the old site is back
        publish({"x.html": tmp_path / "missing"}, out)
    assert read_tree(out) == {"index.html": b"old", "a/index.html": b"old a"}
    done = out / ".proceedings-done-x3"  # a backup renamed "done": the new site won
    done.mkdir()
    (done / "stale.html").write_bytes(b"stale")
    publish({"index.html": b"new"}, out)
    assert read_tree(out) == {"index.html": b"new"}
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def in_a_mount(tmp_path: Path, body: str, *, size: str = "2m") -> dict[str, object]:
    """Run body with `mnt` a fresh tmpfs of size, in a private mount namespace.

    body is Python with publish, check_writable, OLD, read_tree and `result`
    (a dict, printed back as JSON) in scope.
    """
    mnt = tmp_path / "mnt"
    mnt.mkdir(exist_ok=True)
    script = tmp_path / "scenario.py"
    script.write_text(
        textwrap.dedent(
            """\
            import errno, json, os, sys
            from pathlib import Path
            sys.path.insert(0, {repo!r}); sys.path.insert(0, {tests!r})
            from generator.build.publish import check_writable, publish
            from test_publish import OLD, read_tree
            mnt = Path({mnt!r})
            result = {{}}
            """
        ).format(
            repo=str(Path(__file__).resolve().parents[2]),
            tests=str(Path(__file__).resolve().parent),
            mnt=str(mnt),
        )
        + textwrap.dedent(body)
        + "\nprint(json.dumps(result, default=str))\n"
    )
    command = (
        f"mount -t tmpfs -o size={size} tmpfs {mnt} && exec {sys.executable} {script}"
    )
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_output_on_its_own_mount_point_is_updated_in_place(tmp_path: Path) -> None:
    result = in_a_mount(
        tmp_path,
        """\
        out = mnt
        device = os.stat(out).st_dev
        publish(OLD, out)
        publish({"index.html": b"new", "n/x.html": b"x"}, out)
        result["tree"] = {k: v.decode() for k, v in read_tree(out).items()}
        result["same mount"] = os.path.ismount(out) and os.stat(out).st_dev == device
        result["names"] = sorted(os.listdir(out))
        """,
    )
    assert result["tree"] == {"index.html": "new", "n/x.html": "x"}
    assert result["same mount"] is True
    assert result["names"] == ["index.html", "n"]  # no staging or backup left


def test_a_failure_during_an_in_place_update_rolls_back(tmp_path: Path) -> None:
    result = in_a_mount(
        tmp_path,
        """\
        import generator.build.publish as p
        out = mnt
        publish(OLD, out)
        before = read_tree(out)
        moved = []
        real_move = p._move
        def move(source, destination):
            moved.append(source.name)
            if len(moved) == 2:
                raise OSError(errno.EIO, "Input/output error")
            real_move(source, destination)
        p._move = move
        try:
            publish({"index.html": b"new", "b.html": b"b", "c.html": b"c"}, out)
        except OSError as exc:
            result["error"] = [exc.errno, exc.filename]
        result["restored"] = read_tree(out) == before
        result["names"] = sorted(os.listdir(out))
        """,
    )
    assert result["error"] == [errno.EIO, str(tmp_path / "mnt")]
    assert result["restored"] is True
    assert result["names"] == ["a", "gone", "index.html", "static"]


def test_a_full_disk_is_an_oserror_naming_output_and_leaves_no_temporary_files(
    tmp_path: Path,
) -> None:
    result = in_a_mount(
        tmp_path,
        """\
        out = mnt / "output"
        publish({"index.html": b"old"}, out)
        try:
            publish({"big.bin": b"x" * 300_000, "index.html": b"new"}, out)
        except OSError as exc:
            result["error"] = [exc.errno, exc.filename]
        result["tree"] = {k: v.decode() for k, v in read_tree(out).items()}
        result["beside"] = sorted(os.listdir(mnt))
        """,
        size="256k",
    )
    assert result["error"] == [errno.ENOSPC, str(tmp_path / "mnt" / "output")]
    assert result["tree"] == {"index.html": "old"}
    assert result["beside"] == ["output"]


def test_a_read_only_output_location_is_said_before_building(tmp_path: Path) -> None:
    result = in_a_mount(
        tmp_path,
        """\
        import subprocess
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            check_writable(mnt / "output")
        except OSError as exc:
            result["error"] = [exc.errno, exc.filename]
        """,
    )
    assert result["error"] == [errno.EROFS, str(tmp_path / "mnt" / "output")]


def test_check_writable_accepts_a_writable_place(tmp_path: Path) -> None:
    check_writable(tmp_path / "new" / "output")
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == []


def test_the_spare_site_is_staged_into_and_becomes_exactly_the_new_one(
    out: Path, tmp_path: Path
) -> None:
    spare = tmp_path / "cache" / "spare" / "x"
    publish(OLD, out, spare)  # the first site: replaces the fixture's output/
    assert spare.is_dir()  # the replaced site, kept for the next build
    (spare / "stray.txt").write_bytes(b"left in the spare")
    (spare / "gone" / "deep").mkdir()
    kept = out / "static" / "css" / "site.css"
    reused = {**OLD, "static/css/site.css": kept, "index.html": b"<h1>new</h1>"}
    del reused["gone/only-old.txt"]
    publish(reused, out, spare)
    assert read_tree(out) == {
        "index.html": b"<h1>new</h1>",
        "a/index.html": b"old a",
        "static/css/site.css": b"body{}",
    }
    assert not (out / "gone").exists()
    assert siblings(out) == ["cache"]  # no staging or old site left beside it
    assert (out / "static" / "css" / "site.css").stat().st_ino == kept.stat().st_ino
    third = {"index.html": out / "index.html", "b.txt": b"b"}
    publish(third, out, spare)
    assert read_tree(out) == {"index.html": b"<h1>new</h1>", "b.txt": b"b"}


def test_a_file_shared_with_the_spare_is_never_written_into(
    out: Path, tmp_path: Path
) -> None:
    spare = tmp_path / "cache" / "spare" / "x"
    publish(OLD, out, spare)
    publish({**OLD, "index.html": out / "index.html"}, out, spare)
    shared = out / "index.html"  # linked into the spare as well
    publish({**OLD, "index.html": b"<h1>newer</h1>"}, out, spare)
    assert (out / "index.html").read_bytes() == b"<h1>newer</h1>"
    assert (spare / "index.html").read_bytes() == b"<h1>old</h1>"
    del shared
