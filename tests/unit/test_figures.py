"""The figures stage: charts from declarations, text alternatives, caps, cache."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import figures
from generator.commands.main import cli
from generator.core.cache import Cache
from generator.core.context import BuildContext, BuildOptions, SilentReporter
from generator.errors import BuildFailed, Problem, Problems
from generator.figures import embed
from generator.figures import fonts as chart_fonts
from generator.figures.colours import contrast
from generator.figures.data import MAX_LABEL, MAX_POINTS, MAX_SERIES
from generator.figures.stage import FigureResult, draw_figures, resolve_figures
from generator.load.project import load_site
from generator.load.translate import translated_site
from generator.model import Site, Theme
from tests.conftest import TEST_BASE, copy_project

SVG = "{http://www.w3.org/2000/svg}"
SLUG_23 = "hoi-nghi-tre-em-phia-nam-2023"
SLUG_24 = "hoi-nghi-tre-em-phia-nam-2024"
REAL = {
    (SLUG_23, "tre-em-duoc-ho-tro-thang-hanh-dong"),
    (SLUG_23, "kinh-phi-thang-hanh-dong"),
    (SLUG_23, "lam-sach-du-lieu-tre-em"),
    (SLUG_24, "xam-hai-duoi-nuoc-so-cung-ky"),
    (SLUG_24, "xam-hai-qua-cac-ky"),
}

# A small conference of its own series, so figure snippets can be tried in isolation.
TEST_CONF = """\
title: Hội nghị thử nghiệm
short_title: Thử nghiệm
series: Chuỗi thử nghiệm
period:
  label: Năm 2022
  start: 2022-01-01
  end: 2022-12-31
organisers: [Cục Trẻ em]
sources:
  - id: nguon
    title: Nguồn thử nghiệm
indicators:
  - id: mot
    label: Chỉ tiêu một
    value: 10
    unit: vụ
    source: nguon
    quote: mười vụ
  - id: hai
    label: Chỉ tiêu hai
    value: 7
    unit: vụ
    change: -3
    compared_to: Năm 2021
    source: nguon
    quote: bảy vụ, giảm ba vụ
figures:
"""


# ------------------------------------------------------------------------ helpers


def load(root: Path) -> Site:
    return load_site(root, Problems())


def draw(root: Path, cache: Path | None = None) -> tuple[FigureResult, Problems]:
    """Draw the project's figures with their cache in cache (figures/ under it)."""
    site = load(root)
    ctx = BuildContext(
        site.root,
        BuildOptions(root / "output"),
        Problems(),
        SilentReporter(),
        Cache(cache or root / ".cache"),
    )
    result = draw_figures(ctx, site)
    return result, ctx.problems


def add_conference(root: Path, figures_yaml: str) -> tuple[Path, str]:
    """Write data/thu-nghiem.yaml with the given figures; return its path and text."""
    text = TEST_CONF + figures_yaml
    path = root / "data" / "thu-nghiem.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def where(text: str, needle: str) -> str:
    """Return 'line:col' of needle's first occurrence, or of the '^' marked in it."""
    before, mark, after = needle.partition("^")
    index = text.index(before + after) + (len(before) if mark else 0)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"


def errors_of(root: Path) -> list[Problem]:
    """Load the project and resolve its figures; return every error, in order."""
    problems = Problems()
    try:
        site = load_site(root, problems)
    except BuildFailed as exc:
        return [p for p in exc.problems if p.severity == "error"]
    resolve_figures(site, problems)
    return [p for p in problems if p.severity == "error"]


def svg_tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def texts(root: ET.Element) -> list[str]:
    """The text of every <text> element, in document order."""
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def svg_of(result: FigureResult, slug: str, ident: str) -> ET.Element:
    return svg_tree(_data(result.files[f"{slug}/figures/{ident}.svg"]))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> FigureResult:
    """The real project's figures, drawn once for the tests that only read them.

    With a base_url, so that pages link a sharing image, and it is drawn.
    """
    root = copy_project(tmp_path_factory.mktemp("figures") / "site")
    site_yaml = root / "site.yaml"
    text = site_yaml.read_text("utf-8") + f"base_url: {TEST_BASE}\n"
    site_yaml.write_text(text, "utf-8")
    result, problems = draw(root)
    assert not problems.errors, [str(p) for p in problems]
    return result


