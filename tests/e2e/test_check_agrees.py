"""`check` refuses what `build` refuses, and says it in the same words.

A matrix of refused inputs, one per stage that can refuse one — the loader, the
front matter, the Markdown stage, the figures, the links, the PDF stage (a
remote image, which the HTML links and a brief cannot fetch) — and warnings
under --strict. For each, `check` and `build` (PDFs included) exit alike and
print the same problems; a build that fails leaves output/ as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.main import cli

C24 = "content/hoi-nghi-tre-em-phia-nam-2024"
PNG = bytes.fromhex(  # one transparent pixel
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
D24 = "data/hoi-nghi-tre-em-phia-nam-2024.yaml"


def narrative(
    body: str, front: str = "title: Thử", *, image: bool = False
) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / C24 / "zz-thu.md").write_text(f"---\n{front}\n---\n\n{body}\n", "utf-8")
        if image:
            (root / C24 / "anh.png").write_bytes(PNG)

    return write


def data_edit(old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / D24
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), "utf-8")

    return edit


FIGURE = """
  - id: qua-nhieu
    kind: bar
    title: Quá nhiều
    labels: [{labels}]
    source_note: Giả định
    series:
      - label: Một
        values: [{values}]
""".format(
    labels=", ".join(f"n{i}" for i in range(201)),
    values=", ".join("1" for _ in range(201)),
)

# name -> (how to break the project, extra options of both commands)
CASES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "data: misspelt field": (data_edit("\nshort_title:", "\nshorttitle:"), ()),
    "front matter: unknown field": (narrative("Văn bản.", "title: x\ntittle: y"), ()),
    "markdown: unknown indicator": (narrative("Số :ind[khong-co]."), ()),
    "markdown: script link": (narrative("[x](javascript:alert(1))"), ()),
    "markdown: too deep": (
        narrative("".join("  " * i + "- a\n" for i in range(20))),
        (),
    ),
    "figure: too many points": (data_edit("\nfigures:\n", "\nfigures:" + FIGURE), ()),
    "pdf: remote image": (narrative("![Ảnh](https://example.org/anh.png)"), ()),
    "strict: image without alt text": (
        narrative("![](anh.png)", image=True),
        ("--strict",),
    ),
    "strict: link to no page": (  # found after rendering: no PDFs to wait for
        narrative("[trang](../khong-co/index.html)"),
        ("--strict", "--no-pdf"),
    ),
}


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_check_and_build_refuse_alike(
    built_site: Path, tmp_path: Path, case: str
) -> None:
    root = tmp_path / "site"  # the session's full build: output/ and a warm cache
    shutil.copytree(built_site.parent, root, symlinks=True)
    breaks, options = CASES[case]
    breaks(root)
    before = snapshot(root / "output")
    check = CliRunner().invoke(cli, ["--root", str(root), "check", *options])
    build = CliRunner().invoke(cli, ["--root", str(root), "build", *options])
    assert check.exit_code == 1, check.output
    assert build.exit_code == check.exit_code, build.output
    assert build.stderr == check.stderr
    assert "Traceback" not in build.output
    assert snapshot(root / "output") == before
