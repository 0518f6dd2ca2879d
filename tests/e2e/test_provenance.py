"""Provenance on the real content: derived numbers explained wherever they appear, and
the sources and a hash of the data carried in every SVG figure and PDF brief.

The 2024 article states "1.317 vụ xâm hại trẻ em, giảm 31 vụ"; the compared value
1.348 is computed by the tool and must say so, with "tính từ mức giảm 31 vụ", in the
conference page, the comparison page, the figures (alt text, data table, CSV), the
dataset CSV and the PDF briefs. The 2023 value of records not yet cleaned (6) comes
from a declared `derive` rule and is explained the same way.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions
from generator.errors import Problems
from generator.load.project import load_site

REPO = Path(__file__).resolve().parents[2]
S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam"
SERIES_PDF = f"{SERIES}/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam.pdf"
NOTE = "tính từ mức giảm 31 vụ"
RULE_2023 = (
    "tính bằng 23 triệu bản ghi (Tổng số bản ghi dữ liệu trẻ em) trừ "
    "17 triệu bản ghi (Bản ghi dữ liệu trẻ em đã được làm sạch)"
)
DC = "{http://purl.org/dc/elements/1.1/}"
SVG = "{http://www.w3.org/2000/svg}"


def plain(text: str) -> str:
    """Collapse whitespace (NBSP included) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def visible(fragment: str) -> str:
    """The text a reader sees in an HTML fragment: no tags, no attributes.

    A run kept on one line ("31 vụ" in <span class="nw">) joins its neighbours.
    """
    text = re.sub(r'<span class="nw">([^<]*)</span>', r"\1", fragment)
    return plain(html.unescape(re.sub(r"<[^>]+>", " ", text)))


def element(page: str, tag: str, ident: str) -> str:
    """The HTML of the element with this id (not nested in a same-named tag)."""
    start = page.rindex(f"<{tag} ", 0, page.index(f'id="{ident}"'))
    return page[start : page.index(f"</{tag}>", start)]


def cells(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)


def pdf_text(path: Path) -> str:
    return plain(" ".join(p.extract_text() for p in PdfReader(path).pages))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- derived values, shown and explained -------------------------------------------


def test_conference_page_explains_the_derived_compared_value(built_site: Path) -> None:
    page = (built_site / S24 / "index.html").read_text("utf-8")
    row = element(page, "tr", "chi-so-vu-xam-hai-tre-em")
    value, compared = cells(row)[:2]
    assert visible(value) == "1.317 vụ"  # stated by the source: no mark
    assert visible(compared).startswith("1.348 vụ (tính toán) 6 tháng đầu năm 2023")
    assert NOTE in visible(compared)  # in the text, not only in a tooltip
    assert 'class="derived-mark"' in compared


def test_conference_page_explains_a_value_derived_by_a_rule(built_site: Path) -> None:
    page = (built_site / S23 / "index.html").read_text("utf-8")
    row = element(page, "tr", "chi-so-ban-ghi-chua-lam-sach")
    assert visible(cells(row)[0]) == "6 triệu bản ghi (tính toán)"
    assert f"Cách tính: {RULE_2023}" in visible(row)
    stated = element(page, "tr", "chi-so-tong-ban-ghi")
    assert "Cách tính" not in visible(stated)


def test_comparison_page_explains_the_derived_value(built_site: Path) -> None:
    page = (built_site / SERIES / "index.html").read_text("utf-8")
    table = page[page.index('<table class="comparison">') :]
    table = table[: table.index("</table>")]
    (shown,) = [visible(c) for c in cells(table) if "1.348" in c]
    # The 2023 column holds the number the 2024 meeting restates, and says so.
    assert shown == (
        f"1.348 vụ (tính toán: {NOTE}) theo số liệu kỳ 6 tháng đầu năm 2024"
    )