# --------------------------------------------------------------- the real figures


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, generator.figures; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_figures_are_drawn_with_their_files(drawn: FigureResult) -> None:
    assert set(drawn.figures) == REAL
    assert drawn.drawn == 5
    assert drawn.cached == 0
    for (slug, ident), fig in drawn.figures.items():
        assert fig.svg == f"{slug}/figures/{ident}.svg"
        assert fig.csv == f"{slug}/figures/{ident}.csv"
        assert _data(drawn.files[fig.svg]).startswith(b"<?xml")
        assert fig.csv in drawn.files
    pngs = sorted(path for path in drawn.files if path.endswith(".png"))
    # One sharing image per conference: its first declared figure.
    assert pngs == [
        f"{SLUG_23}/figures/tre-em-duoc-ho-tro-thang-hanh-dong.png",
        f"{SLUG_24}/figures/xam-hai-duoi-nuoc-so-cung-ky.png",
    ]
    for path in pngs:
        assert _data(drawn.files[path]).startswith(b"\x89PNG\r\n\x1a\n")
    assert drawn.figures[(SLUG_23, "kinh-phi-thang-hanh-dong")].png == ""


def test_svg_has_title_and_desc_first_and_is_labelled(drawn: FigureResult) -> None:
    for (slug, ident), fig in drawn.figures.items():
        root = svg_of(drawn, slug, ident)
        first, second = list(root)[:2]
        assert first.tag == f"{SVG}title"
        assert first.text == fig.title
        assert second.tag == f"{SVG}desc"
        assert second.text == fig.alt
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"


def test_labels_are_text_in_vietnamese_exactly(drawn: FigureResult) -> None:
    shown = texts(svg_of(drawn, SLUG_23, "tre-em-duoc-ho-tro-thang-hanh-dong"))
    assert all(t == unicodedata.normalize("NFC", t) for t in shown)
    assert "Trẻ em được tặng quà" in shown
    # A long label is wrapped into lines that join back to the label.
    joined = " ".join(shown)
    assert (
        "Trẻ em có hoàn cảnh đặc biệt được Quỹ Bảo trợ trẻ em Việt Nam hỗ trợ" in joined
    )
    # The title is the SVG's <title> and the page's caption, not drawn text.
    assert (
        "Số trẻ em theo từng hoạt động của Tháng hành động vì trẻ em năm 2023"
        not in shown
    )
    assert {"0", "200.000", "400.000", "600.000"} <= set(
        shown
    )  # ticks, Vietnamese style
    assert {"gần 600.000", "gần 460.000", "17.800", "gần 14.000"} <= set(shown)
    assert "trẻ em" in shown  # unit on the value axis


def test_value_labels_keep_the_precision_the_source_gave(drawn: FigureResult) -> None:
    # `decimals: 1` is a most: "hơn 30" stays "hơn 30", never "hơn 30,0".
    shown = texts(svg_of(drawn, SLUG_23, "kinh-phi-thang-hanh-dong"))
    # As the source writes them: "hơn 30", never a padded "hơn 30,0".
    assert {"hơn 30", "hơn 20", "9,4", "7,7"} <= set(shown)
    assert not {"hơn 30,0", "hơn 20,0"} & set(shown)
    assert "tỷ đồng" in shown  # the unit, on the value axis


def test_sort_descending_orders_the_bars(drawn: FigureResult) -> None:
    rows = drawn.figures[(SLUG_23, "tre-em-duoc-ho-tro-thang-hanh-dong")].rows
    assert [r[0] for r in rows] == [
        "Trẻ em tham dự các điểm phát động",
        "Trẻ em được tặng quà",
        "Trẻ em có hoàn cảnh đặc biệt được Quỹ Bảo trợ trẻ em Việt Nam hỗ trợ",
        "Trẻ em được trao học bổng",
    ]


