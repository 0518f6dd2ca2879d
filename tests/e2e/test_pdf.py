"""The PDF briefs of the real conferences, read back with pypdf and looked at as images.

Contact sheets of every page are left in test-artifacts/pdf/ for a person to review.
"""

from __future__ import annotations

import http.server
import multiprocessing
import re
import shutil
import subprocess
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from generator.build.pipeline import build_site, make_brief
from generator.commands.main import cli
from generator.core.context import CACHE_DIR, BuildContext, BuildOptions, SilentReporter
from generator.errors import BuildFailed, Problem, Problems
from generator.load.project import load_site
from generator.markdown.render import render_narratives
from generator.pdf import worker as pdf_worker
from generator.pdf.fetch import (
    FALLBACK_ROOT,
    RefusedURL,
    Resources,
    check_url,
    make_url_fetcher,
)
from generator.pdf.options import PdfOptions
from generator.pdf.stage import make_briefs
from generator.pdf.worker import render_pdf
from generator.site.pages import plan_site
from generator.site.views import Extras

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "pdf"


def pdf_context(project: Path) -> BuildContext:
    """A context for calling the PDF stage directly, with the project's cache."""
    return BuildContext.open(project, BuildOptions(project / "output"))


S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
SERIES_SLUG = "hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam"
BRIEFS = {
    S23: f"{S23}/{S23}.pdf",
    S24: f"{S24}/{S24}.pdf",
    "series": f"series/{SERIES_SLUG}/{SERIES_SLUG}.pdf",
}
MM = 72 / 25.4  # PDF points per millimetre
BOTTOM_MARGIN_MM = 22  # brief.css @page margin


