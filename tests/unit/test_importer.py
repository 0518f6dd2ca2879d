"""proceedings import: sheets of indicators merged into data/<slug>.yaml."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from generator.commands.main import cli
from generator.errors import Pos, Problem, Problems
from generator.importer.cells import Bad, Reading, read_number, read_yes_no
from generator.importer.sheets import Sheet
from generator.load.project import load_site
from generator.model import Indicator
from generator.scaffold.conference import new_conference

SLUG = "hoi-nghi-tre-em-phia-nam-2024"
DATA = Path("data") / f"{SLUG}.yaml"
# A source the sheets cite, with no archived copy: their made-up quotes are not checked
# against the real article (the test project's own data is).
SOURCE = "so-lieu-thu"
HEAD: list[object] = [
    "Mã số",
    "Tên chỉ số",
    "Giá trị",
    "Đơn vị",
    "Loại",
    "Nguồn",
    "Trích dẫn",
]
PYDANTIC_WORDS = ("Input should", "should match pattern", "Decimal input", "pydantic")


@pytest.fixture
def project(project: Path) -> Path:
    """The real project, its 2024 data file given the sheets' test source."""
    path = project / DATA
    path.write_text(
        path.read_text("utf-8")
        + f"  - id: {SOURCE}\n    title: Số liệu thử của bài kiểm thử\n",
        "utf-8",
    )
    return project


def row(ident: str, value: object, unit: str = "vụ", kind: str = "") -> list[object]:
    return [ident, f"Chỉ số {ident}", value, unit, kind, SOURCE, f"nêu {value}"]


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], title: str = "Chỉ số"
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for values in rows:
        sheet.append(list(values))
    book.save(path)
    return path


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(project), "import", *args])


def indicators(project: Path) -> dict[str, Indicator]:
    site = load_site(project, Problems())
    entry = next(e for e in site.entries if e.slug == SLUG)
    return {i.id: i for i in entry.data.indicators}


# ------------------------------------------------------------- the acceptance


