"""Charts laid out for each frame: text that fits and never overlaps, fonts inside the
SVG, one unit per value axis, lines of three points or more, legends for every look.
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont

from generator import figures
from generator.commands.main import cli
from generator.errors import Problems
from generator.figures.draw import _rc, draw_frame
from generator.figures.fonts import use_fonts
from generator.figures.marks import legend_handles
from generator.figures.stage import FigureResult, resolve_figures
from generator.load.project import load_site
from generator.model import Theme
from tests.conftest import copy_project
from tests.unit.test_figures import _data, add_conference, draw, svg_of, where

SVG = "{http://www.w3.org/2000/svg}"

# Every kind, with long labels, negative values, derived and mixed looks.
ALL_KINDS = """\
  - id: cot
    kind: bar
    title: Cột
    indicators: [mot, hai]
  - id: cot-dai
    kind: bar
    title: Cột có nhãn dài
    labels:
      - Kinh phí Quỹ Bảo trợ trẻ em Việt Nam hỗ trợ cho trẻ em có hoàn cảnh đặc biệt
      - Trị giá học bổng
      - Kinh phí khám, chữa bệnh miễn phí cho trẻ em
    source_note: Giả định
    series:
      - label: Năm 2022
        values: [1200.5, 30, 7.25]
  - id: ngang
    kind: barh
    title: Ngang
    labels: [A, Tỉnh Bà Rịa \u2013 Vũng Tàu và các tỉnh lân cận]
    source_note: Giả định
    series:
      - label: Một
        values: [1, 2]
      - label: Hai
        values: [3, -4]
  - id: duong
    kind: line
    title: Đường
    labels: ['2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024']
    source_note: Giả định
    series:
      - label: Nam
        values: [1.5, 2.25, -1, 4, 5, 6, 7, 8]
      - label: Nữ
        values: [2, 2, 3, 3, 3, 3, 3, 3]
  - id: duong-mot
    kind: line
    title: Đường một
    labels: [6 tháng đầu năm 2022, 6 tháng đầu năm 2023, 6 tháng đầu năm 2024]
    source_note: Giả định
    series:
      - label: Số vụ
        values: [1400, 1348, 1317]
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
    indicators: [mot-luot, hai]
    compare: true
"""
EXTRA_INDICATOR = """\
  - id: mot-luot
    label: Lượt khám, chữa bệnh miễn phí cho trẻ em
    value: 66000
    unit: lượt
    approx: more_than
    change: 1500
    compared_to: Năm 2021
    source: nguon
    quote: hơn 66.000 lượt
"""


def project_with(tmp: Path, figures_yaml: str) -> Path:
    root = copy_project(tmp / "site")
    add_conference(root, figures_yaml)
    data = root / "data" / "thu-nghiem.yaml"
    text = data.read_text("utf-8").replace(
        "indicators:\n", "indicators:\n" + EXTRA_INDICATOR, 1
    )
    data.write_text(text, "utf-8")
    return root


Drawn = list[tuple[figures.Chart, figures.Frame, Any]]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project with a conference holding every kind of chart."""
    return project_with(tmp_path_factory.mktemp("kinds"), ALL_KINDS)


@pytest.fixture(scope="module")
def drawn(project: Path) -> Drawn:
    """Every chart of the project laid out for every frame (matplotlib figures)."""
    import matplotlib

    problems = Problems()
    charts = resolve_figures(load_site(project, problems), problems)
    assert not problems.errors, [str(p) for p in problems]
    palette = figures.theme_colours(Theme(), Problems())
    fonts = figures.chart_fonts()
    use_fonts(fonts)
    found: Drawn = []
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_rc("t"))
        for chart in charts:
            style = figures.chart_style(chart, palette)
            for frame in figures.FRAMES:
                fig = draw_frame(chart, style, "vi", frame, fonts)
                fig.canvas.draw()  # places the legend
                found.append((chart, frame, fig))
    return found


@pytest.fixture(scope="module")
def result(project: Path) -> FigureResult:
    """The project's figures through the stage: files, SVGs, warnings."""
    result, problems = draw(project)
    assert not problems.errors and not problems.warnings, [str(p) for p in problems]
    return result