# --- helpers ------------------------------------------------------------------------


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def plain(text: str) -> str:
    """Collapse whitespace (NBSP included) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def outline(reader: PdfReader) -> list[tuple[int, str, int, float]]:
    """Flatten the bookmarks: (depth, title, 1-based page, top of the destination)."""
    items: list[tuple[int, str, int, float]] = []

    def walk(nodes: list[Any], depth: int) -> None:
        for node in nodes:
            if isinstance(node, list):
                walk(node, depth + 1)
            else:
                page = reader.get_destination_page_number(node) + 1
                items.append((depth, str(node.title), page, float(node.top or 0)))

    walk(reader.outline, 0)
    return items


def fonts_of(reader: PdfReader) -> dict[str, Any]:
    """Every font used on any page, figures (form XObjects) included."""
    found: dict[str, Any] = {}
    seen: set[int] = set()

    def walk(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
        for group in ("/XObject", "/Pattern"):
            for ref in (resources.get(group) or {}).values():
                obj = ref.get_object()
                if id(obj) not in seen:
                    seen.add(id(obj))
                    walk(obj.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found


def seed_figures(project: Path, built_site: Path) -> Path:
    """Give a project copy the figures already drawn for built_site, to save time."""
    cache = built_site.parent / CACHE_DIR / "figures"
    if cache.is_dir():
        shutil.copytree(cache, project / CACHE_DIR / "figures", dirs_exist_ok=True)
    return project


def render_pages(pdf: Path, out: Path) -> list[Path]:
    """Render every page of pdf to PNG at 50 dpi with pdftoppm; the tool must exist."""
    tool = shutil.which("pdftoppm")
    assert tool, "pdftoppm (poppler-utils) is needed: make system-deps-test"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-r", "50", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def ink_outside_content(png: Path) -> list[str]:
    """Say where a page has ink in its left or right margin, beyond the content box."""
    image = Image.open(png).convert("L")
    width, height = image.size
    px_per_mm = width / 210
    left = int(20 * px_per_mm)  # content starts 22 mm from the left edge
    right = width - int(18 * px_per_mm)  # and ends 20 mm from the right edge
    pixels = image.load()
    assert pixels is not None
    found = []
    for x in [*range(0, left), *range(right, width)]:
        dark = [y for y in range(height) if pixels[x, y] < 235]
        if dark:
            found.append(f"x={x} y={dark[0]}..{dark[-1]}")
    return found


def contact_sheet(pages: list[Path], target: Path) -> None:
    images = [Image.open(p) for p in pages]
    width, height = images[0].size
    cols = 4
    rows = (len(images) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * (width + 6), rows * (height + 6)), (128, 128, 128))
    for i, image in enumerate(images):
        sheet.paste(image, ((i % cols) * (width + 6), (i // cols) * (height + 6)))
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target)


class Spy(http.server.BaseHTTPRequestHandler):
    """Records every request; a brief must never make one."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Spy.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    """A listener on 127.0.0.1; yields its base URL, checks nobody called it."""
    Spy.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Spy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
    assert Spy.requests == [], "a brief fetched from the network"


@pytest.fixture(scope="module")
def readers(built_site: Path) -> dict[str, PdfReader]:
    return {name: PdfReader(built_site / path) for name, path in BRIEFS.items()}


def problems_of(exc: pytest.ExceptionInfo[BuildFailed]) -> list[Problem]:
    return list(exc.value.problems)


# --- what the briefs say --------------------------------------------------------------


def test_page_counts_are_sane(readers: dict[str, PdfReader]) -> None:
    pages = {name: len(reader.pages) for name, reader in readers.items()}
    assert 6 <= pages[S23] <= 30
    assert 6 <= pages[S24] <= 30
    # one cover, contents and colophon instead of two, plus the comparison
    assert pages[S23] + pages[S24] - 4 <= pages["series"] <= pages[S23] + pages[S24] + 2


def test_facts_extract_exactly_in_nfc(readers: dict[str, PdfReader]) -> None:
    for name in (S23, S24, "series"):
        raw = "\n".join(page_texts(readers[name]))
        assert unicodedata.is_normalized("NFC", raw), name
        text = plain(raw)
        for heading in (
            "Mục lục",
            "Tổng quan",
            "Số liệu chính",
            "Chương trình và nội dung",
            "Nội dung thảo luận",
            "Văn bản được đề cập",
            "Nguồn tư liệu",
            "Về bản tóm tắt này",
        ):
            assert heading in text, (name, heading)
        assert "Nguyễn Thị Hà" in text
        assert "Thứ trưởng" in text
        # The sources give no date and no venue: the brief says so, invents none.
        assert "Nguồn không nêu ngày họp" in text, name
        assert "Nguồn không nêu địa điểm họp" in text, name
    t24 = plain("\n".join(page_texts(readers[S24])))
    assert "1.317 vụ" in t24
    assert "giảm 31 vụ" in t24
    assert "Nhiệm vụ đặt ra" in t24  # the 2024 article states the tasks it set
    # On paper, the source's words for each entry are printed under the source.
    assert "Câu trích từ nguồn này (15)" in t24
    assert "Nguyễn Thị Hà: “Thứ Trưởng Bộ Lao động" in t24
    assert "Nhiệm vụ đặt ra" not in plain("\n".join(page_texts(readers[S23])))
    t23 = plain("\n".join(page_texts(readers[S23])))
    for fact in (
        "17.800 trẻ em",
        "9,4 tỷ đồng",
        "hơn 20 tỷ đồng",
        "gần 600.000 trẻ em",
        "(tính toán)",
        "13/2021/TT-LĐTBXH",
    ):
        assert fact in t23, fact


def test_every_font_is_embedded_and_shipped_with_the_theme(
    readers: dict[str, PdfReader],
) -> None:
    for name, reader in readers.items():
        fonts = fonts_of(reader)
        assert fonts, name
        for base, font in fonts.items():
            if font["/Subtype"] == "/Type0":
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), base
            # Families declared by brief.css only: no system font was picked up.
            assert re.fullmatch(
                r"/[A-Z]{6}\+Proceedings-(Serif|Sans|Symbols)(-\w+)*", base
            ), base


def test_metadata_title_author_language_and_dates_from_the_data(
    readers: dict[str, PdfReader],
) -> None:
    reader = readers[S24]
    info = reader.metadata
    assert info is not None
    assert info["/Title"] == "Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2024"
    # The publisher (site.yaml organisation): the article names no organiser.
    assert info["/Author"] == "Bộ Lao động – Thương binh và Xã hội"  # noqa: RUF001
    assert info["/Subject"].startswith("Các đại biểu thảo luận kết quả thực hiện")
    assert "Hội nghị công tác trẻ em khu vực phía Nam" in info["/Keywords"]
    assert info["/CreationDate"] == info["/ModDate"] == "D:20240630"  # period end
    assert info["/Creator"].startswith("proceedings ")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "vi"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp
    series = readers["series"].metadata
    assert series is not None
    assert series["/Title"] == "Hội nghị công tác trẻ em khu vực phía Nam"


def test_bookmarks_are_the_headings_and_the_contents_print_their_pages(
    readers: dict[str, PdfReader],
) -> None:
    for name, reader in readers.items():
        items = outline(reader)
        texts = page_texts(reader)
        assert len(items) >= 8, name
        # Each bookmark's heading is on the page it points to.
        for _, title, page, _ in items:
            assert plain(title) in plain(texts[page - 1]), (name, title, page)
        # The contents list exactly the bookmarks, in order, with their real pages.
        first_content = min(page for _, _, page, _ in items)
        contents = plain(" ".join(texts[1 : first_content - 1]))
        contents = re.sub(r"(?: ?\.){3,} ?", " … ", contents)
        assert contents.startswith("Mục lục"), name
        assert contents.count(" … ") == len(items), name
        at = 0
        for _, title, page, _ in items:
            match = re.compile(re.escape(plain(title)) + r" … (\d+)").search(
                contents, at
            )
            assert match, (name, title)
            assert int(match.group(1)) == page, (name, title)
            at = match.end()


def test_headings_are_never_stranded_at_the_bottom_of_a_page(
    readers: dict[str, PdfReader],
) -> None:
    lowest = (BOTTOM_MARGIN_MM + 12) * MM  # room for a heading and two lines of text
    for name, reader in readers.items():
        for _, title, page, top in outline(reader):
            assert top > lowest, (name, title, page, top)


def test_every_page_but_the_cover_says_trang_x_of_n(
    readers: dict[str, PdfReader],
) -> None:
    for name, reader in readers.items():
        texts = page_texts(reader)
        total = len(texts)
        assert "Trang" not in texts[0], name
        for number, text in enumerate(texts[1:], start=2):
            assert f"Trang {number}/{total}" in text, (name, number)


def test_series_brief_holds_both_conferences_oldest_first(
    readers: dict[str, PdfReader],
) -> None:
    reader = readers["series"]
    top = [title for depth, title, _, _ in outline(reader) if depth == 0]
    assert top == [
        "So sánh số liệu qua các kỳ",
        "6 tháng đầu năm 2023",
        "6 tháng đầu năm 2024",
        "Về bản tóm tắt này",
    ]
    text = plain("\n".join(page_texts(reader)))
    assert (
        "Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2023 khu vực phía Nam"
        in text
    )
    assert "Hội nghị đánh giá công tác trẻ em 6 tháng đầu năm 2024" in text
    assert "17.800 trẻ em" in text and "1.317 vụ" in text
    # The comparison says where a year's source is silent, and whose number a
    # column restates.
    assert "Nguồn của kỳ này không nêu" in text
    assert "theo số liệu kỳ 6 tháng đầu năm 2024" in text


def test_pages_keep_inside_the_content_box(built_site: Path, tmp_path: Path) -> None:
    for name, path in BRIEFS.items():
        pages = render_pages(built_site / path, tmp_path / name)
        assert len(pages) == len(PdfReader(built_site / path).pages)
        contact_sheet(pages, ARTIFACTS / f"{name}.png")
        for png in pages[1:]:  # the cover bleeds on purpose
            assert ink_outside_content(png) == [], (name, png.name)


# --- reproducible and cached --------------------------------------------------------


def test_rebuild_is_byte_identical_and_comes_from_the_cache(
    project: Path, built_site: Path, tmp_path: Path
) -> None:
    seed_figures(project, built_site)
    first = build_site(project, BuildOptions(output=tmp_path / "one"))
    assert (first.pdfs_made, first.pdfs_cached) == (3, 0)
    second = build_site(project, BuildOptions(output=tmp_path / "two"))
    assert (second.pdfs_made, second.pdfs_cached) == (0, 3)
    shutil.rmtree(project / CACHE_DIR / "pdf")
    third = build_site(project, BuildOptions(output=tmp_path / "three"))
    assert (third.pdfs_made, third.pdfs_cached) == (3, 0)
    for path in BRIEFS.values():
        one = (tmp_path / "one" / path).read_bytes()
        assert one == (tmp_path / "two" / path).read_bytes(), path
        assert one == (tmp_path / "three" / path).read_bytes(), path  # rendered again
        assert one == (built_site / path).read_bytes(), (
            path
        )  # another folder, same bytes


def test_a_changed_stylesheet_remakes_the_briefs(
    project: Path, built_site: Path
) -> None:
    seed_figures(project, built_site)
    build_site(project, BuildOptions(output=project / "output", pdf=True))
    css = project / "themes" / "default" / "static" / "css" / "brief.css"
    css.write_text(css.read_text("utf-8") + "\nh2 { color: #222; }\n", "utf-8")
    again = build_site(project, BuildOptions(output=project / "output"))
    assert (again.pdfs_made, again.pdfs_cached) == (3, 0)


def test_an_edited_narrative_remakes_only_the_briefs_that_print_it(
    built_site: Path, tmp_path: Path
) -> None:
    # The session's build, output and cache included: its briefs are a clean
    # build's. A 2024 narrative is in the 2024 brief and the series brief only.
    root = tmp_path / "site"
    shutil.copytree(built_site.parent, root, symlinks=True)
    out = root / "output"
    again = build_site(root, BuildOptions(output=out))  # a new folder: links kept
    assert (again.pdfs_made, again.pdfs_cached) == (0, 3)
    inode = {name: (out / path).stat().st_ino for name, path in BRIEFS.items()}
    narrative = root / "content" / S24 / "tinh-hinh-tre-em.md"
    original = narrative.read_text("utf-8")
    narrative.write_text(original + "\nĐoạn thêm ZQXW4242 để thử.\n", "utf-8")
    edited = build_site(root, BuildOptions(output=out))
    assert (edited.pdfs_made, edited.pdfs_cached) == (2, 1)
    assert (out / BRIEFS[S23]).stat().st_ino == inode[S23]  # linked, not rewritten
    for name, path in BRIEFS.items():
        text = plain(" ".join(page_texts(PdfReader(out / path))))
        assert ("ZQXW4242" in text) == (name != S23), name
    # Undone: every brief is the clean build's again, byte for byte, from the cache.
    narrative.write_text(original, "utf-8")
    undone = build_site(root, BuildOptions(output=out))
    assert (undone.pdfs_made, undone.pdfs_cached) == (0, 3)
    for path in BRIEFS.values():
        assert (out / path).read_bytes() == (built_site / path).read_bytes(), path


# --- safety ---------------------------------------------------------------------------


def test_url_fetcher_serves_the_site_and_refuses_everything_else(loopback: str) -> None:
    css = REPO / "themes" / "default" / "static" / "css" / "brief.css"
    resources = Resources(
        FALLBACK_ROOT,
        {"static/css/brief.css": css, "conf/figures/a.svg": b"<svg/>"},
        (css.parent.parent.resolve(),),
    )
    refusals: list[Any] = []
    fetcher = make_url_fetcher(resources, refusals)
    assert fetcher.fetch(FALLBACK_ROOT + "conf/figures/a.svg").read() == b"<svg/>"
    served = fetcher.fetch(FALLBACK_ROOT + "static/css/brief.css")
    assert served.content_type == "text/css"
    refused = [
        f"{loopback}/spy.png",
        "https://example.com/x.css",
        "file:///etc/passwd",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "ftp://example.com/x",
        "javascript:alert(1)",
    ]
    for url in refused:
        with pytest.raises(RefusedURL) as exc:
            fetcher.fetch(url)
        assert exc.value.refusal.severity == "error", url
    # ../ cannot climb out of the site: it stops at its root, where nothing matches.
    escaped = urljoin(FALLBACK_ROOT + "conf/", "../../../../etc/passwd")
    assert escaped == FALLBACK_ROOT + "etc/passwd"
    with pytest.raises(RefusedURL):
        fetcher.fetch(escaped)
    assert len(refusals) == len(refused) + 1
    # Written in a page, such paths are errors before anything is rendered.
    page = FALLBACK_ROOT + "conf/"
    for raw in ("../../../../etc/passwd", "/etc/passwd", "file:///etc/passwd"):
        refusal = check_url(raw, page, resources)
        assert refusal is not None and refusal.severity == "error", raw
    assert check_url("figures/a.svg", page, resources) is None
    assert check_url("../static/css/brief.css", page, resources) is None


def test_weasyprint_gets_nothing_but_the_site(loopback: str) -> None:
    css = REPO / "themes" / "default" / "static" / "css" / "brief.css"
    resources = Resources(FALLBACK_ROOT, {"static/css/brief.css": css})
    html = f"""<!DOCTYPE html><html lang="vi"><head>
