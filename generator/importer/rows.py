"""Turn each row of a sheet into an indicator, checked as the loader checks it.

Every cell of every row is read, and every problem is reported at its cell. Each
row is validated with ``generator.model.Indicator`` (a row whose id the data file
has, together with the file's fields for its empty cells); the errors are placed
on the cell of the field they concern and said in our words, and the loader's own
consistency rule runs on it (a stated ``change`` equals ``value`` minus
``previous``). Its source must be one the data file lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pydantic

from generator.errors import Pos, Problems, did_you_mean
from generator.formats import format_number, slugify
from generator.i18n import N_, t
from generator.importer import cells
from generator.importer.cells import Bad, Reading
from generator.importer.columns import BY_FIELD, COLUMNS, Column, Layout
from generator.importer.sheets import CellValue, Row, Sheet, text_of
from generator.model import Indicator

DEFAULTS: Mapping[str, object] = {"kind": "count", "approx": "exact", "key": False}
ORDER = tuple(c.field for c in COLUMNS)  # the order keys are written in
NUMBERS = ("value", "previous", "change")


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row read and checked: the indicator's fields as the data file gets them."""

    number: int  # 1-based row of the sheet
    values: dict[str, Any]  # field -> str, Decimal or bool; defaults left out
    # The fields the row states: a non-empty cell, and `approx` with the value (a
    # number without hơn, gần, … is exact). An empty cell leaves a field as is.
    given: frozenset[str]
    pos: Pos  # the row's id cell
    cells: Mapping[str, Pos] = dataclasses.field(default_factory=dict)  # by field

    @property
    def id(self) -> str:
        """The indicator's id."""
        return str(self.values["id"])


@dataclass(frozen=True, slots=True)
class Target:
    """What the data file holds already, which rows are checked against."""

    name: str  # data/<slug>.yaml
    sources: frozenset[str] | None  # the source ids; None: not known, not checked
    # id -> the fields of an indicator the file has, as the loader reads them (text)
    existing: Mapping[str, Mapping[str, Any]]


def read_rows(
    sheet: Sheet, layout: Layout, target: Target, problems: Problems
) -> list[SheetRow]:
    """Read every row below the headings; report each problem where it stands.

    A row whose id the data file has may leave cells empty: the indicator is
    checked with the file's fields for those.
    """
    out: list[SheetRow] = []
    first: dict[str, int] = {}
    cols = {c.field: col for col, c in layout.fields.items()}
    new_rows = False
    for number in range(layout.heading_row + 1, len(sheet.rows) + 1):
        row = sheet.rows[number - 1]
        if not any(col in layout.fields for col in row):
            continue  # an empty row, or notes beside the table reported already
        reader = _RowReader(sheet, number, row, cols, target, problems)
        values, ok = reader.read()
        new_rows = new_rows or not reader.base
        ident = values.get("id")
        if ident is not None and "id" not in reader.failed:
            if ident in first:
                problems.add(
                    reader.pos("id"),
                    t(
                        "id '{ident}' is also in row {first}",
                        ident=ident,
                        first=first[ident],
                    ),
                    t("each indicator has one row; give this one another id"),
                )
                ok = False
            first.setdefault(ident, number)
        if "source" in values and "source" not in reader.failed:
            ok = _known_source(reader, values["source"], target) and ok
        if ok:
            given = frozenset(reader.typed)
            cells = {name: reader.pos(name) for name in reader.cols}
            out.append(SheetRow(number, values, given, reader.pos("id"), cells))
    if new_rows:
        _check_required(sheet, layout, problems)
    return out


def _check_required(sheet: Sheet, layout: Layout, problems: Problems) -> None:
    """A new indicator needs every required field: report each missing column."""
    have = {c.field for c in layout.fields.values()}
    for column in COLUMNS:
        if column.required and column.field not in have:
            problems.add(
                sheet.pos(layout.heading_row, 1),
                t(
                    "no column for {field} ({heading})",
                    field=column.field,
                    heading=column.heading,
                ),
                t(
                    "add a column headed '{heading}': {guide_en}",
                    heading=column.heading,
                    guide_en=column.hint,
                ),
            )


def _known_source(reader: _RowReader, source: str, target: Target) -> bool:
    if target.sources is None or source in target.sources:
        return True
    hint = did_you_mean(source, target.sources, N_("source id"))
    reader.problems.add(
        reader.pos("source"),
        t("unknown source '{source}'", source=source),
        t(
            "{hint} (a new source goes under `sources:` in {name} first)",
            hint=hint,
            name=target.name,
        ),
    )
    return False


