"""PDF pages without holes, measured on rendered images; type that never breaks.

A page has a hole when the lower part of its content area is empty because a figure
or table did not fit (issue 16). Every page of the real briefs and of a synthetic
brief with many figures is rendered with pdftoppm and measured; the fractions are
kept in test-artifacts/pdf/blank-fractions.json for a person to read.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from click.testing import CliRunner
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from generator.commands.main import cli
from tests.e2e.synthetic import SLUG, write_conference
from tests.e2e.test_pdf import ARTIFACTS, BRIEFS, fonts_of, outline, render_pages

HOLE = 0.35  # the lower 35 % of a page's content area empty
TOP_MM, BOTTOM_MM, SIDE_MM = 25, 22, 20  # brief.css @page margins


def blank_fraction(png: Path) -> float:
    """The empty share of a page's content area, measured up from its bottom."""
    image = Image.open(png).convert("L")
    width, height = image.size
    mm = height / 297
    top, bottom = int(TOP_MM * mm), height - int(BOTTOM_MM * mm)
    left, right = int(SIDE_MM * mm), width - int((SIDE_MM - 2) * mm)
    pixels = image.load()
    assert pixels is not None
    for y in range(bottom - 1, top, -1):
        if any(pixels[x, y] < 235 for x in range(left, right)):
            return (bottom - 1 - y) / (bottom - top)
    return 1.0


def holes(pdf: Path, out: Path) -> tuple[list[float], list[int]]:
    """Blank fractions of every page, and the pages with a hole that should not be.

    The cover and contents come first; the last page, and a page before a part of a
    series brief (a part starts on a new page), may end where their content ends.
    """
    fractions = [round(blank_fraction(p), 3) for p in render_pages(pdf, out)]
    reader = PdfReader(pdf)
    first = min(page for _, _, page, _ in outline(reader))  # the contents end before
    parts = {page for depth, _, page, _ in outline(reader) if depth == 0}
    allowed = {len(fractions)} | {page - 1 for page in parts if page > first}
    found = [
        number
        for number, blank in enumerate(fractions, 1)
        if number >= first and number not in allowed and blank >= HOLE
    ]
    return fractions, found


def _record(name: str, fractions: list[float]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    record = ARTIFACTS / f"blank-fractions-{name.replace('/', '-')}.json"
    record.write_text(json.dumps({name: fractions}, indent=1), "utf-8")


def test_no_page_of_the_real_briefs_has_a_hole(
    built_site: Path, tmp_path: Path
) -> None:
    for name, path in BRIEFS.items():
        fractions, found = holes(built_site / path, tmp_path / name)
        _record(name, fractions)
        assert found == [], (name, fractions)
        if name != "series":  # a conference brief: the last page only
            assert all(b < HOLE for b in fractions[2:-1]), (name, fractions)


def test_a_brief_with_many_figures_has_no_holes(project: Path, tmp_path: Path) -> None:
    write_conference(project, figures=12)
    pdf = tmp_path / f"{SLUG}.pdf"
    result = CliRunner().invoke(
        cli, ["--root", str(project), "pdf", SLUG, "-o", str(pdf), "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    fractions, found = holes(pdf, tmp_path / "pages")
    _record(SLUG, fractions)
    assert found == [], fractions
    assert len(fractions) >= 10  # the figures really are there
    reader = PdfReader(pdf)
    text = "\n".join(p.extract_text() for p in reader.pages)
    # Every figure is printed once, in the order of the text (moved, never lost).
    numbers = [int(n) for n in re.findall(r"Hình (\d+)\.", text)]
    assert numbers == list(range(1, 13))
    # Italic and bold italic are real faces, never a slanted copy of the upright:
    # the embedded files say which Noto face they come from.
    assert {"NotoSerif-Italic", "NotoSerif-BoldItalic", "NotoSans-Italic"} <= faces(
        reader
    )


def faces(reader: PdfReader) -> set[str]:
    """The PostScript names of the font files a PDF embeds (its subsets keep them)."""
    found = set()
    for font in fonts_of(reader).values():
        if "/DescendantFonts" in font:
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        data = descriptor["/FontFile2"].get_object().get_data()
        found.add(TTFont(io.BytesIO(data))["name"].getDebugName(6))
    return found


DOCUMENT_NUMBER_SPLIT = re.compile(
    r"\d+(?:/\d+)*[/-]\s*\n\s*[A-ZĐ]{2}"  # 13/2021/ | TT-LĐTBXH, 28- | CT/TW
    r"|[A-ZĐ]+[/-]\s*\n\s*[A-ZĐ]{2}"  # 28-CT/ | TW
    r"|\d{4}\s*[\u2013-]\s*\n\s*\d{4}"  # 2021- | 2025
)


def test_document_numbers_dates_and_ranges_never_break_in_a_brief(
    built_site: Path,
) -> None:
    for name, path in BRIEFS.items():
        text = "\n".join(p.extract_text() for p in PdfReader(built_site / path).pages)
        assert DOCUMENT_NUMBER_SPLIT.findall(text) == [], name
        for unit in ("tỷ đồng", "triệu bản ghi", "trẻ em"):
            split = unit.replace(" ", r"\s*\n\s*")
            assert not re.search(rf"\d\s+{split}", text), (name, unit)
