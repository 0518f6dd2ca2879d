"""Narrative Markdown: no raw HTML or script URLs; citations, figures, headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions
from generator.errors import Pos, Problem, Problems
from generator.load.project import load_site
from generator.markdown.pieces import FigureRef, RenderedNarrative
from generator.markdown.render import render_narrative
from generator.model import Entry, FrontMatter, Narrative

NBSP = "\u00a0"
SLUG_2024 = "hoi-nghi-tre-em-phia-nam-2024"
NARRATIVE_PATH = Path(f"content/{SLUG_2024}/kiem-thu.md")
IND = "vu-xam-hai-tre-em"


@pytest.fixture(scope="module")
def entry_2024(tmp_path_factory: pytest.TempPathFactory) -> Entry:
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("md") / "site")
    site = load_site(root, Problems())
    return next(e for e in site.entries if e.slug == SLUG_2024)


def render(
    entry: Entry, body: str, *, body_line: int = 5, slug: str = "kiem-thu"
) -> tuple[RenderedNarrative, list[Problem]]:
    problems = Problems()
    narrative = Narrative(
        slug, NARRATIVE_PATH, FrontMatter(title="Kiểm thử"), body, body_line
    )
    rendered = render_narrative(entry, narrative, "vi", problems)
    return rendered, list(problems)


def html_of(rendered: RenderedNarrative) -> str:
    return "".join(p for p in rendered.parts if isinstance(p, str))


# --- raw HTML and unsafe URLs ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "Đoạn <script>alert(1)</script> giữa câu",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:x'>x</a>",
        '<div onclick="alert(1)">x</div>',
    ],
)
def test_raw_html_is_escaped(entry_2024: Entry, body: str) -> None:
    rendered, problems = render(entry_2024, body)
    html = html_of(rendered)
    assert "<script" not in html
    assert "<img" not in html and "<div" not in html and "<a " not in html
    assert "&lt;" in html
    assert problems == []


def test_script_tag_prints_as_text(entry_2024: Entry) -> None:
    rendered, _ = render(entry_2024, "<script>alert(1)</script>")
    assert html_of(rendered) == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


@pytest.mark.parametrize(
    "body",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](java&#x73;cript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<b>x</b>)",
        "<javascript:alert(1)>",
        "[x]: javascript:alert(1)\n\n[y][x]",
        "![x](javascript:alert(1))",
    ],
)
def test_script_urls_are_not_links(entry_2024: Entry, body: str) -> None:
    rendered, _ = render(entry_2024, body)
    html = html_of(rendered).lower()
    assert "<a" not in html and "<img" not in html
    assert "href=" not in html and "src=" not in html


def test_safe_links_are_kept(entry_2024: Entry) -> None:
    body = "[a](https://example.org) [b](mailto:a@b.vn) [c](tel:+84123) [d](#so-lieu)"
    rendered, _ = render(entry_2024, body)
    html = html_of(rendered)
    for href in ("https://example.org", "mailto:a@b.vn", "tel:+84123", "#so-lieu"):
        assert f'href="{href}"' in html


def test_template_syntax_is_literal_text(entry_2024: Entry) -> None:
    rendered, _ = render(entry_2024, "{{ 7*7 }} và {% if true %}x{% endif %}")
    assert html_of(rendered) == "<p>{{ 7*7 }} và {% if true %}x{% endif %}</p>\n"


# --- citations ---------------------------------------------------------------------


def test_ind_renders_quantity_linked_to_the_indicator_row(entry_2024: Entry) -> None:
    rendered, problems = render(entry_2024, f"Có :ind[{IND}] xâm hại.")
    assert problems == []
    assert html_of(rendered) == (
        f'<p>Có <a class="indicator" href="#chi-so-{IND}">'
        f"1.317{NBSP}vụ</a> xâm hại.</p>\n"
    )


def test_num_renders_the_number_alone(entry_2024: Entry) -> None:
    rendered, _ = render(entry_2024, f":num[{IND}]")
    assert f'<a class="indicator" href="#chi-so-{IND}">1.317</a>' in html_of(rendered)


def test_change_renders_the_change_in_words(entry_2024: Entry) -> None:
    rendered, _ = render(entry_2024, f":change[{IND}]")
    assert f'<a class="indicator" href="#chi-so-{IND}">giảm 31{NBSP}vụ</a>' in html_of(
        rendered
    )


def test_prev_renders_the_derived_compared_value_and_says_so(entry_2024: Entry) -> None:
    rendered, _ = render(entry_2024, f":prev[{IND}]")
    # A short mark in the prose; the link leads to the row that says how.
    assert html_of(rendered) == (
        f'<p><a class="indicator derived" href="#chi-so-{IND}" '
        f'title="Số liệu tính toán: tính từ mức giảm 31{NBSP}vụ">1.348{NBSP}vụ'
        '<sup class="derived-ref" aria-hidden="true">*</sup>'
        '<span class="visually-hidden"> (tính toán)</span></a></p>\n'
    )


def test_citation_inside_code_is_literal(entry_2024: Entry) -> None:
    rendered, problems = render(entry_2024, f"`:ind[{IND}]` và\n\n    :ind[khong-co]\n")
    html = html_of(rendered)
    assert f"<code>:ind[{IND}]</code>" in html
    assert "<code>:ind[khong-co]\n</code>" in html
    assert "chi-so" not in html
    assert problems == []


def test_citations_in_the_real_2023_data(tmp_path: Path) -> None:
    from conftest import copy_project

    root = copy_project(tmp_path / "site")
    site = load_site(root, Problems())
    entry = next(e for e in site.entries if e.slug.endswith("2023"))
    body = (
        ":ind[kinh-phi-quy-ho-tro]; :ind[gia-tri-hoc-bong]; "
        ":ind[tre-em-tham-du-phat-dong]"
    )
    rendered, problems = render(entry, body)
    html = html_of(rendered)
    assert f">hơn 20{NBSP}tỷ đồng</a>" in html
    assert f">9,4{NBSP}tỷ đồng</a>" in html
    assert f">gần 600.000{NBSP}trẻ em</a>" in html
    assert problems == []


# --- positions of unknown ids ------------------------------------------------------


def test_unknown_indicator_is_an_error_at_its_file_line_and_column(
    entry_2024: Entry,
) -> None:
    # The narrative file: lines 1-4 are front matter, the body starts on line 5.
    body = "Đoạn một\ndòng hai :ind[vu-xam-hai-tre-en]\n"
    _, problems = render(entry_2024, body, body_line=5)
    assert [(p.pos, p.message, p.hint) for p in problems] == [
        (
            Pos(NARRATIVE_PATH, 6, 10),
            "unknown indicator 'vu-xam-hai-tre-en'",
            f"did you mean '{IND}'?",
        )
    ]


@pytest.mark.parametrize(
    ("body", "line", "col"),
    [
        ("- mục\n- mục :ind[sai]", 2, 7),
        ("- mục\n  tiếp :ind[sai]", 2, 8),
        ("> trích :ind[sai]", 1, 9),
        ("| a | b |\n|---|---|\n| x | :ind[sai] |", 3, 7),
        ("### Tiêu đề :ind[sai]", 1, 13),
        ("*nghiêng :ind[sai]*", 1, 10),
        ("[liên kết :ind[sai]](#so-lieu)", 1, 11),
        ("Một\nhai\nba\nbốn :num[sai]", 4, 5),
    ],
)
def test_unknown_indicator_position_in_block_structures(
    entry_2024: Entry, body: str, line: int, col: int
) -> None:
    _, problems = render(entry_2024, body, body_line=7)
    assert [(p.pos.line, p.pos.col, p.message) for p in problems] == [
        (7 + line - 1, col, "unknown indicator 'sai'")
    ]


def test_same_unknown_id_twice_on_a_line_has_two_columns(entry_2024: Entry) -> None:
    _, problems = render(entry_2024, "Hai lần :ind[lap] và :ind[lap]", body_line=1)
    assert sorted((p.pos.line, p.pos.col) for p in problems) == [(1, 9), (1, 22)]


def test_prev_of_an_indicator_without_compared_value_is_an_error(
    tmp_path: Path,
) -> None:
    from conftest import copy_project

    root = copy_project(tmp_path / "site")
    entry = next(
        e for e in load_site(root, Problems()).entries if e.slug.endswith("2023")
    )
    _, problems = render(entry, "x :prev[tong-ban-ghi]", body_line=3)
    assert [(p.pos.line, p.pos.col, p.message) for p in problems] == [
        (3, 3, "indicator 'tong-ban-ghi' has no compared value for :prev[]")
    ]


def test_unknown_id_in_a_real_narrative_file_counts_front_matter(project: Path) -> None:
    from generator.build.pipeline import check_site
    from generator.errors import BuildFailed

    path = project / "content" / SLUG_2024 / "kiem-thu.md"
    path.write_text(
        "---\ntitle: Kiểm thử\norder: 99\nsummary: Tóm tắt\n---\n\nĐoạn đầu.\n\n"
        "Số vụ: :ind[vu-xam-hai]\n",
        "utf-8",
    )
    with pytest.raises(BuildFailed) as caught:
        check_site(project)
    got = [
        (p.pos.path.as_posix(), p.pos.line, p.pos.col, p.message)
        for p in caught.value.problems
        if p.severity == "error"
    ]
    assert got == [
        (f"content/{SLUG_2024}/kiem-thu.md", 9, 8, "unknown indicator 'vu-xam-hai'")
    ]


# --- figures -----------------------------------------------------------------------


def test_fig_line_becomes_a_figure_ref(entry_2024: Entry) -> None:
    body = "Trước.\n\n::fig[xam-hai-qua-cac-ky]\n\nSau."
    rendered, problems = render(entry_2024, body, body_line=5)
    assert problems == []
    assert rendered.parts == (
        "<p>Trước.</p>\n",
        FigureRef("xam-hai-qua-cac-ky", Pos(NARRATIVE_PATH, 7, 1)),
        "<p>Sau.</p>\n",
    )
    assert rendered.figure_ids == ["xam-hai-qua-cac-ky"]


def test_unknown_figure_is_an_error_at_its_line(entry_2024: Entry) -> None:
    _, problems = render(entry_2024, "x\n\n::fig[xam-hai-qua-cac-ki]\n", body_line=5)
    assert [(p.pos.line, p.pos.col, p.message, p.hint) for p in problems] == [
        (
            7,
            1,
            "unknown figure 'xam-hai-qua-cac-ki'",
            "did you mean 'xam-hai-qua-cac-ky'?",
        )
    ]


def test_fig_inside_a_sentence_is_not_a_placement(entry_2024: Entry) -> None:
    rendered, _ = render(entry_2024, "xem ::fig[xam-hai-qua-cac-ky] ở dưới")
    assert rendered.figure_ids == []


# --- headings ----------------------------------------------------------------------


def test_headings_are_shifted_one_level_and_get_unique_ids(entry_2024: Entry) -> None:
    body = "# Mở đầu\n\n## Xâm hại trẻ em\n\n# Mở đầu\n\n###### Sâu\n"
    rendered, _ = render(entry_2024, body)
    html = html_of(rendered)
    levels_ids = [(h.level, h.text, h.id) for h in rendered.headings]
    assert [(lvl, text) for lvl, text, _ in levels_ids] == [
        (2, "Mở đầu"),
        (3, "Xâm hại trẻ em"),
        (2, "Mở đầu"),
        (6, "Sâu"),
    ]
    ids = [i for *_, i in levels_ids]
    assert len(set(ids)) == 4
    assert all(i.isascii() and " " not in i for i in ids)
    assert "mo-dau" in ids[0] and "xam-hai-tre-em" in ids[1]
    assert "<h1" not in html
    for level, text, ident in levels_ids:
        assert f'<h{level} id="{ident}">{text}</h{level}>' in html


# --- in the built site -------------------------------------------------------------


def test_template_syntax_in_a_narrative_stays_literal_in_the_built_html(
    project: Path,
) -> None:
    path = project / "content" / SLUG_2024 / "kiem-thu.md"
    path.write_text(
        "---\ntitle: Kiểm thử\norder: 99\n---\n\nTính {{ 7*7 }} và {% raw %} "
        f"<script>alert(1)</script> :ind[{IND}]\n",
        "utf-8",
    )
    build_site(project, BuildOptions(output=project / "output", pdf=False))
    html = (project / "output" / SLUG_2024 / "index.html").read_text("utf-8")
    assert "Tính {{ 7*7 }} và {% raw %} &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tính 49" not in html
    assert "<script" not in html
