"""One run at a time per project: the lock in the cache folder."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.main import cli
from generator.core.context import CACHE_DIR
from generator.core.lock import holder_pid, lock_path, project_lock

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def held_elsewhere(root: Path) -> Iterator[int]:
    """Hold root's project lock in another process; yield that process's id."""
    code = (
        "import sys; from pathlib import Path; "
        "from generator.core.lock import project_lock\n"
        "with project_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(root / CACHE_DIR)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)


def cli_run(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_lock_is_re_entrant_in_a_thread_and_excludes_other_threads(
    tmp_path: Path,
) -> None:
    order: list[str] = []
    entered = threading.Event()
    with project_lock(tmp_path), project_lock(tmp_path):  # bundle -> build_site
        assert holder_pid(tmp_path) is not None

        def other() -> None:
            with project_lock(tmp_path):
                order.append("other")
            entered.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert not entered.wait(0.2)  # still held by this thread
        with project_lock(tmp_path, wait=False):  # the same thread goes in
            order.append("first")
    thread.join(10)
    assert order == ["first", "other"]
    assert lock_path(tmp_path).is_file()  # never removed


@pytest.mark.parametrize(
    "command",
    [["build", "--no-pdf"], ["clean"], ["bundle", "--no-pdf"], ["pdf", "x"]],
    ids=lambda c: c[0],
)
def test_no_wait_exits_2_naming_the_holder(project: Path, command: list[str]) -> None:
    with held_elsewhere(project) as pid:
        result = CliRunner().invoke(
            cli, ["--root", str(project), *command, "--no-wait"]
        )
    assert result.exit_code == 2, result.output
    assert f"in use by another proceedings run (process {pid})" in result.stderr
    assert f"{CACHE_DIR}/lock" in result.stderr
    assert "Traceback" not in result.output
    assert not (project / "output").exists()


def test_a_second_build_or_clean_waits_for_the_first_and_says_so(
    project: Path,
) -> None:
    with held_elsewhere(project) as pid:
        build = cli_run(project, "build", "--no-pdf")
        assert build.stderr is not None
        line = build.stderr.readline()  # printed before it blocks
        assert f"waiting for another proceedings run (process {pid})" in line
        assert build.poll() is None
    _, err = build.communicate(timeout=120)
    assert build.returncode == 0, err
    assert (project / "output" / "index.html").is_file()
    with held_elsewhere(project) as pid:
        clean = cli_run(project, "clean")
        assert clean.stderr is not None
        assert f"(process {pid})" in clean.stderr.readline()
        assert (project / "output" / "index.html").is_file()  # not yet
    clean.communicate(timeout=60)
    assert clean.returncode == 0
    assert not (project / "output").exists()
    assert sorted(p.name for p in (project / CACHE_DIR).iterdir()) == ["lock"]


def test_the_lock_file_is_in_the_cache_folder_not_beside_output(
    project: Path,
) -> None:
    result = CliRunner().invoke(cli, ["--root", str(project), "build", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert (project / CACHE_DIR / "lock").is_file()
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == [
        CACHE_DIR
    ]
