"""The figures stage: resolve declarations, draw what the cache lacks, in workers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
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
from generator.figures.draw import Drawing, render_chart
from generator.figures.fonts import ChartFonts, chart_fonts
from generator.figures.layout import FRAMES, WIDE
from generator.figures.resolve import resolve_figure
from generator.figures.text import (
    describe,
    table_csv,
    tabulate,
)
from generator.load.themes import theme_dirs
from generator.model import Site

if TYPE_CHECKING:
    pass


# Bump when a change to generator/figures/ alters the drawn bytes. The key
# deliberately does not hash our source: an unrelated edit must not redraw an
# archive's thousands of figures (tests always start with an empty cache).
# 4: a drawing per frame, Noto fonts embedded, no title inside; 5: axis labels and
# grid lines as plain artists (the same drawing, other SVG groups and ids).
CACHE_VERSION = 5


@dataclass(frozen=True, slots=True)
class Variant:
    """One frame's drawing of a figure, as <picture> offers it."""

    svg: str  # output-relative path
    width: int  # intrinsic size in CSS px, so the page reserves the right space
    height: int
    up_to: int | None  # the widest viewport that shows it; None for the default


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
    width: int = 560  # intrinsic size of the default drawing (svg), in CSS px
    height: int = 340
    # The narrower frames' drawings, narrowest first, for <picture>'s <source>s.
    variants: tuple[Variant, ...] = ()


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
    fonts = chart_fonts(tuple(theme_dirs(site.root, site.config.theme)))
    # The sharing PNG is only linked (og:image) from a site with a base_url.
    jobs = _jobs(charts, palette, lang, fonts, share=bool(site.config.base_url))
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
        if slug in memo_keys and isinstance(drawings[done[0].key][".svg"], Path):
            ctx.cache.save("figure-sets", memo_keys[slug], (done, found.get(slug, [])))
    return result


def _jobs(
    charts: Sequence[Chart],
    palette: Sequence[str],
    lang: str,
    fonts: ChartFonts,
    *,
    share: bool,
) -> list[_Job]:
    """One drawing job per chart, keyed by everything its drawing depends on.

    With share, the first chart of each conference also gets its sharing PNG.
    """
    jobs: list[_Job] = []
    with_png: set[str] = set()
    for chart in charts:
        png = share and chart.slug not in with_png  # one per conference is enough
        with_png.add(chart.slug)
        alt = chart.spec.alt or describe(chart, lang)
        style = chart_style(chart, palette)
        table = tabulate(chart, lang)
        data = table_csv(*table)  # its hash goes in the SVG
        key = _cache_key(chart, style, alt, lang, png, data, fonts.digest)
        jobs.append(_Job(chart, style, alt, lang, png, key, fonts, data, table))
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
    found: list[tuple[_Done, dict[str, Path]]] = []
    for item in figures:
        files = _cached_files(ctx, item.key, item.png)
        if files is None:
            return False
        found.append((item, files))
    for item, files in found:
        fig = item.figure
        _publish(result, f"{fig.slug}/figures/{fig.id}", item.key, files, item.data)
        result.figures[(fig.slug, fig.id)] = fig
    result.cached += len(figures)
    ctx.problems.extend(warnings)
    return True


SUFFIXES = tuple(f"-{f.name}.svg" if f.name else ".svg" for f in FRAMES)
Files = dict[str, bytes | Path]  # a drawing's files by suffix: ".svg", ".png", …


def _cached_files(ctx: BuildContext, key: str, png: bool) -> dict[str, Path] | None:
    """The files of a drawing in the cache, or None if one is missing or damaged."""
    found: dict[str, Path] = {}
    for suffix in (*SUFFIXES, ".png") if png else SUFFIXES:
        path = ctx.cache.file("figures", f"{key}{suffix}")
        if path is None:
            return None
        found[suffix] = path
    return found


