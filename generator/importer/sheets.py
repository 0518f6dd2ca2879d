"""Read a sheet of .xlsx, .ods or .csv into typed cells, each with its position.

Spreadsheet numbers arrive exact: an .xlsx float goes through ``repr`` (9.4, not
9.4000000000000004) and an .ods number is read from the text the file stores. A
cell formatted as a percentage (shown 9,4 %, stored 0.094) is read as 9.4. A
formula gives the value the spreadsheet saved with it; one that was never computed,
or computed to an error (#DIV/0!), is unreadable and reported where it stands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from generator.errors import Pos, Problems
from generator.formats import fold
from generator.i18n import t

SUFFIXES = (".xlsx", ".ods", ".csv")
MAX_BYTES = 20_000_000
MAX_ROWS = 10_000  # rows with something in them
MAX_ROW_NUMBER = 100_000
MAX_COLUMNS = 200
SHEET_NAMES = ("chi so", "indicators")  # folded; preferred over the first sheet
_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!"}
)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A cell whose value cannot be had: a formula error, or a formula never run."""

    shown: str  # what the cell shows or holds: "#DIV/0!", "=SUM(C2:C5)"
    reason: str


CellValue = str | Decimal | bool | dt.date | dt.datetime | dt.time | Unreadable
Row = Mapping[int, CellValue]  # 1-based column -> value; empty cells left out


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table of a file: its non-empty cells by row, and how to name a cell."""

    path: Path  # as the user named it
    name: str | None  # the sheet's name; None for CSV, which has no sheets
    rows: tuple[Row, ...]  # rows[0] is row 1

    def column_name(self, col: int) -> str:
        """Name a 1-based column as spreadsheets do: 1 -> A, 27 -> AA."""
        name = ""
        while col > 0:
            col, rest = divmod(col - 1, 26)
            name = chr(ord("A") + rest) + name
        return name

    def cell_name(self, row: int, col: int) -> str:
        """Name a cell: C7."""
        return f"{self.column_name(col)}{row}"

    def pos(self, row: int, col: int) -> Pos:
        """The position of a cell: chi-so.xlsx:Chỉ số!C7, or chi-so.csv:C7."""
        cell = self.cell_name(row, col)
        return Pos(self.path, row, col, f"{self.name}!{cell}" if self.name else cell)


def text_of(value: CellValue) -> str:
    """Show a cell's value as its text, for headings and messages."""
    if isinstance(value, Unreadable):
        return value.shown
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_sheet(path: Path, problems: Problems) -> Sheet | None:
    """Read the indicators' sheet of path, reporting a file that cannot be read."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.add(
            Pos(path),
            t(
                "file is {size:,} bytes, over the limit of {most:,}",
                size=size,
                most=MAX_BYTES,
            ),
            t("import a file with the indicators' table only"),
        )
        return None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, problems)
    try:
        return _read_xlsx(path) if suffix == ".xlsx" else _read_ods(path)
    except _TooLarge as exc:
        problems.add(Pos(path), str(exc), t("import a file with the indicators only"))
    except Exception as exc:  # a damaged or mislabelled file: zip, XML, anything
        what = (
            t("an Excel workbook") if suffix == ".xlsx" else t("an OpenDocument sheet")
        )
        problems.add(
            Pos(path),
            t(
                "file cannot be read as {what} ({kind}: {exc})",
                what=what,
                kind=type(exc).__name__,
                exc=exc,
            ),
            t(
                "open it in Excel or LibreOffice Calc and save it again as {suffix}",
                suffix=suffix,
            ),
        )
    return None


class _TooLarge(Exception):
    pass


def _collect(
    rows: Iterable[tuple[int, Iterable[tuple[int, CellValue]]]],
) -> tuple[Row, ...]:
    """Keep the non-empty cells of each numbered row; refuse sheets no import needs."""
    by_number: dict[int, dict[int, CellValue]] = {}
    for number, cells in rows:
        row = {col: value for col, value in cells if not _blank(value)}
        if not row:
            continue
        if len(by_number) >= MAX_ROWS or number > MAX_ROW_NUMBER:
            raise _TooLarge(t("the sheet has more than {most:,} rows", most=MAX_ROWS))
        if max(row) > MAX_COLUMNS:
            raise _TooLarge(
                t(
                    "the sheet has more than {columns} columns",
                    columns=MAX_COLUMNS,
                )
            )
        by_number[number] = row
    last = max(by_number, default=0)
    return tuple(by_number.get(n, {}) for n in range(1, last + 1))


def _blank(value: CellValue | None) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _pick(names: list[str]) -> int:
    """The index of the sheet named Chỉ số or Indicators, else of the first."""
    folded = [fold(n) for n in names]
    return next((folded.index(n) for n in SHEET_NAMES if n in folded), 0)


def _read_xlsx(path: Path) -> Sheet:
    import openpyxl

    # Formulas and values live in two views of one file; the first says which
    # empty values are formulas Excel never computed (a file written by a script).
    with path.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        index = _pick([sheet.title for sheet in book.worksheets])  # no chartsheets
        formulas = {
            (cell.row, cell.column): str(cell.value)
            for cell in _xlsx_cells(book.worksheets[index])
            if cell.data_type == "f"
        }
        book.close()
        handle.seek(0)
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        sheet = book.worksheets[index]
        cells: dict[int, list[tuple[int, CellValue]]] = {}
        for cell in _xlsx_cells(sheet):
            formula = formulas.get((cell.row, cell.column))
            if cell.value is None and formula is None:
                continue
            value = _xlsx_value(cell, formula)
            cells.setdefault(cell.row, []).append((cell.column, value))
        name = sheet.title
        book.close()
    return Sheet(path, name, _collect(sorted(cells.items())))


def _xlsx_cells(sheet: Any) -> Iterable[Any]:
    """The cells the file stores, each knowing its row and column."""
    sheet.reset_dimensions()  # a wrong <dimension> in the file would cut rows off
    for row in sheet.iter_rows():
        yield from (cell for cell in row if getattr(cell, "row", None) is not None)


def _xlsx_value(cell: Any, formula: str | None) -> CellValue:
    value = cell.value
    if value is None:
        return (
            Unreadable(formula, t("the formula has no saved result")) if formula else ""
        )
    if isinstance(value, str) and cell.data_type == "e":
        return Unreadable(value, t("the formula gives an error"))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in str(cell.number_format):
            number = number.scaleb(2)  # shown 9,4 %, stored 0.094
        return number
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value
    if isinstance(value, dt.timedelta):
        return str(value)
    text = unicodedata.normalize("NFC", str(value))
    return (
        Unreadable(text, t("the formula gives an error")) if text in _ERRORS else text
    )


def _read_ods(path: Path) -> Sheet:
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableRow

    tables = load(str(path)).spreadsheet.getElementsByType(Table)
    if not tables:
        raise ValueError(t("it holds no sheet"))
    names = [str(t.getAttrNS(TABLENS, "name") or "") for t in tables]
    index = _pick(names)
    rows = _collect(_ods_rows(tables[index].getElementsByType(TableRow)))
    return Sheet(path, names[index] or "Sheet1", rows)


def _ods_rows(
    elements: list[Any],
) -> Iterable[tuple[int, list[tuple[int, CellValue]]]]:
    """Number ODS rows; a repeat (a million empty rows) is counted, not expanded."""
    from odf.namespaces import TABLENS

    number = 1
    for element in elements:
        repeat = int(element.getAttrNS(TABLENS, "number-rows-repeated") or 1)
        cells = _ods_cells(element)
        if cells:
            for offset in range(min(repeat, MAX_ROWS + 1)):
                yield number + offset, cells
        number += repeat


def _ods_cells(row: Any) -> list[tuple[int, CellValue]]:
    from odf.namespaces import TABLENS

    cells: list[tuple[int, CellValue]] = []
    col = 1
    for cell in row.childNodes:
        if getattr(cell, "qname", None) not in (
            (TABLENS, "table-cell"),
            (TABLENS, "covered-table-cell"),
        ):
            continue
        repeat = int(cell.getAttrNS(TABLENS, "number-columns-repeated") or 1)
        value = _ods_value(cell)
        if not _blank(value):
            for offset in range(min(repeat, MAX_COLUMNS + 1)):
                cells.append((col + offset, value))
        col += repeat
    return cells


def _ods_value(cell: Any) -> CellValue:
    from odf.namespaces import OFFICENS, TABLENS

    kind = cell.getAttrNS(OFFICENS, "value-type")
    value = cell.getAttrNS(OFFICENS, "value")
    try:
        if kind in ("float", "currency") and value is not None:
            return Decimal(str(value))
        if kind == "percentage" and value is not None:
            return Decimal(str(value)).scaleb(2)
    except InvalidOperation:
        pass
    if kind == "date":
        stamp = str(cell.getAttrNS(OFFICENS, "date-value"))
        day = dt.datetime.fromisoformat(stamp)
        return day.date() if day.time() == dt.time() else day
    if kind == "boolean":
        return str(cell.getAttrNS(OFFICENS, "boolean-value")).lower() == "true"
    text = _ods_text(cell)
    formula = cell.getAttrNS(TABLENS, "formula")
    if formula and (text in _ERRORS or text.startswith("Err:")):
        return Unreadable(text, t("the formula gives an error"))
    return text


def _ods_text(cell: Any) -> str:
    from odf import teletype
    from odf.text import P

    paragraphs = [teletype.extractText(p) for p in cell.getElementsByType(P)]
    return unicodedata.normalize("NFC", "\n".join(paragraphs))


def _read_csv(path: Path, problems: Problems) -> Sheet | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        problems.add(
            Pos(path, raw[: exc.start].count(b"\n") + 1),
            t(
                "not valid UTF-8 (byte 0x{raw:02x} at offset {start})",
                raw=raw[exc.start],
                start=exc.start,
            ),
            t(
                "in Excel choose Save As > 'CSV UTF-8 (Comma delimited)'; the plain "
                "'CSV' of a Vietnamese Windows is Windows-1258. Or import the .xlsx"
            ),
        )
        return None
    text = unicodedata.normalize("NFC", text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = _collect(
            (number, enumerate(row, start=1))
            for number, row in enumerate(reader, start=1)
        )
    except _TooLarge as exc:
        problems.add(Pos(path), str(exc), t("import a file with the indicators only"))
        return None
    except csv.Error as exc:
        problems.add(Pos(path, reader.line_num), t("not a CSV table: {exc}", exc=exc))
        return None
    return Sheet(path, None, rows)


def _delimiter(text: str) -> str:
    """Guess the separator: ';' (Excel's, where ',' is the decimal comma), tab or ','.

    The separator that splits the first non-empty line (the headings) into the most
    fields wins; a tie goes to ';', then tab, then ','.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {
        d: len(next(csv.reader([first], delimiter=d), [])) for d in (";", "\t", ",")
    }
    return max(counts, key=lambda d: (counts[d], -list(counts).index(d)))