class _RowReader:
    """Reads the cells of one row, then validates them together."""

    def __init__(
        self,
        sheet: Sheet,
        number: int,
        row: Row,
        cols: Mapping[str, int],
        target: Target,
        problems: Problems,
    ) -> None:
        self.sheet, self.number, self.row = sheet, number, row
        self.cols, self.problems = cols, problems
        self.failed: set[str] = set()
        self.typed: set[str] = set()  # fields whose cell is not empty
        ident = self.cell("id")
        found = None if ident is None else cells.read_text(ident)
        self.base: Mapping[str, Any] = (
            target.existing.get(found, {}) if isinstance(found, str) else {}
        )

    def pos(self, field: str) -> Pos:
        """The cell of field in this row; the row's first cell if no column has it."""
        col = self.cols.get(field, self.cols.get("id", 1))
        return self.sheet.pos(self.number, col)

    def cell(self, field: str) -> CellValue | None:
        """The value of field's cell, None when empty or when no column has it."""
        col = self.cols.get(field)
        return None if col is None else self.row.get(col)

    def fail(self, field: str, bad: Bad) -> None:
        """Report a cell that cannot be read."""
        self.failed.add(field)
        self.problems.add(self.pos(field), bad.message, bad.hint)

    def read(self) -> tuple[dict[str, Any], bool]:
        """Every field of the row that could be read, and whether all is well.

        Every cell is read and checked, so one run reports all of a row's problems.
        """
        kind = self._choice("kind", cells.KINDS, "kind", cells.KIND_NAMES)
        kind = kind or str(self.base.get("kind", "count"))
        unit = self.cell("unit")
        percent = (text_of(unit) if unit else str(self.base.get("unit"))).strip() == "%"
        values: dict[str, Any] = {}
        for field in ORDER:
            value = self.cell(field)
            if value is None:
                continue
            self.typed.update(("value", "approx") if field == "value" else (field,))
            got = self._read(BY_FIELD[field], value, kind, percent)
            if isinstance(got, Bad):
                self.fail(field, got)
            elif got != DEFAULTS.get(field):
                values[field] = got
        self._approx(values)
        read_all = not self.failed
        kept = {k: v for k, v in self.base.items() if k not in self.typed}
        merged = {**kept, **values}
        valid = self._validate(merged)
        numbers = not self.failed.intersection(NUMBERS) and "value" in merged
        consistent = self._change(merged) if numbers else True
        return values, read_all and valid and consistent

    def _choice(
        self, field: str, choices: dict[str, str], what: str, names: str
    ) -> str:
        value = self.cell(field)
        if value is None:
            return ""
        got = cells.read_choice(value, choices, what, names)
        return "" if isinstance(got, Bad) else got

    def _read(self, column: Column, value: CellValue, kind: str, percent: bool) -> Any:
        if column.type == "number":
            change = column.field == "change"
            return cells.read_number(value, kind, percent=percent, change=change)
        if column.type == "yes_no":
            return cells.read_yes_no(value)
        if column.type == "kind":
            return cells.read_choice(value, cells.KINDS, t("kind"), cells.KIND_NAMES)
        if column.type == "approx":
            return cells.read_choice(
                value, cells.APPROX, t("degree of exactness"), cells.APPROX_NAMES
            )
        return cells.read_text(value)

    def _approx(self, values: dict[str, Any]) -> None:
        """Turn readings into numbers; a word before the value sets `approx`."""
        for field in NUMBERS:
            reading = values.get(field)
            if not isinstance(reading, Reading):
                continue
            values[field] = reading.number
            if reading.approx is None:
                continue
            if field != "value":
                self.fail(field, _ONLY_VALUE)
            elif values.get("approx", "exact") not in ("exact", reading.approx):
                self.fail("value", _approx_clash(reading.approx, values["approx"]))
            else:
                values["approx"] = reading.approx
        ordered = {field: values[field] for field in ORDER if field in values}
        values.clear()
        values.update(ordered)

    def _validate(self, values: Mapping[str, Any]) -> bool:
        try:
            Indicator.model_validate(values)
        except pydantic.ValidationError as exc:
            for err in exc.errors(include_url=False):
                self._report(err, values)
            return False
        return True

    def _report(self, err: Any, values: Mapping[str, Any]) -> None:
        field = str(err["loc"][0]) if err["loc"] else ""
        if field in self.failed:
            return  # reported as the cell was read
        self.failed.add(field)
        if err["type"] == "missing":
            # A new indicator's missing column is reported once, at the headings.
            if field in self.cols or self.base:
                column = BY_FIELD[field]
                self.problems.add(
                    self.pos(field),
                    t(
                        "{heading} ({field}) is empty",
                        heading=column.heading,
                        field=field,
                    ),
                    column.hint,
                )
            return
        if not field:  # a rule between fields, e.g. change needs compared_to
            where = next(
                (f for f in ("compared_to", "change", "previous") if f in self.cols),
                "id",
            )
            message = str(err["msg"]).removeprefix("Value error, ")
            self.problems.add(self.pos(where), message, _RULE_HINT)
            return
        message, hint = _say(err, field, values.get(field))
        self.problems.add(self.pos(field), message, hint)

    def _change(self, values: Mapping[str, Any]) -> bool:
        """The loader's rule: a stated change is value minus previous.

        A number the data file gives (a row may leave its cell empty) is text.
        """
        value, change, previous = (
            _decimal(values.get(name)) for name in ("value", "change", "previous")
        )
        if value is None or change is None or previous is None:
            return True
        difference = value - previous
        if difference == change:
            return True
        where = "change" if "change" in self.typed else "previous"
        self.problems.add(
            self.pos(where),
            t(
                "change {change} does not equal value {value} minus previous "
                "{previous} (= {difference})",
                change=_vi(change),
                value=_vi(value),
                previous=_vi(previous),
                difference=_vi(difference),
            ),
            t(
                "give the change (tăng giảm) or the previous value (kỳ trước), not "
                "both: the other is computed; if the source states both, one of them "
                "is mistyped"
            ),
        )
        return False


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None  # the model reports it