<link rel="stylesheet" href="static/css/brief.css">
<link rel="stylesheet" href="{loopback}/spy.css">
<style>@import url("file:///etc/passwd");
p {{ background: url({loopback}/bg.png) }}</style>
</head><body><p>Nguyễn Thị Hà</p>
<img src="{loopback}/spy.png"><img src="file:///etc/passwd">
<img src="../../../etc/passwd">
<img src="data:image/svg+xml;base64,PHN2Zy8+"></body></html>"""
    outcome = render_pdf(html, resources, "none")
    assert outcome.pdf.startswith(b"%PDF-")
    asked = {r.url for r in outcome.refusals}
    assert f"{loopback}/spy.css" in asked
    assert f"{loopback}/spy.png" in asked
    assert "file:///etc/passwd" in asked
    assert FALLBACK_ROOT + "etc/passwd" in asked
    assert b"root:x:0:0" not in outcome.pdf


def test_a_narrative_image_from_the_network_is_an_error_at_its_line(
    project: Path, built_site: Path, loopback: str
) -> None:
    seed_figures(project, built_site)
    narrative = project / "content" / S24 / "zz-anh.md"
    narrative.write_text(
        "---\ntitle: Ảnh\n---\n\nẢnh hội nghị:\n\n"
        f"![y]({loopback}/spy.png)\n",  # file: images are refused earlier (hostile)
        "utf-8",
    )
    with pytest.raises(BuildFailed) as exc:
        build_site(project, BuildOptions(output=project / "output"))
    found = [p for p in problems_of(exc) if p.severity == "error"]
    assert [str(p.pos) for p in found] == [f"content/{S24}/zz-anh.md:7:6"]
    assert "on the network" in found[0].message
    assert not (project / "output").exists()  # nothing published


def test_the_pdf_stage_refuses_narrative_paths_leaving_the_site(project: Path) -> None:
    (project / "content" / S24 / "zz-anh.md").write_text(
        "---\ntitle: Ảnh\n---\n\n![x](../../../../etc/passwd)\n\n![w](/etc/passwd)\n",
        "utf-8",
    )
    ignored = (
        Problems()
    )  # the Markdown stage reports these too; this is the PDF's own check
    site = load_site(project, ignored)
    narratives = {e.slug: render_narratives(e, "vi", ignored) for e in site.entries}
    ctx = pdf_context(project)
    result = make_briefs(ctx, site, plan_site(site), narratives, Extras(), {}, only=S24)
    assert result.pdfs == {}  # not rendered at all
    found = {(str(p.pos), p.severity) for p in ctx.problems}
    rel = f"content/{S24}/zz-anh.md"
    assert found == {(f"{rel}:5:6", "error"), (f"{rel}:7:6", "error")}


def test_images_of_narratives_and_the_logo_are_printed(
    project: Path, built_site: Path, tmp_path: Path
) -> None:
    seed_figures(project, built_site)
    Image.new("RGB", (40, 20), (11, 79, 138)).save(
        project / "content" / S24 / "anh.png"
    )
    Image.new("RGB", (30, 30), (179, 38, 30)).save(
        project / "content" / S24 / "so-do.png"
    )
    (project / "content" / S24 / "zz-anh.md").write_text(
        "---\ntitle: Ảnh\n---\n\n![Toàn cảnh hội nghị](anh.png)\n\n![](so-do.png)\n\n"
        "Viết {{ 7*7 }} và <script>alert(1)</script> như chữ thường.\n",
        "utf-8",
    )
    logo = project / "themes" / "site" / "static" / "img" / "logo.png"
    logo.parent.mkdir(parents=True)
    Image.new("RGB", (60, 60), (255, 255, 255)).save(logo)
    site_yaml = project / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text("utf-8") + "colors:\n  logo: img/logo.png\n", "utf-8"
    )
    out = tmp_path / "brief.pdf"
    _, _, warnings = make_brief(project, S24, out, PdfOptions(), SilentReporter())
    alt = [w for w in warnings if "alt text" in w.message]
    assert [str(w.pos) for w in alt] == [f"content/{S24}/zz-anh.md:7:5"], warnings
    reader = PdfReader(out)
    images = {
        page_number: [
            name
            for name, obj in (page["/Resources"].get("/XObject") or {}).items()
            if obj.get_object().get("/Subtype") == "/Image"
        ]
        for page_number, page in enumerate(reader.pages, start=1)
    }
    assert images[1], "the logo is on the cover"
    assert sum(len(names) for names in images.values()) >= 3
    text = plain("\n".join(page_texts(reader)))
    assert "Viết {{ 7*7 }} và <script>alert(1)</script> như chữ thường." in text
    # A logo that is not a static file is a warning at its line in site.yaml.
    site_yaml.write_text(
        site_yaml.read_text("utf-8").replace("img/logo.png", "khong-co.png")
    )
    _, _, warnings = make_brief(project, S24, out, PdfOptions(), SilentReporter())
    [missing] = [w for w in warnings if "logo" in w.message]
    assert str(missing.pos).startswith("site.yaml:")


def test_a_template_override_cannot_load_local_files(
    project: Path, built_site: Path
) -> None:
    seed_figures(project, built_site)
    override = project / "themes" / "site" / "templates" / "brief.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "default:brief.html" %}\n{% block head_extra %}\n'
        '<link rel="stylesheet" href="file:///etc/passwd">\n{% endblock %}\n',
        "utf-8",
    )
    with pytest.raises(BuildFailed) as exc:
        build_site(project, BuildOptions(output=project / "output"))
    messages = [(str(p.pos), p.message) for p in problems_of(exc)]
    assert any(
        pos == "themes/site/templates/brief.html:3:30" and "file:///etc/passwd" in msg
        for pos, msg in messages
    ), messages


def test_a_stylesheet_asking_the_network_is_refused_while_rendering(
    project: Path, built_site: Path, loopback: str
) -> None:
    seed_figures(project, built_site)
    css = project / "themes" / "site" / "static" / "css" / "brief.css"
    css.parent.mkdir(parents=True)
    default = (
        project / "themes" / "default" / "static" / "css" / "brief.css"
    ).read_text("utf-8")
    css.write_text(
        default + f"\n.cover {{ background: url({loopback}/bg.png); }}\n", "utf-8"
    )
    line = default.count("\n") + 2
    with pytest.raises(BuildFailed) as exc:
        build_site(project, BuildOptions(output=project / "output"))
    found = {str(p.pos) for p in problems_of(exc) if "bg.png" in p.message}
    assert f"themes/site/static/css/brief.css:{line}:26" in found, found


def test_long_words_urls_and_wide_tables_stay_on_the_page(
    project: Path, built_site: Path, tmp_path: Path
) -> None:
    seed_figures(project, built_site)
    cells = " | ".join(f"Cột số {i} rất dài" for i in range(14))
    (project / "content" / S24 / "zz-dai.md").write_text(
        "---\ntitle: Nội dung rất dài\n---\n\n"
        + "Từ"
        + "dài" * 150
        + " kết thúc.\n\n"
        + "Xem https://example.gov.vn/"
        + "duong-dan-rat-dai/" * 20
        + " để biết thêm.\n\n"
        + f"[liên kết](https://example.gov.vn/{'a' * 200})\n\n"
        + f"| {cells} |\n|{'---|' * 14}\n"
        + f"| {' | '.join(['1.317.000.000.000'] * 14)} |\n",
        "utf-8",
    )
    out = tmp_path / "brief.pdf"
    make_brief(project, S24, out, PdfOptions(), SilentReporter())
    pages = render_pages(out, tmp_path / "png")
    contact_sheet(pages, ARTIFACTS / "long-content.png")
    for png in pages[1:]:
        assert ink_outside_content(png) == [], png.name


def test_a_brief_over_its_limits_is_stopped_with_a_clear_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = Problems()
    site = load_site(project, problems)
    narratives = {e.slug: render_narratives(e, "vi", problems) for e in site.entries}

    def make(options: PdfOptions) -> Problem:
        ctx = pdf_context(project)
        result = make_briefs(
            ctx, site, plan_site(site), narratives, Extras(), {}, options, only=S24
        )
        assert result.pdfs == {}
        [problem] = ctx.problems.errors
        assert str(problem.pos) == f"data/{S24}.yaml:1:1"
        assert problem.message.startswith(
            f"could not make the PDF brief {S24}/{S24}.pdf"
        )
        return problem

    slow = make(PdfOptions(timeout=0.05, use_cache=False))
    assert "took over 0.05 s and was stopped" in slow.message
    # A renderer that grabs memory without end: the worker's limit stops it. (Workers
    # are forked here, so they run the patched function; other tests of the session
    # may have left threads running, which would make the stage choose spawn.)
    # Patched where the workers look them up: generator.pdf only re-exports render_pdf.
    monkeypatch.setattr(
        pdf_worker, "_process_context", lambda: multiprocessing.get_context("fork")
    )
    monkeypatch.setattr(pdf_worker, "render_pdf", lambda *args: bytearray(2**32))
    greedy = make(PdfOptions(memory=64 * 2**20, use_cache=False))
    assert "more than 64 MiB of memory" in greedy.message


def test_a_stopped_brief_leaves_its_workers_other_briefs_to_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One worker gets all three briefs, the longest (hanging) first. Forked, so the
    # workers run the patched renderer.
    monkeypatch.setattr(
        pdf_worker, "_process_context", lambda: multiprocessing.get_context("fork")
    )

    def render(html: str, *_: object) -> pdf_worker.Outcome:
        if html.startswith("hang"):
            time.sleep(60)
        return pdf_worker.Outcome(pdf=html.encode())

    monkeypatch.setattr(pdf_worker, "render_pdf", render)
    resources = Resources(FALLBACK_ROOT, {})
    jobs = [
        pdf_worker.Job(html, f"{html}.pdf", html, resources, "none", html, Path("d"))
        for html in ("b", "hang-up", "cc")
    ]
    outcomes: dict[str, pdf_worker.Outcome] = {}
    with pdf_worker.Renderers(PdfOptions(workers=1, timeout=1.5)) as renderers:
        renderers.submit(jobs)
        renderers.collect(lambda job, outcome: outcomes.update({job.html: outcome}))
        first, fresh = (w.process for w in renderers.workers)
        assert not first.is_alive()
    assert list(outcomes) == ["hang-up", "cc", "b"]  # longest first
    assert "took over 1.5 s and was stopped" in outcomes["hang-up"].error
    assert (outcomes["cc"].pdf, outcomes["b"].pdf) == (b"cc", b"b")
    assert not fresh.is_alive()


# --- the pdf command ------------------------------------------------------------------


def test_pdf_command_makes_one_brief_in_the_chosen_variant(
    project: Path, built_site: Path, tmp_path: Path
) -> None:
    seed_figures(project, built_site)
    runner = CliRunner()
    out = tmp_path / "ban-tom-tat.pdf"
    result = runner.invoke(
        cli,
        [
            "--root",
            str(project),
            "pdf",
            SERIES_SLUG,
            "-o",
            str(out),
            "--pdf-variant",
            "pdf/a-3b",
        ],
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert reader.metadata is not None
    assert reader.metadata["/Title"] == "Hội nghị công tác trẻ em khu vực phía Nam"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert not (project / "output").exists()  # the command leaves output/ alone
    unknown = runner.invoke(cli, ["--root", str(project), "pdf", "khong-co"])
    assert unknown.exit_code == 2
    assert "no conference or series 'khong-co'" in unknown.output
    variant = runner.invoke(
        cli, ["--root", str(project), "pdf", S24, "--pdf-variant", "x"]
    )
    assert variant.exit_code == 2
