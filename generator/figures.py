"""Figure declarations + indicators -> SVG, PNG and CSV, cached by content hash.

The stage has two halves. ``resolve_figures`` turns each ``FigureSpec`` into a
``Chart``: categories, series and points with units, qualifiers ("hơn") and a
derived flag, reporting every problem at its YAML position. ``draw_figures`` then
renders each chart with matplotlib (imported lazily, so importing this module stays
cheap) and keeps the SVG and PNG in a cache keyed on everything that affects them.

Drawn output is deterministic: fixed ``svg.hashsalt``, no dates, text kept as
``<text>`` (``svg.fonttype: none``) with ``text.parse_math`` off, so ``$`` and
backslashes print as written. Layout uses DejaVu Sans, which ships with matplotlib
and covers Vietnamese; the SVG names a family list so browsers may use the site's
font.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import importlib.util
import io
import itertools
import json
import multiprocessing
import os
import tempfile
import textwrap
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import version
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape, quoteattr

from generator.errors import Pos, Problems
from generator.formats import APPROX_WORDS, format_number
from generator.model import Entry, FigureSpec, Indicator, Site, Theme
from generator.render import FigureOut

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from generator.build import Reporter

CACHE_VERSION = 1  # bump when drawing code changes what a cached file would contain
MAX_POINTS = 200  # values per figure (categories x series)
MAX_SERIES = 12
MAX_LABEL = 200  # characters in a title, category or series label
MAX_DECIMALS = 6

LAYOUT_FONT = "DejaVu Sans"  # bundled with matplotlib: same metrics on every machine
SVG_FONTS = "'Noto Sans', 'DejaVu Sans', 'Segoe UI', Arial, sans-serif"
WIDTH_PT = 720.0  # 10 in at 72 pt/in; the page shows it at 100% of the column
HEIGHT_PT = 405.0  # 16:9 for vertical charts; horizontal ones grow with their bars
PNG_DPI = 120  # 1200 px wide: the size social networks ask for
# Text sizes in points; a page column shows the chart at about 1 px per point.
SIZE_TITLE, SIZE_TEXT, SIZE_VALUE, SIZE_SOURCE = 14, 10, 9, 8.5
WRAP_TITLE, WRAP_LABEL = 72, 30  # characters per line of a title, a bar's label

# A fixed palette after the theme's primary and accent colours. Each passes 3:1
# against white (WCAG 1.4.11); lightness alternates so neighbours differ in grey.
PALETTE = (
    "#e66100", "#01665e", "#009e73", "#5e3c99", "#9c6b00",
    "#4b5563", "#0072b2", "#c51b7d", "#8c510a", "#767676",
)  # fmt: skip
NEUTRAL = "#6b7785"  # the compared value in `compare: true` charts
FALLBACK = ("#0b4f8a", "#b3261e")  # if a theme colour is too light to read on white
# A series whose colour is too close in lightness to an earlier one gets a pattern,
# so the chart still reads in greyscale. Derived values use "////" on white.
HATCHES = ("", "xx", "..", "\\\\", "++", "--", "oo", "||", "**", "OO", "x", ".")
DERIVED_HATCH = "////"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "*")
LINESTYLES = ("-", "--", ":", "-.")
_TEXT, _MUTED, _GRID, _AXIS = "#1f2328", "#595959", "#d8dee4", "#8c959f"

ChartKind = Literal["bar", "barh", "grouped", "line", "stacked"]

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "bar": "Biểu đồ cột",
        "barh": "Biểu đồ thanh ngang",
        "grouped": "Biểu đồ cột nhóm",
        "line": "Biểu đồ đường",
        "stacked": "Biểu đồ thanh chồng",
        "category": "Hạng mục",
        "period": "Kỳ báo cáo",
        "value": "Giá trị",
        "derived": "tính toán",
        "derived_legend": "Số liệu tính toán",
        "missing": "không có số liệu",
        "source": "Nguồn",
    },
    "en": {
        "bar": "Bar chart",
        "barh": "Horizontal bar chart",
        "grouped": "Grouped bar chart",
        "line": "Line chart",
        "stacked": "Stacked bar chart",
        "category": "Category",
        "period": "Period",
        "value": "Value",
        "derived": "derived",
        "derived_legend": "Derived value",
        "missing": "no data",
        "source": "Source",
    },
}


@dataclass(slots=True)
class FigureResult:
    """The figures of a site, the files they add to output/, and what was redrawn."""

    figures: dict[tuple[str, str], FigureOut] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    drawn: int = 0
    cached: int = 0


@dataclass(frozen=True, slots=True)
class Point:
    """One value of a chart, with what a reader must know to read it honestly."""

    value: Decimal
    unit: str = ""
    approx: str = "exact"  # "more_than" is drawn at the stated minimum, labelled "hơn"
    derived: bool = False  # computed by us, not stated by the source


@dataclass(frozen=True, slots=True)
class Series:
    """A named row of points, one per category (None where nothing is reported)."""

    label: str
    points: tuple[Point | None, ...]

    @property
    def all_derived(self) -> bool:
        """True when every reported point of the series is derived."""
        present = [p for p in self.points if p is not None]
        return bool(present) and all(p.derived for p in present)

    @property
    def label_marks_derived(self) -> bool:
        """True when the series label, not each value, says the values are derived."""
        return bool(self.label) and self.all_derived


@dataclass(frozen=True, slots=True)
class Chart:
    """A figure resolved to numbers: what is drawn, tabulated and described."""

    slug: str  # conference that declares it
    spec: FigureSpec
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str  # value-axis label; "" when the values have different units
    category_header: str  # first column of the data table
    source_note: str
    across: bool = False  # drawn over the conferences of a series
    compare: bool = False  # compared value against value

    @property
    def kind(self) -> ChartKind:
        """The declared kind of chart."""
        return self.spec.kind

    @property
    def points(self) -> list[Point]:
        """Every reported point, series by series."""
        return [p for s in self.series for p in s.points if p is not None]


@dataclass(frozen=True, slots=True)
class Style:
    """The colours a site's theme gives its charts."""

    colours: tuple[str, ...]
    hatches: tuple[str, ...]


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
        height=round(_height(chart)),
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