def test_text_fits_the_frame_and_never_overlaps(drawn: Drawn) -> None:
    from matplotlib.text import Text

    for chart, frame, fig in drawn:
        renderer = fig.canvas.get_renderer()
        width, height = fig.get_size_inches() * 72
        assert width == frame.width
        boxes = []
        for text in fig.findobj(Text):
            if not text.get_visible() or not text.get_text().strip():
                continue
            assert text.get_fontsize() == figures.TEXT, text.get_text()
            box = text.get_window_extent(renderer)
            where = f"{chart.spec.id} {frame.width:g}: {text.get_text()!r}"
            assert box.x0 >= -0.5 and box.x1 <= width + 0.5, where
            assert box.y0 >= -0.5 and box.y1 <= height + 0.5, where
            boxes.append((box, where))
        for (a, wa), (b, wb) in itertools.combinations(boxes, 2):
            overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (wa, wb)


def test_columns_turn_into_bars_with_labels_above_on_a_phone(drawn: Drawn) -> None:
    from matplotlib.patches import Rectangle

    figs = {(c.spec.id, f.width): fig for c, f, fig in drawn}
    narrow = figs[("cot-dai", 320)].axes[0]
    wide = figs[("cot-dai", 560)].axes[0]
    bars = [p for p in narrow.patches if isinstance(p, Rectangle)]
    boxes = [b.get_window_extent() for b in bars]
    assert all(b.height == pytest.approx(22) for b in boxes)  # across, 22 px thick
    assert all(b.x0 == pytest.approx(boxes[0].x0) for b in boxes)
    chart = next(c for c, _, _ in drawn if c.spec.id == "cot-dai")
    # Each category is named above its bars, from the left of the plot ...
    plot = narrow.get_window_extent()
    named = _category_boxes(narrow, chart.categories)
    assert len(named) == len(bars)
    assert all(box.x0 == pytest.approx(plot.x0) for box in named)
    # ... and at the left of its bars in the wide frame, which has room for them.
    plot = wide.get_window_extent()
    named = _category_boxes(wide, chart.categories)
    assert len(named) == len(bars)
    assert all(box.x1 <= plot.x0 for box in named)


def _category_boxes(ax: Any, categories: tuple[str, ...]) -> list[Any]:
    """The boxes, in pixels, of the texts on ax that name a category (wrapped)."""
    from matplotlib.text import Text

    renderer = ax.figure.canvas.get_renderer()
    return [
        t.get_window_extent(renderer)
        for t in ax.findobj(Text)
        if " ".join(t.get_text().split()) in categories
    ]


def test_legends_name_every_look_a_chart_uses(drawn: Drawn) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    def look(artist: object) -> tuple[str, ...]:
        if isinstance(artist, Line2D):
            return (
                str(artist.get_color()),
                str(artist.get_marker()),
                str(artist.get_markerfacecolor()),
            )
        assert isinstance(artist, Patch)
        return (str(artist.get_facecolor()), str(artist.get_hatch()))

    palette = figures.theme_colours(Theme(), Problems())
    for chart, _, fig in drawn:
        used = set()
        for ax in fig.axes:
            used |= {look(p) for p in ax.patches if isinstance(p, Rectangle)}
            used |= {look(line) for line in ax.lines if line.get_marker() != "None"}
        style = figures.chart_style(chart, palette)
        explained = {look(h) for h in legend_handles(chart, style, "vi")}
        if len(used) > 1:
            assert used <= explained, (chart.spec.id, used - explained)


def test_each_svg_embeds_the_glyphs_it_uses(result: FigureResult) -> None:
    for path, data in result.files.items():
        if not path.endswith(".svg"):
            continue
        text = _data(data).decode("utf-8")
        faces = re.findall(
            r"font-family: '([^']+)'; font-weight: (\d+); "
            r"src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)",
            text,
        )
        assert faces, path
        cmap: set[int] = set()
        for family, _, data64 in faces:
            assert family in ("Proceedings Sans", "Proceedings Symbols")
            font = TTFont(io.BytesIO(base64.b64decode(data64)))
            assert "GPOS" in font  # kerned, as matplotlib set it (through libraqm)
            cmap |= set(font.getBestCmap())
        tree = ET.fromstring(text)
        for node in tree.iter(f"{SVG}text"):
            style = node.get("style") or ""
            assert f"font-family: {figures.SVG_FONTS}" in style
            shown = "".join(node.itertext())
            assert {c for c in shown if c != " " and ord(c) not in cmap} == set()
        assert "DejaVu" not in text and "Noto Sans" not in text


