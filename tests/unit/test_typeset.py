"""Typographic care: runs kept on one line, and narrative tables in frames."""

from __future__ import annotations

import pytest

from generator.markdown.typeset import keep_together, wrap_tables

NW = '<span class="nw">{}</span>'


@pytest.mark.parametrize(
    "text",
    [
        "13/2021/TT-LĐTBXH",
        "28-CT/TW",
        "06/QĐ-TTg",
        "27/2022/TT-BLĐTBXH",
        "25/7/2024",
        "25 July 2024",
        "2021\u20132025",
        "2021 \u2013 2025",
        "2024-2025",
        "1.317 vụ",
        "1.317\u00a0vụ",
        "9,4 tỷ đồng",
        "17 triệu bản ghi",
        "600.000 trẻ em",
        "1,317 cases",
        "9.4 billion VND",
    ],
)
def test_runs_a_reader_must_see_whole_are_kept_on_one_line(text: str) -> None:
    html = f"<p>Theo {text}, còn lại.</p>"
    assert (
        keep_together(html, ["triệu bản ghi"])
        == f"<p>Theo {NW.format(text)}, còn lại.</p>"
    )


def test_only_text_changes_never_attributes_head_or_code() -> None:
    html = (
        "<html><head><title>28-CT/TW</title></head><body>"
        '<a title="1.317 vụ" href="#x">Chỉ thị 28-CT/TW</a>'
        "<code>13/2021/TT-LĐTBXH</code><pre>2021-2025</pre></body></html>"
    )
    assert keep_together(html) == html.replace(
        ">Chỉ thị 28-CT/TW<", f">Chỉ thị {NW.format('28-CT/TW')}<"
    )


def test_plain_numbers_and_words_are_left_alone() -> None:
    html = "<p>Năm 2023 là mốc giữa kỳ; 17 trong tổng số 23; COVID-19; x-2.</p>"
    assert keep_together(html) == html


def test_narrative_tables_get_a_frame_that_scrolls_and_takes_focus() -> None:
    html = "<p>a</p><table><tr><td>1</td></tr></table><table>\n</table>"
    assert wrap_tables(html, "Bảng") == (
        '<p>a</p><div class="table-wrap table-scroll" role="region" tabindex="0" '
        'aria-label="Bảng 1"><table><tr><td>1</td></tr></table></div>'
        '<div class="table-wrap table-scroll" role="region" tabindex="0" '
        'aria-label="Bảng 2"><table>\n</table></div>'
    )
    assert wrap_tables("<p>no table</p>", "Bảng") == "<p>no table</p>"
