"""The figures stage: declarations + indicators -> SVG, PNG and CSV, cached by hash.

The stage has two halves. ``resolve_figures`` turns each ``FigureSpec`` into a
``Chart``, reporting every problem at its YAML position. ``draw_figures`` then draws
each chart (matplotlib is imported lazily, so importing this module stays cheap) and
keeps the SVG and PNG in a cache keyed on everything that affects them, the code of
every figure module included.

The charts' own modules, each using only those before it: ``chart_fonts`` (fonts and
the characters they cover), ``chart_data`` (declarations resolved to numbers),
``chart_text`` (alt text, data tables), ``chart_colours`` (palette, contrast),
``chart_layout`` (size, axes), ``chart_marks`` (bars, lines, value labels) and
``chart_draw`` (matplotlib, SVG). The names callers use are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TYPE_CHECKING

from generator.chart_colours import (
    DERIVED_HATCH,
    FALLBACK,
    NEUTRAL,
    PALETTE,
    Style,
    chart_style,
    contrast,
    theme_colours,
)
from generator.chart_data import (
    MAX_DECIMALS,
    MAX_LABEL,
    MAX_POINTS,
    MAX_SERIES,
    Chart,
    ChartKind,
    Point,
    Series,
    resolve_figure,
)
from generator.chart_draw import render_chart
from generator.chart_fonts import COVERED, LAYOUT_FONT, SVG_FONTS, uncovered
from generator.chart_layout import WIDTH_PT, chart_height
from generator.chart_text import (
    describe,
    format_point,
    series_label,
    table_csv,
    tabulate,
)
from generator.errors import Problems
from generator.model import Site
from generator.render import FigureOut

if TYPE_CHECKING:
    from generator.build import Reporter

__all__ = [
    "CACHE_VERSION",
    "COVERED",
    "DERIVED_HATCH",
    "FALLBACK",
    "LAYOUT_FONT",
    "MAX_DECIMALS",
    "MAX_LABEL",
    "MAX_POINTS",
    "MAX_SERIES",
    "NEUTRAL",
    "PALETTE",
    "PARALLEL_FROM",
    "SVG_FONTS",
    "Chart",
    "ChartKind",
    "FigureResult",
    "Point",
    "Series",
    "Style",
    "chart_style",
    "contrast",
    "describe",
    "draw_figures",
    "format_point",
    "render_chart",
    "resolve_figure",
    "resolve_figures",
    "series_label",
    "table_csv",
    "tabulate",
    "theme_colours",
    "uncovered",
]

# Bump when a change to figures.py or chart_*.py alters the drawn bytes. The key
# deliberately does not hash our source: an unrelated edit must not redraw an
# archive's thousands of figures (tests always start with an empty cache).
CACHE_VERSION = 2


@dataclass(slots=True)
class FigureResult:
    """The figures of a site, the files they add to output/, and what was redrawn."""

    figures: dict[tuple[str, str], FigureOut] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    drawn: int = 0
    cached: int = 0


# --------------------------------------------------------------------------- stage


def draw_figures(
    site: Site, cache: Path, problems: Problems, reporter: Reporter
) -> FigureResult:
    """Draw every declared figure, reusing cached drawings of unchanged ones.

    Every problem of every figure is reported first; if any is an error, nothing is
    drawn and the build stops at the end of the stage. Many figures to draw are
    shared among worker processes, one per CPU.
    """
    before = len(problems.errors)
    charts = resolve_figures(site, problems)
    result = FigureResult()
    if len(problems.errors) > before:
        return result
    lang = site.config.language
    palette = theme_colours(site.config.colors, problems)
    jobs: list[_Job] = []
    with_png: set[str] = set()
    for chart in charts:
        png = chart.slug not in with_png  # one sharing image per conference is enough
        with_png.add(chart.slug)
        alt = chart.spec.alt or describe(chart, lang)
        style = chart_style(chart, palette)
        key = _cache_key(chart, style, alt, lang, png)
        jobs.append(_Job(chart, style, alt, lang, png, key))
    drawings = _cached_drawings(jobs, cache)
    missing = [job for job in jobs if job.key not in drawings]
    for job, drawing in zip(missing, _draw_all(missing), strict=True):
        drawings[job.key] = drawing
        _store(cache, job, drawing)
        result.drawn += 1
    result.cached = len(jobs) - len(missing)
    for job in jobs:
        _add_figure(result, job, drawings[job.key])
        reporter.step(f"{job.chart.slug}/{job.chart.spec.id}")
    return result


@dataclass(frozen=True, slots=True)
class _Job:
    """One figure to draw, with all that its drawing depends on."""

    chart: Chart
    style: Style
    alt: str
    lang: str
    png: bool  # also draw the PNG sharing image
    key: str  # hash of all of the above: the name of its files in the cache


def _add_figure(result: FigureResult, job: _Job, drawing: tuple[bytes, bytes]) -> None:
    chart, spec = job.chart, job.chart.spec
    base = f"{chart.slug}/figures/{spec.id}"
    headers, rows = tabulate(chart, job.lang)
    result.files[f"{base}.svg"] = drawing[0]
    result.files[f"{base}.csv"] = table_csv(headers, rows)
    if job.png:
        result.files[f"{base}.png"] = drawing[1]
    result.figures[(chart.slug, spec.id)] = FigureOut(
        id=spec.id,
        slug=chart.slug,
        title=spec.title,
        caption=spec.caption or "",
        alt=job.alt,
        svg=f"{base}.svg",
        png=f"{base}.png" if job.png else "",
        headers=headers,
        rows=rows,
        source_note=chart.source_note,
        series=chart.across,
        csv=f"{base}.csv",
        width=round(WIDTH_PT),
        height=round(chart_height(chart)),
    )


def resolve_figures(site: Site, problems: Problems) -> list[Chart]:
    """Resolve every figure to numbers and report all problems; draw none."""
    charts: list[Chart] = []
    series_of = {e.slug: group for group in site.series().values() for e in group}
    for entry in sorted(site.entries, key=lambda e: e.slug):
        for index in range(len(entry.data.figures)):
            chart = resolve_figure(series_of[entry.slug], entry, index, problems)
            if chart is not None:
                charts.append(chart)
    return charts


# -------------------------------------------------------------------------- cache


def _cache_key(chart: Chart, style: Style, alt: str, lang: str, png: bool) -> str:
    data = {
        "version": CACHE_VERSION,
        "matplotlib": _matplotlib_version(),
        "spec": chart.spec.model_dump(mode="json"),
        "categories": chart.categories,
        "series": [
            [
                s.label,
                [
                    None if p is None else [str(p.value), p.unit, p.approx, p.derived]
                    for p in s.points
                ],
            ]
            for s in chart.series
        ],
        "unit": chart.unit,
        "compare": chart.compare,
        "source": chart.source_note,
        "style": [style.colours, style.hatches],
        "alt": alt,
        "lang": lang,
        "png": png,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _matplotlib_version() -> str:
    # From the installed metadata: no need to import matplotlib to use the cache.
    return version("matplotlib")


def _cached_drawings(
    jobs: Sequence[_Job], cache: Path
) -> dict[str, tuple[bytes, bytes]]:
    """Read the drawings the cache holds for jobs: {key: (svg, png)}."""
    found = {}
    for job in jobs:
        key = job.key
        try:
            svg = (cache / f"{key}.svg").read_bytes()
            image = (cache / f"{key}.png").read_bytes() if job.png else b""
        except OSError:
            continue
        if svg.startswith(b"<?xml"):  # not a file cut short
            found[key] = (svg, image)
    return found


def _store(cache: Path, job: _Job, drawing: tuple[bytes, bytes]) -> None:
    key = job.key
    try:
        cache.mkdir(parents=True, exist_ok=True)
        if job.png:
            _write_atomic(cache / f"{key}.png", drawing[1])
        _write_atomic(cache / f"{key}.svg", drawing[0])  # last: the entry is complete
    except OSError:
        pass  # a read-only cache only costs time


PARALLEL_FROM = 8  # fewer figures draw faster here than worker processes start


def _draw_all(jobs: Sequence[_Job]) -> Iterator[tuple[bytes, bytes]]:
    """Draw jobs in order: here, or in worker processes when there are many."""
    workers = min(os.cpu_count() or 1, len(jobs) // (PARALLEL_FROM // 2))
    if len(jobs) < PARALLEL_FROM or workers < 2:
        yield from map(_draw_job, jobs)
        return
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        import matplotlib.figure  # noqa: F401  -- forked workers start with it loaded

        context: BaseContext = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(_draw_job, jobs, chunksize=4)


def _draw_job(job: _Job) -> tuple[bytes, bytes]:
    return render_chart(job.chart, job.style, job.alt, job.lang, png=job.png)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    Path(tmp).replace(path)
