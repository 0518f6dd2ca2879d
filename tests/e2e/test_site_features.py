"""The published site's features: sitemap, feed, robots, data downloads, sharing tags,
valid HTML, themes, languages, the search index and `proceedings new`."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import TEST_BASE, make_public, search_index

from generator import model
from generator.build.pipeline import build_site
from generator.commands.main import cli
from generator.core.context import BuildOptions
from generator.errors import Problems
from generator.load.project import load_site
from generator.site.datasets import CSV_COLUMNS

REPO = Path(__file__).resolve().parents[2]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FIXTURES = REPO / "tests" / "fixtures"
DEFAULT_THEME = REPO / "themes" / "default"
BASE = TEST_BASE
S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Templates this feature owns; the figure and PDF brief templates are checked elsewhere.
SITE_TEMPLATES = ("base", "index", "conference", "series", "404", "search", "_macros")


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


class _Head(HTMLParser):
    """Collect <meta>, <link> and <html lang> of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        elif tag == "link":
            self.links.append(a)


def head(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text("utf-8"))
    return parser


# --- sitemap, robots, feed ------------------------------------------------------------


def test_sitemap_lists_every_page_by_its_public_url(built_html: Path) -> None:
    root = ET.fromstring((built_html / "sitemap.xml").read_bytes())
    locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    expected = sorted(
        BASE + p.removesuffix("index.html")
        for p in html_pages(built_html)
        if not p.endswith("404.html")  # en/404.html too: the site is bilingual
    )
    assert sorted(locs) == expected
    assert f"{BASE}{S24}/" in locs and BASE in locs and f"{BASE}search.html" in locs


def test_robots_allows_all_and_names_the_sitemap(built_html: Path) -> None:
    text = (built_html / "robots.txt").read_text("utf-8")
    assert text.splitlines()[:2] == ["User-agent: *", "Disallow:"]
    assert f"Sitemap: {BASE}sitemap.xml" in text.splitlines()