def _vi(number: Decimal) -> str:
    return format_number(number).replace("\u2212", "-")


_ONLY_VALUE = Bad(
    t("only the value can be approximate (hơn, gần, khoảng, dưới)"),
    t(
        "write the number alone here; the word before the value says how exact the "
        "indicator is"
    ),
)
_RULE_HINT = t("compared_to (so với) names the period compared with: cùng kỳ năm trước")


def _approx_clash(word: str, column: str) -> Bad:
    return Bad(
        t(
            "the word before the value says {word}, the approx column says {column}",
            word=word,
            column=column,
        ),
        t("say it once: either the word before the number or the approx column"),
    )


def _say(err: Any, field: str, got: Any) -> tuple[str, str]:
    """Our words for a model error on one field: what is expected, with an example."""
    column = BY_FIELD.get(field)
    heading = f"{column.heading} ({field})" if column else field
    kind, shown = err["type"], text_of(got) if got is not None else ""
    ctx = err.get("ctx") or {}
    guide = column.hint if column else ""
    if kind == "string_pattern_mismatch":
        suggestion = slugify(shown) or "vu-viec"
        return (
            t("'{shown}' is not an id", shown=shown),
            t(
                "ids use lowercase ASCII letters, digits and '-', e.g. '{suggestion}'",
                suggestion=suggestion,
            ),
        )
    if kind == "string_too_long":
        limit = ctx.get("max_length", "")
        return (
            t(
                "{heading} is longer than {limit} characters",
                heading=heading,
                limit=limit,
            ),
            t("shorten it"),
        )
    if kind == "string_too_short":
        return t("{heading} is empty", heading=heading), guide
    if kind == "fractional_count":
        return (
            t(
                "{number} is not a whole number, but the kind is count",
                number=_vi(Decimal(shown)),
            ),
            t(
                "a count is a whole number; for an amount such as 9,4 tỷ đồng set the "
                "kind column (loại) to số tiền (amount), phần trăm (percent) or tỷ số "
                "(ratio)"
            ),
        )
    if kind == "implausible_number":
        return (
            t(
                "{heading}: the number is implausibly large (10^15 or more)",
                heading=heading,
            ),
            t(
                "check for a typing slip; the numbers of a report stay below a "
                "million billion"
            ),
        )
    if kind == "too_many_places":
        return (
            t("{heading}: the number has more than 6 decimal places", heading=heading),
            t(
                "round it to at most 6 decimal places (a formula's result may need "
                "ROUND)"
            ),
        )
    return t(
        "{heading}: '{shown}' is not accepted", heading=heading, shown=shown
    ), guide