def test_figures_explain_the_derived_value_in_alt_table_and_csv(
    built_site: Path,
) -> None:
    page = (built_site / S24 / "index.html").read_text("utf-8")
    figure = element(page, "div", "hinh-xam-hai-qua-cac-ky")
    alt = html.unescape(re.search(r'alt="([^"]*)"', figure).group(1))  # type: ignore[union-attr]
    assert plain(alt).endswith(
        f"6 tháng đầu năm 2023: 1.348 vụ (tính toán: {NOTE}); "
        "6 tháng đầu năm 2024: 1.317 vụ."
    )
    table = visible(figure[figure.index("<table") : figure.index("</table>")])
    assert f"Cách tính 6 tháng đầu năm 2023 1.348 (tính toán) {NOTE}" in table
    data = (built_site / S24 / "figures/xam-hai-qua-cac-ky.csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][-1] == "Cách tính"
    assert rows[1] == ["6 tháng đầu năm 2023", "1.348 (tính toán)", NOTE]
    assert rows[2] == ["6 tháng đầu năm 2024", "1.317", ""]


def test_dataset_csv_says_how_the_compared_value_was_computed(
    built_site: Path,
) -> None:
    data = (built_site / S24 / f"{S24}.csv").read_text("utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(data))}
    abuse = rows["vu-xam-hai-tre-em"]
    assert (abuse["previous"], abuse["previous_derived"]) == ("1348", "true")
    assert abuse["previous_derivation"] == NOTE
    data23 = (built_site / S23 / f"{S23}.csv").read_text("utf-8-sig")
    rest = {r["id"]: r for r in csv.DictReader(io.StringIO(data23))}
    assert (
        rest["ban-ghi-chua-lam-sach"]["value"],
        rest["ban-ghi-chua-lam-sach"]["derived"],
    ) == ("6", "true")
    assert plain(rest["ban-ghi-chua-lam-sach"]["derivation"]) == RULE_2023
    assert rest["tong-ban-ghi"]["previous_derivation"] == ""


@pytest.mark.parametrize("brief", [f"{S24}/{S24}.pdf", SERIES_PDF])
def test_pdf_briefs_mark_and_explain_1348(built_site: Path, brief: str) -> None:
    text = pdf_text(built_site / brief)
    # The key-figures table: value, compared value marked, the period, how.
    assert f"1.317 vụ 1.348 vụ (tính toán) 6 tháng đầu năm 2023 {NOTE}" in text
    # The narrative cites it with a footnote call; the footnote gives the derivation
    # (on paper there are no tooltips), the prose only the call.
    call = re.search(r"\(1\.348 vụ ?(\d+)\)", text)
    assert call is not None, "the narrative's 1.348 has a footnote call"
    assert f"{call.group(1)}. Số liệu tính toán: {NOTE}" in text
    prose = text[call.start() - 200 : call.end() + 200]
    assert "(tính toán" not in prose  # no derivation inline


def test_pdf_brief_explains_the_2023_rule(built_site: Path) -> None:
    text = pdf_text(built_site / f"{S23}/{S23}.pdf")
    assert f"Cách tính: {RULE_2023}" in text


# --- provenance metadata -----------------------------------------------------------


def figure_svgs(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("figures/*.svg"))


def test_every_svg_carries_its_sources_and_the_hash_of_its_data(
    built_site: Path,
) -> None:
    site = load_site(REPO, Problems())
    sources = {e.slug: {s.title for s in e.data.sources} for e in site.entries}
    svgs = figure_svgs(built_site)
    assert len(svgs) >= 5
    for svg in svgs:
        root = ET.parse(svg).getroot()
        work = root.find(f"{SVG}metadata//{{http://creativecommons.org/ns#}}Work")
        assert work is not None, svg
        fields = {child.tag.removeprefix(DC): child.text for child in work}
        data = svg.with_name(fields["relation"] or "")
        ident = re.sub(r"-(narrow|medium)$", "", svg.stem)  # one table, every frame
        assert data == svg.with_name(f"{ident}.csv") and data.is_file()
        assert fields["identifier"] == f"sha256:{sha256(data)}", svg
        parts = svg.relative_to(built_site).parts
        english = parts[0] == "en"  # the English pages' own figures
        assert fields["language"] == ("en" if english else "vi")
        slug = parts[1] if english else parts[0]
        named = set((fields["source"] or "").split("; "))
        assert named and named <= sources[slug], (svg, named)
        assert "date" not in fields  # no build time: same input, same bytes


def test_svg_metadata_is_the_same_bytes_on_a_fresh_build(
    built_site: Path, project: Path
) -> None:
    build_site(project, BuildOptions(output=project / "output", pdf=False))
    for svg in figure_svgs(built_site):
        again = project / "output" / svg.relative_to(built_site)
        assert again.read_bytes() == svg.read_bytes(), svg


def test_svg_hash_follows_the_data(project: Path) -> None:
    data = project / f"data/{S24}.yaml"
    data.write_text(
        data.read_text("utf-8").replace("change: -31", "change: -30", 1), "utf-8"
    )
    build_site(project, BuildOptions(output=project / "output", pdf=False))
    svg = project / "output" / S24 / "figures/xam-hai-qua-cac-ky.svg"
    csv_file = svg.with_suffix(".csv")
    assert "1.347 (tính toán)" in csv_file.read_text("utf-8-sig")
    identifier = ET.parse(svg).getroot().find(f"{SVG}metadata//{DC}identifier")
    assert identifier is not None
    assert identifier.text == f"sha256:{sha256(csv_file)}"


@pytest.mark.parametrize(
    ("brief", "slugs"),
    [
        (f"{S23}/{S23}.pdf", [S23]),
        (f"{S24}/{S24}.pdf", [S24]),
        (SERIES_PDF, [S23, S24]),
    ],
)
def test_pdf_metadata_carries_sources_and_data_hashes(
    built_site: Path, brief: str, slugs: list[str]
) -> None:
    info = PdfReader(built_site / brief).metadata
    assert info is not None
    site = load_site(REPO, Problems())
    titles = [
        s.title
        for slug in slugs
        for s in next(e for e in site.entries if e.slug == slug).data.sources
    ]
    assert info["/source"] == "; ".join(titles)
    expected = "; ".join(
        f"{slug}/{slug}.csv sha256:{sha256(built_site / slug / f'{slug}.csv')}"
        for slug in slugs
    )
    assert info["/datasha256"] == expected
    # The colophon prints the same hashes, for a reader holding the paper.
    text = pdf_text(built_site / brief).replace(" ", "")
    for slug in slugs:
        assert sha256(built_site / slug / f"{slug}.csv") in text


# What a prototype left in the output (issue 15): the archive's path, a placeholder
# address, a source's internal id shown as its name, decimals the source does not give.
LEAKS = ("seeds/", "example.gov", "example.com", "example.org", "[bai-viet", "hơn 30,0")


def test_no_output_prints_a_path_a_placeholder_or_an_internal_id(
    built_site: Path,
) -> None:
    texts: dict[str, str] = {}
    for path in sorted(built_site.rglob("*")):
        rel = path.relative_to(built_site).as_posix()
        if path.suffix in {".html", ".xml", ".svg", ".js", ".json", ".csv", ".txt"}:
            texts[rel] = path.read_text("utf-8")
        elif path.suffix == ".pdf":
            reader = PdfReader(path)
            texts[rel] = "\n".join(page.extract_text() for page in reader.pages)
            texts[rel] += str(reader.metadata)
    assert {rel.rsplit(".", 1)[-1] for rel in texts} >= {"html", "svg", "pdf", "txt"}
    found = {
        rel: [leak for leak in LEAKS if leak in unicodedata.normalize("NFC", text)]
        for rel, text in texts.items()
    }
    assert {rel: leaks for rel, leaks in found.items() if leaks} == {}
