"""English pages of the real project: paths, languages, switcher, fallbacks, numbers,
search, sitemap, `check --translations`, and incremental rebuilds of translations."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import TEST_BASE, make_public, search_index, search_text

from generator.build.pipeline import build_site
from generator.commands.main import cli
from generator.core.context import BuildOptions

S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
BASE = TEST_BASE
REPO = Path(__file__).resolve().parents[2]
EN = yaml.safe_load((REPO / "themes/default/messages/en.yaml").read_text("utf-8"))
NOTE = EN["translation_missing"]
PAGES = ["index.html", f"{S23}/index.html", f"{S24}/index.html", SERIES, "search.html"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}  # fmt: skip
# Vietnamese-style numbers: 1.317 (thousands) or 9,4 (decimals).
VI_NUMBER = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b|\b\d+,\d{1,2}\b(?!\d)")


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find(self, ident: str) -> Node:
        return next(n for n in self.iter() if n.attrs.get("id") == ident)

    def select(self, tag: str, cls: str = "") -> list[Node]:
        return [
            n
            for n in self.iter()
            if n.tag == tag and (not cls or cls in n.attrs.get("class", "").split())
        ]

    def text(self) -> str:
        return "".join(
            c if isinstance(c, str) else c.text() for c in self.children
        ).strip()

    @property
    def lang(self) -> str:
        node: Node | None = self
        while node is not None:
            if "lang" in node.attrs:
                return node.attrs["lang"]
            node = node.parent
        return ""

    def texts_by_lang(self) -> Iterator[tuple[str, str]]:
        """Each text of the page with the language it is in (its nearest lang)."""
        for node in self.iter():
            if node.tag in ("script", "style"):
                continue
            for child in node.children:
                if isinstance(child, str) and child.strip():
                    yield node.lang, child


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.here = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.here)
        self.here.children.append(node)
        if tag not in VOID:
            self.here = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.here
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.here = node.parent

    def handle_data(self, data: str) -> None:
        self.here.children.append(data)


def parse(path: Path) -> Node:
    tree = _Tree()
    tree.feed(path.read_text("utf-8"))
    return tree.root


def resolve(page: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


# --- what is published ------------------------------------------------------------


def test_english_pages_exist_beside_the_vietnamese_ones(built_html: Path) -> None:
    for page in [*PAGES, "404.html"]:
        assert (built_html / page).is_file(), page
        assert (built_html / "en" / page).is_file(), page
    assert (built_html / "en/search/manifest.js").is_file()
    for slug in (S23, S24):
        svgs = sorted((built_html / "en" / slug / "figures").glob("*.svg"))
        assert svgs and len(svgs) == len(list((built_html / slug).rglob("*.svg")))
    # Shared, not copied: static files, datasets, the feed.
    assert not (built_html / "en/static").exists()
    assert not (built_html / "en" / S24 / f"{S24}.csv").exists()


def test_pages_say_their_language(built_html: Path) -> None:
    for page in [*PAGES, "404.html"]:
        vi, en = parse(built_html / page), parse(built_html / "en" / page)
        assert vi.select("html")[0].attrs["lang"] == "vi", page
        assert en.select("html")[0].attrs["lang"] == "en", page


def test_switcher_links_resolve_to_the_same_page_both_ways(built_html: Path) -> None:
    for page in [*PAGES, "404.html"]:
        for here, there in ((page, f"en/{page}"), (f"en/{page}", page)):
            links = parse(built_html / here).select("a", "lang-switch")
            assert len(links) == 1, here
            link = links[0].attrs
            assert resolve(here, link["href"]) == there
            assert (built_html / there).is_file()
            assert link["hreflang"] == link["lang"] == ("en" if here == page else "vi")


def test_english_pages_link_english_pages_and_shared_files(built_html: Path) -> None:
    for page in PAGES:
        here = f"en/{page}"
        for node in parse(built_html / here).iter():
            href = node.attrs.get("href") or node.attrs.get("src") or ""
            if not href or href.startswith(("#", "http", "mailto:")):
                continue
            target = resolve(here, href.split("#")[0].split("?")[0])
            assert (built_html / target).is_file(), (here, href)
            if target.endswith(".html") and node.attrs.get("class") != "lang-switch":
                assert target.startswith("en/"), (here, href)


def test_hreflang_alternates_name_both_versions(built_html: Path) -> None:
    for page in PAGES:
        for here in (page, f"en/{page}"):
            links = {
                n.attrs["hreflang"]: n.attrs["href"]
                for n in parse(built_html / here).select("link")
                if n.attrs.get("rel") == "alternate" and "hreflang" in n.attrs
            }
            public = page.removesuffix("index.html")
            assert links == {
                "vi": BASE + public,
                "x-default": BASE + public,
                "en": BASE + "en/" + public,
            }, here


def test_sitemap_lists_both_languages(built_html: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring((built_html / "sitemap.xml").read_bytes())
    locs = {u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)}
    for page in PAGES:
        assert BASE + page.removesuffix("index.html") in locs
        assert BASE + "en/" + page.removesuffix("index.html") in locs
    assert not any(loc.endswith("404.html") for loc in locs)
    url = next(
        u
        for u in root.findall("s:url", ns)
        if u.findtext("s:loc", namespaces=ns) == f"{BASE}en/{S24}/"
    )
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in url.findall("{http://www.w3.org/1999/xhtml}link")
    }
    assert alternates == {"vi": f"{BASE}{S24}/", "en": f"{BASE}en/{S24}/"}


# --- translations and fallbacks ---------------------------------------------------


def test_untranslated_narrative_is_vietnamese_with_a_note(built_html: Path) -> None:
    page = parse(built_html / "en" / S24 / "index.html")
    fallback = page.find("n-noi-dung-thao-luan")
    assert fallback.attrs["lang"] == "vi"
    notes = fallback.select("p", "translation-note")
    assert [n.text() for n in notes] == [NOTE]
    assert notes[0].attrs["lang"] == "en"
    assert fallback.select("h2")[0].text() == "Các vấn đề được thảo luận"
    toc = {
        a.attrs["href"]: a
        for a in page.select("a")
        if a.parent and a.parent.tag == "li"
    }
    assert toc["#n-noi-dung-thao-luan"].attrs["lang"] == "vi"
    # Translated narratives are English, without a note.
    for ident in ("n-tinh-hinh-tre-em", "n-chi-dao-cua-thu-truong"):
        section = page.find(ident)
        assert "lang" not in section.attrs and section.lang == "en"
        assert not section.select("p", "translation-note")
        assert "lang" not in toc[f"#{ident}"].attrs
    assert page.find("n-tinh-hinh-tre-em").select("h2")[0].text() == (
        "The situation of children in the first half of 2024"
    )
    # The Vietnamese page has no note and no lang attributes on its sections.
    vi = parse(built_html / S24 / "index.html")
    assert not vi.select("p", "translation-note")
    assert "lang" not in vi.find("n-noi-dung-thao-luan").attrs
    assert NOTE not in (built_html / S24 / "index.html").read_text("utf-8")


def test_english_pages_have_english_labels_and_marked_quotes(built_html: Path) -> None:
    page = parse(built_html / "en" / S24 / "index.html")
    assert page.select("h1")[0].text() == (
        "Conference reviewing child affairs, first half of 2024"
    )
    row = page.find("chi-so-vu-xam-hai-tre-em")
    assert row.select("th")[0].text().startswith("Child abuse cases nationwide")
    quote = row.select("q")[0]
    assert quote.attrs["lang"] == "vi" and "1.317 vụ" in quote.text()


def test_english_text_has_english_number_format(built_html: Path) -> None:
    for page in PAGES:
        for lang, text in parse(built_html / "en" / page).texts_by_lang():
            if lang == "en":
                assert not VI_NUMBER.search(text), (page, text)
    text = (built_html / "en" / S24 / "index.html").read_text("utf-8")
    assert "1,317\u00a0cases" in text and "down 31\u00a0cases" in text
    assert "1,348\u00a0cases" in text  # the derived compared value


def test_english_series_page_fills_the_earlier_column_as_the_vietnamese_one_does(
    built_html: Path,
) -> None:
    # "first half of 2023" (compared_to) names the period "First half of 2023".
    series = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
    row = next(
        tr
        for tr in parse(built_html / "en" / series).select("tr")
        if tr.select("th") and tr.select("th")[0].text().startswith("Child abuse")
    )
    earlier, later = (td.text() for td in row.select("td"))
    assert earlier.startswith(
        "1,348\u00a0cases (derived: from the stated change, down 31\u00a0cases)"
    )
    assert earlier.endswith("as stated by the meeting on First half of 2024")
    assert later.startswith("1,317\u00a0cases")


def _values(path: Path, thousands: str, point: str) -> dict[str, Decimal]:
    out = {}
    for row in parse(path).select("tr"):
        ident = row.attrs.get("id", "")
        if ident.startswith("chi-so-"):
            cell = row.select("td", "num")[0].text()
            number = re.search(r"[\d.,]+", cell)
            assert number, cell
            plain = number.group().replace(thousands, "").replace(point, ".")
            out[ident] = Decimal(plain)
    return out


@pytest.mark.parametrize("slug", [S23, S24])
def test_numbers_are_the_datas_in_both_languages(built_html: Path, slug: str) -> None:
    vi = _values(built_html / slug / "index.html", ".", ",")
    en = _values(built_html / "en" / slug / "index.html", ",", ".")
    assert vi and vi == en


def test_english_page_links_the_vietnamese_pdf_with_a_note(built_site: Path) -> None:
    page = parse(built_site / "en" / S24 / "index.html")
    button = next(
        a for a in page.select("a", "button") if a.attrs["href"].endswith(".pdf")
    )
    assert resolve(f"en/{S24}/index.html", button.attrs["href"]) == f"{S24}/{S24}.pdf"
    assert button.attrs["hreflang"] == "vi"
    assert button.text().endswith(f"{EN['in_language_vi']})")
    vi = parse(built_site / S24 / "index.html")
    vi_button = next(
        a for a in vi.select("a", "button") if a.attrs["href"].endswith(".pdf")
    )
    assert "hreflang" not in vi_button.attrs


def test_english_search_index_holds_english_texts_and_local_links(
    built_html: Path,
) -> None:
    text = search_text(built_html / "en")
    assert "Child abuse cases nationwide" in text
    assert "The situation of children in the first half of 2024" in text
    index = search_index(built_html / "en")
    for chunk in index.chunks.values():
        for url, *_ in chunk:
            assert (built_html / "en" / url.partition("#")[0]).is_file(), url
    page = parse(built_html / "en/search.html")
    sources = [s.attrs.get("src", "") for s in page.select("script")]
    assert "search/manifest.js" in sources  # its own, beside it in en/


# --- a Vietnamese-only site is unchanged ------------------------------------------


def test_without_languages_there_are_no_english_pages(project: Path) -> None:
    config = make_public(project) / "site.yaml"
    config.write_text(
        re.sub(r"(?m)^languages:.*\n", "", config.read_text("utf-8")), "utf-8"
    )
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    assert not (out / "en").exists()
    for page in out.rglob("*.html"):
        html = page.read_text("utf-8")
        assert "lang-switch" not in html and "hreflang" not in html, page
    assert "xhtml:link" not in (out / "sitemap.xml").read_text("utf-8")


# --- proceedings check --translations ----------------------------------------------


def test_check_translations_lists_missing_narratives(project: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(project), "check", "--translations"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("  ")]
    assert lines == [
        f"content/{S23}/chuong-trinh-hoi-nghi.md:1:1: warning: narrative has no "
        f"English version (content/{S23}/en/chuong-trinh-hoi-nghi.md)",
        f"content/{S23}/khai-mac.md:1:1: warning: narrative has no English version "
        f"(content/{S23}/en/khai-mac.md)",
        f"content/{S24}/noi-dung-thao-luan.md:1:1: warning: narrative has no "
        f"English version (content/{S24}/en/noi-dung-thao-luan.md)",
    ]
    hints = [line for line in result.stderr.splitlines() if line.startswith("  hint:")]
    assert len(hints) == 3
    assert result.stdout.splitlines()[-1] == (
        "Translations: 3 narrative(s) and 0 text(s) of the data have no English "
        "version."
    )
    plain = CliRunner().invoke(cli, ["--root", str(project), "check"])
    assert plain.exit_code == 0 and "English version" not in plain.output


def test_check_translations_reports_a_label_at_its_position(project: Path) -> None:
    data = project / "data" / f"{S24}.yaml"
    text = data.read_text("utf-8").replace(
        "      label: Children who died from drowning\n", "", 1
    )
    data.write_text(text, "utf-8")
    line = text.count("\n", 0, text.index("label: Trẻ em tử vong")) + 1
    result = CliRunner().invoke(
        cli, ["--root", str(project), "check", "--translations"]
    )
    assert result.exit_code == 0
    assert (
        f"data/{S24}.yaml:{line}:12: warning: indicators[1].label has no English "
        "version: “Trẻ em tử vong do tai nạn đuối nước”\n"
        "  hint: add `label: …` to this item's `en:` block (docs/bilingual.md); "
        "until then English pages show the Vietnamese text\n"
    ) in result.stderr


def test_check_translations_strict_fails_on_any_gap(project: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--root", str(project), "check", "--translations", "--strict"]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.rstrip().endswith(
        "0 error(s), 3 warning(s) (warnings fail the run under --strict)"
    )
    for name in ("chuong-trinh-hoi-nghi", "khai-mac"):
        (project / "content" / S23 / "en" / f"{name}.md").write_text(
            f"---\ntitle: {name}\n---\n\nText.\n", "utf-8"
        )
    (project / "content" / S24 / "en" / "noi-dung-thao-luan.md").write_text(
        "---\ntitle: Discussion\n---\n\nText.\n", "utf-8"
    )
    result = CliRunner().invoke(
        cli, ["--root", str(project), "check", "--translations", "--strict"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "Translations: every narrative and text has an English version."
    )


def test_check_translations_says_when_english_pages_are_off(project: Path) -> None:
    config = project / "site.yaml"
    config.write_text(
        re.sub(r"(?m)^languages:.*\n", "", config.read_text("utf-8")), "utf-8"
    )
    result = CliRunner().invoke(
        cli, ["--root", str(project), "check", "--translations"]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        "note: English pages are off; add `languages: [vi, en]` to site.yaml to "
        "publish them"
    )


def test_check_reports_an_unknown_id_in_an_english_narrative(project: Path) -> None:
    path = project / "content" / S24 / "en" / "tinh-hinh-tre-em.md"
    text = path.read_text("utf-8").replace(
        ":ind[vu-xam-hai-tre-em]", ":ind[vu-xam-hai]", 1
    )
    path.write_text(text, "utf-8")
    line = text[: text.index(":ind[vu-xam-hai]")].count("\n") + 1
    col = text.index(":ind[vu-xam-hai]") - text.rfind(
        "\n", 0, text.index(":ind[vu-xam-hai]")
    )
    for command in (["check"], ["build", "--no-pdf"]):
        result = CliRunner().invoke(cli, ["--root", str(project), *command])
        assert result.exit_code == 1, result.output
        assert (
            f"content/{S24}/en/tinh-hinh-tre-em.md:{line}:{col}: error: unknown "
            "indicator 'vu-xam-hai'"
        ) in result.stderr


def test_help_describes_translations() -> None:
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert "--translations" in result.output and "docs/bilingual.md" in result.output


# --- incremental builds -----------------------------------------------------------


def test_an_edited_translation_rebuilds_its_english_page(project: Path) -> None:
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    vi_before = (out / S24 / "index.html").read_bytes()
    path = project / "content" / S24 / "en" / "chi-dao-cua-thu-truong.md"
    path.write_text(
        path.read_text("utf-8").replace(
            "In-depth review, concrete solutions", "core of things"
        ),
        "utf-8",
    )
    summary = build_site(project, BuildOptions(output=out, pdf=False))
    assert "core of things" in (out / "en" / S24 / "index.html").read_text("utf-8")
    assert (out / S24 / "index.html").read_bytes() == vi_before
    assert summary.pages_reused > 0  # the other pages were not rendered again


def test_a_third_language_is_configuration_and_a_message_catalogue(
    project: Path,
) -> None:
    # French pages with no French text at all: every text falls back to Vietnamese,
    # marked as such, and the UI speaks French.
    messages = project / "themes" / "site" / "messages"
    messages.mkdir(parents=True)
    french = dict(
        EN, home="Accueil", language_fr="Français", in_language_fr="en français"
    )
    (messages / "fr.yaml").write_text(yaml.safe_dump(french, allow_unicode=True))
    for name in ("en.yaml",):  # the switcher names every language in every catalogue
        extra = {"language_fr": "Français", "in_language_fr": "in French"}
        (messages / name).write_text(yaml.safe_dump(dict(EN, **extra)))
    config = make_public(project) / "site.yaml"
    config.write_text(
        config.read_text("utf-8").replace(
            "languages: [vi, en]", "languages: [vi, en, fr]"
        )
    )
    out = project / "output"
    build_site(project, BuildOptions(output=out, pdf=False))
    page = (out / "fr" / S24 / "index.html").read_text("utf-8")
    assert '<html lang="fr">' in page and "Accueil" in page
    assert 'lang="vi">Vụ xâm hại trẻ em trên toàn quốc' in page
    assert "1 317" in page or "1,317" in page or "1.317" in page
    assert (out / "fr" / "search" / "manifest.js").is_file()
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert 'hreflang="fr"' in sitemap
