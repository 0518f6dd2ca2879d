"""Builds under faults, as an operator meets them: signals, a busy project, a full or
read-only disk. Each runs `proceedings` as a process, as a shell or CI would.

File systems are real: a tmpfs or a read-only bind mount, mounted in a private
mount namespace (``unshare --mount``) so that nothing leaks out of the test.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import MARK, wait_until_gone

from generator.core.context import CACHE_DIR

REPO = Path(__file__).resolve().parents[2]
PROCEEDINGS = [sys.executable, "-m", "generator"]


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def primed(built_html: Path) -> Path:
    """The project built once without PDFs: output/ and the figures' cache exist."""
    return built_html.parent


def workers(pid: int) -> set[int]:
    """The processes forked by pid: its children running its own command line."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid) and fields[0] != "Z" and command == own:
            found.add(int(entry.name))
    return found


def fresh(primed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(primed, root, symlinks=True)
    return root


# ------------------------------------------------------------------ signals

# (signal, the stage during which it arrives). "pdf" waits until a PDF worker runs:
# the children that used to outlive the build, blocked on a dead pipe.
KILLS = [
    (signal.SIGTERM, "load"),
    (signal.SIGTERM, "pdf"),
    (signal.SIGHUP, "figures"),
    (signal.SIGHUP, "pdf"),
    (signal.SIGINT, "pdf"),
    (signal.SIGKILL, "markdown"),
    (signal.SIGKILL, "pdf"),
]


@pytest.mark.parametrize(
    ("signum", "moment"), KILLS, ids=[f"{s.name}-{m}" for s, m in KILLS]
)
def test_no_process_outlives_a_killed_build(
    primed: Path, tmp_path: Path, signum: signal.Signals, moment: str
) -> None:
    root = fresh(primed, tmp_path)
    if moment == "figures":  # figures to draw (the PDFs are always to make)
        shutil.rmtree(root / CACHE_DIR / "figures")
        shutil.rmtree(root / CACHE_DIR / "figure-sets")
    before = snapshot(root / "output")
    mark = uuid.uuid4().hex
    build = subprocess.Popen(
        [*PROCEEDINGS, "-v", "--root", str(root), "build"],
        cwd=REPO,
        env={**os.environ, MARK: mark},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert build.stderr is not None
    seen = []
    for line in build.stderr:  # -v names each stage as it starts
        seen.append(line)
        if line.startswith(f"  {moment}"):
            break
    else:
        raise AssertionError(f"the build never reached {moment}:\n{''.join(seen)}")
    if moment == "pdf":  # a renderer has been running for a while
        deadline = time.monotonic() + 60
        while not (workers(build.pid) & (time.sleep(0.3) or workers(build.pid))):
            assert build.poll() is None and time.monotonic() < deadline
    build.send_signal(signum)
    build.wait(timeout=60)
    left = wait_until_gone(mark)
    for pid in left:  # do not leave them running for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == [], "processes outlived the build"
    rest = build.stderr.read()  # all writers are gone: this ends
    if signum == signal.SIGKILL:
        assert build.returncode == -signal.SIGKILL
    else:
        assert build.returncode == 128 + signum, rest
        assert rest.rstrip().endswith("interrupted; output/ is unchanged"), rest
        assert "Traceback" not in rest
    assert snapshot(root / "output") == before
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".output")]
    assert leftovers == []


# ------------------------------------------------------------ the environment


def in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (its mounts vanish with it)."""
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-ec", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def proceedings(*args: str | Path) -> str:
    return " ".join([*PROCEEDINGS, *(f"'{a}'" for a in args)])


