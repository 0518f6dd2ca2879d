"""Hostile content, one case per test: each fails if its protection is taken away.

Authors are semi-trusted and readers untrusted (docs/security.md). Every case works
on a writable copy of the real project (the ``project`` fixture) and goes through
the code a build runs: ``proceedings check`` / ``build`` or ``build_site``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from generator import markdown
from generator.build.pipeline import Summary, build_site
from generator.commands.main import cli
from generator.core.context import CACHE_DIR, BuildOptions
from generator.errors import BuildFailed, Problems
from generator.load.files import MAX_NARRATIVE_BYTES
from generator.load.project import load_site
from generator.markdown.render import render_narratives

REPO = Path(__file__).resolve().parents[2]
S23 = "hoi-nghi-tre-em-phia-nam-2023"
S24 = "hoi-nghi-tre-em-phia-nam-2024"
D24 = f"data/{S24}.yaml"
C24 = f"content/{S24}"
BRIEF24 = f"{S24}/{S24}.pdf"
SCRIPT_URL = ("javascript:", "vbscript:", "data:text/html")

# Raw HTML an author (or a paste from a web page) may put in a narrative.
HOSTILE_HTML = (
    "<script>alert('s')</script>\n\n"
    "Ảnh <img src=x onerror=\"alert('i')\"> và "
    "<a href=\"javascript:alert('a')\">a</a>, "
    "<a href='&#106;avascript:alert(1)'>e</a>, <a href='data:text/html,x'>d</a>.\n\n"
    "<div onclick=\"alert('d')\">khối</div>\n\n"
    '<iframe src="https://example.com"></iframe><style>body{display:none}</style>\n\n'
    "<svg onload=alert(1)><circle r=1 /></svg> <math><mi>x</mi></math>\n"
)


# --- helpers ------------------------------------------------------------------------


def narrative(project: Path, name: str, body: str, *, front: str = "") -> str:
    """Write content/<2024>/<name>; the body starts on line 5. Returns its path."""
    rel = f"{C24}/{name}"
    (project / rel).write_text(
        f"---\ntitle: Kiểm thử\norder: 99\n{front}---\n{body}", "utf-8"
    )
    return rel


def edit(project: Path, rel: str, old: str, new: str) -> str:
    path = project / rel
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def check(project: Path) -> tuple[int, str]:
    """Run `proceedings check`; return the exit code and stderr."""
    result = CliRunner().invoke(cli, ["--root", str(project), "check"])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stderr


def build_html(project: Path) -> Path:
    build_site(project, BuildOptions(output=project / "output", pdf=False))
    return project / "output"


def files_of(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


class _Dangers(HTMLParser):
    """Everything in a page that could run code or leave it, as a browser parses it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # attribute values are unescaped
        self.found: list[str] = []
        self.scripts: list[str] = []  # src of each <script>
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            # Browsers drop tabs and newlines inside URLs, and spaces around them.
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if url.startswith(SCRIPT_URL):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "frame", "object", "embed", "base", "svg", "math"):
            self.found.append(f"<{tag}>")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        if tag == "style" and "head" not in self.stack:
            self.found.append("<style> outside <head>")
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script" and data.strip():
            self.found.append(f"inline <script>{data[:40]}")


def dangers(out: Path) -> list[str]:
    """Say what in output/**/*.html could run code; theme scripts by file are fine."""
    found = []
    for page in sorted(out.rglob("*.html")):
        parser = _Dangers()
        parser.feed(page.read_text("utf-8"))
        parser.close()
        rel = page.relative_to(out).as_posix()
        found += [f"{rel}: {d}" for d in parser.found]
        for src in parser.scripts:
            target = (page.parent / src).resolve() if src else None
            ok = (
                target is not None
                and "://" not in src
                and target.is_file()
                and target.is_relative_to(out.resolve())
                and (
                    target.is_relative_to((out / "static").resolve())
                    or target == (out / "search/manifest.js").resolve()
                    # the English pages' index (docs/bilingual.md)
                    or target == (out / "en/search/manifest.js").resolve()
                )
            )
            if not ok:
                found.append(f"{rel}: <script src={src!r}>")
    return found


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Figures drawn by the first full build of this module, for the later ones."""
    return tmp_path_factory.mktemp("figure-cache")


def build_all(project: Path, figures: Path) -> Summary:
    """Build HTML and PDFs, drawing the (unchanged) figures only once per module."""
    cache = project / CACHE_DIR / "figures"
    shutil.copytree(figures, cache, dirs_exist_ok=True)
    summary = build_site(project, BuildOptions(output=project / "output"))
    shutil.copytree(cache, figures, dirs_exist_ok=True)
    return summary


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, figures: Path) -> Path:
    """The real project built as it is (HTML, figures, PDFs); returns its root."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("reference") / "site")
    build_all(root, figures)
    return root


