"""Figure declarations resolved to charts, each problem reported where it is written."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from generator.errors import Pos, Problems
from generator.figures.data import (
    MAX_DECIMALS,
    MAX_LABEL,
    MAX_POINTS,
    MAX_SERIES,
    Chart,
    Point,
    Series,
)
from generator.figures.fonts import LAYOUT_FONT, uncovered
from generator.i18n import t
from generator.model import Entry, FigureSpec, Indicator, masked_threshold


def resolve_figure(
    conferences: Sequence[Entry], entry: Entry, index: int, problems: Problems
) -> Chart | None:
    """Turn figure number index of entry into a Chart, or report why it cannot.

    conferences are those of the entry's series, oldest first (for `across`).
    """
    spec = entry.data.figures[index]
    check = _Checker(entry, index, problems)
    check.length(spec.title, ("title",), t("the title"))
    if spec.decimals is not None and not 0 <= spec.decimals <= MAX_DECIMALS:
        check.error(
            ("decimals",),
            t(
                "decimals must be between 0 and {most}, got {decimals}",
                most=MAX_DECIMALS,
                decimals=spec.decimals,
            ),
            t("the number of digits after the decimal point in labels"),
        )
    given = [name for name in ("indicators", "series", "across") if getattr(spec, name)]
    if not given:
        check.error(
            (),
            t("figure '{id}' has no data", id=spec.id),
            t("give `indicators`, `labels` with `series`, or `across: <indicator id>`"),
        )
        return None
    if len(given) > 1:
        check.error(
            (given[1],),
            t(
                "figure '{id}' gives both `{first}` and `{second}`",
                id=spec.id,
                first=given[0],
                second=given[1],
            ),
            t(
                "a figure draws one of: `indicators`, `labels` with `series`, or "
                "`across`"
            ),
        )
        return None
    if spec.labels and not spec.series:
        check.error(
            ("labels",),
            t("`labels` name the categories of `series`, but there are no series"),
            t("add `series` with one value per label, or remove `labels`"),
        )
    if spec.compare and (spec.kind != "grouped" or not spec.indicators):
        check.error(
            ("compare",),
            t("`compare: true` needs `kind: grouped` and `indicators`"),
            t("it draws each indicator's compared value next to its value"),
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
    _check_units(chart, check)
    return _sorted(_line_or_bars(chart, check))


def _check_units(chart: Chart, check: _Checker) -> None:
    """Warn when one value axis would mix units (`compare: true`: an axis per unit)."""
    units = {p.unit for p in chart.points if p.unit}
    if len(units) < 2 or chart.compare or chart.spec.mixed_units:
        return
    check.problems.warn(
        check.at(()),
        t(
            "figure '{id}' draws values in different units on one axis",
            id=chart.spec.id,
        ),
        t(
            "draw one figure per unit, or set `mixed_units: true` if comparing them "
            "is meant (each label then names its unit)"
        ),
    )


MIN_LINE_POINTS = 3  # two points make a slope, not a trend


def _line_or_bars(chart: Chart, check: _Checker) -> Chart:
    """Draw a line of fewer than three points as bars, with a warning."""
    if chart.kind != "line" or len(chart.categories) >= MIN_LINE_POINTS:
        return chart
    check.problems.warn(
        check.at(("kind",)),
        t(
            "figure '{id}' has {points} point(s), too few for a line (at "
            "least {min_line_points}); it is drawn as bars",
            id=chart.spec.id,
            points=len(chart.categories),
            min_line_points=MIN_LINE_POINTS,
        ),
        t("use `kind: bar` until the series has three points"),
    )
    return replace(chart, drawn="bar")


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
                t(
                    "{what} is {length} characters long, over the limit of {most}",
                    what=what,
                    length=len(text),
                    most=MAX_LABEL,
                ),
                t("shorten it; put the details in `caption`"),
            )

    def glyphs(self, text: str, loc: Sequence[str | int]) -> None:
        missing = uncovered(text)
        if missing:
            shown = " ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:5])
            self.problems.warn(
                self.at(loc),
                t(
                    "the chart font ({layout_font}) cannot show {shown}",
                    layout_font=LAYOUT_FONT,
                    shown=shown,
                ),
                t("use letters, digits and common punctuation in chart labels"),
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
            t("kind '{kind}' needs `labels` and several `series`", kind=spec.kind),
            t(
                "give `labels` with `series`, or set `compare: true` to draw "
                "compared values, or use kind bar, barh or line for one bar per "
                "indicator"
            ),
        )
        return None
    found = _indicators(entry, spec.indicators)
    _check_count(check, len(found), ("indicators",))
    for j, indicator in enumerate(found):
        check.length(
            indicator.label,
            ("indicators", j),
            t("the label of indicator '{id}'", id=indicator.id),
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
                t("indicator '{id}' has no compared value", id=indicator.id),
                t(
                    "give it `previous` or `change` with `compared_to`, or drop "
                    "`compare: true`"
                ),
            )
            continue
        periods.setdefault(indicator.compared_to, j)
        compared.append(_previous_point(indicator, previous))
    if len(periods) > 1:
        (first, _), (other, j) = list(periods.items())[:2]
        check.error(
            ("indicators", j),
            t(
                "indicators are compared to different periods ('{first}' and "
                "'{other}')",
                first=first,
                other=other,
            ),
            t(
                "compare indicators against one period, or draw them in separate "
                "figures"
            ),
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
            t("`series` need `labels`: one category name per value"),
            t("add `labels: [...]` naming what each value of a series stands for"),
        )
        return None
    if len(spec.series) > MAX_SERIES:
        check.error(
            ("series", MAX_SERIES),
            t(
                "figure has {series} series, over the limit of {most}",
                series=len(spec.series),
                most=MAX_SERIES,
            ),
            t("split it into several figures"),
        )
        return None
    _check_count(check, len(spec.labels) * len(spec.series), ("labels",))
    for j, label in enumerate(spec.labels):
        check.length(label, ("labels", j), t("the label"))
    series: list[Series] = []
    used: list[Indicator] = []
    for k, item in enumerate(spec.series):
        check.length(item.label, ("series", k, "label"), t("the series label"))
        if item.values and item.indicators:
            check.error(
                ("series", k),
                t(
                    "series '{label}' gives both `values` and `indicators`",
                    label=item.label,
                ),
                t("give one of them"),
            )
            continue
        count = len(item.values) or len(item.indicators)
        field_name = "values" if item.values else "indicators"
        if not count:
            check.error(
                ("series", k),
                t("series '{label}' has no values", label=item.label),
                t("add `values: [...]` or `indicators: [...]`, one per label"),
            )
            continue
        if count != len(spec.labels):
            check.error(
                ("series", k, field_name),
                t(
                    "series '{label}' has {count} {field_name} but `labels` has "
                    "{labels}",
                    label=item.label,
                    count=count,
                    field_name=field_name,
                    labels=len(spec.labels),
                ),
                t("give one value per label, in the order of `labels`"),
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
            t("figure with typed values has no `source_note`"),
            t("say where the numbers come from in `source_note`"),
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
            t("kind '{kind}' cannot draw `across`", kind=spec.kind),
            t("use kind line (or bar, barh) for one indicator over the series"),
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
            t("unknown indicator '{across}' in `across`", across=spec.across),
            (
                t("did you mean '{close}'?", close=close[0])
                if close
                else t("name an indicator id that conferences of this series report")
            ),
        )
        return None
    units = {i.unit for _, i in reporting}
    if len(units) > 1:
        check.error(
            ("across",),
            t(
                "indicator '{id}' has different units across the series: {units}",
                id=spec.across,
                units=", ".join(sorted(units)),
            ),
            t("use one unit for the indicator in every conference"),
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
        points.insert(0, _previous_point(first, previous))
    _check_count(check, len(points), ("across",))
    for label in categories:
        what = t("the period label '{label}…'", label=label[:40])
        check.length(label, ("across",), what)
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
            t(
                "figure has {count} values, over the limit of {most}",
                count=count,
                most=MAX_POINTS,
            ),
            t("a chart that size cannot be read; split it or show a table instead"),
        )


def _indicators(entry: Entry, ids: Sequence[str]) -> list[Indicator]:
    # The loader has reported unknown ids already; skip them here.
    return [i for i in (entry.indicator(x) for x in ids) if i is not None]


def _point(indicator: Indicator) -> Point:
    if indicator.masked:
        return _masked_point(indicator, indicator.derived)
    note = (indicator.derivation or "") if indicator.derived else ""
    return Point(
        indicator.value, indicator.unit, indicator.approx, indicator.derived, note=note
    )


def _previous_point(indicator: Indicator, previous: Decimal) -> Point:
    if indicator.previous_masked:
        return _masked_point(indicator, indicator.previous_derived)
    derived = indicator.previous_derived
    # With the value masked, the stated change would give it away (suppress.py).
    change = indicator.change if derived and not indicator.masked else None
    return Point(previous, indicator.unit, "exact", derived, from_change=change)


def _masked_point(indicator: Indicator, derived: bool) -> Point:
    """A small count as charts may show it: at the threshold, marked, never exact."""
    threshold = masked_threshold(indicator)
    return Point(threshold, indicator.unit, "exact", derived, True)


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
        chart.drawn,
    )
