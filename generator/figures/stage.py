"""The figures stage: resolve declarations, draw what the cache lacks, in workers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.core.cache import library_versions
from generator.core.context import BuildContext
from generator.core.workers import pool_map
from generator.errors import Problem, Problems
from generator.figures.colours import (
    Style,
    chart_style,
    theme_colours,
)
from generator.figures.data import (
    Chart,
)
from generator.figures.draw import render_chart
from generator.figures.layout import WIDTH_PT, chart_height
from generator.figures.resolve import resolve_figure
from generator.figures.text import (
    describe,
    table_csv,
    tabulate,
)
from generator.model import Site

if TYPE_CHECKING:
    pass


# Bump when a change to figures.py or chart_*.py alters the drawn bytes. The key
# deliberately does not hash our source: an unrelated edit must not redraw an
# archive's thousands of figures (tests always start with an empty cache).
CACHE_VERSION = 3  # 3: SVG <metadata> with source and data hash


@dataclass(frozen=True, slots=True)
class FigureOut:
    """A drawn figure as pages use it: files, text alternatives and data table."""

    id: str
    slug: str  # conference it belongs to
    title: str
    caption: str
    alt: str
    svg: str  # output-relative path of the SVG
    png: str  # output-relative path of the PNG (social sharing), or ""
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source_note: str = ""
    series: bool = False  # drawn across the conferences of a series
    csv: str = ""  # output-relative path of the figure's data as CSV, or ""
    width: int = 720  # intrinsic size, so the page reserves the right space
    height: int = 405


@dataclass(slots=True)
class FigureResult:
    """The figures of a site, the files they add to output/, and what was redrawn."""

    figures: dict[tuple[str, str], FigureOut] = field(default_factory=dict)
    files: dict[str, bytes | Path] = field(default_factory=dict)  # Path: in the cache
    keys: dict[str, str] = field(default_factory=dict)  # output path -> cache key
    drawn: int = 0
    cached: int = 0


def draw_figures(ctx: BuildContext, site: Site) -> FigureResult:
    """Draw every declared figure of site, reusing cached drawings of unchanged ones.

    Every problem of every figure is reported first; if any is an error, nothing is
    drawn and the build stops at the end of the stage. Many figures to draw are
    shared among worker processes, one per CPU. Once the inputs are keyed (a build),
    a conference whose series' data did not change is not even resolved: its
    figures, files and warnings come back from the cache. The figures are drawn in
    site's language (a translated copy draws its own).
    """
    problems = ctx.problems
    before = len(problems.errors)
    result = FigureResult()
    lang = site.config.language
    palette = theme_colours(site.config.colors, problems)
    series_of = {e.slug: group for group in site.series().values() for e in group}
    charts: list[Chart] = []
    found: dict[str, list[Problem]] = {}  # warnings of each resolved conference
    memo_keys: dict[str, str] = {}
    for entry in sorted(site.entries, key=lambda e: e.slug):
        if not entry.data.figures:
            continue
        if ctx.keys is not None:
            uses = (f"data:{e.slug}" for e in series_of[entry.slug])
            salt = f"figures|{lang}|{entry.slug}"  # one series, one entry each
            memo_keys[entry.slug] = key = ctx.key(*uses, salt=salt)
            done = ctx.cache.load("figure-sets", key)
            if done is not None and _reuse(ctx, result, done):
                for _ in done[0]:
                    ctx.reporter.step(entry.slug)
                continue
        mine = Problems()
        for index in range(len(entry.data.figures)):
            chart = resolve_figure(series_of[entry.slug], entry, index, mine)
            if chart is not None:
                charts.append(chart)
        problems.extend(mine.items)
        found[entry.slug] = mine.warnings
    if len(problems.errors) > before:
        return result
    jobs = _jobs(charts, palette, lang)
    drawings = _cached_drawings(ctx, jobs)
    missing = [job for job in jobs if job.key not in drawings]
    for job, drawing in zip(missing, _draw_all(missing), strict=True):
        # Kept as files in the cache when it is writable: an archive's thousands
        # of drawings need not stay in memory until publishing.
        drawings[job.key] = _store(ctx, job, drawing)
        result.drawn += 1
    result.cached += len(jobs) - len(missing)
    made: dict[str, list[_Done]] = {}
    for job in jobs:
        figure = _add_figure(result, job, drawings[job.key])
        made.setdefault(job.chart.slug, []).append(
            _Done(figure, job.key, job.png, job.data)
        )
        ctx.reporter.step(f"{job.chart.slug}/{job.chart.spec.id}")
    for slug, done in made.items():
        if slug in memo_keys and isinstance(drawings[done[0].key][0], Path):
            ctx.cache.save("figure-sets", memo_keys[slug], (done, found.get(slug, [])))
    return result


def _jobs(charts: Sequence[Chart], palette: Sequence[str], lang: str) -> list[_Job]:
    """One drawing job per chart, keyed by everything its drawing depends on."""
    jobs: list[_Job] = []
    with_png: set[str] = set()
    for chart in charts:
        png = chart.slug not in with_png  # one sharing image per conference is enough
        with_png.add(chart.slug)
        alt = chart.spec.alt or describe(chart, lang)
        style = chart_style(chart, palette)
        table = tabulate(chart, lang)
        data = table_csv(*table)  # its hash goes in the SVG
        key = _cache_key(chart, style, alt, lang, png, data)
        jobs.append(_Job(chart, style, alt, lang, png, key, data, table))
    return jobs


@dataclass(frozen=True, slots=True)
class _Done:
    """A drawn figure as the cache keeps it: enough to publish it again."""

    figure: FigureOut
    key: str  # the name of its files in the cache
    png: bool
    data: bytes  # the data table as CSV


def _reuse(
    ctx: BuildContext,
    result: FigureResult,
    done: tuple[list[_Done], list[Problem]],
) -> bool:
    """Add a conference's figures from the cache, if their drawings are intact."""
    figures, warnings = done
    files: list[tuple[_Done, Path, Path | None]] = []
    for item in figures:
        svg = ctx.cache.file("figures", f"{item.key}.svg")
        png = ctx.cache.file("figures", f"{item.key}.png") if item.png else None
        if svg is None or (item.png and png is None):
            return False
        files.append((item, svg, png))
    for item, svg, png in files:
        fig = item.figure
        base = f"{fig.slug}/figures/{fig.id}"
        result.files[f"{base}.svg"] = svg
        result.keys[f"{base}.svg"] = item.key
        result.files[f"{base}.csv"] = item.data
        result.keys[f"{base}.csv"] = item.key
        if png is not None:
            result.files[f"{base}.png"] = png
            result.keys[f"{base}.png"] = item.key
        result.figures[(fig.slug, fig.id)] = fig
    result.cached += len(figures)
    ctx.problems.extend(warnings)
    return True