def test_vietnamese_numbers_merge_as_numbers(project: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(
        tmp_path / "chi-so.xlsx",
        [HEAD, row("so-ho-so", "17.800"), row("kinh-phi", "9,4", "tỷ đồng", "số tiền")],
    )
    result = run(project, str(sheet), "--conference", SLUG)
    assert result.exit_code == 0, result.output
    text = (project / DATA).read_text("utf-8")
    assert "    value: 17800\n" in text
    assert "    value: 9.4\n" in text
    assert "    kind: amount\n" in text
    loaded = indicators(project)
    assert loaded["so-ho-so"].value == Decimal(17800)
    assert loaded["kinh-phi"].value == Decimal("9.4")
    assert "added     so-ho-so (row 2)" in result.output
    assert f"+++ b/{DATA.as_posix()}" in result.output


def test_a_unit_in_the_value_fails_at_its_cell(project: Path, tmp_path: Path) -> None:
    before = (project / DATA).read_bytes()
    sheet = write_xlsx(
        tmp_path / "xau.xlsx", [HEAD, row("a", "1"), row("b", "1.317 vụ")]
    )
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 1
    assert "xau.xlsx:Chỉ số!C3: error: '1.317 vụ' is not a number" in result.stderr
    assert "hint: put the unit 'vụ' in the unit column" in result.stderr
    assert "Traceback" not in result.output
    assert (project / DATA).read_bytes() == before


def test_every_problem_of_the_sheet_in_one_run(project: Path, tmp_path: Path) -> None:
    before = (project / DATA).read_bytes()
    rows: list[list[object]] = [
        [*HEAD, "Ghi chu x"],
        ["Vu Viec", "Nhãn", "abc", "vụ", "loại lạ", SOURCE, "q"],
        row("ok", "1,317"),
        row("phan-so", "9,4"),  # a count must be whole
        ["c", "Nhãn", "5", "", "", "nguon-la", "q"],
    ]
    result = run(project, str(write_xlsx(tmp_path / "nhieu.xlsx", rows)), "-c", SLUG)
    assert result.exit_code == 1
    err = result.stderr
    for cell in ("H1", "A2", "C2", "E2", "C3", "C4", "D5", "F5"):
        assert f"nhieu.xlsx:Chỉ số!{cell}: error:" in err, cell
    assert "did you mean 'Ghi chú' (note)?" in err
    assert "9,4 is not a whole number, but the kind is count" in err
    assert "unknown source 'nguon-la'" in err
    assert "8 error(s); nothing was written" in err
    assert not any(word in err for word in PYDANTIC_WORDS)
    assert (project / DATA).read_bytes() == before


@pytest.mark.parametrize(
    ("typed", "kind", "readings"),
    [
        ("1,317", "count", ("1317", "a decimal between 1 and 2", "write 1.317")),
        ("1,317", "amount", ("1317", "a decimal between 1 and 2", "1,3170")),
        ("1.317", "percent", ("1317", "a decimal between 1 and 2", "as 1,317")),
        ("12,500", "count", ("12500", "a decimal between 12 and 13", "12.500")),
    ],
)
def test_a_cell_read_two_ways_states_both(
    typed: str, kind: str, readings: tuple[str, ...]
) -> None:
    got = read_number(typed, kind)
    assert isinstance(got, Bad)
    for words in readings:
        assert words in got.message + got.hint


def test_an_ambiguous_cell_fails_the_import(project: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "mo-ho.xlsx", [HEAD, row("mo-ho", "1,317")])
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 1
    assert "mo-ho.xlsx:Chỉ số!C2: error: '1,317' can be read two ways" in result.stderr


@pytest.mark.parametrize(
    ("typed", "kind", "number", "approx"),
    [
        ("1.317", "count", "1317", None),
        ("17.800", "count", "17800", None),
        ("1.234.567", "count", "1234567", None),
        ("9,4", "amount", "9.4", None),
        ("1.317,5", "amount", "1317.5", None),
        ("1,317", "percent", "1.317", None),  # a percent has decimals
        ("9.4", "amount", "9.4", None),  # Vietnamese cannot mean this: one reading
        ("0,317", "ratio", "0.317", None),
        ("17 800", "count", "17800", None),
        ("hơn 20", "count", "20", "more_than"),
        ("Gần 600.000", "count", "600000", "nearly"),
        ("khoảng 50", "count", "50", "about"),
        ("dưới 5", "count", "5", "less_than"),
        ("-31", "count", "-31", None),
        ("\u221231", "count", "-31", None),
        (Decimal(repr(9.4)), "amount", "9.4", None),
        (Decimal(repr(17800.0)), "count", "17800", None),
    ],
)
def test_numbers_are_read_the_vietnamese_way(
    typed: str | Decimal, kind: str, number: str, approx: str | None
) -> None:
    assert read_number(typed, kind) == Reading(Decimal(number), approx)


def test_a_change_may_say_tang_or_giam() -> None:
    assert read_number("giảm 31", "count", change=True) == Reading(Decimal(-31))
    assert read_number("tăng 5", "count", change=True) == Reading(Decimal(5))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("có", True), ("Có", True), ("x", True), ("TRUE", True), (Decimal(1), True),
     ("không", False), ("false", False), ("0", False), (False, False)],
)  # fmt: skip
def test_yes_no_cells(typed: str | Decimal | bool, expected: bool) -> None:
    assert read_yes_no(typed) is expected


def test_vietnamese_headings_any_case_and_marks(project: Path, tmp_path: Path) -> None:
    heads = ["MÃ SỐ", "chi tieu", "Số liệu", "Đơn vị tính", "nguon", "Trích dẫn",
             "Nổi bật", "Số cùng kỳ", "so với", "Ghi chú"]  # fmt: skip
    values = ["tieu-de", "Chỉ tiêu", "gần 600.000", "lượt", SOURCE, "q", "x",
              "590.000", "cùng kỳ năm 2023", "ước tính"]  # fmt: skip
    sheet = write_xlsx(tmp_path / "viet.xlsx", [["BẢNG SỐ LIỆU"], heads, values])
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 0, result.output
    got = indicators(project)["tieu-de"]
    assert got.value == Decimal(600000)
    assert got.approx == "nearly"
    assert got.key is True
    assert got.previous == Decimal(590000)
    assert got.note == "ước tính"