# ---------------------------------------------------------------------- resolving


def resolve_figure(
    conferences: Sequence[Entry], entry: Entry, index: int, problems: Problems
) -> Chart | None:
    """Turn figure number index of entry into a Chart, or report why it cannot.

    conferences are those of the entry's series, oldest first (for `across`).
    """
    spec = entry.data.figures[index]
    check = _Checker(entry, index, problems)
    check.length(spec.title, ("title",), "the title")
    if spec.decimals is not None and not 0 <= spec.decimals <= MAX_DECIMALS:
        check.error(
            ("decimals",),
            f"decimals must be between 0 and {MAX_DECIMALS}, got {spec.decimals}",
            "the number of digits after the decimal point in labels",
        )
    given = [name for name in ("indicators", "series", "across") if getattr(spec, name)]
    if not given:
        check.error(
            (),
            f"figure '{spec.id}' has no data",
            "give `indicators`, `labels` with `series`, or `across: <indicator id>`",
        )
        return None
    if len(given) > 1:
        check.error(
            (given[1],),
            f"figure '{spec.id}' gives both `{given[0]}` and `{given[1]}`",
            "a figure draws one of: `indicators`, `labels` with `series`, or `across`",
        )
        return None
    if spec.labels and not spec.series:
        check.error(
            ("labels",),
            "`labels` name the categories of `series`, but there are no series",
            "add `series` with one value per label, or remove `labels`",
        )
    if spec.compare and (spec.kind != "grouped" or not spec.indicators):
        check.error(
            ("compare",),
            "`compare: true` needs `kind: grouped` and `indicators`",
            "it draws each indicator's compared value next to its value",
        )
        return None
    if spec.across:
        chart = _resolve_across(conferences, entry, spec, check)
    elif spec.series:
        chart = _resolve_series(entry, spec, check)
    else:
        chart = _resolve_indicators(entry, spec, check)
    if chart is None or check.failed:
        return None
    for i, label in enumerate(chart.categories):
        check.glyphs(label, _category_loc(spec, i))
    for k, series in enumerate(chart.series):
        check.glyphs(series.label, ("series", k, "label"))
    check.glyphs(spec.title, ("title",))
    return _sorted(chart)


class _Checker:
    """Reports the problems of one figure at positions inside it."""

    def __init__(self, entry: Entry, index: int, problems: Problems) -> None:
        self.entry, self.index, self.problems = entry, index, problems
        self.failed = False

    def at(self, loc: Sequence[str | int]) -> Pos:
        return self.entry.positions.at(("figures", self.index, *loc))

    def error(self, loc: Sequence[str | int], message: str, hint: str = "") -> None:
        self.failed = True
        self.problems.add(self.at(loc), message, hint)

    def length(self, text: str, loc: Sequence[str | int], what: str) -> None:
        if len(text) > MAX_LABEL:
            self.error(
                loc,
                f"{what} is {len(text)} characters long, over the limit of {MAX_LABEL}",
                "shorten it; put the details in `caption`",
            )

    def glyphs(self, text: str, loc: Sequence[str | int]) -> None:
        missing = uncovered(text)
        if missing:
            shown = " ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:5])
            self.problems.warn(
                self.at(loc),
                f"the chart font ({LAYOUT_FONT}) cannot show {shown}",
                "use letters, digits and common punctuation in chart labels",
            )


def _category_loc(spec: FigureSpec, i: int) -> tuple[str | int, ...]:
    if spec.labels:
        return ("labels", i)
    if spec.indicators:
        return ("indicators", i)
    return ("across",)


