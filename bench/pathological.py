"""Time the Markdown stage on cmark's pathological inputs, and print a table.

The patterns are those of cmark's ``test/pathological_tests.py`` (nested emphasis,
unclosed brackets, deep block quotes, many link references, …) plus wide tables and
runs of this project's own syntax (``:ind[``, ``::fig[``). Each is rendered through
``markdown.render_narrative`` — the code a build runs, its input limits included
(``markdown.check_limits``). Two columns per pattern:

* at the given size (``--scale``): ``ok``, ``refused`` (a Problem: a limit, the
  nesting) or ``FAILED`` (any other exception: a bug), and the time;
* at the limit: the largest size of the pattern the limits accept (found by
  bisection on the limits alone, which depend only on the text), and the time it
  takes to render. The largest of these is the worst case a narrative can cost.

Timings are a benchmark, never asserted in tests: tests/e2e/test_hostile.py renders
the same patterns (smaller) and asserts only "pages or a Problem".

Usage: .venv/bin/python bench/pathological.py [--scale 1.0] [--only NAME,…]
       [--allow-html] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import markdown  # noqa: E402
from generator.errors import Problems  # noqa: E402
from generator.load.files import MAX_NARRATIVE_BYTES  # noqa: E402
from generator.model import (  # noqa: E402
    Conference,
    Entry,
    FrontMatter,
    Narrative,
    Positions,
)

# name -> (builder of the text for a size n, the n of scale 1.0). Sizes are chosen so
# that every input is 20 kB - 1 MB, under the 2 MB narrative cap.
PATTERNS: dict[str, tuple[Callable[[int], str], int]] = {
    "nested strong emph": (lambda n: "*a **a " * n + "b" + " a** a*" * n, 50_000),
    "many emph closers, no openers": (lambda n: "a_ " * n, 100_000),
    "many emph openers, no closers": (lambda n: "_a " * n, 100_000),
    "many 3-multiple openers/closers": (lambda n: "a**b" + "c* " * n, 100_000),
    "mismatched openers and closers": (lambda n: "*a_ " * n, 100_000),
    "link openers and emph closers": (lambda n: "[ a_" * n, 50_000),
    "'[ (](' repeated": (lambda n: "[ (](" * n, 50_000),
    "hard link/emph case": (
        lambda n: "**x [**y [**z [**a [**b [**c [**d [**e [**f" * (n // 40),
        100_000,
    ),
    "nested brackets": (lambda n: "[" * n + "a" + "]" * n, 50_000),
    "nested block quotes": (lambda n: "> " * n + "a\n", 50_000),
    "deeply nested lists": (
        lambda n: "".join("  " * i + "* a\n" for i in range(n)),
        1_000,
    ),
    "U+0000 in input": (lambda n: "abc\u0000de\u0000" * n, 100_000),
    "backticks": (lambda n: "".join("e" + "`" * i for i in range(1, n)), 1_000),
    "unclosed links A": (lambda n: "[a](<b" * n, 50_000),
    "unclosed links B": (lambda n: "[a](b" * n, 50_000),
    "unclosed <!--": (lambda n: "</" + "<!--" * n, 50_000),
    "many link reference definitions": (
        lambda n: (
            "".join(f"[r{i}]: /u{i}\n" for i in range(n))
            + " ".join(f"[x][r{i}]" for i in range(n))
        ),
        20_000,
    ),
    "reference lookalikes, unused": (lambda n: "[x]: " * n, 50_000),
    "wide table": (
        lambda n: (
            "|" + "a|" * n + "\n|" + "-|" * n + "\n" + ("|" + "1|" * n + "\n") * 20
        ),
        5_000,
    ),
    "long table": (lambda n: "|a|b|\n|-|-|\n" + "|x|y|\n" * n, 20_000),
    "table lookalikes": (lambda n: "a|b\n" * n, 50_000),
    "':ind[' runs": (lambda n: ":ind[" * n, 50_000),
    "':ind[x]' citations, unknown": (lambda n: ":ind[x] " * n, 20_000),
    "'::fig[' lines": (lambda n: "::fig[a\n" * n, 20_000),
    "entities": (lambda n: "&#x41;&amp;&#" * n, 50_000),
    "autolink lookalikes": (lambda n: "<a" * n, 50_000),
    "one 1 MB word": (lambda n: "x" * n, 1_000_000),
    "many short lines": (lambda n: "a\n" * n, 200_000),
    "raw HTML soup": (lambda n: "<div><b><i>x" * n, 30_000),
}


def _entry() -> Entry:
    """A conference with no indicators or figures: every citation is unknown."""
    data = Conference.model_validate(
        {
            "title": "T",
            "short_title": "T",
            "series": "S",
            "period": {"label": "L", "start": "2024-01-01", "end": "2024-06-30"},
            "organisers": ["O"],
            "sources": [{"id": "s", "title": "B"}],
        }
    )
    return Entry("bench", Path("data/bench.yaml"), data, (), Positions(Path("x")))


def run(name: str, text: str, *, allow_html: bool = False) -> tuple[float, str, str]:
    """Render text once; return seconds, outcome and the first problem, if any."""
    narrative = Narrative(
        "bench", Path("content/bench/bench.md"), FrontMatter(title="B"), text, 4
    )
    problems = Problems()
    started = time.perf_counter()
    try:
        markdown.render_narrative(
            _entry(), narrative, "vi", problems, allow_html=allow_html
        )
    except Exception as exc:  # a bug: the stage must report, not raise
        return time.perf_counter() - started, "FAILED", f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    errors = [p for p in problems.errors if "unknown" not in p.message]
    if errors:
        return seconds, "refused", errors[0].message[:70]
    return seconds, "ok", ""


def accepted(text: str) -> bool:
    """Tell whether a build would read text: the file's size, then its Markdown."""
    size = len(text.encode("utf-8"))
    return size <= MAX_NARRATIVE_BYTES and markdown.check_limits(text) is None


