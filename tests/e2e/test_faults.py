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
from conftest import MARK, copy_project, wait_until_gone

from generator.core.context import CACHE_DIR

REPO = Path(__file__).resolve().parents[2]
PROCEEDINGS = [sys.executable, "-m", "generator"]


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def primed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built once without PDFs: output/ and the figures' cache exist."""
    root = copy_project(tmp_path_factory.mktemp("primed") / "site")
    done = subprocess.run(
        [*PROCEEDINGS, "--root", str(root), "build", "--no-pdf"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return root


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
    shutil.rmtree(root / CACHE_DIR / "figures")  # figures and PDFs to make
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
