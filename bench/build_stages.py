"""Where one build's time goes: seconds per stage, and optionally a cProfile.

Builds a project as ``proceedings build`` does — the stamp check first, then
``build_site`` with the stamp — in this process, with a reporter that notes when
each stage (load, markdown, figures, pdf, the versions, render, publish) starts.
Leave the project in the state to time: e.g. after ``bench/run.py`` the 1,000
conference corpus is built, so this times a no-op; append to a narrative first to
time an edit; remove ``output/`` and ``.proceedings-cache/`` to time a cold build.
Worker processes (figures, PDFs) are not profiled, only waited for.

Usage::

    .venv/bin/python bench/build_stages.py bench/corpus/n1000/corpus-warnings --no-pdf
    .venv/bin/python bench/build_stages.py ROOT --no-pdf --profile 25  # top 25
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code

from generator.errors import BuildFailed, Problem


class TimingReporter:
    """A reporter that keeps (stage, start time) and counts warnings."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []
        self.warnings = 0

    def stage(self, name: str, total: int = 0) -> None:
        """Note when a stage starts."""
        self.marks.append((name, time.perf_counter()))

    def step(self, label: str) -> None:
        """Ignore steps."""

    def problem(self, problem: Problem) -> None:
        """Count a printed warning."""
        self.warnings += 1


def build(root: Path, *, pdf: bool) -> tuple[list[tuple[str, float]], str, int]:
    """Build root as the CLI does; return (stage, seconds), outcome, warnings."""
    started = time.perf_counter()
    from generator.build.stamp import check_stamp
    from generator.core.cache import Cache
    from generator.core.context import CACHE_DIR, BuildOptions

    options = BuildOptions(output=root / "output", pdf=pdf)
    stamp, up_to_date = check_stamp(root, options, Cache(root / CACHE_DIR))
    hashed = time.perf_counter()
    rows = [("stamp: hash the inputs", hashed - started)]
    if up_to_date:
        return rows, "up to date", 0
    from generator.build.pipeline import build_site

    imported = time.perf_counter()
    rows.append(("import the pipeline", imported - hashed))
    reporter = TimingReporter()
    reporter.marks.append(("open the build (context, cache, keys)", imported))
    try:
        summary = build_site(root, options, reporter, stamp=stamp)
        outcome = str(summary)
    except BuildFailed as exc:
        outcome = f"failed: {len(exc.problems)} problems"
    ended = time.perf_counter()
    marks = [*reporter.marks, ("end", ended)]
    for (name, at), (_, after) in itertools.pairwise(marks):
        label = name if name != "publish" else "publish (+ prune, record, warnings)"
        rows.append((label, after - at))
    return rows, outcome, reporter.warnings


def main() -> None:
    """Time (and optionally profile) one build of a project."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--no-pdf", action="store_true", help="as build --no-pdf")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also run under cProfile and print the top N functions",
    )
    args = parser.parse_args()
    root = args.root.resolve()
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    rows, outcome, warnings = build(root, pdf=not args.no_pdf)
    if profiler is not None:
        profiler.disable()
    total = time.perf_counter() - started
    print(f"{outcome}; {warnings} warnings printed")
    print("| stage | seconds | share |")
    print("| --- | ---: | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {100 * seconds / total:.0f}% |")
    print(f"| total (in process, no interpreter start) | {total:.2f} | 100% |")
    if profiler is not None:
        for order in ("cumulative", "tottime"):
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.strip_dirs().sort_stats(order).print_stats(args.profile)
            print(f"\n-- top {args.profile} by {order} --")
            print(stream.getvalue().split("\n", 6)[-1].rstrip())


if __name__ == "__main__":
    main()