def test_feed_is_atom_with_one_entry_per_conference(built_html: Path) -> None:
    feed = ET.fromstring((built_html / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [f"{BASE}{S24}/", f"{BASE}{S23}/"]  # newest first
    # Dated by when each summary was published (`published:` in the data), never
    # by the end of the reporting period; updated is never before published.
    assert [e.findtext(f"{ATOM}updated") for e in entries] == [
        "2024-07-20T00:00:00Z",
        "2023-07-20T00:00:00Z",
    ]
    assert feed.findtext(f"{ATOM}updated") == "2024-07-20T00:00:00Z"
    for entry in entries:
        assert entry.findtext(f"{ATOM}updated") >= entry.findtext(f"{ATOM}published")
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}summary")
        assert entry.find(f"{ATOM}link").get("href") == entry.findtext(f"{ATOM}id")
    self_link = [
        link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    assert self_link[0].get("href") == f"{BASE}feed.xml"


def test_pages_announce_the_feed(built_html: Path) -> None:
    for rel in html_pages(built_html):
        feeds = [
            link
            for link in head(built_html / rel).links
            if link.get("type") == "application/atom+xml"
        ]
        assert len(feeds) == 1, rel
        assert (built_html / rel).parent.joinpath(
            feeds[0]["href"]
        ).resolve() == built_html / "feed.xml"


def test_without_base_url_no_sitemap_or_feed(project: Path) -> None:
    config = project / "site.yaml"
    config.write_text(
        re.sub(r"(?m)^base_url:.*$", "", config.read_text("utf-8")), "utf-8"
    )
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    assert not (out / "sitemap.xml").exists() and not (out / "feed.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text("utf-8")
    page = head(out / "index.html")
    assert "og:url" not in page.meta
    assert not [
        link for link in page.links if link.get("rel") in ("canonical", "alternate")
    ]


# --- canonical URL and sharing tags ---------------------------------------------------


def test_canonical_and_open_graph_tags(built_html: Path) -> None:
    for rel in html_pages(built_html):
        page = head(built_html / rel)
        english = rel.startswith("en/")  # the site is bilingual: docs/bilingual.md
        assert page.lang == ("en" if english else "vi"), rel
        assert page.meta["og:locale"] == ("en_GB" if english else "vi_VN"), rel
        assert page.meta["og:title"] and page.meta["og:description"], rel
        assert page.meta["description"], rel
        if rel.endswith("404.html"):
            assert page.meta.get("robots") == "noindex"
            assert "og:url" not in page.meta
            continue
        url = BASE + rel.removesuffix("index.html")
        canonical = [
            link["href"] for link in page.links if link.get("rel") == "canonical"
        ]
        assert canonical == [url], rel
        assert page.meta["og:url"] == url, rel


def test_conference_pages_share_their_figure_as_image(built_html: Path) -> None:
    page = head(built_html / S24 / "index.html")
    assert page.meta["og:type"] == "article"
    assert page.meta["og:title"].startswith("Công tác trẻ em, 6 tháng đầu năm 2024")
    assert page.meta["og:description"].startswith(
        "Các đại biểu thảo luận kết quả thực hiện nhiệm vụ 6 tháng qua"
    )
    pngs = sorted((built_html / S24).rglob("*.png"))
    if pngs:  # figures that have a PNG: the first is the page's sharing image
        image = page.meta["og:image"]
        assert image.startswith(BASE) and image.endswith(".png")
        assert (built_html / image.removeprefix(BASE)).is_file()
        assert page.meta["og:image:alt"]
    assert head(built_html / "index.html").meta["og:type"] == "website"


# --- data downloads -------------------------------------------------------------------


def test_json_download_holds_the_real_numbers(built_html: Path) -> None:
    data = json.loads((built_html / S23 / f"{S23}.json").read_text("utf-8"))
    assert data["conference"]["slug"] == S23
    assert data["conference"]["period"] == {
        "label": "6 tháng đầu năm 2023",
        "start": "2023-01-01",
        "end": "2023-06-30",
    }
    values = {i["id"]: i for i in data["indicators"]}
    assert values["tre-em-duoc-quy-ho-tro"]["value"] == 17800
    assert isinstance(values["tre-em-duoc-quy-ho-tro"]["value"], int)
    assert values["gia-tri-hoc-bong"]["value"] == 9.4
    assert values["kinh-phi-quy-ho-tro"]["approx"] == "more_than"
    assert values["ban-ghi-chua-lam-sach"]["derived"] is True
    assert values["gia-tri-hoc-bong"]["source_title"].startswith("Bài viết về")
    s24 = json.loads((built_html / S24 / f"{S24}.json").read_text("utf-8"))
    abuse = {i["id"]: i for i in s24["indicators"]}["vu-xam-hai-tre-em"]
    assert (abuse["value"], abuse["change"], abuse["previous"]) == (1317, -31, 1348)
    assert abuse["previous_derived"] is True
    assert abuse["compared_to"] == "6 tháng đầu năm 2023"
    # Every other entry, with its source's words or the editors' mark.
    assert s24["conference"]["published"] == "2024-07-20"  # make_public's date
    claims = s24["claims"]
    assert claims[0] == {
        "field": "organisers",
        "what": "organiser",
        "label": "Bộ Lao động – Thương binh và Xã hội",  # noqa: RUF001
        "source": None,
        "quote": None,
        "editorial": True,
    }
    speaker = next(c for c in claims if c["field"] == "speakers")
    assert speaker["label"] == "Nguyễn Thị Hà" and speaker["source"] == "bai-viet-2024"
    assert "Nguyễn Thị Hà" in speaker["quote"]
    assert all(c["editorial"] != bool(c["source"]) for c in claims)


def test_csv_download_opens_in_excel_and_holds_the_real_numbers(
    built_html: Path,
) -> None:
    raw = (built_html / S24 / f"{S24}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads the accents
    assert b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    abuse = {r["id"]: r for r in rows}["vu-xam-hai-tre-em"]
    assert abuse["label"] == "Vụ xâm hại trẻ em trên toàn quốc"
    assert (abuse["value"], abuse["change"], abuse["previous"]) == (
        "1317",
        "-31",
        "1348",
    )
    assert abuse["previous_derived"] == "true"
    assert abuse["quote"] == (
        "Theo Cục Trẻ em, trong 6 tháng đầu năm 2024, toàn quốc xảy ra 1.317 vụ "
        "xâm hại trẻ em, giảm 31 vụ"
    )
    rows23 = {
        r["id"]: r
        for r in csv.DictReader(
            io.StringIO((built_html / S23 / f"{S23}.csv").read_text("utf-8-sig"))
        )
    }
    assert rows23["tre-em-duoc-quy-ho-tro"]["value"] == "17800"
    assert rows23["gia-tri-hoc-bong"]["value"] == "9.4"
    assert rows23["gia-tri-hoc-bong"]["unit"] == "tỷ đồng"


def test_conference_pages_link_their_downloads(built_html: Path) -> None:
    for slug in (S23, S24):
        html = (built_html / slug / "index.html").read_text("utf-8")
        for name in (f"{slug}.csv", f"{slug}.json"):
            assert f'href="{name}" download' in html
            assert (built_html / slug / name).is_file()


def test_generated_files_are_reproducible(project: Path, built_html: Path) -> None:
    make_public(project)
    out = project / "again"
    build_site(project, BuildOptions(output=out, pdf=False))
    generated = [
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        "search.html",
        *(p.relative_to(built_html).as_posix() for p in built_html.glob("search/*")),
        f"{S23}/{S23}.json",
        f"{S23}/{S23}.csv",
        f"{S24}/{S24}.json",
        f"{S24}/{S24}.csv",
    ]
    for rel in generated:
        assert (out / rel).read_bytes() == (built_html / rel).read_bytes(), rel


# --- search index ---------------------------------------------------------------------


def test_search_index_links_to_existing_sections(built_html: Path) -> None:
    index = search_index(built_html)
    docs = [d for chunk in index.chunks.values() for d in chunk]
    assert index.manifest["version"] == 2 and len(docs) > 10
    assert index.manifest["parts"] == 3  # two conferences and their series
    for url, page_title, _, text in docs:
        page, _, fragment = url.partition("#")
        html = (built_html / page).read_text("utf-8")
        if fragment:
            assert f'id="{fragment}"' in html, url
        assert text and page_title


def test_search_index_is_folded_for_diacritic_free_queries(built_html: Path) -> None:
    index = search_index(built_html)
    words = [w for shard in index.shards.values() for w in shard]
    assert all(w == w.lower() and w.isascii() and w.isalnum() for w in words)
    # "tre em" is a phrase of the text: "em" right after "tre", in a section that
    # says "trẻ em"
    em = {(p.part, p.doc): set(p.positions) for p in index.postings("em")}
    phrase = [
        p
        for p in index.postings("tre")
        if any(at + 1 in em.get((p.part, p.doc), ()) for at in p.positions)
    ]
    assert phrase and all("trẻ em" in index.doc(p)[3].lower() for p in phrase)
    assert any("xâm hại" in index.doc(p)[3] for p in index.postings("xam"))
    (number,) = index.postings("1317")  # plain numbers find 1.317
    assert "1.317" in index.doc(number)[3]


def test_search_page_has_no_inline_script(built_html: Path) -> None:
    html = (built_html / "search.html").read_text("utf-8")
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts == ["", ""]
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "search/manifest.js",
        "static/js/search.js",
    ]
    assert "search-nojs" in html and 'href="index.html#danh-sach"' in html


# --- valid HTML -----------------------------------------------------------------------


def test_nu_html_checker_finds_no_errors(built_html: Path) -> None:
    if shutil.which("java") is None:
        pytest.fail(
            "java not found: `make test` installs default-jre-headless", pytrace=False
        )
    if not VNU.is_file():
        pytest.fail(
            "node_modules/vnu-jar is missing: run `make test` (npm ci)", pytrace=False
        )
    files = [str(built_html / p) for p in html_pages(built_html)]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)


# --- themes ---------------------------------------------------------------------------


def test_example_theme_overrides_a_block_a_stylesheet_and_messages(
    project: Path,
) -> None:
    shutil.copytree(FIXTURES / "example-theme", project / "themes" / "example")
    config = project / "site.yaml"
    text = re.sub(r"(?m)^theme:.*$", "theme: example", config.read_text("utf-8"))
    config.write_text(
        text + "colors:\n  primary: '#1d5e3a'\n  logo: img/logo.svg\n", "utf-8"
    )
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))

    home = (out / "index.html").read_text("utf-8")
    # the overridden block
    assert 'class="site-footer example-footer"' in home
    assert "Trang này dùng giao diện mẫu." in home
    assert "Tạo bởi proceedings" not in home  # the default footer is gone
    # the theme's messages win, the rest fall through to the default catalogue
    assert ">Trang đầu</a>" in home and "Chuyển đến nội dung chính" in home
    # colours and logo from site.yaml
    assert "--primary: #1d5e3a;" in home
    assert '<img src="static/img/logo.svg" alt="" class="logo">' in home
    assert (out / "static/img/logo.svg").read_bytes() == (
        FIXTURES / "example-theme/static/img/logo.svg"
    ).read_bytes()
    # the overridden stylesheet, and the default one for everything else
    assert (out / "static/css/print.css").read_bytes() == (
        FIXTURES / "example-theme/static/css/print.css"
    ).read_bytes()
    assert (out / "static/css/site.css").read_bytes() == (
        DEFAULT_THEME / "static/css/site.css"
    ).read_bytes()
    assert (out / "static/js/search.js").is_file()
    # pages the theme does not touch come from the default theme, in its frame
    conference = (out / S24 / "index.html").read_text("utf-8")
    assert 'class="page-header conference-header"' in conference
    assert "example-footer" in conference
    assert "example-footer" in (out / "search.html").read_text("utf-8")


