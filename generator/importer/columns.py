"""The columns a sheet of indicators may have, and how a heading row names them.

Each column fills one field of ``generator.model.Indicator``. A heading is matched
case- and diacritic-insensitively against the field's English name and its
Vietnamese names ("Giá trị", "giá trị", "GIA TRI" are all ``value``); a heading
written "Giá trị (value)", as the template writes them, matches by either part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.errors import Problems, closest
from generator.formats import fold
from generator.i18n import current_language, t
from generator.importer.sheets import Sheet, text_of

CellType = Literal["id", "text", "number", "yes_no", "kind", "approx"]


@dataclass(frozen=True, slots=True)
class Column:
    """One field a sheet can give, with its names and what to type in it."""

    field: str  # the Indicator field, the key written to the data file
    heading: str  # the Vietnamese heading of the template
    names: tuple[str, ...]  # other headings accepted (Vietnamese, any case/marks)
    type: CellType
    required: bool
    guide: str  # what to type, in Vietnamese (the template's notes sheet)
    guide_en: str  # the same in English (docs/import.md, hints)
    example: str  # the template's example row

    @property
    def hint(self) -> str:
        """What to type, in the language of the messages (a problem's hint)."""
        return self.guide if current_language() == "vi" else self.guide_en


COLUMNS: tuple[Column, ...] = (
    Column(
        "id", "Mã số", ("mã", "mã chỉ số"), "id", True,
        "Mã của chỉ số: chữ thường không dấu, số và dấu '-'. Dùng để trích dẫn "
        "chỉ số trong bài viết và để cập nhật lại sau này.",
        "lowercase ASCII letters, digits and '-', e.g. vu-viec; narratives cite it "
        "as :ind[vu-viec]",
        "vu-viec-xam-hai",
    ),
    Column(
        "label", "Tên chỉ số", ("chỉ tiêu", "tên", "chỉ số"), "text", True,
        "Tên chỉ số như sẽ hiện trên trang.",
        "the indicator's name as the site shows it, e.g. Số vụ xâm hại trẻ em",
        "Số vụ xâm hại trẻ em được phát hiện",
    ),
    Column(
        "value", "Giá trị", ("số liệu",), "number", True,
        "Chỉ ghi số, theo cách viết Việt Nam: 1.317 (dấu chấm ngăn hàng nghìn), "
        "9,4 (dấu phẩy thập phân). Có thể thêm hơn, gần, khoảng, dưới: hơn 20, "
        "gần 600.000. Đơn vị ghi ở cột Đơn vị.",
        "the number, written the Vietnamese way: 1.317, 9,4, hơn 20",
        "1.317",
    ),
    Column(
        "unit", "Đơn vị", ("đơn vị tính", "đvt"), "text", True,
        "Đơn vị tính: vụ, trẻ em, tỷ đồng, %.",
        "the unit, e.g. vụ, trẻ em, tỷ đồng or %", "vụ",
    ),
    Column(
        "kind", "Loại", (), "kind", False,
        "số lượng (mặc định, số nguyên), số tiền, phần trăm hoặc tỷ số; "
        "hoặc count, amount, percent, ratio.",
        "count (default, whole numbers), amount, percent or ratio",
        "số lượng",
    ),
    Column(
        "approx", "Mức chính xác", ("xấp xỉ", "ước lượng"), "approx", False,
        "Để trống nếu số chính xác; hoặc hơn, gần, khoảng, dưới. Có thể ghi "
        "ngay trước số ở cột Giá trị (hơn 20).",
        "empty when exact; or hơn, gần, khoảng, dưới (more_than, nearly, about, "
        "less_than)",
        "",
    ),
    Column(
        "period", "Kỳ", ("thời kỳ", "kỳ báo cáo"), "text", False,
        "Để trống nếu là kỳ của hội nghị.",
        "the period the number covers; empty for the conference's period",
        "6 tháng đầu năm",
    ),
    Column(
        "group", "Nhóm", ("nhóm chỉ số",), "text", False,
        "Tiêu đề nhóm trong bảng số liệu chính.",
        "the heading it is listed under in the key figures, e.g. Bảo vệ trẻ em",
        "Bảo vệ trẻ em",
    ),
    Column(
        "key", "Nổi bật", ("chính", "chỉ số chính"), "yes_no", False,
        "có (hoặc x) để hiện trên trang chủ; để trống hoặc không.",
        "có / x / 1 to show it on the home page; không, 0 or empty otherwise",
        "có",
    ),
    Column(
        "change", "Tăng giảm", ("thay đổi", "tăng/giảm"), "number", False,
        "Mức tăng (+) hoặc giảm (-) so với kỳ so sánh: -31, giảm 31, tăng 5. "
        "Ghi cột này hoặc cột Kỳ trước, không cần cả hai.",
        "value minus the compared value: -31, giảm 31, tăng 5",
        "",
    ),
    Column(
        "previous", "Kỳ trước", ("số cùng kỳ", "cùng kỳ", "số kỳ trước"), "number",
        False,
        "Số của kỳ so sánh, viết như cột Giá trị.",
        "the compared value, written as the value is: 1.348",
        "1.348",
    ),
    Column(
        "compared_to", "So với", ("kỳ so sánh",), "text", False,
        "Kỳ so sánh, bắt buộc khi có Tăng giảm hoặc Kỳ trước.",
        "the compared period; needed with change or previous",
        "cùng kỳ năm trước",
    ),
    Column(
        "source", "Nguồn", ("mã nguồn",), "id", True,
        "Mã của nguồn trong mục sources của tệp dữ liệu.",
        "the id of a source listed under `sources:` in the data file, e.g. bai-viet",
        "bai-viet",
    ),
    Column(
        "quote", "Trích dẫn", ("câu trích",), "text", True,
        "Nguyên văn câu trong nguồn nêu con số.",
        "the words of the source that state the number",
        "đã phát hiện 1.317 vụ xâm hại trẻ em",
    ),
    Column(
        "note", "Ghi chú", (), "text", False,
        "Ghi chú thêm (không bắt buộc).", "a note, optional", "",
    ),
)  # fmt: skip

BY_FIELD = {c.field: c for c in COLUMNS}
MAX_HEADING_ROW = 20  # rows above the headings (a title, a date) are skipped
_PAREN = re.compile(r"^(?P<outer>.*?)\s*\((?P<inner>[^()]*)\)\s*$")


def _names() -> dict[str, Column]:
    """Every accepted heading, folded, with its column."""
    names: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.field, column.heading, *column.names):
            names[fold(name)] = column
    return names