def test_the_sheet_named_chi_so_is_read(project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Hướng dẫn"
    first.append(["Điền số liệu vào trang Chỉ số"])
    second = book.create_sheet("Chỉ số")
    for values in (HEAD, row("o-trang-hai", "3")):
        second.append(values)
    book.save(tmp_path / "hai-trang.xlsx")
    result = run(project, str(tmp_path / "hai-trang.xlsx"), "-c", SLUG)
    assert result.exit_code == 0, result.output
    assert "o-trang-hai" in indicators(project)


# ------------------------------------------------------------ merging the file


def test_an_existing_id_needs_update(project: Path, tmp_path: Path) -> None:
    before = (project / DATA).read_bytes()
    sheet = write_xlsx(
        tmp_path / "sua.xlsx",
        [HEAD, ["vu-xam-hai-tre-em", "Vụ xâm hại trẻ em trên toàn quốc", "1.320",
                "vụ", "", SOURCE, "toàn quốc xảy ra 1.317 vụ xâm hại trẻ em, giảm "
                "31 vụ"]],
    )  # fmt: skip
    refused = run(project, str(sheet), "-c", SLUG)
    assert refused.exit_code == 1
    assert "sua.xlsx:Chỉ số!A2: error: indicator 'vu-xam-hai-tre-em' is already in" in (
        refused.stderr
    )
    assert "value 1.317 -> 1.320" in refused.stderr
    assert "--update" in refused.stderr
    assert (project / DATA).read_bytes() == before

    updated = run(project, str(sheet), "-c", SLUG, "--update")
    assert updated.exit_code == 0, updated.output
    assert "-    value: 1317\n+    value: 1320\n" in updated.output
    assert "updated   vu-xam-hai-tre-em (row 2)" in updated.output
    text = (project / DATA).read_text("utf-8")
    assert "      label: Child abuse cases nationwide\n" in text  # en: kept
    assert "    change: -31\n" in text  # a field the sheet has no column for

    again = run(project, str(sheet), "-c", SLUG)
    assert again.exit_code == 0, again.output
    assert "unchanged vu-xam-hai-tre-em (row 2)" in again.output
    assert "is up to date (1 unchanged)" in again.output


def test_a_partial_sheet_updates_only_what_it_gives(
    project: Path, tmp_path: Path
) -> None:
    fix = [["Mã số", "Giá trị", "Ghi chú"], ["vu-xam-hai-tre-em", "1.320", ""]]
    result = run(
        project, str(write_xlsx(tmp_path / "sua.xlsx", fix)), "-c", SLUG, "--update"
    )
    assert result.exit_code == 0, result.output
    got = indicators(project)["vu-xam-hai-tre-em"]
    assert got.value == Decimal(1320)
    assert got.label == "Vụ xâm hại trẻ em trên toàn quốc"  # an empty cell keeps it
    assert got.change == Decimal(-31)

    new = [["Mã số", "Giá trị"], ["chi-so-moi", "5"]]
    result = run(project, str(write_xlsx(tmp_path / "moi.xlsx", new)), "-c", SLUG)
    assert result.exit_code == 1
    for field in ("label (Tên chỉ số)", "unit (Đơn vị)", "source (Nguồn)"):
        assert f"moi.xlsx:Chỉ số!A1: error: no column for {field}" in result.stderr


def test_change_is_value_minus_previous(project: Path, tmp_path: Path) -> None:
    heads = [*HEAD, "Tăng giảm", "Kỳ trước", "So với"]
    rows: list[list[object]] = [
        heads,
        [*row("dung", "1.317"), "giảm 31", "1.348", "cùng kỳ"],
        [*row("sai", "1.317"), "-30", "1.348", "cùng kỳ"],
        [*row("thieu", "1.317"), "-31", "", ""],
    ]
    result = run(project, str(write_xlsx(tmp_path / "ss.xlsx", rows)), "-c", SLUG)
    assert result.exit_code == 1
    assert (
        "ss.xlsx:Chỉ số!H3: error: change -30 does not equal value 1.317 minus "
        "previous 1.348 (= -31)"
    ) in result.stderr
    assert "ss.xlsx:Chỉ số!J4: error: `change` and `previous` need `compared_to`" in (
        result.stderr
    )
    assert "2 error(s)" in result.stderr
    # The data file's change (-31) is checked against a value the sheet gives.
    fix = [["Mã số", "Giá trị", "Kỳ trước"], ["vu-xam-hai-tre-em", "1.317", "1.340"]]
    sheet = write_xlsx(tmp_path / "sua.xlsx", fix)
    result = run(project, str(sheet), "-c", SLUG, "--update")
    assert result.exit_code == 1
    assert "sua.xlsx:Chỉ số!C2: error: change -31 does not equal value 1.317" in (
        result.stderr
    )


def test_dry_run_prints_the_diff_and_writes_nothing(
    project: Path, tmp_path: Path
) -> None:
    before = (project / DATA).read_bytes()
    sheet = write_xlsx(tmp_path / "thu.xlsx", [HEAD, row("thu", "1.317")])
    result = run(project, str(sheet), "-c", SLUG, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+  - id: thu\n" in result.output
    assert "+    value: 1317\n" in result.output
    assert f"Dry run: {DATA.as_posix()} not written (1 added)." in result.output
    assert (project / DATA).read_bytes() == before
    assert sorted(p.name for p in (project / "data").iterdir()) == sorted(
        [f"{SLUG}.yaml", "hoi-nghi-tre-em-phia-nam-2023.yaml"]
    )


def test_comments_and_layout_survive_a_merge(project: Path, tmp_path: Path) -> None:
    old = (project / DATA).read_text("utf-8")
    sheet = write_xlsx(tmp_path / "moi.xlsx", [HEAD, row("moi", "2")])
    assert run(project, str(sheet), "-c", SLUG).exit_code == 0
    new = (project / DATA).read_text("utf-8")
    added = "".join(
        ["  - id: moi\n", "    label: Chỉ số moi\n", "    value: 2\n", "    unit: vụ\n",
         f"    source: {SOURCE}\n", "    quote: nêu 2\n"]
    )  # fmt: skip
    # Every line of the file is kept, in order; the new item is inserted whole
    # after the last indicator, before the blank line and the next section.
    at = new.index(added)
    assert new[:at] + new[at + len(added) :] == old
    assert new[at + len(added) :].startswith("\nlegal_documents:")
    assert old.count("#") == new.count("#") > 0


def test_the_merged_file_must_load(project: Path, tmp_path: Path) -> None:
    data = project / "data" / "hoi-nghi-tre-em-phia-nam-2023.yaml"
    before = data.read_bytes()
    # ban-ghi-chua-lam-sach is computed by `derive`: a typed value breaks the rule.
    sheet = write_xlsx(
        tmp_path / "derive.xlsx",
        [HEAD, ["ban-ghi-chua-lam-sach", "Bản ghi", "6", "triệu bản ghi", "",
                "bai-viet-2023", "q"]],
    )  # fmt: skip
    result = run(project, str(sheet), "-c", "hoi-nghi-tre-em-phia-nam-2023", "--update")
    assert result.exit_code == 1
    assert "derive.xlsx:Chỉ số!C2: error: indicators[2].value: typed, but `derive`" in (
        result.stderr
    )
    assert data.read_bytes() == before


def test_a_missing_data_file_says_to_run_new(project: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "a.xlsx", [HEAD, row("a", "1")])
    result = run(project, str(sheet), "-c", "chua-co")
    assert result.exit_code == 2
    assert "proceedings new chua-co" in result.stderr


# --------------------------------------------------------------- other formats


def test_ods_input(project: Path, tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Chỉ số")
    for values in (HEAD, row("ods-so", Decimal("9.4"), "%", "phần trăm"),
                   row("ods-chu", "17.800")):  # fmt: skip
        line = TableRow()
        for value in values:
            if isinstance(value, Decimal):
                cell = TableCell(valuetype="float", value=str(value))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            line.addElement(cell)
        line.addElement(TableCell(numbercolumnsrepeated=1000))  # as Calc saves
        table.addElement(line)
    table.addElement(TableRow(numberrowsrepeated=1_000_000))
    doc.spreadsheet.addElement(table)
    doc.save(str(tmp_path / "chi-so.ods"))
    result = run(project, str(tmp_path / "chi-so.ods"), "-c", SLUG)
    assert result.exit_code == 0, result.output
    got = indicators(project)
    assert got["ods-so"].value == Decimal("9.4")
    assert got["ods-chu"].value == Decimal(17800)


def test_ods_problems_name_the_cell(project: Path, tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Trang1")
    for values in (HEAD, row("x", "5 vụ")):
        line = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    doc.spreadsheet.addElement(table)
    doc.save(str(tmp_path / "xau.ods"))
    result = run(project, str(tmp_path / "xau.ods"), "-c", SLUG)
    assert result.exit_code == 1
    assert "xau.ods:Trang1!C2: error: '5 vụ' is not a number" in result.stderr


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8-sig", ";"), ("utf-8", ","), ("utf-8", "\t")]
)
def test_csv_input(
    project: Path, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    lines: list[list[object]] = [
        HEAD,
        row("csv-a", "9,4", "tỷ đồng", "số tiền"),
        row("csv-b", "1.317"),
    ]
    text = "\r\n".join(
        delimiter.join(f'"{v}"' if delimiter in str(v) else str(v) for v in values)
        for values in lines
    )
    (tmp_path / "chi-so.csv").write_bytes(text.encode(encoding))
    result = run(project, str(tmp_path / "chi-so.csv"), "-c", SLUG)
    assert result.exit_code == 0, result.output
    got = indicators(project)
    assert got["csv-a"].value == Decimal("9.4")
    assert got["csv-b"].value == Decimal(1317)


def test_csv_problems_name_the_cell(project: Path, tmp_path: Path) -> None:
    lines: list[list[object]] = [
        HEAD,
        row("a", "1"),
        row("b", "2"),
        row("c", "hơn 20 vụ"),
    ]
    (tmp_path / "chi-so.csv").write_text(
        "\n".join(";".join(map(str, v)) for v in lines), "utf-8"
    )
    result = run(project, str(tmp_path / "chi-so.csv"), "-c", SLUG)
    assert result.exit_code == 1
    assert "chi-so.csv:C4: error: 'hơn 20 vụ' is not a number" in result.stderr
    assert "only the number here: hơn 20" in result.stderr


def test_a_csv_that_is_not_utf8_is_named(project: Path, tmp_path: Path) -> None:
    (tmp_path / "cu.csv").write_bytes("Mã số;Giá trị\n".encode("utf-16-le"))
    result = run(project, str(tmp_path / "cu.csv"), "-c", SLUG)
    assert result.exit_code == 1
    assert "not valid UTF-8" in result.stderr
    assert "CSV UTF-8" in result.stderr


def _with_cached_values(path: Path, cached: dict[str, str]) -> None:
    """Give formula cells the results Excel saves with them (openpyxl saves none)."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in cached.items():
        start = xml.index(f'<c r="{ref}"')
        end = xml.index("<v />", start)
        xml = xml[:end] + f"<v>{value}</v>" + xml[end + len("<v />") :]
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as new:
        for name, data in parts.items():
            new.writestr(name, data)


def test_formulas_give_their_saved_values(project: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(
        tmp_path / "cong-thuc.xlsx",
        [HEAD, row("tong", "=C3+C4"), row("phan-a", 17000), row("phan-b", 800.0),
         row("ty-le", "=C4/C2*100", "%", "phần trăm")],
    )  # fmt: skip
    _with_cached_values(sheet, {"C2": "17800", "C5": "95.50561797752809"})
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 1  # C5's saved result has too many decimals
    assert "cong-thuc.xlsx:Chỉ số!C5: error:" in result.stderr
    assert "more than 6 decimal places" in result.stderr
    assert "ROUND" in result.stderr

    _with_cached_values(sheet, {})  # unchanged; now round the ratio
    book = openpyxl.load_workbook(sheet)
    book.active["C5"] = "=ROUND(C4/C2*100,1)"  # type: ignore[index]
    book.save(sheet)
    _with_cached_values(sheet, {"C2": "17800", "C5": "95.5"})
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 0, result.output
    got = indicators(project)
    assert got["tong"].value == Decimal(17800)
    assert got["phan-b"].value == Decimal(800)
    assert got["ty-le"].value == Decimal("95.5")


def test_a_formula_never_computed_is_reported(project: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "chua-tinh.xlsx", [HEAD, row("tong", "=1+2")])
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 1
    assert (
        "chua-tinh.xlsx:Chỉ số!C2: error: '=1+2': the formula has no saved result"
        in (result.stderr)
    )


def test_percent_and_date_cells(project: Path, tmp_path: Path) -> None:
    import datetime as dt

    sheet = write_xlsx(
        tmp_path / "kieu.xlsx",
        [HEAD, row("ty-le", 0.094, "%", "phần trăm"), row("ngay", dt.date(2024, 4, 9))],
    )
    book = openpyxl.load_workbook(sheet)
    book.active["C2"].number_format = "0.0%"  # type: ignore[index]
    book.save(sheet)
    result = run(project, str(sheet), "-c", SLUG)
    assert result.exit_code == 1
    assert "kieu.xlsx:Chỉ số!C3: error: '2024-04-09' is a date, not a number" in (
        result.stderr
    )
    assert "C2" not in result.stderr  # 9,4 % is read as 9.4


# ---------------------------------------------------------------- the template


@pytest.mark.parametrize("name", ["mau.xlsx", "mau.csv"])
def test_the_template_imports_as_it_is(tmp_path: Path, name: str) -> None:
    root = tmp_path / "du-an"
    root.mkdir()
    (root / "site.yaml").write_text("title: Kỷ yếu\n", "utf-8")
    new_conference(root, "hoi-nghi-moi")
    made = CliRunner().invoke(cli, ["import", "--template", str(tmp_path / name)])
    assert made.exit_code == 0, made.output
    result = CliRunner().invoke(
        cli, ["-C", str(root), "import", str(tmp_path / name), "-c", "hoi-nghi-moi"]
    )
    assert result.exit_code == 0, result.output
    site = load_site(root, Problems())
    (got,) = site.entries[0].data.indicators
    assert got.value == Decimal(1317)
    assert got.previous == Decimal(1348)
    assert got.key is True
    again = CliRunner().invoke(cli, ["import", "--template", str(tmp_path / name)])
    assert again.exit_code == 2  # never overwritten
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(tmp_path / name)
        assert book.sheetnames == ["Chỉ số", "Ghi chú"]
        notes = [str(c.value) for line in book["Ghi chú"].iter_rows() for c in line]
        assert {"1.317", "9,4", "hơn 20"} <= set(notes)


# ----------------------------------------------------------- command and errors


def test_usage_errors_exit_2(project: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "a.xlsx", [HEAD])
    assert run(project, str(sheet)).exit_code == 2  # no --conference
    assert run(project).exit_code == 2  # no FILE
    both = run(project, str(sheet), "--template", str(tmp_path / "b.xlsx"))
    assert both.exit_code == 2
    (tmp_path / "a.xls").write_bytes(b"")
    old = run(project, str(tmp_path / "a.xls"), "-c", SLUG)
    assert old.exit_code == 2
    assert "save the sheet as .xlsx" in old.stderr


def test_help_loads_no_spreadsheet_or_yaml_library() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from generator.commands.main import cli\n"
        "for args in (['--help'], ['import', '--help']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('openpyxl', 'ruamel', 'odf')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_help_documents_every_option() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    for option in ("--conference", "--update", "--dry-run", "--template"):
        assert option in result.output


def test_a_cell_position_prints_as_spreadsheets_name_it() -> None:
    sheet = Sheet(Path("chi-so.xlsx"), "Chỉ số", ())
    pos = sheet.pos(7, 3)
    assert str(pos) == "chi-so.xlsx:Chỉ số!C7"
    assert str(Sheet(Path("chi-so.csv"), None, ()).pos(7, 28)) == "chi-so.csv:AB7"
    problem = Problem(pos, "'1.317 vụ' is not a number", "put the unit in `unit`")
    assert str(problem).startswith("chi-so.xlsx:Chỉ số!C7: error: '1.317 vụ'")
    assert str(Pos(Path("data/a.yaml"), 3, 5)) == "data/a.yaml:3:5"  # unchanged
    assert sorted([sheet.pos(7, 3), sheet.pos(2, 9), sheet.pos(7, 1)]) == [
        sheet.pos(2, 9),
        sheet.pos(7, 1),
        sheet.pos(7, 3),
    ]


def test_a_quote_not_in_the_archive_is_reported_at_its_cell(
    project: Path, tmp_path: Path
) -> None:
    # The real article's source: the merged quote is checked against its saved copy.
    sheet = write_xlsx(
        tmp_path / "trich.xlsx",
        [
            HEAD,
            ["so-vu-moi", "Số vụ mới", "31", "vụ", "", "bai-viet-2024", "giảm 13 vụ"],
        ],
    )
    before = (project / DATA).read_bytes()
    result = run(project, str(sheet), "--conference", SLUG)
    assert result.exit_code == 1
    assert (
        "trich.xlsx:Chỉ số!G2: error: the quote is not in the archived copy of "
        "source 'bai-viet-2024'"
    ) in result.stderr
    assert (project / DATA).read_bytes() == before