def test_svg_names_a_font_list_and_keeps_text_as_text(drawn: FigureResult) -> None:
    data = _data(drawn.files[f"{SLUG_24}/figures/xam-hai-qua-cac-ky.svg"]).decode()
    assert f"font-family: {figures.SVG_FONTS}" in data
    assert "'DejaVu Sans', sans-serif" not in data
    assert "<text" in data
    assert "<dc:date>" not in data and "Matplotlib v" not in data


def test_across_draws_the_indicator_over_the_series(drawn: FigureResult) -> None:
    fig = drawn.figures[(SLUG_24, "xam-hai-qua-cac-ky")]
    assert fig.series is True
    assert fig.headers == (
        "Kỳ báo cáo",
        "Vụ xâm hại trẻ em trên toàn quốc (vụ)",
        "Cách tính",
    )
    assert fig.rows == (
        ("6 tháng đầu năm 2023", "1.348 (tính toán)", "tính từ mức giảm 31\u00a0vụ"),
        ("6 tháng đầu năm 2024", "1.317", ""),
    )
    assert fig.alt == (
        "Biểu đồ cột: Vụ xâm hại trẻ em, 6 tháng đầu năm 2023 và 6 tháng đầu "
        "năm 2024. "
        "6 tháng đầu năm 2023: 1.348 vụ (tính toán: tính từ mức giảm 31\u00a0vụ); "
        "6 tháng đầu năm 2024: 1.317 vụ."
    )
    shown = texts(svg_of(drawn, SLUG_24, "xam-hai-qua-cac-ky"))
    assert {"1.348", "1.317", "6 tháng đầu năm 2023", "6 tháng đầu năm 2024"} <= set(
        shown
    )
    assert "Số liệu tính toán" in shown  # the legend explains the striped bar
    others = [f for key, f in drawn.figures.items() if key[1] != "xam-hai-qua-cac-ky"]
    assert not any(f.series for f in others)


def test_compare_draws_compared_and_current_values(drawn: FigureResult) -> None:
    fig = drawn.figures[(SLUG_24, "xam-hai-duoi-nuoc-so-cung-ky")]
    assert fig.headers == (
        "Hạng mục",
        "6 tháng đầu năm 2023 (tính toán)",
        "6 tháng đầu năm 2024",
        "Cách tính",
    )
    assert fig.rows == (
        (
            "Vụ xâm hại trẻ em trên toàn quốc",
            "1.348\u00a0vụ",
            "1.317\u00a0vụ",
            "tính từ mức giảm 31\u00a0vụ",
        ),
        (
            "Trẻ em tử vong do tai nạn đuối nước",
            "271\u00a0trẻ em",
            "232\u00a0trẻ em",
            "tính từ mức giảm 39\u00a0trẻ em",
        ),
    )
    root = svg_of(drawn, SLUG_24, "xam-hai-duoi-nuoc-so-cung-ky")
    assert "6 tháng đầu năm 2023 (tính toán)" in texts(root)  # legend
    assert root.find(f".//{SVG}pattern") is not None  # derived bars are hatched
    assert "1.348 vụ" in fig.alt and "(tính toán)" in fig.alt


def test_derived_series_is_marked_once(drawn: FigureResult) -> None:
    fig = drawn.figures[(SLUG_23, "lam-sach-du-lieu-tre-em")]
    # The author wrote "(tính toán)" in the label already; it is not repeated.
    assert fig.headers == (
        "Hạng mục",
        "Đã làm sạch (triệu bản ghi)",
        "Chưa làm sạch (tính toán) (triệu bản ghi)",
        "Cách tính",  # the value is derived by a `derive` rule, explained here
    )
    assert fig.rows == (
        (
            "Cơ sở dữ liệu trẻ em",
            "17",
            "6",
            "tính bằng 23\u00a0triệu bản ghi (Tổng số bản ghi dữ liệu trẻ em) trừ "
            "17\u00a0triệu bản ghi (Bản ghi dữ liệu trẻ em đã được làm sạch)",
        ),
    )
    shown = texts(svg_of(drawn, SLUG_23, "lam-sach-du-lieu-tre-em"))
    assert "Chưa làm sạch (tính toán)" in shown
    assert "23" in shown  # the stack's total