NAMES = _names()


def template_heading(column: Column) -> str:
    """The heading the template writes: 'Giá trị (value)'."""
    return f"{column.heading} ({column.field})"


def match_heading(text: str) -> Column | None:
    """Return the column a heading names, or None: 'GIÁ TRỊ (value)' -> value."""
    found = NAMES.get(fold(text))
    if found is not None:
        return found
    paren = _PAREN.match(text.strip())
    if paren is None:
        return None
    return NAMES.get(fold(paren["outer"])) or NAMES.get(fold(paren["inner"]))


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the headings are and which column holds which field."""

    heading_row: int  # 1-based
    fields: dict[int, Column]  # 1-based column number -> its column


def find_layout(sheet: Sheet, problems: Problems) -> Layout | None:
    """Find the heading row and name each column; report unknown ones."""
    for number, cells in enumerate(sheet.rows[:MAX_HEADING_ROW], start=1):
        texts = {c: text_of(v).strip() for c, v in cells.items()}
        if sum(match_heading(t) is not None for t in texts.values()) >= 2:
            return _read_headings(sheet, number, texts, problems)
    problems.add(
        sheet.pos(1, 1),
        t(
            "found no heading row in the first {heading_row} rows",
            heading_row=MAX_HEADING_ROW,
        ),
        t(
            "the table needs a row of headings such as Mã số, Tên chỉ số, Giá trị, "
            "Đơn vị, Nguồn, Trích dẫn; `proceedings import --template FILE` writes "
            "an empty sheet with them (docs/import.md)"
        ),
    )
    return None


def _read_headings(
    sheet: Sheet, row: int, texts: dict[int, str], problems: Problems
) -> Layout:
    fields: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for col, text in sorted(texts.items()):
        column = match_heading(text)
        if column is None:
            problems.add(
                sheet.pos(row, col),
                t("unknown column '{text}'", text=text),
                _guess(text),
            )
            continue
        if column.field in seen:
            first = sheet.cell_name(row, seen[column.field])
            problems.add(
                sheet.pos(row, col),
                t(
                    "column '{text}' gives {field} again (as {first} does)",
                    text=text,
                    field=column.field,
                    first=first,
                ),
                t("keep one column for each field; delete or rename the other"),
            )
            continue
        seen[column.field] = col
        fields[col] = column
    _check_data_without_heading(sheet, row, texts, problems)
    return Layout(row, fields)


def _check_data_without_heading(
    sheet: Sheet, row: int, texts: dict[int, str], problems: Problems
) -> None:
    """Report a column that has values below an empty heading, once per column."""
    reported: set[int] = set()
    for number, cells in enumerate(sheet.rows[row:], start=row + 1):
        for col in sorted(cells):
            if col in texts or col in reported or not text_of(cells[col]).strip():
                continue
            reported.add(col)
            problems.add(
                sheet.pos(number, col),
                t(
                    "column {column_name} has values but no heading",
                    column_name=sheet.column_name(col),
                ),
                t("give the column a heading such as Ghi chú (note), or clear it"),
            )


def _guess(text: str) -> str:
    """A "did you mean" for an unknown heading, naming a Vietnamese heading."""
    folded = fold(text)
    match = closest(folded, NAMES)
    if match is None:
        known = ", ".join(template_heading(c) for c in COLUMNS)
        return t("known columns: {known}", known=known)
    column = NAMES[match]
    shown = next(
        (n for n in (column.heading, *column.names, column.field) if fold(n) == match),
        column.heading,
    )
    return t("did you mean '{shown}' ({field})?", shown=shown, field=column.field)
