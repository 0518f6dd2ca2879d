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