def _resolve_indicators(
    entry: Entry, spec: FigureSpec, check: _Checker
) -> Chart | None:
    """One bar per indicator; with `compare`, compared value and value side by side."""
    if spec.kind == "stacked" or (spec.kind == "grouped" and not spec.compare):
        check.error(
            ("kind",),
            f"kind '{spec.kind}' needs `labels` and several `series`",
            "give `labels` with `series`, or set `compare: true` to draw compared "
            "values, or use kind bar, barh or line for one bar per indicator",
        )
        return None
    found = _indicators(entry, spec.indicators)
    _check_count(check, len(found), ("indicators",))
    for j, indicator in enumerate(found):
        check.length(
            indicator.label,
            ("indicators", j),
            f"the label of indicator '{indicator.id}'",
        )
    if check.failed:
        return None
    current = Series("", tuple(_point(i) for i in found))
    categories = tuple(i.label for i in found)
    if not spec.compare:
        return _chart(entry, spec, categories, (current,), found)
    compared: list[Point | None] = []
    periods: dict[str, int] = {}
    for j, indicator in enumerate(found):
        previous = indicator.previous_value
        if previous is None or indicator.compared_to is None:
            check.error(
                ("indicators", j),
                f"indicator '{indicator.id}' has no compared value",
                "give it `previous` or `change` with `compared_to`, "
                "or drop `compare: true`",
            )
            continue
        periods.setdefault(indicator.compared_to, j)
        compared.append(
            Point(previous, indicator.unit, "exact", indicator.previous_derived)
        )
    if len(periods) > 1:
        (first, _), (other, j) = list(periods.items())[:2]
        check.error(
            ("indicators", j),
            f"indicators are compared to different periods ('{first}' and '{other}')",
            "compare indicators against one period, or draw them in separate figures",
        )
    if check.failed:
        return None
    own = {i.period for i in found}
    label = own.pop() if len(own) == 1 and None not in own else entry.data.period.label
    series = (
        Series(next(iter(periods)), tuple(compared)),
        Series(label or "", current.points),
    )
    return _chart(entry, spec, categories, series, found, compare=True)


def _resolve_series(entry: Entry, spec: FigureSpec, check: _Checker) -> Chart | None:
    """Inline categories (`labels`) with series of typed values or indicator ids."""
    if not spec.labels:
        check.error(
            ("series",),
            "`series` need `labels`: one category name per value",
            "add `labels: [...]` naming what each value of a series stands for",
        )
        return None
    if len(spec.series) > MAX_SERIES:
        check.error(
            ("series", MAX_SERIES),
            f"figure has {len(spec.series)} series, over the limit of {MAX_SERIES}",
            "split it into several figures",
        )
        return None
    _check_count(check, len(spec.labels) * len(spec.series), ("labels",))
    for j, label in enumerate(spec.labels):
        check.length(label, ("labels", j), "the label")
    series: list[Series] = []
    used: list[Indicator] = []
    for k, item in enumerate(spec.series):
        check.length(item.label, ("series", k, "label"), "the series label")
        if item.values and item.indicators:
            check.error(
                ("series", k),
                f"series '{item.label}' gives both `values` and `indicators`",
                "give one of them",
            )
            continue
        count = len(item.values) or len(item.indicators)
        field_name = "values" if item.values else "indicators"
        if not count:
            check.error(
                ("series", k),
                f"series '{item.label}' has no values",
                "add `values: [...]` or `indicators: [...]`, one per label",
            )
            continue
        if count != len(spec.labels):
            check.error(
                ("series", k, field_name),
                f"series '{item.label}' has {count} {field_name} "
                f"but `labels` has {len(spec.labels)}",
                "give one value per label, in the order of `labels`",
            )
            continue
        if item.values:
            points = tuple(Point(v, spec.unit or "") for v in item.values)
        else:
            found = _indicators(entry, item.indicators)
            used.extend(found)
            points = tuple(_point(i) for i in found)
        series.append(Series(item.label, points))
    if check.failed:
        return None
    if not used and not spec.source_note:
        check.problems.warn(
            check.at(("series",)),
            "figure with typed values has no `source_note`",
            "say where the numbers come from in `source_note`",
        )
    return _chart(entry, spec, tuple(spec.labels), tuple(series), used)


def _resolve_across(
    conferences: Sequence[Entry], entry: Entry, spec: FigureSpec, check: _Checker
) -> Chart | None:
    """One indicator over the conferences of the entry's series, oldest first."""
    assert spec.across is not None
    if spec.kind in ("grouped", "stacked"):
        check.error(
            ("kind",),
            f"kind '{spec.kind}' cannot draw `across`",
            "use kind line (or bar, barh) for one indicator over the series",
        )
        return None
    reporting = [
        (e, i) for e in conferences if (i := e.indicator(spec.across)) is not None
    ]
    if not reporting:
        known = sorted({i.id for e in conferences for i in e.data.indicators})
        close = difflib.get_close_matches(spec.across, known, n=1)
        check.error(
            ("across",),
            f"unknown indicator '{spec.across}' in `across`",
            f"did you mean '{close[0]}'?"
            if close
            else "name an indicator id that conferences of this series report",
        )
        return None
    units = {i.unit for _, i in reporting}
    if len(units) > 1:
        check.error(
            ("across",),
            f"indicator '{spec.across}' has different units across the series: "
            + ", ".join(sorted(units)),
            "use one unit for the indicator in every conference",
        )
        return None
    categories = [e.data.period.label for e, _ in reporting]
    points = [_point(i) for _, i in reporting]
    first = reporting[0][1]
    previous = first.previous_value
    if (
        previous is not None
        and first.compared_to
        and first.compared_to not in categories
    ):
        # The earliest meeting's compared value: the series' only figure for then.
        categories.insert(0, first.compared_to)
        points.insert(0, Point(previous, first.unit, "exact", first.previous_derived))
    _check_count(check, len(points), ("across",))
    for label in categories:
        check.length(label, ("across",), f"the period label '{label[:40]}…'")
    if check.failed:
        return None
    series = (Series(first.label, tuple(points)),)
    notes = [_source_titles(e, [i]) for e, i in reporting]
    source = spec.source_note or "; ".join(dict.fromkeys(t for n in notes for t in n))
    return Chart(
        entry.slug,
        spec,
        tuple(categories),
        series,
        spec.unit or first.unit,
        "period",
        source,
        across=True,
    )