def test_a_figure_is_drawn_for_every_frame(result: FigureResult) -> None:
    fig = result.figures[("thu-nghiem", "cot-dai")]
    assert [(v.svg, v.width, v.up_to) for v in fig.variants] == [
        ("thu-nghiem/figures/cot-dai-narrow.svg", 320, 408),
        ("thu-nghiem/figures/cot-dai-medium.svg", 420, 540),
    ]
    assert (fig.svg, fig.width) == ("thu-nghiem/figures/cot-dai.svg", 560)
    for variant in fig.variants:
        tree = ET.fromstring(_data(result.files[variant.svg]))
        assert tree.get("viewBox") == f"0 0 {variant.width} {variant.height}"
        assert tree.findtext(f"{SVG}title") == "Cột có nhãn dài"
        assert "Cột có nhãn dài" not in ["".join(t.itertext()) for t in tree.iter(
            f"{SVG}text")]  # fmt: skip


def test_compare_in_two_units_draws_a_panel_per_unit(result: FigureResult) -> None:
    shown = [
        "".join(t.itertext())
        for t in svg_of(result, "thu-nghiem", "so-sanh").iter(f"{SVG}text")
    ]
    assert "lượt" in shown and "vụ" in shown  # each panel's axis says its unit


MIXED = """\
  - id: tron
    kind: bar
    title: Trộn
    indicators: [mot-luot, hai]
"""


def test_one_axis_in_two_units_is_a_warning_and_an_error_when_strict(
    tmp_path: Path,
) -> None:
    # In the real project, which has no other warning: cases (vụ) beside children.
    root = copy_project(tmp_path / "site")
    data = root / "data" / "hoi-nghi-tre-em-phia-nam-2024.yaml"
    figure = (
        "  - id: tron\n    kind: bar\n    title: Trộn\n"
        "    indicators: [vu-xam-hai-tre-em, tre-em-tu-vong-duoi-nuoc]\n"
    )
    text = data.read_text("utf-8").replace("figures:\n", "figures:\n" + figure, 1)
    data.write_text(text, "utf-8")
    line = (
        f"{data.relative_to(root)}:{where(text, '- ^id: tron')}: warning: figure "
        "'tron' draws values in different units on one axis"
    )
    relaxed = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert relaxed.exit_code == 0, relaxed.output
    assert relaxed.stderr.splitlines().count(line) == 1, relaxed.stderr
    strict = CliRunner().invoke(cli, ["--root", str(root), "check", "--strict"])
    assert strict.exit_code == 1
    assert line in strict.stderr.splitlines(), strict.stderr


def test_mixed_units_on_purpose_name_each_unit_in_its_label(tmp_path: Path) -> None:
    root = project_with(tmp_path, MIXED + "    mixed_units: true\n")
    result, problems = draw(root)
    assert not problems.warnings, [str(p) for p in problems]
    shown = [
        "".join(t.itertext())
        for t in svg_of(result, "thu-nghiem", "tron").iter(f"{SVG}text")
    ]
    joined = " ".join(shown)
    assert "(lượt)" in joined and "(vụ)" in joined


def test_a_line_of_two_points_is_drawn_as_bars_with_a_warning(tmp_path: Path) -> None:
    short = """\
  - id: ngan
    kind: line
    title: Ngắn
    labels: ['2023', '2024']
    source_note: Giả định
    series:
      - label: Số vụ
        values: [1348, 1317]
"""
    root = project_with(tmp_path, short)
    text = (root / "data" / "thu-nghiem.yaml").read_text("utf-8")
    result, problems = draw(root)
    [warning] = problems.warnings
    assert str(warning) == (
        f"data/thu-nghiem.yaml:{where(text, 'kind: ^line')}: warning: figure 'ngan' "
        "has 2 point(s), too few for a line (at least 3); it is drawn as bars\n"
        "  hint: use `kind: bar` until the series has three points"
    )
    fig = result.figures[("thu-nghiem", "ngan")]
    assert fig.alt.startswith("Biểu đồ cột: ")
    assert svg_of(result, "thu-nghiem", "ngan").find(f".//{SVG}polyline") is None
