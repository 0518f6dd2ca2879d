"""Publishing output/: all or nothing, one writer at a time."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build.publish import output_lock, publish
from generator.commands.main import cli
from generator.errors import UsageError

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
    """Names beside out other than out itself and its lock file."""
    return sorted(
        p.name
        for p in out.parent.iterdir()
        if p.name not in {out.name, f".{out.name}.lock"}
    )


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


def test_second_concurrent_publish_fails_with_output_locked(out: Path) -> None:
    before = snapshot(out)
    with output_lock(out.absolute()):
        with pytest.raises(UsageError, match="output locked"):
            publish({"index.html": b"new"}, out)
        assert snapshot(out) == before
        assert siblings(out) == []
    publish({"index.html": b"after"}, out)  # the lock was released
    assert read_tree(out) == {"index.html": b"after"}


def test_locked_output_makes_the_build_command_exit_2(project: Path) -> None:
    out = project / "output"
    publish(OLD, out)
    before = snapshot(out)
    with output_lock(out.absolute()):
        result = CliRunner().invoke(cli, ["--root", str(project), "build", "--no-pdf"])
    assert result.exit_code == 2, result.output
    assert "output locked" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before


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
