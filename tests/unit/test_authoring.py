"""Authoring checks: typed numbers, a derivation said once, dates in text, symbols."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from test_markdown import IND, NBSP, entry_2024, html_of, render

from generator.errors import Problems
from generator.formats import format_text_date
from generator.load.project import load_site
from generator.load.translate import missing_texts
from generator.markdown.numbers import readings
from generator.model import Entry
from generator.scaffold.conference import description_reminder

__all__ = ["entry_2024"]  # the module fixture, shared with test_markdown


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("17.800", {Decimal(17800), Decimal("17.8")}),
        ("17800", {Decimal(17800)}),
        ("9,4", {Decimal("9.4")}),
        ("1,317", {Decimal(1317), Decimal("1.317")}),
        ("1.234,5", {Decimal("1234.5")}),
        ("1.2.3", set()),
    ],
)
def test_a_typed_number_is_read_every_way_a_reader_may_mean_it(
    typed: str, values: set[Decimal]
) -> None:
    assert readings(typed) == values


def test_a_typed_indicator_value_is_a_note_suggesting_ind(entry_2024: Entry) -> None:
    body = "Có 1.317 vụ trong năm 2024, 6 tháng, ngày 25/07/2024, mã 1317-a.\n"
    _, problems = render(entry_2024, body, body_line=3)
    [note] = problems
    assert note.severity == "note"
    assert (note.pos.line, note.pos.col) == (3, 4)
    assert note.message == (
        f"the number 1.317 is the value of indicator '{IND}', typed by hand"
    )
    assert f":ind[{IND}]" in note.hint


def test_a_cited_number_is_no_note(entry_2024: Entry) -> None:
    _, problems = render(entry_2024, f"Có :ind[{IND}] (:num[{IND}]).\n")
    assert problems == []


def test_prev_says_its_derivation_once(entry_2024: Entry) -> None:
    said = f"Năm trước :prev[{IND}] (Tính từ mức giảm 31 vụ)."
    html = html_of(render(entry_2024, said)[0])
    assert html == (
        f'<p>Năm trước <a class="indicator" href="#chi-so-{IND}">1.348{NBSP}vụ</a> '
        "(Tính từ mức giảm 31 vụ).</p>\n"
    )
    other = html_of(render(entry_2024, f":prev[{IND}] (giảm 31 vụ).")[0])
    assert 'class="indicator derived"' in other  # not the derivation: still marked


@pytest.mark.parametrize(
    ("text", "lang", "shown"),
    [
        ("2025-12-31", "vi", "31/12/2025"),
        ("2025-12-31", "en", "31 December 2025"),
        ("2025-02-30", "vi", "2025-02-30"),
        ("quý IV năm 2025", "vi", "quý IV năm 2025"),
    ],
)
def test_a_date_in_a_text_field_reads_the_site_way(
    text: str, lang: str, shown: str
) -> None:
    assert format_text_date(text, lang) == shown


@pytest.mark.parametrize(("unit", "gap"), [("'%'", False), ("phần trăm", True)])
def test_percent_and_other_symbols_need_no_translation(
    project: Path, unit: str, gap: bool
) -> None:
    data = project / "data" / "hoi-nghi-tre-em-phia-nam-2024.yaml"
    text = data.read_text("utf-8")
    for old, new in [
        ("    unit: vụ\n", f"    unit: {unit}\n    kind: percent\n"),
        ("      unit: cases\n", ""),  # its English unit
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    data.write_text(text, "utf-8")
    site = load_site(project, Problems())
    gaps = [str(p.pos) for p in missing_texts(site, "en") if ".unit " in p.message]
    assert bool(gaps) == gap, gaps


def test_new_reminds_of_the_site_description(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("description: Hội nghị khu vực phía Nam\n")
    assert "“Hội nghị khu vực phía Nam”" in description_reminder(tmp_path)
    (tmp_path / "site.yaml").write_text("title: Kỷ yếu\n")
    assert description_reminder(tmp_path) == ""