def _check_count(check: _Checker, count: int, loc: Sequence[str | int]) -> None:
    if count > MAX_POINTS:
        check.error(
            loc,
            f"figure has {count} values, over the limit of {MAX_POINTS}",
            "a chart that size cannot be read; split it or show a table instead",
        )


def _indicators(entry: Entry, ids: Sequence[str]) -> list[Indicator]:
    # The loader has reported unknown ids already; skip them here.
    return [i for i in (entry.indicator(x) for x in ids) if i is not None]


def _point(indicator: Indicator) -> Point:
    return Point(indicator.value, indicator.unit, indicator.approx, indicator.derived)


def _source_titles(entry: Entry, indicators: Sequence[Indicator]) -> list[str]:
    titles = {s.id: s.title for s in entry.data.sources}
    return list(
        dict.fromkeys(titles[i.source] for i in indicators if i.source in titles)
    )


def _chart(
    entry: Entry,
    spec: FigureSpec,
    categories: tuple[str, ...],
    series: tuple[Series, ...],
    used: Sequence[Indicator],
    *,
    compare: bool = False,
) -> Chart:
    units = {p.unit for s in series for p in s.points if p is not None and p.unit}
    unit = spec.unit or (units.pop() if len(units) == 1 else "")
    source = spec.source_note or "; ".join(_source_titles(entry, used))
    return Chart(
        entry.slug, spec, categories, series, unit, "category", source, compare=compare
    )


def _sorted(chart: Chart) -> Chart:
    """Apply the figure's `sort` to its categories, by the total of each category."""
    if chart.spec.sort == "none":
        return chart

    def total(i: int) -> Decimal:
        return sum(
            (p.value for s in chart.series if (p := s.points[i]) is not None),
            Decimal(0),
        )

    order = sorted(
        range(len(chart.categories)), key=total, reverse=chart.spec.sort == "descending"
    )
    return Chart(
        chart.slug,
        chart.spec,
        tuple(chart.categories[i] for i in order),
        tuple(Series(s.label, tuple(s.points[i] for i in order)) for s in chart.series),
        chart.unit,
        chart.category_header,
        chart.source_note,
        chart.across,
        chart.compare,
    )


# ------------------------------------------------------------------- text versions


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["vi"])


def format_point(
    point: Point,
    lang: str,
    decimals: int | None,
    *,
    unit: bool = True,
    mark: bool = True,
    space: str = " ",
) -> str:
    """Format a point as text: 'hơn 30 tỷ đồng', '1.348 vụ (tính toán)'.

    mark=False leaves out the derived mark (when a series label carries it);
    space joins qualifier, number and unit (a no-break space in HTML tables).
    """
    number = format_number(point.value, lang, decimals)
    word = APPROX_WORDS.get(lang, APPROX_WORDS["vi"]).get(point.approx, "")
    text = f"{word}{space}{number}" if word else number
    if unit and point.unit:
        text += point.unit if point.unit == "%" else f"{space}{point.unit}"
    if mark and point.derived:
        text += f" ({_words(lang)['derived']})"
    return text


def series_label(series: Series, lang: str) -> str:
    """The label a legend or table shows: marked when every value is derived."""
    word = _words(lang)["derived"]
    if series.label_marks_derived and word not in series.label.casefold():
        return f"{series.label} ({word})".strip()
    return series.label


def describe(chart: Chart, lang: str) -> str:
    """Write alt text stating every value: '… Nhận quà: hơn 30 tỷ đồng; …'."""
    words = _words(lang)
    decimals = chart.spec.decimals
    items = []
    for i, category in enumerate(chart.categories):
        shown = [
            (
                series_label(s, lang),
                format_point(p, lang, decimals, mark=not s.label_marks_derived)
                if p
                else words["missing"],
            )
            for s, p in ((s, s.points[i]) for s in chart.series)
        ]
        if len(shown) == 1:
            items.append(f"{category}: {shown[0][1]}")
        else:
            items.append(f"{category} — " + ", ".join(f"{n}: {v}" for n, v in shown))
    title = chart.spec.title.rstrip(".")
    return f"{words[chart.kind]}: {title}. " + "; ".join(items) + "."