def run_python(
    code: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter from the repository, arguments after it."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


# --- raw HTML and script URLs (requirement 11) ----------------------------------------


def test_raw_html_is_escaped_by_default(project: Path) -> None:
    narrative(project, "zz-html.md", HOSTILE_HTML)
    edit(
        project,
        D24,
        "    name: Nguyễn Thị Hà",
        "    name: Nguyễn Thị Hà <script>x</script>",
    )
    out = build_html(project)
    assert dangers(out) == []
    page = (out / S24 / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(" in page, "the narrative must be on the page, as text"
    assert "&lt;img src=x onerror=&quot;alert(" in page
    assert "Nguyễn Thị Hà &lt;script&gt;x&lt;/script&gt;" in page


def test_allow_html_keeps_formatting_and_removes_what_runs(project: Path) -> None:
    # Needs build.py to pass site.config.allow_html to render_narratives.
    (project / "site.yaml").write_text(
        (project / "site.yaml").read_text("utf-8") + "allow_html: true\n", "utf-8"
    )
    Image.new("RGB", (8, 8), (11, 79, 138)).save(project / C24 / "anh.png")
    rel = narrative(
        project,
        "zz-html.md",
        "Chữ <b>ok</b>, H<sub>2</sub>O và ![Ảnh](anh.png).\n\n" + HOSTILE_HTML,
    )
    summary = build_site(project, BuildOptions(output=project / "output", pdf=False))
    out = project / "output"
    assert dangers(out) == []
    page = (out / S24 / "index.html").read_text("utf-8")
    assert "Chữ <b>ok</b>, H<sub>2</sub>O" in page, "allow_html must keep formatting"
    assert re.search(r'<img src="media/[0-9a-f]{8}-anh\.png" alt="Ảnh"', page)
    # A raw <img> names a file the build never checked: it goes, src and all.
    sources = re.findall(r'<img src="([^"]*)"', page)
    checked = re.compile(rf"media/[0-9a-f]{{8}}-|\.\./{S24}/figures/")
    assert [s for s in sources if not checked.match(s)] == [], sources
    assert "alert(" not in page  # scripts, handlers and their text are gone
    assert "body{display:none}" not in page
    assert "<div>khối</div>" in page
    warned = {
        (str(w.pos.path), w.pos.line)
        for w in summary.warnings
        if "raw HTML" in w.message
    }
    # <script> (6), <img>/onerror and two script URLs (8), onclick (10), <iframe>,
    # <style> (12), <svg>/onload and <math> (14): each said where it is written.
    assert {line for _, line in warned} == {7, 9, 11, 13, 15}
    assert {path for path, _ in warned} == {rel}


def test_allow_html_keeps_no_style_or_id_that_reaches_past_the_narrative(
    project: Path,
) -> None:
    (project / "site.yaml").write_text(
        (project / "site.yaml").read_text("utf-8") + "allow_html: true\n", "utf-8"
    )
    narrative(
        project,
        "zz-kieu.md",
        '\n<div style="position:fixed;inset:0;background:url(https://theo-doi.example/'
        'p.png)">Phủ kín trang</div>\n\n<h2 id="main">Chiếm mục chính</h2>\n\n'
        '<table><tr><td style="position:fixed;top:0">Ô phủ</td></tr></table>\n\n'
        "| Số | Tên |\n| --: | :-- |\n| 1 | Một |\n",
    )
    page = (build_html(project) / S24 / "index.html").read_text("utf-8")
    assert "<div>Phủ kín trang</div>" in page  # the text stays, its style goes
    assert "<td>Ô phủ</td>" in page
    assert "position:fixed" not in page and "theo-doi.example" not in page
    assert '<td style="text-align:right">1</td>' in page  # Markdown's own alignment
    # id="main" is the page's skip-link target: a narrative may not take it.
    assert page.count('id="main"') == 1
    assert "<h2>Chiếm mục chính</h2>" in page


@pytest.mark.parametrize(
    ("link", "col"),
    [
        ("[x](javascript:alert(1))", 8),
        ("[x](JaVaScRiPt:alert(1))", 8),
        ("[x](&#106;avascript:alert(1))", 12),
        ("[x](vbscript:msgbox(1))", 8),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", 8),
        ("<javascript:alert(1)>", 5),
        ("[x][r]\n\n[r]: javascript:alert(1)", 8),
    ],
    ids=["plain", "mixed-case", "entity", "vbscript", "data", "autolink", "reference"],
)
def test_script_url_makes_no_link_and_is_an_error_at_its_line(
    project: Path, link: str, col: int
) -> None:
    rel = narrative(project, "zz-link.md", f"\nXem tại: {link}\n")
    code, stderr = check(project)
    assert code == 1
    assert re.search(
        rf"^{re.escape(rel)}:6:\d+: error: link '.*' uses '\w+:'", stderr, re.M
    )
    site = load_site(project, Problems())
    entry = next(e for e in site.entries if e.slug == S24)
    [rendered] = [
        r
        for r in render_narratives(entry, "vi", Problems(), site.root)
        if r.narrative.slug == "zz-link"
    ]
    html = "".join(p for p in rendered.parts if isinstance(p, str))
    assert "<a" not in html and "href" not in html, html


# --- content is never a template (requirement 14) -------------------------------------


def test_template_syntax_prints_literally_in_html_and_pdf(
    project: Path, figures: Path
) -> None:
    jinja = "{{ 7*7 }} {% for i in range(3) %}lặp{% endfor %}"
    narrative(
        project,
        "zz-mau.md",
        f"\nThân bài {jinja} hết.\n",
        front=f'summary: "Tóm lược {jinja} hết"\n',
    )
    edit(project, D24, "  text: >-\n", f"  text: >-\n    Tóm tắt {jinja} hết.\n")
    edit(project, D24, "label: Vụ xâm hại trẻ em trên toàn quốc", f"label: Vụ {jinja}")
    edit(project, D24, "    name: Nguyễn Thị Hà", f"    name: Hà {jinja}")
    build_all(project, figures)
    out = project / "output"
    html = (out / S24 / "index.html").read_text("utf-8")
    pdf = pdf_text(out / BRIEF24)
    for shown, where in ((html, "HTML"), (pdf, "PDF")):
        for text in ("Tóm tắt", "Vụ", "Hà", "Thân bài"):
            assert f"{text} {jinja}" in shown, (where, text)
        assert "49" not in shown.replace("1.349", ""), where
        assert "lặplặp" not in shown, where
    from conftest import search_text

    index = search_text(out)
    assert f"Tóm lược {jinja} hết" in index  # a narrative's summary is searched


# --- files: only inside the project (requirement 12) ----------------------------------


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("../../../etc/passwd.png", "is outside the project"),
        ("/etc/x.png", "must be relative to the narrative"),  # "image path …"
        ("file:///etc/passwd", "uses 'file:', which the build does not read"),
        ("ngoai.png", "is outside the project"),  # a symlink to a file outside
        ("vong.png", "cannot be read"),  # a symlink to itself
        ("anh%00.png", "cannot be read"),  # %00 decodes to a NUL
    ],
    ids=["dotdot", "absolute", "file-url", "symlink-out", "symlink-loop", "nul"],
)
def test_image_leaving_the_project_is_an_error_at_its_line(
    project: Path, tmp_path: Path, src: str, message: str
) -> None:
    outside = tmp_path / "outside.png"
    Image.new("RGB", (4, 4)).save(outside)
    (project / C24 / "ngoai.png").symlink_to(outside)
    (project / C24 / "vong.png").symlink_to(project / C24 / "vong.png")
    rel = narrative(project, "zz-anh.md", f"\nẢnh:\n\n![Ảnh]({src})\n")
    code, stderr = check(project)
    assert code == 1
    what = "image path" if src.startswith("/") else "image"
    assert f"{rel}:8:8: error: {what} '{src}' {message}" in stderr, stderr


def test_data_file_linking_outside_the_project_is_an_error(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(project / D24, outside)
    (project / D24).unlink()
    (project / D24).symlink_to(outside)
    code, stderr = check(project)
    assert code == 1
    assert f"{D24}:1:1: error: file is a link to a place outside the project" in stderr


def test_symlink_loops_in_content_and_data_do_not_hang(project: Path) -> None:
    (project / C24 / "vong").symlink_to(project / C24)  # a folder inside itself
    (project / "content" / ".vong").symlink_to(project / "content")
    (project / C24 / "tu-lap.md").symlink_to(project / C24 / "tu-lap.md")
    (project / "data" / "vong.yaml").symlink_to(project / "data" / "vong.yaml")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "--root",
            str(project),
            "build",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert f"{C24}/tu-lap.md:1:1: error: file cannot be read" in done.stderr
    assert "data/vong.yaml:1:1: error: file cannot be read" in done.stderr


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_file_that_never_ends_is_refused_without_hanging(
    project: Path, kind: str
) -> None:
    target = project / C24 / "vo-tan.md"
    if kind == "fifo":
        os.mkfifo(target)  # reading it would block until someone writes
        message = "file is not an ordinary file"
    else:
        target.symlink_to("/dev/zero")  # reading it never ends
        message = "file is a link to a place outside the project"
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "--root",
                str(project),
                "build",
                "--no-pdf",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=REPO,
            preexec_fn=_limit_memory,  # reading /dev/zero must not take the machine
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build hung on a {kind} in content/")
    assert done.returncode == 1, done.stderr
    assert f"{C24}/vo-tan.md:1:1: error: {message}" in done.stderr


# --- text: one spelling, any line ending (requirements 8, 9) --------------------------


def test_nfd_input_is_nfc_in_the_output(project: Path) -> None:
    for path in [project / D24, *sorted((project / C24).glob("*.md"))]:
        path.write_text(unicodedata.normalize("NFD", path.read_text("utf-8")), "utf-8")
    out = build_html(project)
    page = (out / S24 / "index.html").read_text("utf-8")
    assert "Phát biểu của Thứ trưởng" in page  # a narrative title, precomposed
    assert "Nguyễn Thị Hà" in page
    for path in [*out.rglob("*.html"), *out.rglob("*.js"), *out.rglob("*.json")]:
        text = path.read_text("utf-8")
        assert unicodedata.is_normalized("NFC", text), path


def test_crlf_and_bom_give_byte_identical_output_pdfs_included(
    tmp_path: Path, reference: Path
) -> None:
    from conftest import copy_project

    crlf = copy_project(tmp_path / "crlf")
    for path in [
        crlf / "site.yaml",
        *crlf.glob("data/*.yaml"),
        *crlf.glob("content/*/*.md"),
    ]:
        raw = path.read_bytes().replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + raw)
    # The same figure and PDF cache: equal inputs must give equal cache keys.
    shutil.copytree(reference / CACHE_DIR, crlf / CACHE_DIR)
    summary = build_site(crlf, BuildOptions(output=crlf / "output"))
    assert summary.pdfs_made == 0, "CRLF/BOM changed what the PDF stage was given"
    one, two = files_of(reference / "output"), files_of(crlf / "output")
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []
    assert any(k.endswith(".pdf") for k in one)


@pytest.mark.parametrize(
    ("where", "old", "new", "expected"),
    [
        (
            D24,
            "  - id: vu-xam-hai-tre-em\n",
            "  - id: vu-xam-hai\x07-tre-em\n",
            "{line}:19: error: the invisible control character U+0007 is not allowed",
        ),
        (
            f"{C24}/tinh-hinh-tre-em.md",
            ":ind[vu-xam-hai-tre-em]",
            ":ind[vu-xam-hai-tre-em\u200b]",
            "{line}:{col}: error: unknown indicator 'vu-xam-hai-tre-em\\u200b'\n"
            "  hint: did you mean 'vu-xam-hai-tre-em'?",
        ),
        (
            f"{C24}/tinh-hinh-tre-em.md",
            "::fig[xam-hai-qua-cac-ky]",
            "::fig[xam-hai\u200b-qua-cac-ky]",
            "{line}:1: error: unknown figure 'xam-hai\\u200b-qua-cac-ky'",
        ),
    ],
    ids=["bel-in-data-id", "zero-width-in-citation", "zero-width-in-figure"],
)
def test_invisible_characters_in_ids_are_errors_shown_visibly(
    project: Path, where: str, old: str, new: str, expected: str
) -> None:
    text = edit(project, where, old, new)
    line = line_of(text, new.strip())
    col = text.split("\n")[line - 1].index(new.strip()) + 1
    code, stderr = check(project)
    assert code == 1
    assert f"{where}:" + expected.format(line=line, col=col) in stderr, stderr


# --- layout and sizes (requirements 16, 17, 18) ---------------------------------------


def test_long_words_wide_tables_and_deep_lists_build(
    project: Path, figures: Path, tmp_path: Path
) -> None:
    from test_pdf import ink_outside_content, render_pages

    columns = 40
    body = (
        "\nTừ"
        + "dài" * 1666
        + " hết.\n\n"
        + "| "
        + " | ".join(f"C{i}" for i in range(columns))
        + " |\n"
        + "|"
        + "---|" * columns
        + "\n"
        + "| "
        + " | ".join("1.317.000" for _ in range(columns))
        + " |\n\n"
        + "".join("  " * i + f"- mức {i}\n" for i in range(12))
        + "\nĐoạn sau danh sách.\n"
    )
    narrative(project, "zz-dai.md", body)
    summary = build_all(project, figures)
    renderer = [w for w in summary.warnings if "PDF renderer" in w.message]
    assert renderer == [], renderer
    page = (project / "output" / S24 / "index.html").read_text("utf-8")
    assert "mức 11" in page and "Đoạn sau danh sách." in page
    assert page.count("<th") >= columns
    reader = PdfReader(project / "output" / BRIEF24)
    assert 6 <= len(reader.pages) <= 40
    text = pdf_text(project / "output" / BRIEF24)
    assert "mức 11" in text and "Đoạn sau danh sách." in text
    # 40 columns fit the page only with table-layout: fixed (auto overflows it).
    pages = render_pages(project / "output" / BRIEF24, tmp_path / "png")
    assert {p.name: ink_outside_content(p)[:2] for p in pages[1:]} == {
        p.name: [] for p in pages[1:]
    }


def test_lists_nested_past_the_limit_are_an_error_not_lost_text(project: Path) -> None:
    depth = (markdown.MAX_NESTING - 1) // 2 + 1  # one level too many
    body = "\n" + "".join("  " * i + f"- mức {i}\n" for i in range(depth)) + "\nSau.\n"
    rel = narrative(project, "zz-sau.md", body)
    code, stderr = check(project)
    assert code == 1
    assert (
        f"{rel}:{5 + depth}:1: error: lists or quotes are nested too deeply" in stderr
    )


def test_oversized_inline_figure_data_is_refused_with_the_limit(project: Path) -> None:
    from generator.figures.data import MAX_POINTS

    count = 10_000
    edit(
        project,
        D24,
        "figures:\n",
        "figures:\n  - id: qua-nhieu\n    kind: bar\n    title: Quá nhiều\n"
        f"    labels: [{', '.join(f'n{i}' for i in range(count))}]\n"
        "    source_note: Giả định\n    series:\n      - label: Một\n"
        f"        values: [{', '.join('1' for _ in range(count))}]\n",
    )
    code, stderr = check(project)
    assert code == 1
    assert f"figure has {count} values, over the limit of {MAX_POINTS}" in stderr


# --- figure labels are text, not TeX (requirement 15) ---------------------------------


def test_dollars_and_tex_in_figure_labels_print_as_written(project: Path) -> None:
    # matplotlib reads a label as TeX only with an even number of '$' in it.
    labels = ["Từ $5 đến $10", r"$\frac{a}{b}$ và $x_1$"]
    edit(
        project,
        D24,
        "figures:\n",
        "figures:\n  - id: ky-hieu\n    kind: bar\n    title: 'Giá $5 đến $10'\n"
        f"    labels: ['{labels[0]}', '{labels[1]}']\n"
        "    source_note: Giả định\n    series:\n      - label: Giá\n"
        "        values: [5, 10]\n",
    )
    out = build_html(project)
    svg = (out / S24 / "figures" / "ky-hieu.svg").read_text("utf-8")
    texts = [
        unescape(re.sub(r"<[^>]+>", "", t))
        for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    ]
    for label in labels:
        assert label in texts, texts


def test_oversized_narrative_is_refused_naming_the_limit(project: Path) -> None:
    size = 2_500_000
    rel = narrative(project, "zz-lon.md", "\n" + "Chữ. " * (size // 5))
    code, stderr = check(project)
    assert code == 1
    assert f"{rel}:1:1: error: file is " in stderr
    assert f"over the limit of {MAX_NARRATIVE_BYTES:,}" in stderr


def _patterns() -> dict[str, tuple[object, int]]:
    spec = importlib.util.spec_from_file_location(
        "pathological", REPO / "bench" / "pathological.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PATTERNS  # type: ignore[no-any-return]


PATTERNS = _patterns()


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pathological_markdown_gives_pages_or_a_problem(
    project: Path, name: str
) -> None:
    build, n = PATTERNS[name]
    body = build(max(1, n // 50))  # type: ignore[operator]
    site = load_site(project, Problems())
    entry = next(e for e in site.entries if e.slug == S24)
    from generator.model import FrontMatter, Narrative

    item = Narrative("zz", Path(f"{C24}/zz.md"), FrontMatter(title="T"), body, 5)
    for allow_html in (False, True):
        problems = Problems()
        rendered = markdown.render_narrative(
            entry, item, "vi", problems, site.root, allow_html=allow_html
        )
        refused = [
            p.message
            for p in problems.errors
            if "was left out" in p.message or "nested too deeply" in p.message
        ]
        assert rendered.parts or refused, (name, allow_html)


LIMITS = {  # the body of a narrative over each limit, the file's line, what is said
    "markup": (
        "Đoạn mở đầu.\n\n" + "*a **a " * 17_000,
        8,
        "the narrative has over 50,000 characters that Markdown reads as markup",
    ),
    "lines": ("dòng\n" * 40_001, 40_005, "the narrative has 40,003 lines, over 40,000"),
    "table width": (
        "Bảng:\n\n" + "|a" * 65 + "|\n",
        8,
        "a table row has 66 '|', over 64",
    ),
    "a run": ("Một dòng.\n" + "_" * 1_001 + "\n", 7, "'_' is repeated 1,001 times"),
}


@pytest.mark.parametrize("limit", sorted(LIMITS))
def test_each_markdown_limit_refuses_at_its_line_on_any_machine(
    project: Path, limit: str
) -> None:
    body, line, message = LIMITS[limit]
    rel = narrative(project, "zz-cham.md", "\n" + body)
    with pytest.raises(BuildFailed) as caught:
        build_html(project)
    [problem] = [p for p in caught.value.problems if p.pos.path.as_posix() == rel]
    assert problem.message.startswith(message), problem.message
    assert problem.message.endswith("the narrative was left out")
    assert problem.pos.line == line
    assert "docs/security.md" in problem.hint
    # the text alone decides: the same body, checked again, gives the same answer
    assert markdown.check_limits(body) == markdown.check_limits(body)


def test_the_safety_net_has_its_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from generator.markdown import render
    from generator.model import FrontMatter, Narrative

    monkeypatch.setattr(render, "SAFETY_SECONDS", 0.05)
    item = Narrative("zz", Path(f"{C24}/zz.md"), FrontMatter(title="T"), "x", 5)
    problems = Problems()

    def stuck(found: Problems) -> object:
        time.sleep(1)  # a corner no limit foresaw
        raise AssertionError("never reached")

    assert render._guarded(item, problems, stuck) is None  # type: ignore[arg-type]
    [problem] = problems.errors
    assert problem.message.startswith(
        "reading the narrative took over 0.05 s although it is within the limits"
    )
    assert "this is a bug" in problem.hint


# --- YAML read as the schema says (requirements 3, 6) ---------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8:30", "expected a number, got '8:30'"),
        (".nan", "expected a number, got '.nan'"),
        ("1e400", "the number is implausibly large (10^15 or more), got '1e400'"),
        ("1e999999999", "the number is implausibly large (10^15 or more)"),
        ("1000000000000000", "the number is implausibly large (10^15 or more)"),
    ],
)
def test_numbers_yaml_11_reads_oddly_are_errors(
    project: Path, value: str, message: str
) -> None:
    text = edit(project, D24, "    value: 1317\n", f"    value: {value}\n")
    code, stderr = check(project)
    assert code == 1
    line = line_of(text, f"    value: {value}\n")
    assert f"{D24}:{line}:12: error: indicators[0].value: {message}" in stderr


def test_leading_zero_number_reads_as_the_schema_says(project: Path) -> None:
    edit(project, D24, "    value: 1317\n", "    value: 0107\n")
    edit(project, D24, "  text: >-\n", "  text: >-\n    Mã 0107, giờ 8:30, no.\n")
    out = build_html(project)
    page = (out / S24 / "index.html").read_text("utf-8")
    assert "107\u00a0vụ" in page  # a number field: 107
    assert "Mã 0107, giờ 8:30, no." in page  # a text field: as typed


@pytest.mark.parametrize("where", ["site.yaml", D24, f"{C24}/zz-the.md"])
def test_python_tags_never_run(project: Path, tmp_path: Path, where: str) -> None:
    marker = tmp_path / "ran"
    tag = f'!!python/object/apply:os.system ["touch {marker}"]'
    if where == "site.yaml":
        text = edit(project, where, "title: ", f"description: {tag}\ntitle: ")
    elif where == D24:
        text = edit(project, where, "\nsummary:\n", f"\nvenue: {tag}\nsummary:\n")
    else:
        narrative(project, "zz-the.md", "\nx\n", front=f"summary: {tag}\n")
        text = (project / where).read_text("utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "--root",
            str(project),
            "build",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert not marker.exists(), "YAML ran a command"
    assert done.returncode == 1, done.stderr
    line = line_of(text, tag)
    col = text.split("\n")[line - 1].index("!!") + 1
    assert (
        f"{where}:{line}:{col}: error: YAML tag !!python/object/apply:os.system "
        "is not allowed" in done.stderr
    ), done.stderr


# --- YAML bombs (requirement 5) -------------------------------------------------------

_LOAD_AND_MEASURE = r"""
import json, re, sys, time
from pathlib import Path
from generator.errors import BuildFailed, Problems
from generator.load.project import load_site
STATUS = Path("/proc/self/status")
started = time.process_time()
try:
    load_site(Path(sys.argv[1]), Problems())
    found = []
except BuildFailed as exc:
    found = [str(p) for p in exc.problems]
print(json.dumps({
    "cpu": time.process_time() - started,
    # VmHWM is this process's own peak: ru_maxrss would keep the peak of the
    # pytest process it was forked from, across exec.
    "rss_mb": int(re.search(r"VmHWM:\s+(\d+)", STATUS.read_text())[1]) / 1024,
    "problems": found,
}))
"""


@pytest.mark.parametrize("kind", ["billion-laughs", "quadratic"])
def test_alias_bomb_is_refused_quickly_in_little_memory(
    project: Path, kind: str
) -> None:
    import json

    if kind == "billion-laughs":  # 9^9 strings if expanded
        bomb = ['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        bomb += [
            f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]"
            for i in range(1, 10)
        ]
    else:  # one 100 kB string, named 10 000 times: 1 GB if expanded
        bomb = [
            "big: &big " + "x" * 100_000,
            "many: [" + ", ".join(["*big"] * 10_000) + "]",
        ]
    text = (project / D24).read_text("utf-8") + "\n".join(bomb) + "\n"
    (project / D24).write_text(text, "utf-8")
    done = run_python(_LOAD_AND_MEASURE, str(project))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rss_mb"] < 200, result["rss_mb"]
    assert result["cpu"] < 5, result["cpu"]  # CPU seconds: not disturbed by load
    first = line_of(text, bomb[0])
    # the anchor is refused where it stands; the rest of the file is still checked
    # (the bomb's keys are unknown fields of a data file)
    assert any(
        p.startswith(f"{D24}:{first}:")
        and "anchors and aliases (&name, *name) are not supported" in p
        for p in result["problems"]
    ), result["problems"]


# --- interrupted builds (requirement 2) -----------------------------------------------

_SLOW_BUILD = """
import pathlib, sys, time
real = pathlib.Path.write_bytes
def slow(self, data):  # publishing takes long enough to be caught in the middle
    time.sleep(0.02)
    return real(self, data)
pathlib.Path.write_bytes = slow
from generator.commands.main import main
sys.argv = ["proceedings", "--root", sys.argv[1], "build", "--no-pdf"]
main()
"""


def test_a_build_killed_while_publishing_leaves_output_unchanged(project: Path) -> None:
    import signal
    import time

    out = build_html(project)
    before = files_of(out)
    narrative(project, "zz-moi.md", "\nNội dung mới.\n")
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_BUILD, str(project)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        staging: list[Path] = []
        while time.monotonic() < deadline and child.poll() is None:
            staging = [
                p for p in project.glob(".output-new-*") if any(p.rglob("*.html"))
            ]
            if staging:
                break
            time.sleep(0.01)
        assert staging, "the build never started publishing"
        os.kill(child.pid, signal.SIGKILL)  # no handler, no cleanup: a power cut
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert files_of(out) == before, "a killed build changed output/"
    # The lock died with the process: the next build runs and publishes.
    build_html(project)
    assert "Nội dung mới." in (out / S24 / "index.html").read_text("utf-8")


# --- no network (requirement 13) ------------------------------------------------------

_NO_NETWORK_BUILD = """
import sys
def refuse(event, args):
    inet = event == "socket.connect" and isinstance(args[1], tuple)
    if inet or event in ("socket.getaddrinfo", "socket.gethostbyname"):
        sys.stderr.write(f"NETWORK {event} {args!r}\\n")
        raise PermissionError(f"the build used the network: {event}")
sys.addaudithook(refuse)
from generator.commands.main import main
sys.argv = ["proceedings", "--root", sys.argv[1], "build"]
main()
"""


def test_a_file_swapped_for_a_link_out_after_its_check_is_not_put_in_a_pdf(
    project: Path, tmp_path: Path
) -> None:
    from generator.pdf.fetch import RefusedURL, site_resources

    Image.new("RGB", (8, 8)).save(project / C24 / "anh.png")
    narrative(project, "zz-anh.md", "\n![Ảnh](anh.png)\n")
    site = load_site(project, Problems())
    narratives = {
        e.slug: render_narratives(e, "vi", Problems(), site.root) for e in site.entries
    }
    resources = site_resources(site, {}, narratives)
    [rel] = [r for r in resources.files if r.endswith("-anh.png")]
    url = resources.root_url + rel
    assert resources.open(url)[0].startswith(b"\x89PNG")
    # Checked by the Markdown stage, then replaced (an editor, a sync tool) before
    # the PDF stage reads it: the brief still reads nothing outside the project.
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not for the brief")
    (project / C24 / "anh.png").unlink()
    (project / C24 / "anh.png").symlink_to(secret)
    with pytest.raises(RefusedURL, match="leads outside the project"):
        resources.open(url)


def test_a_build_without_network_gives_the_same_bytes(
    tmp_path: Path, reference: Path
) -> None:
    from conftest import copy_project

    isolated = copy_project(tmp_path / "isolated")  # no cache: everything is made
    command = [sys.executable, "-c", _NO_NETWORK_BUILD, str(isolated)]
    if (
        shutil.which("unshare")
        and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode
        == 0
    ):
        command = ["unshare", "-n", *command]  # no interface but a dead loopback
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert "NETWORK" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    one, two = files_of(reference / "output"), files_of(isolated / "output")
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []


def test_the_safety_relevant_libraries_are_at_the_pinned_versions() -> None:
    from importlib.metadata import version

    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", text)[:3])

    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    for name, floor in (("jinja2", "3.1.6"), ("weasyprint", "70"), ("nh3", "0.2.17")):
        assert re.search(rf'"{name}>={re.escape(floor)}"', pyproject, re.I), name
        assert parts(version(name)) >= parts(floor), (name, version(name))


# --- --strict (requirement 19) --------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "command", "message"),
    [
        ("unused-indicator", "check", "is not cited by any narrative or figure"),
        ("broken-link", "build", "leads to no page of the site"),
        ("missing-anchor", "build", "names an anchor the page lacks"),
        ("figure-twice", "check", "is placed more than once"),
        ("empty-narrative", "check", "narrative has no text after its front matter"),
    ],
)
def test_strict_turns_each_kind_of_warning_into_an_error(
    project: Path, case: str, command: str, message: str
) -> None:
    if case == "unused-indicator":
        edit(
            project,
            D24,
            "indicators:\n",
            "indicators:\n  - id: khong-ai-trich\n    label: Không ai trích\n"
            "    value: 31\n    unit: vụ\n    source: bai-viet-2024\n"
            "    quote: giảm 31 vụ\n",
        )
    elif case == "broken-link":
        narrative(
            project,
            "zz-lien-ket.md",
            "\n[Hội nghị 2022](../hoi-nghi-2022/index.html)\n",
        )
    elif case == "missing-anchor":
        narrative(project, "zz-lien-ket.md", "\n[Số liệu](#khong-co-muc-nay)\n")
    elif case == "figure-twice":
        narrative(project, "zz-hinh.md", "\n::fig[xam-hai-qua-cac-ky]\n")
    else:
        narrative(project, "zz-rong.md", "\n")
    args = ["--root", str(project), command] + (
        ["--no-pdf"] if command == "build" else []
    )
    relaxed = CliRunner().invoke(cli, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning: " in relaxed.stderr and message in relaxed.stderr
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1, strict.output
    assert message in strict.stderr and "Traceback" not in strict.output


# The four warnings issue 9 names, each alone in a copy of the real project: written
# where it is found (narrative or data file), then the expected `path:line:col`.
NAMED_WARNINGS = {
    "missing-alt-text": (
        f"{C24}/zz-anh.md",
        "\nẢnh:\n\n![](anh.png)\n",
        "anh.png)",
        "image 'anh.png' has no alt text, which screen readers and the tagged PDF need",
    ),
    "unused-indicator": (
        D24,
        "  - id: khong-ai-trich\n    label: Không ai trích\n    value: 31\n"
        "    unit: vụ\n    source: bai-viet-2024\n    quote: giảm 31 vụ\n",
        "khong-ai-trich",
        "indicator 'khong-ai-trich' is not cited by any narrative or figure",
    ),
    "unsourced-task": (  # issue 15: an entry with neither source nor editorial
        D24,
        "  - id: chua-co-nguon\n    task: Một nhiệm vụ bài viết không nêu\n",
        "id: chua-co-nguon",
        "this task has no source and is not marked editorial",
    ),
    "broken-internal-link": (
        f"{C24}/zz-lien-ket.md",
        "\n[Hội nghị 2022](../hoi-nghi-2022/index.html)\n",
        "../hoi-nghi-2022/index.html",
        "link '../hoi-nghi-2022/index.html' leads to no page of the site",
    ),
    "figure-without-source": (
        D24,
        "  - id: khong-nguon\n    kind: bar\n    title: Không nguồn\n"
        "    labels: [Một, Hai]\n    series:\n      - label: Số\n"
        "        values: [1, 2]\n",
        "- label: Số",
        "figure with typed values has no `source_note`",
    ),
}


def _place_warning(project: Path, case: str) -> str:
    """Write one named warning into the project; return its `path:line:col`."""
    rel, written, needle, _ = NAMED_WARNINGS[case]
    if rel == D24:
        heading = (
            "figures:\n"
            if "kind:" in written
            else "follow_up:\n"
            if "task:" in written
            else "indicators:\n"
        )
        text = edit(project, rel, heading, heading + written)
    else:
        Image.new("RGB", (8, 8)).save(project / C24 / "anh.png")
        text = (project / narrative(project, Path(rel).name, written)).read_text()
    line = line_of(text, needle)
    col = text.index(needle) - text.rfind("\n", 0, text.index(needle))
    return f"{rel}:{line}:{col}"


@pytest.mark.parametrize("case", sorted(NAMED_WARNINGS))
def test_strict_build_refuses_each_warning_the_issue_names_at_its_position(
    project: Path, case: str
) -> None:
    where = _place_warning(project, case)
    line = f"{where}: warning: {NAMED_WARNINGS[case][3]}"
    args = ["--root", str(project), "build", "--no-pdf"]
    relaxed = CliRunner().invoke(cli, args)
    assert relaxed.exit_code == 0, relaxed.output
    assert relaxed.stderr.splitlines().count(line) == 1, relaxed.stderr
    before = files_of(project / "output")
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1, strict.output
    assert line in strict.stderr.splitlines(), strict.stderr
    assert "Traceback" not in strict.output
    assert files_of(project / "output") == before
    # check renders nothing: a link is checked against the planned pages
    checked = CliRunner().invoke(cli, ["--root", str(project), "check", "--strict"])
    assert checked.exit_code == 1 and line in checked.stderr.splitlines()


def test_strict_turns_warnings_of_the_pdf_stage_into_errors(
    project: Path, figures: Path
) -> None:
    Image.new("RGB", (8, 8)).save(project / C24 / "anh.png")
    rel = narrative(project, "zz-anh.md", "\nẢnh:\n\n![](anh.png)\n")  # no alt text
    site_yaml = project / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text("utf-8") + "colors:\n  logo: khong-co.png\n", "utf-8"
    )
    shutil.copytree(figures, project / CACHE_DIR / "figures", dirs_exist_ok=True)
    relaxed = build_site(project, BuildOptions(output=project / "output"))
    said = [(str(w.pos), w.message) for w in relaxed.warnings]
    # Missing alt text is said once, by the Markdown stage, though the PDF has it too.
    assert [s for s in said if "has no alt text" in s[1]] == [
        (f"{rel}:8:5", NAMED_WARNINGS["missing-alt-text"][3])
    ], said
    assert any("logo 'khong-co.png'" in m for _, m in said), said  # a dropped resource
    edit(project, rel, "![]", "![Ảnh thử]")
    before = files_of(project / "output")
    with pytest.raises(BuildFailed) as caught:
        build_site(project, BuildOptions(output=project / "output", strict=True))
    messages = [p.message for p in caught.value.problems]
    assert any("logo 'khong-co.png'" in m for m in messages), messages
    assert files_of(project / "output") == before