def assert_environment_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stderr
    assert "this is a bug" not in result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_build_onto_a_full_disk_fails_clearly_and_leaves_nothing(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    out = mnt / "site"
    result = in_namespace(
        f"mount -t tmpfs -o size=256k tmpfs '{mnt}'\n"
        f"{proceedings('--root', root, 'build', '--no-pdf', '--output', out)} || "
        "echo exit=$? >&2\n"
        f"ls -A '{mnt}'\n"
    )
    assert "exit=1" in result.stderr, result.stderr
    assert f"error: {out}: no space left on device\n  hint: the disk is full" in (
        result.stderr
    )
    assert "this is a bug" not in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""  # no staging folder, no temporary file left


def test_a_read_only_output_is_said_before_building(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    result = in_namespace(
        f"mount -t tmpfs -o size=4m,ro tmpfs '{mnt}'\n"
        f"{proceedings('-v', '--root', root, 'build', '--output', mnt / 'site')}\n"
    )
    assert_environment_error(result)
    assert f"error: {mnt / 'site'}: read-only file system\n" in result.stderr
    assert "--output DIR" in result.stderr
    assert "  load" not in result.stderr  # said before any stage ran


def test_a_read_only_project_builds_into_a_writable_output_without_a_cache(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    shutil.rmtree(root / CACHE_DIR)
    out = tmp_path / "elsewhere"
    result = in_namespace(
        f"mount --bind '{root}' '{root}'\n"
        f"mount -o remount,bind,ro '{root}'\n"
        f"{proceedings('--root', root, 'build', '--no-pdf', '--output', out)}\n"
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"{CACHE_DIR}:1:1: note: the cache folder cannot be written (read-only file "
        "system); building without it"
    ) in result.stderr
    assert snapshot(out) == snapshot(primed / "output")
    assert not (root / CACHE_DIR).exists()


def test_a_folder_without_write_permission_is_said_with_what_to_do(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    locked.chmod(0o555)
    # root without capabilities: file permissions apply to it as to anyone
    result = subprocess.run(
        [
            "setpriv",
            "--bounding-set=-all",
            "--inh-caps=-all",
            *PROCEEDINGS,
            "--root",
            str(root),
            "build",
            "--no-pdf",
            "--output",
            str(locked / "site"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_environment_error(result)
    assert f"error: {locked / 'site'}: permission denied\n" in result.stderr
    assert "check the owner and permissions" in result.stderr
    assert list(locked.iterdir()) == []


def test_output_on_its_own_mount_point_builds_and_rebuilds_in_place(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    out = root / "output"
    shutil.rmtree(out)
    out.mkdir()
    marker = root / "content" / "hoi-nghi-tre-em-phia-nam-2024" / "ghi-chu.md"
    result = in_namespace(
        f"mount -t tmpfs -o size=16m tmpfs '{out}'\n"
        f"{proceedings('--root', root, 'build', '--no-pdf')}\n"
        f"printf -- '---\\ntitle: Ghi chú\\n---\\n\\nMột ghi chú.\\n' > '{marker}'\n"
        f"{proceedings('--root', root, 'build', '--no-pdf')}\n"
        f"mountpoint -q '{out}' && echo still-a-mount-point\n"
        f"ls -A '{out}'\n"
        f"cat '{out}/hoi-nghi-tre-em-phia-nam-2024/index.html'\n"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "still-a-mount-point" in lines
    assert not any(line.startswith(".proceedings-") for line in lines)
    assert "Một ghi chú." in result.stdout


def test_a_symlinked_output_survives_build_and_clean(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    web = tmp_path / "www" / "ky-yeu"
    shutil.rmtree(root / "output")
    (root / "output").symlink_to(web)
    for _ in range(2):  # the second build used to remove the link and fail
        done = subprocess.run(
            [*PROCEEDINGS, "--root", str(root), "build", "--no-pdf"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert (root / "output").is_symlink()
        assert snapshot(web) == snapshot(primed / "output")
    done = subprocess.run(
        [*PROCEEDINGS, "--root", str(root), "clean"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (root / "output").is_symlink() and not web.exists()
    assert sorted(p.name for p in web.parent.iterdir()) == []


# ------------------------------------------------------------ one run at a time


def test_clean_or_a_second_build_during_a_build_waits_for_it(
    primed: Path, tmp_path: Path
) -> None:
    root = fresh(primed, tmp_path)
    (root / "output" / "index.html").unlink()  # so the build has work to do
    first = subprocess.Popen(
        [*PROCEEDINGS, "-v", "--root", str(root), "build", "--no-pdf"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stderr is not None
    assert first.stderr.readline().startswith("  load (")  # it holds the lock now
    first.send_signal(signal.SIGSTOP)  # and stays in the middle of its build
    try:
        second = subprocess.run(
            [*PROCEEDINGS, "--root", str(root), "build", "--no-pdf", "--no-wait"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert f"(process {first.pid})" in second.stderr
        clean = subprocess.Popen(
            [*PROCEEDINGS, "--root", str(root), "clean"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert clean.stderr is not None
        waiting = clean.stderr.readline()
        assert f"waiting for another proceedings run (process {first.pid})" in waiting
    finally:
        first.send_signal(signal.SIGCONT)
    _, errors = first.communicate(timeout=300)
    assert first.returncode == 0, errors  # clean did not break it
    said, _ = clean.communicate(timeout=60)
    assert clean.returncode == 0
    assert said.startswith("Removed output")  # after the build, not during it
    assert not (root / "output").exists()


def test_two_builds_of_different_inputs_publish_in_order(
    primed: Path, tmp_path: Path
) -> None:
    """The later build waits, then builds what it read: its input, not "up to date"."""
    root = fresh(primed, tmp_path)
    page = root / "output" / "hoi-nghi-tre-em-phia-nam-2024" / "index.html"
    page.unlink()  # so the first build has work to do
    first = subprocess.Popen(
        [*PROCEEDINGS, "-v", "--root", str(root), "build", "--no-pdf"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stderr is not None
    assert first.stderr.readline().startswith("  load (")
    first.send_signal(signal.SIGSTOP)  # it has read its inputs
    try:
        narrative = next(
            (root / "content" / "hoi-nghi-tre-em-phia-nam-2024").glob("*.md")
        )
        narrative.write_text(
            narrative.read_text("utf-8") + "\nCâu thêm sau khi bản dựng đầu bắt đầu.\n",
            "utf-8",
        )
        second = subprocess.Popen(
            [*PROCEEDINGS, "--root", str(root), "build", "--no-pdf"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert second.stderr is not None
        assert "waiting for another proceedings run" in second.stderr.readline()
    finally:
        first.send_signal(signal.SIGCONT)
    first.communicate(timeout=300)
    said, errors = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, errors
    assert "is up to date" not in said  # it read the edit, under the lock
    assert "Câu thêm sau khi bản dựng đầu bắt đầu." in page.read_text("utf-8")