def test_generated_alt_text_states_every_value(drawn: FigureResult) -> None:
    fig = drawn.figures[(SLUG_23, "kinh-phi-thang-hanh-dong")]
    assert fig.alt == (
        "Biểu đồ cột: Kinh phí theo từng hoạt động của Tháng hành động vì trẻ em "
        "năm 2023. "
        "Kinh phí tặng quà cho trẻ em: hơn 30 tỷ đồng; "
        "Kinh phí Quỹ Bảo trợ trẻ em Việt Nam hỗ trợ: hơn 20 tỷ đồng; "
        "Trị giá học bổng trao cho trẻ em: 9,4 tỷ đồng; "
        "Kinh phí khám, chữa bệnh miễn phí cho trẻ em: 7,7 tỷ đồng."
    )


def test_source_note_defaults_to_the_cited_sources(drawn: FigureResult) -> None:
    fig = drawn.figures[(SLUG_24, "xam-hai-qua-cac-ky")]
    assert fig.source_note == (
        "Bài viết về hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2024 "
        "(bản lưu của biên tập)"
    )


def test_csv_holds_the_data_table(drawn: FigureResult) -> None:
    fig = drawn.figures[(SLUG_24, "xam-hai-duoi-nuoc-so-cung-ky")]
    data = _data(drawn.files[fig.csv])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(fig.headers)
    assert rows[1] == [
        "Vụ xâm hại trẻ em trên toàn quốc",
        "1.348 vụ",
        "1.317 vụ",
        "tính từ mức giảm 31 vụ",
    ]


def test_every_character_of_every_label_is_in_the_fonts(drawn: FigureResult) -> None:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    fonts = figures.chart_fonts()
    cmaps = [TTFont(p).getBestCmap() for p in fonts.paths]
    for path, data in _contents(drawn.files).items():
        if path.endswith(".svg"):
            for text in texts(svg_tree(data)):
                missing = {c for c in text if not any(ord(c) in m for m in cmaps)}
                assert not missing, (path, text, missing)


# ------------------------------------------------------ determinism and the cache


def test_drawing_twice_gives_identical_bytes(project: Path, tmp_path: Path) -> None:
    first, _ = draw(project, tmp_path / "a")
    second, _ = draw(project, tmp_path / "b")
    assert first.drawn == second.drawn == 5
    assert _contents(first.files) == _contents(second.files)


