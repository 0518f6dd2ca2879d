"""Worker processes never outlive the run that started them, whatever stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from conftest import MARK, marked, wait_until_gone

from generator.core.workers import pool_map

REPO = Path(__file__).resolve().parents[2]


def test_pool_map_gives_results_in_order() -> None:
    assert list(pool_map(abs, [-3, 2, -1, 0] * 4, parallel_from=2)) == [3, 2, 1, 0] * 4


@pytest.mark.parametrize(
    "signum",
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
    ids=lambda s: signal.Signals(s).name,
)
def test_pool_workers_die_with_the_run(signum: int) -> None:
    mark = uuid.uuid4().hex
    script = textwrap.dedent(
        """\
        import sys, time
        sys.path.insert(0, sys.argv[1])
        from generator.commands.common import handle_termination
        from generator.core.workers import pool_map
        def _square_slowly(n):
            time.sleep(60)
            return n * n
        handle_termination()
        try:
            print(list(pool_map(_square_slowly, range(16), parallel_from=2)))
        except KeyboardInterrupt:
            raise SystemExit(130)
        """
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script, str(REPO)],
        env={**os.environ, MARK: mark},
    )
    deadline = time.monotonic() + 30
    while len(marked(mark)) < 3:  # the run and at least two workers
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    run.send_signal(signum)
    run.wait(timeout=30)
    assert wait_until_gone(mark) == []
    if signum != signal.SIGKILL:
        assert run.returncode == 130


SHARED_BUILD = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    import generator.build.pipeline as pipeline
    import generator.build.stages as stages
    import generator.figures.stage as figures
    import generator.load.conference as conference
    from generator.core.context import BuildOptions
    conference.PARALLEL_LOAD_FROM = stages.PARALLEL_MARKDOWN_FROM = 1
    figures.PARALLEL_FROM = 1
    forks = []
    os.register_at_fork(after_in_parent=lambda: forks.append(1))
    root = Path(sys.argv[2])
    pipeline.build_site(root, BuildOptions(output=root / "output", pdf=False))
    print(len(forks))
    """
)


def test_workers_forked_before_loading_make_the_same_site(
    built_html: Path, tmp_path: Path
) -> None:
    """A build that loads many conferences forks its workers once, to load them,
    and they render the Markdown and draw the figures too: the site is the one a
    build of few conferences (no worker) makes. In a process of its own: one
    with other threads (pytest-xdist's) never forks."""
    import hashlib

    from conftest import copy_project, make_public

    root = make_public(copy_project(tmp_path / "site"))
    result = subprocess.run(
        [sys.executable, "-c", SHARED_BUILD, str(REPO), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    # two workers for loading, Markdown and figures (eight if each forked its
    # own); the English figures, drawn after them, fork their own two
    assert result.stdout.split() == ["4"], result.stderr

    def snapshot(out: Path) -> dict[str, str]:
        return {
            p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    assert snapshot(root / "output") == snapshot(built_html)
