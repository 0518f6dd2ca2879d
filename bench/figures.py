"""Time the figures stage on the real project: each figure cold, then the cached stage.

On a temporary copy of the repository's project (or of --root):

* import: a fresh Python process imports ``matplotlib.figure`` (what a cold build pays
  once, before its first figure);
* cold, per figure: ``render_chart`` in this process, matplotlib already imported, the
  median of --repeat runs, with the size of its SVG and PNG;
* stage cold: ``draw_figures`` with an empty cache (worker processes when there are
  at least ``PARALLEL_FROM`` figures), and with workers turned off;
* stage cached: ``draw_figures`` again with the cache full: resolving, hashing,
  reading files; per figure and in total.

Usage: .venv/bin/python bench/figures.py [--repeat 5] [--root bench/corpus/n20/corpus]
"""

from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import figures  # noqa: E402
from generator.core.cache import Cache, library_versions  # noqa: E402
from generator.core.context import BuildContext, BuildOptions, SilentReporter  # noqa: E402
from generator.errors import Problems  # noqa: E402
from generator.load.project import load_site  # noqa: E402
from generator.model import Site  # noqa: E402

PARTS = ("site.yaml", "data", "content", "themes")


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
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-figures-"))
    try:
        run(copy_project(args.root, work / "site"), work, max(1, args.repeat))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(root: Path, work: Path, repeat: int) -> None:
    site = load_site(root, Problems())
    lang = site.config.language
    charts = figures.resolve_figures(site, Problems())
    palette = figures.theme_colours(site.config.colors, Problems())
    fonts = figures.chart_fonts()
    print(f"{len(charts)} figures in {root}; median of {repeat} runs\n")
    imported = import_time(repeat) * 1000
    print(f"import matplotlib.figure (fresh process): {imported:.0f} ms\n")

    import matplotlib.figure  # noqa: F401  -- per-figure times exclude the import

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