def test_site_folder_overrides_any_theme(project: Path) -> None:
    site_theme = project / "themes" / "site"
    (site_theme / "templates").mkdir(parents=True)
    (site_theme / "templates" / "404.html").write_text(
        '{% extends "default:404.html" %}{% block content %}'
        '<h1>{{ t("page_not_found") }}</h1>'
        "<p>Riêng của trang này.</p>{% endblock %}",
        "utf-8",
    )
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    assert "Riêng của trang này." in (out / "404.html").read_text("utf-8")


# --- languages ------------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _is_vietnamese(ch: str) -> bool:
    return ch in "đĐ" or any(
        unicodedata.combining(c) for c in unicodedata.normalize("NFD", ch)
    )


class _Chrome(HTMLParser):
    """Text and labelling attributes of a page, leaving out narratives and figures."""

    LABELS = ("alt", "title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if (
            self.skip
            or (tag == "section" and "narrative" in a.get("class", ""))
            or tag == "figure"
        ):
            self.skip += tag not in ("meta", "link", "img", "input", "br")
            return
        self.texts += [a[k] for k in self.LABELS if a.get(k)]
        self.texts += [v for k, v in a.items() if k.startswith("data-msg-") and v]

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.texts.append(data)


def test_english_site_has_no_vietnamese_ui_strings(project: Path) -> None:
    config = project / "site.yaml"
    config.write_text(
        "title: Proceedings of the children's conferences\n"
        "description: Summaries and figures of the southern conferences on children.\n"
        "organisation: Ministry of Labour, Invalids and Social Affairs\n"
        "language: en\n"
        f"base_url: {BASE}\n"
        "archives: [../shared/seeds]\n",
        "utf-8",
    )
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    site = load_site(project, Problems())
    content = set(_strings([e.data.model_dump(mode="json") for e in site.entries]))
    content |= set(
        _strings(
            [
                n.front.model_dump(mode="json")
                for e in site.entries
                for n in e.narratives
            ]
        )
    )
    english = yaml.safe_load((DEFAULT_THEME / "messages/en.yaml").read_text("utf-8"))
    # The English catalogue itself is English (one hint quotes a Vietnamese example).
    assert [
        k
        for k, v in english.items()
        # language_vi names Vietnamese in Vietnamese, for the language switcher
        if k not in ("search_hint", "language_vi")
        and any(_is_vietnamese(c) for c in str(v))
    ] == []
    allowed = sorted(
        content | {str(v) for v in english.values()}, key=len, reverse=True
    )
    left: list[str] = []
    for rel in html_pages(out):
        assert '<html lang="en">' in (out / rel).read_text("utf-8")
        assert head(out / rel).meta["og:locale"] == "en_GB"
        parser = _Chrome()
        # A run kept on one line (<span class="nw">) is part of its sentence.
        page = (out / rel).read_text("utf-8")
        parser.feed(re.sub(r'<span class="nw">([^<]*)</span>', r"\1", page))
        for text in parser.texts:
            cut = text.strip().removesuffix("…").rstrip()
            if cut != text.strip() and any(c.startswith(cut) for c in content):
                continue  # a summary cut short on the home page
            for known in allowed:
                if known in text:
                    text = text.replace(known, " ")
            if any(_is_vietnamese(ch) for ch in text):
                left.append(f"{rel}: {text.strip()!r}")
    assert left == []


