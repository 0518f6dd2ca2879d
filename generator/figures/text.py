"""Text versions of a chart: formatted values, alt text and the data table (CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from generator.figures.data import Chart, Point, Series
from generator.formats import APPROX_WORDS, format_number, format_suppressed
from generator.model import explain_change

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
        "stated_legend": "Số liệu nguồn nêu",
        "missing": "không có số liệu",
        "source": "Nguồn",
        "derivation": "Cách tính",
        "suppressed_legend": "Số nhỏ không công bố, vẽ tại ngưỡng",
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
        "stated_legend": "Stated value",
        "missing": "no data",
        "source": "Source",
        "derivation": "How it is computed",
        "suppressed_legend": "Small count, not published: drawn at the threshold",
    },
}


def words_for(lang: str) -> dict[str, str]:
    """Return the words charts use in lang, or in Vietnamese if it has none."""
    return WORDS.get(lang, WORDS["vi"])


def format_point(
    point: Point,
    lang: str,
    decimals: int | None,
    *,
    unit: bool = True,
    mark: bool = True,
    space: str = " ",
    explain: bool = False,
) -> str:
    """Format a point as text: 'hơn 30 tỷ đồng', '1.348 vụ (tính toán)'.

    mark=False leaves out the derived mark (when a series label carries it);
    decimals is the most digits shown after the comma (``shown_decimals``);
    space joins qualifier, number and unit (a no-break space in HTML tables);
    explain=True says how a derived value was computed ('tính từ mức giảm 31 vụ').
    """
    number = format_number(point.value, lang, shown_decimals(point.value, decimals))
    word = APPROX_WORDS.get(lang, APPROX_WORDS["vi"]).get(point.approx, "")
    if point.suppressed:  # a masked small count: its threshold, "< 300"
        number, word = format_suppressed(point.value, lang), ""
    text = f"{word}{space}{number}" if word else number
    if unit and point.unit:
        text += point.unit if point.unit == "%" else f"{space}{point.unit}"
    note = point_note(point, lang) if explain else ""
    if mark and point.derived:
        derived = words_for(lang)["derived"]
        text += f" ({derived}: {note})" if note else f" ({derived})"
    elif note:
        text += f" ({note})"
    return text


def shown_decimals(value: Decimal, decimals: int | None) -> int | None:
    """Return how many digits to show after the decimal comma (None: as given).

    At most `decimals`, and never more than the value was given with, so "hơn 30"
    never reads "hơn 30,0".
    """
    if decimals is None:
        return None
    exponent = value.normalize().as_tuple().exponent
    given = max(0, -exponent) if isinstance(exponent, int) else 0
    return min(decimals, given)


def point_note(point: Point, lang: str) -> str:
    """Say how a derived point was computed, or return '' for a stated one."""
    if not point.derived or point.suppressed:
        return ""
    if point.from_change is not None:
        return explain_change(point.from_change, point.unit, lang)
    return point.note


def series_label(series: Series, lang: str) -> str:
    """The label a legend or table shows: marked when every value is derived."""
    word = words_for(lang)["derived"]
    if series.label_marks_derived and word not in series.label.casefold():
        return f"{series.label} ({word})".strip()
    return series.label


def describe(chart: Chart, lang: str) -> str:
    """Write alt text stating every value: '… Nhận quà: hơn 30 tỷ đồng; …'."""
    words = words_for(lang)
    decimals = chart.spec.decimals
    items = []
    for i, category in enumerate(chart.categories):
        shown = [
            (
                series_label(s, lang),
                format_point(
                    p, lang, decimals, mark=not s.label_marks_derived, explain=True
                )
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
    """Return the data table of a chart: headers, then one row of text per category.

    When a value is derived, a last column says how it was computed.
    """
    words = words_for(lang)
    units = {p.unit for p in chart.points}
    shared = units.pop() if len(units) == 1 else ""
    suffix = f" ({shared})" if shared else ""
    if len(chart.series) == 1 and not chart.series[0].label:
        names = [words["value"] + suffix]
    else:
        names = [series_label(s, lang) + suffix for s in chart.series]
    headers = (words[chart.category_header], *names)
    explained = any(point_note(p, lang) for p in chart.points)
    if explained:
        headers = (*headers, words["derivation"])
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
        if explained:
            row = [s.points[i] for s in chart.series]
            notes = [point_note(p, lang) for p in row if p is not None]
            cells.append("; ".join(dict.fromkeys(n for n in notes if n)))
        rows.append((category, *cells))
    return headers, tuple(rows)


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """Write a data table as CSV, UTF-8 with a BOM so spreadsheets read Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([c.replace("\u00a0", " ") for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