def tabulate(
    chart: Chart, lang: str
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Return the data table of a chart: headers, then one row of text per category."""
    words = _words(lang)
    units = {p.unit for p in chart.points}
    shared = units.pop() if len(units) == 1 else ""
    suffix = f" ({shared})" if shared else ""
    if len(chart.series) == 1 and not chart.series[0].label:
        names = [words["value"] + suffix]
    else:
        names = [series_label(s, lang) + suffix for s in chart.series]
    headers = (words[chart.category_header], *names)
    rows = []
    for i, category in enumerate(chart.categories):
        cells = [
            format_point(
                p,
                lang,
                chart.spec.decimals,
                unit=not shared,
                mark=not s.label_marks_derived,
                space="\u00a0",
            )
            if p is not None
            else "—"
            for s, p in ((s, s.points[i]) for s in chart.series)
        ]
        rows.append((category, *cells))
    return headers, tuple(rows)


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """Write a data table as CSV, UTF-8 with a BOM so spreadsheets read Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([c.replace("\u00a0", " ") for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ------------------------------------------------------------------------ colours


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = "#ffffff") -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def theme_colours(theme: Theme, problems: Problems) -> tuple[str, ...]:
    """Return series colours: the theme's primary and accent, then the fixed palette."""
    chosen = []
    for name, colour, fallback in (
        ("primary", theme.primary, FALLBACK[0]),
        ("accent", theme.accent, FALLBACK[1]),
    ):
        if contrast(colour) < 3:
            problems.warn(
                Pos(Path("site.yaml")),
                f"colors.{name} {colour} has a contrast of {contrast(colour):.1f}:1 "
                f"with white; charts use {fallback} instead",
                "chart colours need at least 3:1 against white (WCAG 1.4.11)",
            )
            colour = fallback
        chosen.append(colour.lower())
    return (*chosen, *PALETTE)


def chart_style(chart: Chart, palette: Sequence[str]) -> Style:
    """Pick each series' colour, and a pattern where lightness alone cannot tell."""
    colours = (
        [NEUTRAL, palette[0]] if chart.compare else list(palette[: len(chart.series)])
    )
    hatches = []
    for i, colour in enumerate(colours):
        close = any(contrast(colour, other) < 1.5 for other in colours[:i])
        hatches.append(HATCHES[i] if close else "")
    return Style(tuple(colours), tuple(hatches))


# ------------------------------------------------------------------------- glyphs


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    """Code points that both the regular and bold layout fonts can draw."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # comes with matplotlib

    # Found without importing matplotlib, which a fully cached build never needs.
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    sets = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(folder / name, lazy=True) as font:
            sets.append(frozenset(font.getBestCmap()))
    return sets[0] & sets[1]


# Blocks the layout fonts cover in full (a test checks): Latin with every Vietnamese
# letter, punctuation, arrows and maths. Text within them needs no look-up, so a build
# whose figures are all cached never loads the font files.
COVERED = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x1E00, 0x1EFB),
    (0x2000, 0x2064),
    (0x2190, 0x22FF),
)


def uncovered(text: str) -> list[str]:
    """Return the characters of text that the chart font has no glyph for."""
    if all(any(lo <= ord(c) <= hi for lo, hi in COVERED) for c in text):
        return []
    chars = _font_chars()
    return sorted({c for c in text if ord(c) not in chars and not c.isspace()})


# -------------------------------------------------------------------------- cache


def _cache_key(chart: Chart, style: Style, alt: str, lang: str, png: bool) -> str:
    data = {
        "version": CACHE_VERSION,
        "code": _code_hash(),
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


@lru_cache(maxsize=1)
def _code_hash() -> str:
    """Hash of this module, so an edited drawing routine never serves stale files."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


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


# ------------------------------------------------------------------------ drawing


def _rc(ident: str) -> dict[str, Any]:
    return {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, translatable
        "svg.hashsalt": "proceedings",  # stable ids for clip paths and hatches
        "svg.id": f"fig-{ident}",
        "text.parse_math": False,  # "$5" and "x_1" are labels, not TeX
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.sans-serif": [LAYOUT_FONT],
        "font.size": 10,
        "text.color": _TEXT,
        "axes.labelcolor": _MUTED,
        "axes.edgecolor": _AXIS,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": True,
        "xtick.color": _AXIS,
        "ytick.color": _AXIS,
        "xtick.labelcolor": _TEXT,
        "ytick.labelcolor": _TEXT,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "hatch.linewidth": 1.0,
        "figure.constrained_layout.w_pad": 10 / 72,
        "figure.constrained_layout.h_pad": 8 / 72,
    }


def render_chart(
    chart: Chart, style: Style, alt: str, lang: str, *, png: bool
) -> tuple[bytes, bytes]:
    """Draw a chart; return its SVG (with title and description) and maybe a PNG."""
    import matplotlib
    from matplotlib.figure import Figure

    settings: Any = _rc(chart.spec.id)  # mypy's rcParams keys are a Literal
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # not the user's matplotlibrc: same bytes everywhere
        matplotlib.rcParams.update(settings)
        fig = Figure(figsize=(WIDTH_PT / 72, _height(chart) / 72), layout="constrained")
        ax = fig.add_subplot()
        _header(fig, chart, lang)
        _legend(ax, chart, style, lang)
        if chart.kind == "line":
            _draw_line(fig, ax, chart, style, lang)
        else:
            _draw_bars(fig, ax, chart, style, lang)
        _fix_layout(fig)
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        svg = _finish_svg(out.getvalue(), chart.spec.id, chart.spec.title, alt)
        image = b""
        if png:
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": None})
            image = out.getvalue()
    return svg, image


def _horizontal(chart: Chart) -> bool:
    return chart.kind in ("barh", "stacked")


def _height(chart: Chart) -> float:
    """Vertical charts are 16:9; horizontal ones are as tall as their bars need."""
    if not _horizontal(chart):
        return HEIGHT_PT
    lines = [len(_wrap(c, WRAP_LABEL)) for c in chart.categories]
    per_bar = 1 if chart.kind == "stacked" else len(chart.series)
    rows = sum(max(n * 14 + 14, per_bar * 16 + 14, 36) for n in lines)
    chrome = (
        120
        + 16 * len(_wrap(chart.spec.title, WRAP_TITLE))
        + (22 if _legend_needed(chart) else 0)
    )
    return max(240.0, min(chrome + rows, 40 * 72.0))


def _wrap(text: str, width: int) -> list[str]:
    """Wrap text in as few lines as width allows, of even length (no lone last word)."""

    def wrap(w: int) -> list[str]:
        return textwrap.wrap(text, w, break_long_words=False, break_on_hyphens=False)

    lines = wrap(max(width, 8))
    if len(lines) < 2:
        return lines or [""]
    for even in range(-(-len(text) // len(lines)), max(width, 8)):
        balanced = wrap(even)
        if len(balanced) == len(lines):
            return balanced
    return lines


def _legend_needed(chart: Chart) -> bool:
    return len(chart.series) > 1 or any(p.derived for p in chart.points)


def _header(fig: Figure, chart: Chart, lang: str) -> None:
    """Title at the top left, source at the bottom."""
    fig.suptitle(
        "\n".join(_wrap(chart.spec.title, WRAP_TITLE)),
        x=12 / WIDTH_PT,
        ha="left",
        fontsize=SIZE_TITLE,
        fontweight="bold",
        color=_TEXT,
    )
    if chart.source_note:
        note = f"{_words(lang)['source']}: {chart.source_note}"
        fig.supxlabel(
            "\n".join(_wrap(note, 120)),
            x=12 / WIDTH_PT,
            ha="left",
            fontsize=SIZE_SOURCE,
            color=_MUTED,
        )


def _legend(ax: Axes, chart: Chart, style: Style, lang: str) -> None:
    """Put the legend in a row above the plot, where it never covers a bar."""
    handles = _legend_handles(chart, style, lang)
    if handles:
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.02),
            ncols=min(len(handles), 3),
            frameon=False,
            fontsize=SIZE_TEXT,
            handlelength=1.6,
            borderaxespad=0,
            borderpad=0,
        )


def _legend_handles(chart: Chart, style: Style, lang: str) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    line = chart.kind == "line"
    handles: list[Any] = []
    partly_derived = False
    for i, series in enumerate(chart.series):
        derived = series.all_derived
        partly_derived |= not derived and any(p and p.derived for p in series.points)
        if len(chart.series) == 1 and not derived:
            continue
        label = (
            series_label(series, lang)
            if series.label or derived
            else _words(lang)["derived_legend"]
        )
        if line:
            handles.append(
                Line2D([], [], label=label, **_line_style(style, i, derived))
            )
        else:
            handles.append(Patch(label=label, **_bar_style(style, i, derived)))
    if partly_derived:
        label = _words(lang)["derived_legend"]
        if line:
            handles.append(
                Line2D(
                    [],
                    [],
                    label=label,
                    color=_MUTED,
                    marker="o",
                    linestyle="--",
                    markerfacecolor="white",
                    markersize=7,
                )
            )
        else:
            handles.append(
                Patch(
                    label=label,
                    facecolor="white",
                    edgecolor=_MUTED,
                    hatch=DERIVED_HATCH,
                    hatchcolor=_MUTED,
                )
            )
    return handles


def _bar_style(style: Style, i: int, derived: bool) -> dict[str, Any]:
    colour = style.colours[i]
    if derived:  # white with the series colour's stripes: reads as "not measured"
        return {
            "facecolor": "white",
            "edgecolor": colour,
            "hatch": DERIVED_HATCH,
            "hatchcolor": colour,
            "linewidth": 1.2,
        }
    hatch = style.hatches[i]
    return {
        "facecolor": colour,
        "edgecolor": "white" if hatch else colour,
        "hatch": hatch or None,
        "hatchcolor": "white",
        "linewidth": 0.8 if hatch else 0,
    }


def _line_style(style: Style, i: int, derived: bool) -> dict[str, Any]:
    return {
        "color": style.colours[i],
        "marker": MARKERS[i % len(MARKERS)],
        "markersize": 7,
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "linewidth": 2,
        "markerfacecolor": "white" if derived else style.colours[i],
    }


def _value_axis(chart: Chart, lang: str) -> tuple[list[float], list[str], float, float]:
    """Nice ticks for the value axis, labelled the reader's way ('600.000', '2,5')."""
    from matplotlib.ticker import MaxNLocator

    values = [float(p.value) for p in chart.points]
    if chart.kind == "stacked":
        values = _stack_ends(chart)
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    integer = all(p.value == p.value.to_integral_value() for p in chart.points)
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer)
    span = hi - lo
    below = lo - span * (0.25 if lo < 0 else 1e-9)
    ticks = [float(t) for t in locator.tick_values(lo, hi)]
    ticks = [t for t in ticks if below <= t <= hi + span * 0.25]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    exponent = Decimal(repr(round(step, 9))).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    labels = [
        format_number(Decimal(repr(round(t, decimals))), lang, decimals) for t in ticks
    ]
    return ticks, labels, min(lo, ticks[0]), max(hi, ticks[-1])


def _stack_ends(chart: Chart) -> list[float]:
    ends = []
    for i in range(len(chart.categories)):
        pos = sum(
            float(p.value) for s in chart.series if (p := s.points[i]) and p.value > 0
        )
        neg = sum(
            float(p.value) for s in chart.series if (p := s.points[i]) and p.value < 0
        )
        ends += [pos, neg]
    return ends


def _axes_size(fig: Figure, ax: Axes) -> tuple[float, float]:
    """Lay the figure out for good; return the axes' width and height in points.

    Value labels added later stay inside the axes and ticks are fixed, so the layout
    holds; keeping it spares a layout pass per saved format (a third of the time).
    """
    _fix_layout(fig)
    box = ax.get_window_extent()
    return box.width * 72 / fig.dpi, box.height * 72 / fig.dpi


def _fix_layout(fig: Figure) -> None:
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.draw_without_rendering()  # runs the constrained layout
        fig.set_layout_engine("none")


def _set_category_axis(
    ax: Axes, chart: Chart, horizontal: bool, width_pt: float
) -> None:
    n = len(chart.categories)
    # Few bars would be as wide as the plot: leave room as if there were three.
    pad = 0.0 if chart.kind == "line" else max(0.0, ((2 if horizontal else 3) - n) / 2)
    positions = list(range(n))
    if horizontal:
        labels = ["\n".join(_wrap(c, WRAP_LABEL)) for c in chart.categories]
        ax.set_yticks(positions, labels=labels, fontsize=SIZE_TEXT)
        ax.set_ylim(n - 0.5 + pad, -0.5 - pad)  # first category at the top
        ax.tick_params(axis="y", length=0, pad=6)
        ax.spines["left"].set_visible(True)
        ax.spines["bottom"].set_visible(False)
    else:
        chars = int(width_pt / max(n + 2 * pad, 1) / (SIZE_TEXT * 0.6))
        labels = ["\n".join(_wrap(c, chars)) for c in chart.categories]
        rotate = (
            chars < 8
            or max(len(s) for lbl in labels for s in lbl.split("\n")) > chars + 4
        )
        if rotate:
            ax.set_xticks(
                positions,
                labels=list(chart.categories),
                fontsize=SIZE_VALUE,
                rotation=45,
                ha="right",
                rotation_mode="anchor",
            )
        else:
            ax.set_xticks(positions, labels=labels, fontsize=SIZE_TEXT)
        ax.set_xlim(-0.5 - pad, n - 0.5 + pad)
        ax.tick_params(axis="x", length=0, pad=6)
        ax.spines["left"].set_visible(False)


def _set_value_axis(
    ax: Axes, chart: Chart, horizontal: bool, lang: str
) -> tuple[float, float]:
    ticks, labels, lo, hi = _value_axis(chart, lang)
    if horizontal:
        ax.set_xticks(ticks, labels=labels, fontsize=SIZE_TEXT)
        ax.set_xlim(lo, hi)
        ax.xaxis.grid(True, color=_GRID, linewidth=0.8)
        ax.tick_params(axis="x", length=0)
        if chart.unit:
            ax.set_xlabel(chart.unit, fontsize=SIZE_TEXT, loc="right")
    else:
        ax.set_yticks(ticks, labels=labels, fontsize=SIZE_TEXT)
        ax.set_ylim(lo, hi)
        ax.yaxis.grid(True, color=_GRID, linewidth=0.8)
        ax.tick_params(axis="y", length=0)
        if chart.unit:
            ax.set_ylabel(chart.unit, fontsize=SIZE_TEXT, loc="top")
    ax.set_axisbelow(True)
    return lo, hi


def _label_text(point: Point, chart: Chart, lang: str) -> str:
    # On the chart a pattern or hollow marker, explained in the legend, marks derived.
    return format_point(point, lang, chart.spec.decimals, unit=False, mark=False)


def _draw_bars(fig: Figure, ax: Axes, chart: Chart, style: Style, lang: str) -> None:
    horizontal, stacked = _horizontal(chart), chart.kind == "stacked"
    m = len(chart.series)
    thickness = 0.62 if stacked or m == 1 else 0.8 / m
    _set_category_axis(ax, chart, horizontal, WIDTH_PT * 0.85)
    lo, hi = _set_value_axis(ax, chart, horizontal, lang)
    bars: list[_Bar] = []
    for i in range(len(chart.categories)):
        up = down = 0.0
        for k, series in enumerate(chart.series):
            point = series.points[i]
            if point is None:
                continue
            value = float(point.value)
            pos = i if stacked or m == 1 else i - 0.4 + thickness * (k + 0.5)
            start = (up if value >= 0 else down) if stacked else 0.0
            look = _bar_style(style, k, point.derived)
            draw = ax.barh if horizontal else ax.bar
            draw(pos, value, thickness, start, **look)
            if stacked:
                up, down = (up + value, down) if value >= 0 else (up, down + value)
            bars.append(_Bar(pos, start, start + value, point, look["facecolor"]))
    if lo < 0:  # the zero line is the baseline when some bars go down
        (ax.axvline if horizontal else ax.axhline)(0, color=_AXIS, linewidth=0.8)
    width_pt, height_pt = _axes_size(fig, ax)
    _bar_labels(fig, ax, chart, bars, (lo, hi), (width_pt, height_pt), lang)


@dataclass(frozen=True, slots=True)
class _Bar:
    """A drawn bar (or stacked segment), for placing its value label."""

    pos: float  # on the category axis
    start: float  # on the value axis
    end: float
    point: Point
    colour: str  # its fill


def _bar_labels(
    fig: Figure,
    ax: Axes,
    chart: Chart,
    bars: list[_Bar],
    limits: tuple[float, float],
    size: tuple[float, float],
    lang: str,
) -> None:
    """Write each value on its bar, where it fits; the data table has them all."""
    horizontal, stacked = _horizontal(chart), chart.kind == "stacked"
    inside = stacked and len(chart.series) > 1  # segments: label in the middle
    lo, hi = limits
    span = hi - lo
    along, across = size if horizontal else size[::-1]  # points along / across bars
    n_bars = len(chart.categories) * (1 if stacked else len(chart.series))
    slot = across / max(n_bars + (0 if horizontal else 2), 1)
    texts = [_label_text(b.point, chart, lang) for b in bars]
    outside = _stack_totals(chart, lang) if inside else texts
    widest = max(len(t) for t in outside) * _CHAR_PT
    if (slot < 11) if horizontal else (slot < widest + 4):
        return  # labels would collide
    grow = ((widest + 10) if horizontal else 14.0) / along * span
    new_hi = max(hi, max(b.end for b in bars) + grow)
    new_lo = min(lo, min(b.end for b in bars) - grow) if lo < 0 else lo
    (ax.set_xlim if horizontal else ax.set_ylim)(new_lo, new_hi)
    scale = along / (new_hi - new_lo)
    for bar, text in zip(bars, texts, strict=True):
        if inside:
            if abs(bar.end - bar.start) * scale >= len(text) * _CHAR_PT + 8:
                mid = (bar.start + bar.end) / 2
                box = {
                    "boxstyle": "square,pad=0.15",
                    "facecolor": bar.colour,
                    "edgecolor": "none",
                }  # readable over a hatch pattern
                ax.annotate(
                    text,
                    (mid, bar.pos) if horizontal else (bar.pos, mid),
                    ha="center",
                    va="center",
                    fontsize=SIZE_VALUE,
                    fontweight="bold",
                    color=_TEXT if bar.point.derived else "white",
                    bbox=box,
                )
        else:
            _outside_label(ax, text, bar.pos, bar.end, bar.end >= bar.start, horizontal)
    if inside:
        for i, total in enumerate(outside):
            if total:
                end = sum(float(p.value) for s in chart.series if (p := s.points[i]))
                _outside_label(ax, total, i, end, True, horizontal, bold=True)


_CHAR_PT = SIZE_VALUE * 0.62  # average width of a value label's character, in points


def _outside_label(
    ax: Axes,
    text: str,
    pos: float,
    end: float,
    up: bool,
    horizontal: bool,
    *,
    bold: bool = False,
) -> None:
    sign = 1 if up else -1
    weight = "bold" if bold else "normal"
    if horizontal:
        ax.annotate(
            text,
            (end, pos),
            xytext=(4 * sign, 0),
            textcoords="offset points",
            ha="left" if up else "right",
            va="center",
            fontsize=SIZE_VALUE,
            fontweight=weight,
        )
    else:
        ax.annotate(
            text,
            (pos, end),
            xytext=(0, 3 * sign),
            textcoords="offset points",
            ha="center",
            va="bottom" if up else "top",
            fontsize=SIZE_VALUE,
            fontweight=weight,
        )


def _stack_totals(chart: Chart, lang: str) -> list[str]:
    """The total of each stack, as text; "" where a stack has negative parts."""
    totals = []
    for i in range(len(chart.categories)):
        present = [p for s in chart.series if (p := s.points[i]) is not None]
        if not present or any(p.value < 0 for p in present):
            totals.append("")
            continue
        total = sum((p.value for p in present), Decimal(0))
        totals.append(format_number(total, lang, chart.spec.decimals))
    return totals


def _draw_line(fig: Figure, ax: Axes, chart: Chart, style: Style, lang: str) -> None:
    _set_category_axis(ax, chart, False, WIDTH_PT * 0.85)
    lo, hi = _set_value_axis(ax, chart, False, lang)
    if lo < 0:
        ax.axhline(0, color=_AXIS, linewidth=0.8)
    for k, series in enumerate(chart.series):
        look = _line_style(style, k, False)
        points = [(i, p) for i, p in enumerate(series.points) if p is not None]
        for (x0, p0), (x1, p1) in itertools.pairwise(points):
            dashed = (
                p0.derived or p1.derived
            )  # a line to a computed value is not measured
            ax.plot(
                [x0, x1],
                [float(p0.value), float(p1.value)],
                color=look["color"],
                linewidth=2,
                linestyle="--" if dashed else look["linestyle"],
            )
        for i, point in points:
            marker = _line_style(style, k, point.derived)
            del marker["linestyle"], marker["linewidth"]
            ax.plot([i], [float(point.value)], linestyle="none", **marker)
    if len(chart.series) > 1 or len(chart.categories) > 24:
        return  # labels of several lines would collide; the data table has them
    _, height_pt = _axes_size(fig, ax)
    ax.set_ylim(lo, hi + 18 / height_pt * (hi - lo))
    for i, value in enumerate(chart.series[0].points):
        if value is not None:
            ax.annotate(
                _label_text(value, chart, lang),
                (i, float(value.value)),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=SIZE_TEXT,
            )


def _finish_svg(raw: bytes, ident: str, title: str, desc: str) -> bytes:
    """Name the fonts browsers may use, and give the SVG a title and description."""
    text = raw.decode("utf-8")
    text = text.replace(
        f"font-family: '{LAYOUT_FONT}', sans-serif", f"font-family: {SVG_FONTS}"
    )
    start = text.index("<svg ")
    end = text.index(">", start)
    title_id, desc_id = f"fig-{ident}-title", f"fig-{ident}-desc"
    head = (
        f'{text[start:end]} role="img"'
        f" aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>"
        f'\n <title id="{title_id}">{escape(title)}</title>'
        f'\n <desc id="{desc_id}">{escape(desc)}</desc>'
    )
    return (text[:start] + head + text[end + 1 :]).encode("utf-8")
