"""Time the figures stage on the real project: each figure cold, then the cached stage.

On a temporary copy of the repository's project (or of --root):

* import: a fresh Python process imports ``matplotlib.figure`` (what a cold build pays
  once, before its first figure);
* by kind and step: every figure drawn once in this process (matplotlib imported),
  CPU time per figure by chart kind and by step — layout (artists placed:
  ``draw_frame``, once per frame), SVG (drawn and written, once per frame), PNG (the
  sharing image, the first figure of each conference when the site has a base_url),
  fonts (the embedded subsets) and the rest — and how many times matplotlib drew a
  whole figure (``Figure.draw``) per chart;
* cold, per figure: ``render_chart`` in this process, matplotlib already imported, the
  median of --repeat runs, with the size of its SVG and PNG;
* stage cold: ``draw_figures`` with an empty cache (worker processes when there are
  at least ``PARALLEL_FROM`` figures), and with workers turned off;
* stage cached: ``draw_figures`` again with the cache full: resolving, hashing,
  reading files; per figure and in total.

Usage: .venv/bin/python bench/figures.py [--repeat 5] [--root bench/corpus/n20/corpus]
       [--steps-only]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import figures  # noqa: E402
from generator.core.cache import Cache, library_versions  # noqa: E402
from generator.core.context import BuildContext, BuildOptions, SilentReporter  # noqa: E402
from generator.errors import Problems  # noqa: E402
from generator.load.project import load_site  # noqa: E402
from generator.model import Site  # noqa: E402

PARTS = ("site.yaml", "data", "content", "themes")
# The steps of drawing one chart: the functions of figures.draw timed by --steps,
# and the column each adds to. Saving is timed on matplotlib's Figure.savefig.
STEP_FUNCTIONS = {
    "draw_frame": "layout",
    "font_faces": "fonts",
    "text_runs": "finish",
    "finish_svg": "finish",
}
STEPS = ("layout", "svg", "png", "fonts", "finish", "other")


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project's inputs (no output, no cache) into dest."""
    dest.mkdir(parents=True)
    for part in PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, dest / part)
        elif path.is_file():
            shutil.copy2(path, dest / part)
    return dest


