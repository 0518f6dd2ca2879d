"""The real conferences, built: the right facts on the right pages, and clean HTML."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions
from generator.errors import Problems
from generator.load.project import load_site
from generator.model import Site

NBSP = "\u00a0"
S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


# --- a small DOM -------------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def clean_text(self) -> str:
        return re.sub(r"[ \t\n]+", " ", self.text()).strip()

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
        ]

    def by_id(self, ident: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(
            Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)
        self.texts.append(data)


def parse(path: Path) -> Node:
    builder = _TreeBuilder()
    builder.feed(path.read_text("utf-8"))
    builder.close()
    return builder.root


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


@pytest.fixture(scope="module")
def doms(built_html: Path) -> dict[str, Node]:
    return {p.relative_to(built_html).as_posix(): parse(p) for p in pages(built_html)}


@pytest.fixture(scope="module")
def site_data() -> Site:
    from conftest import REPO

    return load_site(REPO, Problems())


def row_text(dom: Node, ident: str) -> str:
    return dom.by_id(ident).clean_text()


# --- the site as a whole -----------------------------------------------------------


def test_expected_pages_exist(built_html: Path) -> None:
    for rel in (
        "index.html",
        "404.html",
        f"{S23}/index.html",
        f"{S24}/index.html",
        SERIES,
    ):
        assert (built_html / rel).is_file(), rel


def test_every_page_is_vietnamese(doms: dict[str, Node]) -> None:
    for rel, dom in doms.items():
        (html,) = dom.find_all("html")
        # en/: English pages of the bilingual site (tests/e2e/test_bilingual_site.py)
        assert html.attrs.get("lang") == ("en" if rel.startswith("en/") else "vi"), rel


def test_every_page_has_exactly_one_h1(doms: dict[str, Node]) -> None:
    for rel, dom in doms.items():
        h1s = dom.find_all("h1")
        assert len(h1s) == 1, f"{rel}: {[h.clean_text() for h in h1s]}"
        assert h1s[0].clean_text(), f"{rel}: empty h1"


def test_all_text_is_nfc(built_html: Path) -> None:
    for path in [
        *pages(built_html),
        *built_html.rglob("*.css"),
        *built_html.rglob("*.svg"),
    ]:
        text = path.read_text("utf-8")
        assert unicodedata.is_normalized("NFC", text), path


def test_no_script_from_content_and_no_script_urls(
    doms: dict[str, Node], built_html: Path
) -> None:
    for rel, dom in doms.items():
        for node in dom.iter():
            for name, value in node.attrs.items():
                assert not name.startswith("on"), f"{rel}: <{node.tag} {name}>"
                if name in ("href", "src", "action", "formaction", "data", "srcset"):
                    low = re.sub(r"\s", "", value).lower()
                    assert not low.startswith(
                        ("javascript:", "vbscript:", "data:text/html")
                    ), f"{rel}: {name}={value}"
        for script in dom.find_all("script"):
            # Only the theme's own files, never inline code.
            assert script.text().strip() == "", f"{rel}: inline <script>"
            src = script.attrs.get("src", "")
            assert src and "://" not in src, f"{rel}: <script src={src!r}>"
            assert (built_html / rel).parent.joinpath(src).resolve().is_file()


def test_pages_made_from_content_carry_no_script(doms: dict[str, Node]) -> None:
    for rel in (
        "index.html",
        "404.html",
        f"{S23}/index.html",
        f"{S24}/index.html",
        SERIES,
    ):
        assert doms[rel].find_all("script") == [], rel


def test_no_template_leftovers(doms: dict[str, Node]) -> None:
    for rel, dom in doms.items():
        text = dom.text()
        assert "Undefined" not in text, rel
        for node in dom.iter():
            if node.tag in ("td", "dd", "span", "li", "p", "th"):
                assert node.clean_text() not in ("None", "none"), (
                    f"{rel}: <{node.tag}>None"
                )


# --- home page ---------------------------------------------------------------------


def test_index_lists_both_conferences_newest_first(doms: dict[str, Node]) -> None:
    dom = doms["index.html"]
    links = [a.attrs["href"] for a in dom.find_all("a")]
    conference_links = [
        h for h in links if h in (f"{S23}/index.html", f"{S24}/index.html")
    ]
    assert set(conference_links) == {f"{S23}/index.html", f"{S24}/index.html"}
    assert conference_links.index(f"{S24}/index.html") < conference_links.index(
        f"{S23}/index.html"
    )
    text = dom.clean_text()
    assert text.index("6 tháng đầu năm 2024") < text.index("6 tháng đầu năm 2023")
    assert SERIES in links


def test_index_shows_key_numbers(doms: dict[str, Node]) -> None:
    text = doms["index.html"].clean_text()
    assert f"1.317{NBSP}vụ" in text
    assert f"17.800{NBSP}trẻ em" in text


# --- 2023 --------------------------------------------------------------------------


def test_2023_page_facts(doms: dict[str, Node]) -> None:
    dom = doms[f"{S23}/index.html"]
    assert f"17.800{NBSP}trẻ em" in row_text(dom, "chi-so-tre-em-duoc-quy-ho-tro")
    assert f"9,4{NBSP}tỷ đồng" in row_text(dom, "chi-so-gia-tri-hoc-bong")
    assert f"272{NBSP}công trình" in row_text(dom, "chi-so-cong-trinh-cho-tre-em")
    assert f"hơn 20{NBSP}tỷ đồng" in row_text(dom, "chi-so-kinh-phi-quy-ho-tro")
    assert f"gần 600.000{NBSP}trẻ em" in row_text(
        dom, "chi-so-tre-em-tham-du-phat-dong"
    )
    assert f"7,7{NBSP}tỷ đồng" in row_text(dom, "chi-so-kinh-phi-kham-chua-benh")
    assert "13/2021/TT-LĐTBXH" in dom.by_id("van-ban").clean_text()
    assert "Nguyễn Thị Hà" in dom.by_id("chuong-trinh").clean_text()
    assert "1.317" not in dom.clean_text()


def test_2023_derived_indicator_is_marked(doms: dict[str, Node]) -> None:
    dom = doms[f"{S23}/index.html"]
    row = dom.by_id("chi-so-ban-ghi-chua-lam-sach")
    assert f"6{NBSP}triệu bản ghi" in row.clean_text()
    assert row.find_all(cls="derived-mark")
    assert not dom.by_id("chi-so-ban-ghi-da-lam-sach").find_all(cls="derived-mark")


def test_quotes_are_shown_with_their_numbers(doms: dict[str, Node]) -> None:
    dom = doms[f"{S23}/index.html"]
    row = dom.by_id("chi-so-tre-em-duoc-quy-ho-tro")
    quotes = [q.clean_text() for q in row.find_all("q")]
    assert quotes == [
        "Quỹ Bảo trợ trẻ em Việt Nam hỗ trợ 17.800 trẻ em có hoàn cảnh đặc biệt"
    ]


# --- 2024 --------------------------------------------------------------------------


def test_2024_page_facts(doms: dict[str, Node]) -> None:
    dom = doms[f"{S24}/index.html"]
    row = dom.by_id("chi-so-vu-xam-hai-tre-em")
    text = row.clean_text()
    assert f"1.317{NBSP}vụ" in text
    assert f"giảm 31{NBSP}vụ" in text
    assert f"232{NBSP}trẻ em" in row_text(dom, "chi-so-tre-em-tu-vong-duoi-nuoc")
    assert "17.800" not in dom.clean_text()


def test_2024_previous_value_is_derived_and_marked(doms: dict[str, Node]) -> None:
    row = doms[f"{S24}/index.html"].by_id("chi-so-vu-xam-hai-tre-em")
    cells = [td for td in row.find_all("td") if f"1.348{NBSP}vụ" in td.clean_text()]
    assert len(cells) == 1
    marks = cells[0].find_all(cls="derived-mark")
    assert marks, "1.348 is computed from 'giảm 31 vụ' and must say so"
    assert "31" in marks[0].attrs.get("title", "")
    value_cell = [
        td for td in row.find_all("td") if f"1.317{NBSP}vụ" in td.clean_text()
    ]
    assert value_cell and not value_cell[0].find_all(cls="derived-mark")


def test_follow_up_shows_the_earlier_tasks_with_what_the_source_reports(
    project: Path,
) -> None:
    # The real articles set and report no tasks; give 2023 three and 2024 two reports:
    # one with a status, one whose source states only what was done.
    d23, d24 = project / f"data/{S23}.yaml", project / f"data/{S24}.yaml"
    tasks = "".join(
        f"  - id: {id}\n    task: {task}\n    editorial: true\n"
        for id, task in [
            ("dien-dan", "Tổ chức diễn đàn trẻ em"),
            ("du-lieu", "Làm sạch dữ liệu trẻ em"),
            ("kien-nghi", "Tổng hợp kiến nghị"),
        ]
    )
    reports = (
        f"  - conference: {S23}\n    task: dien-dan\n    status: in_progress\n"
        "    editorial: true\n"
        f"  - conference: {S23}\n    task: du-lieu\n    note: Đã làm sạch một phần\n"
        "    editorial: true\n"
    )
    for path, block in (
        (d23, "follow_up:\n" + tasks),
        (d24, "follow_up_reports:\n" + reports),
    ):
        text = path.read_text("utf-8").replace("\nfigures:", f"\n{block}\nfigures:", 1)
        path.write_text(text, "utf-8")
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    section = parse(out / S24 / "index.html").by_id("nhiem-vu")
    rows = {}
    for tr in section.find_all("tr"):
        if tr.find_all("th") and tr.find_all("td"):
            rows[tr.find_all("th")[0].clean_text()] = tr.find_all("td")[-1].clean_text()
    # The reports table: one row per task of the earlier meeting, named with its period.
    by_task = {
        head.removesuffix(" 6 tháng đầu năm 2023"): cell
        for head, cell in rows.items()
        if head.endswith(" 6 tháng đầu năm 2023")
    }
    assert by_task == {
        "Tổ chức diễn đàn trẻ em": "Đang thực hiện Biên tập",
        "Làm sạch dữ liệu trẻ em": "Đã làm sạch một phần Biên tập",  # no status made up
        "Tổng hợp kiến nghị": "Nguồn không nêu",
    }
    earlier = parse(out / S23 / "index.html")
    assert "status-unreported" not in (out / S23 / "index.html").read_text("utf-8")
    assert "Theo dõi nhiệm vụ kỳ trước" not in earlier.clean_text()


def test_each_source_reference_leads_to_the_words_it_cites(
    doms: dict[str, Node], site_data: Site
) -> None:
    for entry in site_data.entries:
        dom = doms[f"{entry.slug}/index.html"]
        refs = dom.find_all("a", cls="source-ref")
        claims = [c for _, _, c in entry.data.claims() if c.source]
        assert len(refs) >= len(claims) > 0, entry.slug
        for ref in refs:
            target = dom.by_id(ref.attrs["href"].removeprefix("#"))
            if ref.attrs["href"].startswith("#trich-"):
                # The [n] of a claim: its quotation under the source, the same words.
                quote = target.find_all("q")[0].clean_text()
                assert ref.attrs["title"] == f"“{quote}”", ref.attrs["href"]
                assert ref.clean_text() == "[1]"
        words = {q.clean_text() for q in dom.find_all("li") for q in q.find_all("q")}
        assert {c.quote for c in claims} <= words, entry.slug


# --- series ------------------------------------------------------------------------


def _comparison(dom: Node) -> tuple[list[str], dict[str, list[str]]]:
    (table,) = dom.find_all("table", cls="comparison")
    head = [th.clean_text() for th in table.find_all("thead")[0].find_all("th")]
    rows: dict[str, list[str]] = {}
    for tr in table.find_all("tbody")[0].find_all("tr"):
        label = tr.find_all("th")[0].clean_text()
        rows[label] = [td.clean_text() for td in tr.find_all("td")]
    return head, rows


def _row(rows: dict[str, list[str]], label: str) -> list[str]:
    found = [cells for head, cells in rows.items() if head.startswith(label)]
    assert len(found) == 1, label
    return found[0]


def test_series_page_compares_by_id_oldest_first(
    doms: dict[str, Node], site_data: Site
) -> None:
    head, rows = _comparison(doms[SERIES])
    assert head[1:] == ["6 tháng đầu năm 2023", "6 tháng đầu năm 2024"]
    ids = {i.id for e in site_data.entries for i in e.data.indicators}
    assert len(rows) == len(ids)
    # The 2023 article states no abuse count; the 2024 one restates it, computed.
    abuse = _row(rows, "Vụ xâm hại trẻ em trên toàn quốc")
    assert abuse[0].startswith(f"1.348{NBSP}vụ (tính toán: tính từ mức giảm 31")
    assert abuse[0].endswith("theo số liệu kỳ 6 tháng đầu năm 2024")
    assert abuse[1] == f"1.317{NBSP}vụ"
    fund = _row(rows, "Trẻ em có hoàn cảnh đặc biệt được Quỹ Bảo trợ")
    assert fund == [f"17.800{NBSP}trẻ em", "Nguồn của kỳ này không nêu"]


def test_series_page_matches_a_shared_id_in_one_row(project: Path) -> None:
    path = project / f"data/{S23}.yaml"
    text = path.read_text("utf-8")
    text = text.replace(
        "\nlegal_documents:",
        "  - id: vu-xam-hai-tre-em\n"
        "    label: Vụ xâm hại trẻ em (2023)\n"
        "    value: 1348\n"
        "    unit: vụ\n"
        "    key: true\n"
        "    source: kiem-thu\n"
        "    quote: số liệu kiểm thử\n"
        "\nlegal_documents:",
        1,
    )
    text += "  - id: kiem-thu\n    title: Số liệu kiểm thử\n"  # not archived
    # The meeting's own number wins over the one the next meeting restates.
    path.write_text(text, "utf-8")
    build_site(project, BuildOptions(output=project / "output", pdf=False))
    _, rows = _comparison(parse(project / "output" / SERIES))
    matching = {k: v for k, v in rows.items() if k.startswith("Vụ xâm hại trẻ em")}
    assert len(matching) == 1, matching
    (cells,) = matching.values()
    assert cells[0] == f"1.348{NBSP}vụ"
    assert cells[1].startswith(f"1.317{NBSP}vụ")
    assert "không nêu" not in " ".join(cells) and "theo số liệu" not in cells[0]


def test_404_page(doms: dict[str, Node]) -> None:
    dom = doms["404.html"]
    assert dom.find_all("h1")[0].clean_text() == "Không tìm thấy trang"