def largest_accepted(build: Callable[[int], str], n: int) -> int:
    """The largest size up to 4n whose text the limits accept (0 if none)."""
    low, high = 0, 4 * n
    while low < high:
        middle = (low + high + 1) // 2
        if accepted(build(middle)):
            low = middle
        else:
            high = middle - 1
    return low


def main() -> int:
    """Time every pattern and print the table; exit 1 if one raised."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--allow-html", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    print(
        f"markdown stage: {markdown.MAX_MARKUP:,} markup characters, "
        f"{markdown.MAX_LINES:,} lines, {markdown.MAX_COLUMNS} columns, runs of "
        f"{markdown.MAX_RUN:,}, maxNesting {markdown.MAX_NESTING}, "
        f"{MAX_NARRATIVE_BYTES:,} bytes; "
        f"allow_html {args.allow_html}\n"
    )
    print(
        f"| {'pattern':<34} | {'kB':>6} | {'seconds':>7} | outcome "
        f"| kB at limit | seconds | problem |"
    )
    print(f"|{'-' * 36}|{'-' * 8}|{'-' * 9}|---------|---|---|---------|")
    failed = 0
    worst = (0.0, "")
    for name, (build, n) in PATTERNS.items():
        if only and name not in only:
            continue
        text = build(max(1, int(n * args.scale)))
        times, outcome, problem = [], "", ""
        for _ in range(args.repeat):
            seconds, outcome, problem = run(name, text, allow_html=args.allow_html)
            times.append(seconds)
        failed += outcome == "FAILED"
        size = len(text.encode()) / 1000
        edge = largest_accepted(build, n)
        limit_text = build(edge) if edge else ""
        limit_times = [
            run(name, limit_text, allow_html=args.allow_html)[0]
            for _ in range(args.repeat)
        ]
        at_limit = statistics.median(limit_times)
        worst = max(worst, (at_limit, name))
        print(
            f"| {name:<34} | {size:>6.0f} | {statistics.median(times):>7.3f} "
            f"| {outcome:<7} | {len(limit_text.encode()) / 1000:.0f} "
            f"| {at_limit:.3f} | {problem} |"
        )
    print(f"\nworst case within the limits: {worst[0]:.3f} s ({worst[1]})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