def _publish(
    result: FigureResult,
    base: str,
    key: str,
    files: Mapping[str, bytes | Path],
    data: bytes,
) -> None:
    for suffix, content in files.items():
        result.files[f"{base}{suffix}"] = content
        result.keys[f"{base}{suffix}"] = key
    result.files[f"{base}.csv"] = data
    result.keys[f"{base}.csv"] = key


@dataclass(frozen=True, slots=True)
class _Job:
    """One figure to draw, with all that its drawing depends on."""

    chart: Chart
    style: Style
    alt: str
    lang: str
    png: bool  # also draw the PNG sharing image
    key: str  # hash of all of the above: the name of its files in the cache
    fonts: ChartFonts
    data: bytes = b""  # the data table as CSV, published beside the figure
    table: tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] = ((), ())


def _add_figure(result: FigureResult, job: _Job, files: Files) -> FigureOut:
    chart, spec = job.chart, job.chart.spec
    base = f"{chart.slug}/figures/{spec.id}"
    headers, rows = job.table
    _publish(result, base, job.key, files, job.data)
    sizes = [_svg_size(files[suffix]) for suffix in SUFFIXES]
    variants = tuple(
        Variant(f"{base}{suffix}", *size, frame.up_to)
        for frame, suffix, size in zip(FRAMES, SUFFIXES, sizes, strict=True)
        if frame is not WIDE
    )
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
        width=sizes[-1][0],
        height=sizes[-1][1],
        variants=variants,
    )
    return figure


_SIZE = re.compile(rb'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')


def _svg_size(svg: bytes | Path) -> tuple[int, int]:
    """The width and height an SVG declares (matplotlib writes them in points)."""
    head = svg[:2000] if isinstance(svg, bytes) else _head(svg)
    match = _SIZE.search(head)
    assert match is not None, "a drawn SVG declares its size"
    return round(float(match.group(1))), round(float(match.group(2)))


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(2000)


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
    chart: Chart,
    style: Style,
    alt: str,
    lang: str,
    png: bool,
    table: bytes = b"",
    fonts: str = "",
) -> str:
    data = {
        "table": hashlib.sha256(table).hexdigest(),
        "fonts": fonts,
        "drawn": chart.kind,
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


def _cached_drawings(ctx: BuildContext, jobs: Sequence[_Job]) -> dict[str, Files]:
    """Find the drawings the cache holds for jobs: {key: files}."""
    found: dict[str, Files] = {}
    for job in jobs:
        files = _cached_files(ctx, job.key, job.png)
        if files is not None:
            found[job.key] = dict(files)
    return found


def _store(ctx: BuildContext, job: _Job, drawing: Drawing) -> Files:
    """Keep a drawing in the cache; return its files there, or as bytes."""
    made: Files = dict(zip(SUFFIXES, drawing.svgs, strict=True))
    if job.png:
        made[".png"] = drawing.png
    kept: Files = {}
    for suffix, data in made.items():
        assert isinstance(data, bytes)
        path = ctx.cache.store("figures", f"{job.key}{suffix}", data)
        if path is None:
            return made  # no cache, or a read-only one: it only costs time later
        kept[suffix] = path
    return kept


PARALLEL_FROM = 8  # fewer figures draw faster here than worker processes start


def _draw_all(jobs: Sequence[_Job]) -> Iterator[Drawing]:
    """Draw jobs in order: here, or in worker processes when there are many."""
    # matplotlib is imported by the process that draws: with workers, each worker
    # (at its first chart, in parallel), never this one, which keeps its memory.
    return pool_map(_draw_job, jobs, parallel_from=PARALLEL_FROM, chunksize=4)


def _draw_job(job: _Job) -> Drawing:
    return render_chart(
        job.chart,
        job.style,
        job.alt,
        job.lang,
        job.fonts,
        png=job.png,
        data_sha256=hashlib.sha256(job.data).hexdigest() if job.data else "",
    )