def test_second_build_draws_nothing(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = draw(project, cache)
    again, _ = draw(project, cache)
    assert (first.drawn, first.cached) == (5, 0)
    assert (again.drawn, again.cached) == (0, 5)
    # No base_url, so no page links a sharing image: none is drawn.
    assert not [path for path in first.files if path.endswith(".png")]
    assert all(fig.png == "" for fig in first.figures.values())
    assert _contents(again.files) == _contents(first.files)
    assert again.figures == first.figures


def test_a_changed_value_redraws_only_its_figure(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    draw(project, cache)
    data = project / "data" / f"{SLUG_23}.yaml"
    data.write_text(
        data.read_text("utf-8").replace("value: 9.4", "value: 9.5"), "utf-8"
    )
    again, _ = draw(project, cache)
    assert (again.drawn, again.cached) == (1, 4)
    assert "9,5" in texts(svg_of(again, SLUG_23, "kinh-phi-thang-hanh-dong"))


def test_a_changed_theme_colour_redraws(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    draw(project, cache)
    site_yaml = project / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text("utf-8") + "colors:\n  primary: '#00594f'\n"
    )
    again, _ = draw(project, cache)
    assert again.drawn == 5
    assert b"#00594f" in _data(
        again.files[f"{SLUG_23}/figures/kinh-phi-thang-hanh-dong.svg"]
    )


def test_a_damaged_cache_entry_is_redrawn(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = draw(project, cache)
    svgs = sorted(cache.glob("figures/*.svg"))
    assert len(svgs) == 5 * len(figures.FRAMES)
    for path in svgs:  # the same size, one colour changed: still not trusted
        data = path.read_bytes()
        path.write_bytes(data.replace(b"#", b"%", 1))
    again, _ = draw(project, cache)
    assert again.drawn == 5
    assert _contents(again.files) == _contents(first.files)


# ------------------------------------------------------------ inline declarations


MATH = r"$5 $$ \frac{a}{b} x_1"


def test_dollar_and_backslash_print_literally(project: Path) -> None:
    add_conference(
        project,
        f"""\
  - id: toan
    kind: grouped
    title: 'Giá {MATH}'
    unit: tỷ đồng
    labels: ['{MATH}', Đồng bằng sông Cửu Long]
    source_note: Số liệu giả định
    series:
      - label: Năm 2022
        values: [12.5, 30]
      - label: 'Năm 2023 {MATH}'
        values: [14, 28.5]
""",
    )
    result, problems = draw(project)
    assert not problems.errors
    root = svg_of(result, "thu-nghiem", "toan")
    shown = texts(root)
    assert MATH in shown
    assert root.findtext(f"{SVG}title") == f"Giá {MATH}"
    assert f"Năm 2023 {MATH}" in shown
    assert {"12,5", "28,5", "30"} <= set(shown)


def test_every_kind_draws(project: Path) -> None:
    add_conference(
        project,
        """\
  - id: cot
    kind: bar
    title: Cột
    indicators: [mot, hai]
  - id: ngang
    kind: barh
    title: Ngang
    labels: [A, B]
    source_note: Giả định
    series:
      - label: Một
        values: [1, 2]
      - label: Hai
        values: [3, -4]
  - id: duong
    kind: line
    title: Đường
    labels: ['2021', '2022', '2023']
    source_note: Giả định
    series:
      - label: Nam
        values: [1.5, 2.25, -1]
      - label: Nữ
        values: [2, 2, 3]
  - id: chong
    kind: stacked
    title: Chồng
    labels: [Tỉnh A, Tỉnh B]
    source_note: Giả định
    series:
      - label: Tiền mặt
        values: [1200, 800]
      - label: Hiện vật
        values: [600, 950]
  - id: so-sanh
    kind: grouped
    title: So sánh
    indicators: [hai]
    compare: true
""",
    )
    result, problems = draw(project)
    assert not problems.errors, [str(p) for p in problems]
    for ident in ("cot", "ngang", "duong", "chong", "so-sanh"):
        root = svg_of(result, "thu-nghiem", ident)
        assert root.find(f"{SVG}title") is not None
    assert "\u22124" in texts(
        svg_of(result, "thu-nghiem", "ngang")
    )  # a true minus sign
    assert {"1.200", "950", "1.800", "1.750"} <= set(
        texts(svg_of(result, "thu-nghiem", "chong"))
    )
    assert result.figures[("thu-nghiem", "so-sanh")].rows == (
        ("Chỉ tiêu hai", "10", "7", "tính từ mức giảm 3\u00a0vụ"),
    )
    assert result.figures[("thu-nghiem", "so-sanh")].headers == (
        "Hạng mục",
        "Năm 2021 (tính toán) (vụ)",
        "Năm 2022 (vụ)",
        "Cách tính",
    )


def test_english_sites_get_english_numbers_and_words(project: Path) -> None:
    site = translated_site(load(project), "en")
    ctx = BuildContext(
        site.root,
        BuildOptions(project / "output"),
        Problems(),
        SilentReporter(),
        Cache(project / ".cache"),
    )
    result = draw_figures(ctx, site)
    assert not ctx.problems.errors
    shown = texts(svg_of(result, SLUG_23, "tre-em-duoc-ho-tro-thang-hanh-dong"))
    assert "600,000" in shown and "nearly 600,000" in shown
    fig = result.figures[(SLUG_23, "kinh-phi-thang-hanh-dong")]
    assert fig.alt.startswith("Bar chart: ")
    assert "over 30 billion VND" in fig.alt


def test_low_contrast_theme_colour_is_replaced_with_a_warning(project: Path) -> None:
    site_yaml = project / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text("utf-8") + "colors:\n  primary: '#ffdd00'\n"
    )
    result, problems = draw(project)
    assert [p.message for p in problems.warnings] == [
        "colors.primary #ffdd00 has a contrast of 1.3:1 with white; "
        "charts use #0b4f8a instead"
    ]
    assert b"#ffdd00" not in _data(
        result.files[f"{SLUG_23}/figures/kinh-phi-thang-hanh-dong.svg"]
    )


def test_palette_reads_on_white_and_in_greyscale() -> None:
    for colour in (
        *figures.PALETTE,
        figures.NEUTRAL,
        *figures.FALLBACK,
        Theme().primary,
        Theme().accent,
    ):
        assert contrast(colour) >= 3, colour
    palette = figures.theme_colours(Theme(), Problems())
    assert len(palette) >= MAX_SERIES
    chart = _chart_with_series(MAX_SERIES)
    style = figures.chart_style(chart, palette)
    for i in range(MAX_SERIES):
        for j in range(i):
            same_grey = contrast(style.colours[i], style.colours[j]) < 1.5
            assert not same_grey or style.hatches[i] != style.hatches[j], (i, j)
    assert figures.DERIVED_HATCH not in style.hatches


def _chart_with_series(n: int) -> figures.Chart:
    from generator.model import FigureSpec

    spec = FigureSpec(id="x", kind="bar", title="x")
    series = tuple(
        figures.Series(str(i), (figures.Point(Decimal(1)),)) for i in range(n)
    )
    return figures.Chart("s", spec, ("a",), series, "", "category", "")


def test_the_blocks_assumed_covered_are_covered() -> None:
    chars = chart_fonts._font_chars()
    for lo, hi in figures.COVERED:
        assert all(c in chars for c in range(lo, hi + 1)), (hex(lo), hex(hi))


@pytest.mark.parametrize(
    "chars",
    [
        "Số vụ xâm hại trẻ em, 2023",
        "0123456789.,% \u2013“”",
        "\u2212→ 12",
        "\u2212",
        "Дети",
    ],
)
def test_a_subset_cut_from_the_reduced_font_is_the_files_own(chars: str) -> None:
    """Subsets are cut from a font cut down once (embed._base): the same bytes."""
    from fontTools.ttLib import TTFont

    for path in figures.chart_fonts().paths:
        with TTFont(path, lazy=True, recalcTimestamp=False) as font:
            embed._subsetter(chars).subset(font)
            font.flavor = "woff"
            direct = io.BytesIO()
            font.save(direct)
        assert embed._make_subset(path, chars) == direct.getvalue(), path.name


def test_characters_the_font_lacks_are_a_warning(project: Path) -> None:
    _, text = add_conference(
        project,
        """\
  - id: chu-han
    kind: bar
    title: Biểu đồ
    labels: [兒童, B]
    source_note: Giả định
    series:
      - label: Một
        values: [1, 2]
""",
    )
    problems = Problems()
    resolve_figures(load(project), problems)
    [warning] = problems.warnings
    assert str(warning.pos) == f"data/thu-nghiem.yaml:{where(text, '兒童')}"
    assert warning.message == (
        "the chart font (Noto Sans) cannot show '兒' (U+5152) '童' (U+7AE5)"
    )


# ------------------------------------------------------------------------- errors


ERROR_CASES = {
    "across-unknown": (
        """\
  - id: qua-cac-ky
    kind: line
    title: Qua các kỳ
    across: mott
""",
        "mott",
        "unknown indicator 'mott' in `across`",
        "did you mean 'mot'?",
    ),
    "values-length": (
        """\
  - id: do-dai
    kind: bar
    title: Độ dài
    labels: [A, B]
    source_note: Giả định
    series:
      - label: Một
        values: [1, 2, 3]
""",
        "[1, 2, 3]",
        "series 'Một' has 3 values but `labels` has 2",
        "give one value per label, in the order of `labels`",
    ),
    "too-many-points": (
        """\
  - id: qua-nhieu
    kind: bar
    title: Quá nhiều
    labels: [{labels}]
    source_note: Giả định
    series:
      - label: Một
        values: [{values}]
""".format(
            labels=", ".join(f"n{i}" for i in range(MAX_POINTS + 1)),
            values=", ".join("1" for _ in range(MAX_POINTS + 1)),
        ),
        "[n0",
        f"figure has {MAX_POINTS + 1} values, over the limit of {MAX_POINTS}",
        "",
    ),
    "too-many-series": (
        """\
  - id: nhieu-chuoi
    kind: grouped
    title: Nhiều chuỗi
    labels: [A]
    source_note: Giả định
    series:
"""
        + "".join(
            f"      - label: S{i}\n        values: [1]\n" for i in range(MAX_SERIES + 1)
        ),
        f"- ^label: S{MAX_SERIES}",
        f"figure has {MAX_SERIES + 1} series, over the limit of {MAX_SERIES}",
        "split it into several figures",
    ),
    "label-too-long": (
        f"""\
  - id: nhan-dai
    kind: bar
    title: Nhãn dài
    labels: [A, {"x" * (MAX_LABEL + 1)}]
    source_note: Giả định
    series:
      - label: Một
        values: [1, 2]
""",
        "xxx",
        f"the label is {MAX_LABEL + 1} characters long, over the limit of {MAX_LABEL}",
        "",
    ),
    "no-data": (
        """\
  - id: trong
    kind: bar
    title: Trống
""",
        "id: trong",
        "figure 'trong' has no data",
        "give `indicators`, `labels` with `series`, or `across: <indicator id>`",
    ),
    "stacked-without-labels": (
        """\
  - id: chong
    kind: stacked
    title: Chồng
    indicators: [mot, hai]
""",
        "stacked",
        "kind 'stacked' needs `labels` and several `series`",
        "",
    ),
    "series-without-labels": (
        """\
  - id: khong-nhan
    kind: grouped
    title: Không nhãn
    series:
      - label: Một
        values: [1, 2]
""",
        "- label: Một",
        "`series` need `labels`: one category name per value",
        "",
    ),
    "compare-without-previous": (
        """\
  - id: so-sanh
    kind: grouped
    title: So sánh
    indicators: [hai, mot]
    compare: true
""",
        "mot]",
        "indicator 'mot' has no compared value",
        "",
    ),
    "two-sources": (
        """\
  - id: hai-nguon
    kind: line
    title: Hai nguồn
    indicators: [mot]
    across: mot
""",
        "across: ^mot",
        "figure 'hai-nguon' gives both `indicators` and `across`",
        "",
    ),
    "negative-decimals": (
        """\
  - id: thap-phan
    kind: bar
    title: Thập phân
    indicators: [mot]
    decimals: -1
""",
        "decimals: ^-1",
        "decimals must be between 0 and 6, got -1",
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES), ids=str)
def test_figure_errors_are_reported_at_their_position(project: Path, case: str) -> None:
    snippet, needle, message, hint = ERROR_CASES[case]
    _, text = add_conference(project, snippet)
    [problem] = errors_of(project)
    assert str(problem.pos) == f"data/thu-nghiem.yaml:{where(text, needle)}"
    assert problem.message == message
    if hint:
        assert problem.hint == hint


def test_non_numeric_values_are_reported_by_the_loader(project: Path) -> None:
    _, text = add_conference(
        project,
        """\
  - id: chu
    kind: bar
    title: Chữ
    labels: [A, B]
    source_note: Giả định
    series:
      - label: Một
        values: [1, 1.317 vụ]
""",
    )
    [problem] = errors_of(project)
    assert str(problem.pos) == f"data/thu-nghiem.yaml:{where(text, '1.317 vụ')}"
    assert (
        problem.message
        == "figures[0].series[0].values[1]: expected a number, got '1.317 vụ'"
    )


def test_all_figure_errors_are_reported_in_one_run(project: Path) -> None:
    add_conference(project, "".join(snippet for snippet, *_ in ERROR_CASES.values()))
    problems = errors_of(project)
    assert len(problems) == len(ERROR_CASES)
    assert problems == sorted(problems, key=Problem.sort_key)


def test_draw_figures_draws_nothing_when_a_figure_is_wrong(project: Path) -> None:
    add_conference(project, ERROR_CASES["values-length"][0])
    result, problems = draw(project)
    assert len(problems.errors) == 1
    assert result.figures == {} and result.files == {} and result.drawn == 0


def test_the_cli_prints_figure_errors_and_exits_1(project: Path) -> None:
    _, text = add_conference(project, ERROR_CASES["across-unknown"][0])
    result = CliRunner().invoke(cli, ["--root", str(project), "build", "--no-pdf"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    expected = (
        f"data/thu-nghiem.yaml:{where(text, 'mott')}: error: "
        "unknown indicator 'mott' in `across`\n  hint: did you mean 'mot'?"
    )
    assert expected in result.output
    assert not (project / "output").exists()


def test_build_puts_figures_on_the_pages(project: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(project), "build", "--no-pdf"])
    assert result.exit_code == 0, result.output
    out = project / "output"
    page = (out / SLUG_24 / "index.html").read_text("utf-8")
    assert 'id="hinh-xam-hai-duoi-nuoc-so-cung-ky"' in page
    assert 'id="hinh-xam-hai-qua-cac-ky"' in page
    assert (out / SLUG_24 / "figures" / "xam-hai-qua-cac-ky.svg").is_file()
    series_page = next((out / "series").glob("*/index.html")).read_text("utf-8")
    assert 'id="hinh-xam-hai-qua-cac-ky"' in series_page
    assert 'id="hinh-xam-hai-duoi-nuoc-so-cung-ky"' not in series_page


def test_workers_draw_the_same_bytes_as_one_process(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_conference(
        project,
        "".join(
            f"""\
  - id: cot-{i}
    kind: {kind}
    title: Cột {i}
    indicators: [mot, hai]
"""
            for i, kind in enumerate(["bar", "barh", "line"] * 3)
        ),
    )
    parallel, _ = draw(project, tmp_path / "a")
    assert parallel.drawn == 14 >= figures.PARALLEL_FROM
    monkeypatch.setattr("generator.figures.stage.PARALLEL_FROM", 1000)
    serial, _ = draw(project, tmp_path / "b")
    assert _contents(serial.files) == _contents(parallel.files)


# Run in a fresh interpreter: draws the project's figures (in workers), then again
# from the cache, and says whether this process ever imported matplotlib.
MAIN_PROCESS = """
import sys
from pathlib import Path
from tests.unit.test_figures import draw
root = Path(sys.argv[1])
first, _ = draw(root, root / "cache")
again, _ = draw(root, root / "cache")
print(first.drawn, again.drawn, "matplotlib" in sys.modules)
"""


def test_matplotlib_is_imported_only_by_the_workers_that_draw(project: Path) -> None:
    add_conference(
        project,
        "".join(
            f"  - id: cot-{i}\n    kind: bar\n    title: Cột {i}\n"
            "    indicators: [mot, hai]\n"
            for i in range(figures.PARALLEL_FROM)
        ),
    )
    out = subprocess.run(
        [sys.executable, "-c", MAIN_PROCESS, str(project)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    assert out.split() == [str(5 + figures.PARALLEL_FROM), "0", "False"]


def _data(payload: bytes | Path) -> bytes:
    """A figure file's bytes: drawn now, or a file in the cache."""
    return payload.read_bytes() if isinstance(payload, Path) else payload


def _contents(files: Mapping[str, bytes | Path]) -> dict[str, bytes]:
    return {rel: _data(payload) for rel, payload in files.items()}