def test_every_message_key_used_exists_in_both_catalogues() -> None:
    used: set[str] = set()
    for name in SITE_TEMPLATES:
        text = (DEFAULT_THEME / "templates" / f"{name}.html").read_text("utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""", text))
    used |= {f"status_{s}" for s in ("done", "in_progress", "not_done", "unreported")}
    for lang in ("vi", "en"):
        catalogue = yaml.safe_load(
            (DEFAULT_THEME / "messages" / f"{lang}.yaml").read_text("utf-8")
        )
        assert sorted(used - set(catalogue)) == [], lang


class _LiteralText(HTMLParser):
    LABELS = ("alt", "title", "aria-label", "placeholder", "value")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_style = False

    def handle_endtag(self, tag: str) -> None:
        self.in_style = self.in_style and tag != "style"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_style = tag == "style"
        for key, value in attrs:
            if value and (key in self.LABELS or key.startswith("data-msg-")):
                self.found.append(f"<{tag} {key}={value!r}>")

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.found.append(data)


# Words that are not UI text: format names and Open Graph values.
NOT_UI = re.compile(r"\b(PDF|website|article)\b")


@pytest.mark.parametrize("name", SITE_TEMPLATES)
def test_templates_write_no_literal_ui_text(name: str) -> None:
    text = (DEFAULT_THEME / "templates" / f"{name}.html").read_text("utf-8")
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", "", text, flags=re.S)
    parser = _LiteralText()
    parser.feed(text)
    literal = [
        t.strip() for t in parser.found if re.search(r"[^\W\d_]", NOT_UI.sub("", t))
    ]
    assert literal == [], (
        f"{name}.html has text that does not go through t(): {literal}"
    )