def median_time(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of run, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_time(repeat: int) -> float:
    """Seconds a fresh interpreter needs to import matplotlib.figure."""
    code = (
        "import time; t = time.perf_counter(); import matplotlib.figure; "
        "print(time.perf_counter() - t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    return statistics.median(runs)


class StepClock:
    """CPU time by step and whole-figure draws, while patched into figures.draw."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STEPS, 0.0)
        self.draws = 0

    def timed(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[step] += time.process_time() - started

        return wrapper

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        from matplotlib.figure import Figure

        from generator.figures import draw

        saved = {name: getattr(draw, name) for name in STEP_FUNCTIONS}
        savefig, whole = Figure.savefig, Figure.draw
        clock = self

        def save(fig: Figure, *args: Any, **kwargs: Any) -> Any:
            step = "png" if kwargs.get("format") == "png" else "svg"
            return clock.timed(step, savefig)(fig, *args, **kwargs)

        def draw_whole(fig: Figure, renderer: Any) -> Any:
            clock.draws += 1
            return whole(fig, renderer)

        for name, step in STEP_FUNCTIONS.items():
            setattr(draw, name, self.timed(step, saved[name]))
        Figure.savefig, Figure.draw = save, draw_whole  # type: ignore[method-assign]
        try:
            yield
        finally:
            for name, function in saved.items():
                setattr(draw, name, function)
            Figure.savefig, Figure.draw = savefig, whole  # type: ignore[method-assign]


def steps_by_kind(
    charts: list[figures.Chart], lang: str, palette: Any, fonts: Any, share: bool
) -> None:
    """Draw each chart once, as a build would; print the cost by kind and step.

    With share (a site with a base_url), the first of each conference gets a PNG.
    """
    rows: dict[str, list[float]] = {}
    draws: dict[str, int] = {}
    count: dict[str, int] = {}
    with_png: set[str] = set()
    for chart in charts:
        style = figures.chart_style(chart, palette)
        alt = chart.spec.alt or figures.describe(chart, lang)
        png = share and chart.slug not in with_png
        with_png.add(chart.slug)
        clock = StepClock()
        with clock.patched():
            started = time.process_time()
            figures.render_chart(chart, style, alt, lang, fonts, png=png)
            total = time.process_time() - started
        clock.seconds["other"] = total - sum(clock.seconds.values())
        kind = chart.kind
        sums = rows.setdefault(kind, [0.0] * (len(STEPS) + 1))
        for i, step in enumerate(STEPS):
            sums[i] += clock.seconds[step]
        sums[-1] += total
        draws[kind] = draws.get(kind, 0) + clock.draws
        count[kind] = count.get(kind, 0) + 1
    head = " | ".join(STEPS)
    print(f"| kind | figures | draws per chart | {head} | total (ms CPU per figure) |")
    print("| --- | ---: | ---: |" + " ---: |" * (len(STEPS) + 1))
    every = [0.0] * (len(STEPS) + 1)
    for kind in sorted(rows):
        n = count[kind]
        every = [a + b for a, b in zip(every, rows[kind], strict=True)]
        cells = " | ".join(f"{v * 1000 / n:.1f}" for v in rows[kind])
        print(f"| {kind} | {n} | {draws[kind] / n:.2f} | {cells} |")
    n = sum(count.values())
    cells = " | ".join(f"{v * 1000 / n:.1f}" for v in every)
    print(f"| all | {n} | {sum(draws.values()) / n:.2f} | {cells} |\n")


def stage(site: Site, cache: Path) -> figures.FigureResult:
    ctx = BuildContext(
        site.root,
        BuildOptions(site.root / "output"),
        Problems(),
        SilentReporter(),
        Cache(cache),
    )
    result = figures.draw_figures(ctx, site)
    assert not ctx.problems.errors, [str(p) for p in ctx.problems.errors]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument("--root", type=Path, default=REPO, help="project to time")
    parser.add_argument(
        "--steps-only", action="store_true", help="only the table by kind and step"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-figures-"))
    try:
        site = copy_project(args.root, work / "site")
        run(site, work, max(1, args.repeat), args.steps_only)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(root: Path, work: Path, repeat: int, steps_only: bool) -> None:
    site = load_site(root, Problems())
    lang = site.config.language
    charts = figures.resolve_figures(site, Problems())
    palette = figures.theme_colours(site.config.colors, Problems())
    fonts = figures.chart_fonts()
    print(f"{len(charts)} figures in {root}; median of {repeat} runs\n")
    imported = import_time(repeat) * 1000
    print(f"import matplotlib.figure (fresh process): {imported:.0f} ms\n")

    import matplotlib.figure  # noqa: F401  -- per-figure times exclude the import

    figures.render_chart(  # fonts registered, caches warm: not timed
        charts[0], figures.chart_style(charts[0], palette), "", lang, fonts, png=True
    )
    steps_by_kind(charts, lang, palette, fonts, bool(site.config.base_url))
    if steps_only:
        return

    if len(charts) <= 20:
        print("| figure | kind | values | 3 SVGs + PNG (ms) | SVGs (KB) | PNG (KB) |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for chart in charts:
            style = figures.chart_style(chart, palette)
            alt = chart.spec.alt or figures.describe(chart, lang)
            draw = functools.partial(
                figures.render_chart, chart, style, alt, lang, fonts, png=True
            )
            seconds = median_time(draw, repeat)
            drawing = draw()  # every frame's SVG, and the sharing PNG
            svg, png = b"".join(drawing.svgs), drawing.png
            name = f"{chart.slug}/{chart.spec.id}"
            sizes = f"{len(svg) / 1024:.1f} | {len(png) / 1024:.1f}"
            print(
                f"| {name} | {chart.kind} | {len(chart.points)} "
                f"| {seconds * 1000:.0f} | {sizes} |"
            )
        print()

    caches = iter(range(10**6))

    def cold() -> None:
        stage(site, work / f"cache-{next(caches)}")

    cold_time = median_time(cold, repeat)
    limit = figures.PARALLEL_FROM
    figures.PARALLEL_FROM = 10**9
    serial_time = median_time(cold, repeat)
    figures.PARALLEL_FROM = limit
    full = work / "cache-full"
    first = stage(site, full)
    cached_time = median_time(lambda: stage(site, full), repeat)
    again = stage(site, full)
    assert again.drawn == 0 and again.cached == first.drawn, (again.drawn, again.cached)
    n = len(charts)
    print("| stage | total (ms) | per figure (ms) |")
    print("| --- | ---: | ---: |")
    for label, seconds in (
        ("cold, empty cache", cold_time),
        ("cold, one process", serial_time),
        ("cached, nothing drawn", cached_time),
    ):
        print(f"| {label} | {seconds * 1000:.1f} | {seconds * 1000 / n:.2f} |")
    print(
        f"\ncold uses worker processes from {limit} figures to draw; "
        f"{library_versions('matplotlib')}"
    )


if __name__ == "__main__":
    main()