@dataclass(frozen=True, slots=True)
class _Job:
    """One figure to draw, with all that its drawing depends on."""

    chart: Chart
    style: Style
    alt: str
    lang: str
    png: bool  # also draw the PNG sharing image
    key: str  # hash of all of the above: the name of its files in the cache
    data: bytes = b""  # the data table as CSV, published beside the figure
    table: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] = ((), ())


def _add_figure(
    result: FigureResult, job: _Job, drawing: tuple[bytes | Path, bytes | Path]
) -> FigureOut:
    chart, spec = job.chart, job.chart.spec
    base = f"{chart.slug}/figures/{spec.id}"
    headers, rows = job.table
    result.files[f"{base}.svg"] = drawing[0]
    result.keys[f"{base}.svg"] = job.key
    result.files[f"{base}.csv"] = job.data
    result.keys[f"{base}.csv"] = job.key
    if job.png:
        result.files[f"{base}.png"] = drawing[1]
        result.keys[f"{base}.png"] = job.key
    figure = result.figures[(chart.slug, spec.id)] = FigureOut(
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
    return figure


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


def _cache_key(
    chart: Chart, style: Style, alt: str, lang: str, png: bool, table: bytes = b""
) -> str:
    data = {
        "table": hashlib.sha256(table).hexdigest(),
        "version": CACHE_VERSION,
        "matplotlib": library_versions("matplotlib"),
        "spec": chart.spec.model_dump(mode="json"),
        "categories": chart.categories,
        "series": [
            [
                s.label,
                [
                    None
                    if p is None
                    else [str(p.value), p.unit, p.approx, p.derived]
                    + (["suppressed"] if p.suppressed else [])
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


def _cached_drawings(
    ctx: BuildContext, jobs: Sequence[_Job]
) -> dict[str, tuple[bytes | Path, bytes | Path]]:
    """Find the drawings the cache holds for jobs: {key: (svg, png)} as files."""
    found: dict[str, tuple[bytes | Path, bytes | Path]] = {}
    for job in jobs:
        svg = ctx.cache.file("figures", f"{job.key}.svg")
        png = ctx.cache.file("figures", f"{job.key}.png") if job.png else None
        if svg is not None and (png is not None or not job.png):
            found[job.key] = (svg, png or b"")
    return found


def _store(
    ctx: BuildContext, job: _Job, drawing: tuple[bytes, bytes]
) -> tuple[bytes | Path, bytes | Path]:
    """Keep a drawing in the cache; return it as files there, or as bytes."""
    png = ctx.cache.store("figures", f"{job.key}.png", drawing[1]) if job.png else None
    svg = ctx.cache.store("figures", f"{job.key}.svg", drawing[0])
    if svg is None or (job.png and png is None):
        return drawing  # no cache, or a read-only one: it only costs time later
    return svg, png or b""


PARALLEL_FROM = 8  # fewer figures draw faster here than worker processes start


def _draw_all(jobs: Sequence[_Job]) -> Iterator[tuple[bytes, bytes]]:
    """Draw jobs in order: here, or in worker processes when there are many."""
    return pool_map(
        _draw_job,
        jobs,
        parallel_from=PARALLEL_FROM,
        chunksize=4,
        preload=_import_matplotlib,
    )


def _import_matplotlib() -> None:
    import matplotlib.figure  # noqa: F401  -- forked workers start with it loaded


def _draw_job(job: _Job) -> tuple[bytes, bytes]:
    return render_chart(
        job.chart,
        job.style,
        job.alt,
        job.lang,
        png=job.png,
        data_sha256=hashlib.sha256(job.data).hexdigest() if job.data else "",
    )
