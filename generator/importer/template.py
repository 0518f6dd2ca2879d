"""``proceedings import --template OUT``: an empty sheet to fill in and import.

The .xlsx has a sheet "Chỉ số" with one heading a column, written "Giá trị
(value)" (the Vietnamese heading and the field it fills, both matched on import),
one example row, and a sheet "Ghi chú" saying what to type in each column. A .csv
has the headings and the example row only. The example row imports as it is into
a conference made by ``proceedings new`` (its source is ``bai-viet``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import UsageError
from generator.i18n import t
from generator.importer.columns import COLUMNS, template_heading

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET = "Chỉ số"
NOTES = "Ghi chú"
NUMBER_NOTES = (
    ("1.317", "1317: dấu chấm ngăn cách hàng nghìn"),
    ("17.800", "17800"),
    ("9,4", "9,4: dấu phẩy thập phân"),
    ("1.317,5", "1317,5"),
    ("hơn 20", "20, approx: more_than (gần: nearly, khoảng: about, dưới: less_than)"),
    ("gần 600.000", "600000, approx: nearly"),
    (
        "1,317",
        "không rõ nghĩa với số lượng và số tiền (1317 hay 1,317?): ghi 1.317 hoặc "
        "1317; với phần trăm và tỷ số thì là 1,317",
    ),
    ("1.317 vụ", "sai: ghi đơn vị ở cột Đơn vị"),
)


def write_template(path: Path) -> Path:
    """Write an empty sheet of indicators to path (.xlsx or .csv); never overwrite."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(
            t(
                "cannot write a '{suffix}' template: name it .xlsx (with notes on "
                "each column) or .csv",
                suffix=path.suffix,
            )
        )
    if path.exists():
        raise UsageError(
            t("{path} exists; choose another name or delete it first", path=path)
        )
    if suffix == ".csv":
        _write_csv(path)
    else:
        _write_xlsx(path)
    return path


def _write_csv(path: Path) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([template_heading(c) for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    # A byte-order mark, so that Excel opens the file as UTF-8.
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))


def _write_xlsx(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.create_sheet(SHEET, 0)
    book.remove(book.worksheets[1])  # the empty sheet a new workbook has
    sheet.append([template_heading(c) for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 30 if column.type == "text" else 16
        lists = {
            "kind": '"số lượng,số tiền,phần trăm,tỷ số"',
            "approx": '"hơn,gần,khoảng,dưới"',
            "key": '"có,không"',
        }
        if column.field in lists:
            check = DataValidation(type="list", formula1=lists[column.field])
            check.add(f"{letter}2:{letter}1000")
            sheet.add_data_validation(check)
    _write_notes(book.create_sheet(NOTES))
    book.save(path)


def _write_notes(sheet: Worksheet) -> None:
    from openpyxl.styles import Alignment, Font

    rows: list[list[str]] = [
        ["Cột", "Trường", "Bắt buộc", "Cách nhập", "Ví dụ", "In English"]
    ]
    for column in COLUMNS:
        rows.append(
            [
                column.heading,
                column.field,
                "có" if column.required else "không",
                column.guide,
                column.example,
                column.guide_en,
            ]
        )
    rows += [[], ["Cách ghi số", "", "", "Đọc là"]]
    rows += [[typed, "", "", meaning] for typed, meaning in NUMBER_NOTES]
    rows += [
        [],
        [
            "Tên cột có thể viết bằng tiếng Việt (có dấu hoặc không) hoặc tên trường "
            "tiếng Anh. Xem docs/import.md."
        ],
    ]
    for values in rows:
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"A": 16, "B": 14, "C": 10, "D": 60, "E": 28, "F": 50}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