# --- proceedings new ------------------------------------------------------------------


def test_new_scaffolds_a_conference_that_builds_at_once(project: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(project), "new", "hoi-nghi-moi-2025"]
    )
    assert result.exit_code == 0, result.output
    data = project / "data" / "hoi-nghi-moi-2025.yaml"
    narrative = project / "content" / "hoi-nghi-moi-2025" / "gioi-thieu.md"
    assert data.is_file() and narrative.is_file()
    assert "created data/hoi-nghi-moi-2025.yaml" in result.output
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False, strict=False))
    page = (out / "hoi-nghi-moi-2025" / "index.html").read_text("utf-8")
    assert "Giới thiệu" in page and "(thay bằng phần giới thiệu hội nghị)" in page
    assert (
        "This line and the ones like it" not in page
    )  # notes to the author stay hidden
    # What is left to do: every placeholder, at its line, and the organiser's source.
    check = CliRunner().invoke(cli, ["--root", str(project), "check", "--strict"])
    assert check.exit_code == 1, check.output
    lines = data.read_text("utf-8").splitlines()
    starts = ("title:", "short_title:", "series:", "  - name:", "  text:", "    title:")
    placeholders = [
        f"data/hoi-nghi-moi-2025.yaml:{n}:"
        for n, line in enumerate(lines, 1)
        if line.startswith(starts) and ("(thay bằng" in line or line.endswith(">-"))
    ]
    assert len(placeholders) == 6  # title, short, series, organiser, summary, source
    for where in placeholders:
        assert where in check.stderr, where
    assert "content/hoi-nghi-moi-2025/gioi-thieu.md:" in check.stderr
    assert check.stderr.count("placeholder text from `proceedings new`") == 8
    assert "this organiser has no source and is not marked editorial" in check.stderr


def _fields(cls: type[model.Strict]) -> set[str]:
    names = set(cls.model_fields)
    for field in cls.model_fields.values():
        for arg in getattr(field.annotation, "__args__", ()) or ():
            if isinstance(arg, type) and issubclass(arg, model.Strict):
                names |= _fields(arg)
        if isinstance(field.annotation, type) and issubclass(
            field.annotation, model.Strict
        ):
            names |= _fields(field.annotation)
    return names


def test_new_data_file_names_every_field(project: Path) -> None:
    CliRunner().invoke(cli, ["--root", str(project), "new", "hoi-nghi-moi"])
    text = (project / "data" / "hoi-nghi-moi.yaml").read_text("utf-8")
    keys = set(re.findall(r"^[#\s-]*([a-z_]+):", text, re.M))
    missing = _fields(model.Conference) - keys
    assert missing == set()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Hội nghị 2025", "is not a valid slug"),
        ("hoi_nghi", "try 'hoi-nghi'"),
        ("-hoi-nghi", "is not a valid slug"),
        ("a" * 81, "at most 80"),
        (S24, "already exists"),
    ],
)
def test_new_refuses_a_bad_or_taken_slug(
    project: Path, slug: str, message: str
) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = CliRunner().invoke(cli, ["--root", str(project), "new", "--", slug])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_new_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "new", "hoi-nghi"])
    assert result.exit_code == 2
    assert "no site.yaml" in result.output
