"""Fast render (build.fast): the page of an edited narrative, shown before the build.

The preview renders it from what its last build loaded; the build that follows
must publish the very same bytes, or the page an editor sees would differ from
the page the build makes. Run on a copy of the real project (two conferences in
one series, Vietnamese with English translations), as ``serve`` builds it.
"""

from __future__ import annotations

from pathlib import Path

from generator.build.fast import Warm, fast_pages
from generator.build.pipeline import build_site, load_warm
from generator.core.context import BuildOptions, SilentReporter

NEW = "hoi-nghi-tre-em-phia-nam-2024"
OLD = "hoi-nghi-tre-em-phia-nam-2023"


def preview_options(root: Path) -> BuildOptions:
    """The options ``serve`` builds with."""
    return BuildOptions(output=root / "output", pdf=False, drafts=True, preview=True)


def build_keeping(root: Path) -> tuple[Warm, int]:
    """Build root as serve does; return what it loaded and the pages it rendered."""
    kept: list[Warm] = []
    summary = build_site(root, preview_options(root), keep=kept.append)
    assert len(kept) == 1
    return kept[0], summary.pages - summary.pages_reused


def append(root: Path, rel: str, text: str) -> Path:
    path = Path(rel)
    target = root / path
    target.write_text(target.read_text("utf-8") + f"\n{text}\n", "utf-8")
    return path


def narrative(root: Path, slug: str) -> str:
    first = sorted((root / "content" / slug).glob("*.md"))[0]
    return first.relative_to(root).as_posix()


def test_an_edited_page_is_the_page_the_build_then_publishes(project: Path) -> None:
    warm, _ = build_keeping(project)
    edited = append(project, narrative(project, NEW), "Đoạn thêm lần **một**.")
    pages = fast_pages(warm, [edited])
    assert pages is not None and list(pages) == [f"{NEW}/index.html"]
    assert "Đoạn thêm lần <strong>một</strong>." in pages[f"{NEW}/index.html"].decode()

    # two conferences of one series at once, the warm state being the older one
    second = append(project, narrative(project, OLD), "Một câu về năm 2023.")
    pages = fast_pages(warm, [edited, second])
    assert pages is not None and sorted(pages) == [
        f"{OLD}/index.html",
        f"{NEW}/index.html",
    ]
    _, rendered = build_keeping(project)
    for rel, data in pages.items():
        assert (project / "output" / rel).read_bytes() == data, rel
    # the build renders them, and their English pages (a fallback or a translation)
    assert rendered == 4

    # A preview whose first build finds nothing changed loads the same state.
    warm = load_warm(project, preview_options(project), SilentReporter())
    third = append(project, narrative(project, NEW), "Một câu thêm nữa.")
    pages = fast_pages(warm, [third])
    assert pages is not None
    build_keeping(project)
    assert (project / "output" / f"{NEW}/index.html").read_bytes() == pages[
        f"{NEW}/index.html"
    ]


LEFT_TO_THE_BUILD = {
    "a data file": lambda root: Path(f"data/{NEW}.yaml"),
    "site settings": lambda root: Path("site.yaml"),
    "a translation": lambda root: Path(narrative(root, f"{NEW}/en")),
    "a theme file": lambda root: Path("themes/default/templates/base.html"),
    "a narrative gone": lambda root: Path(f"content/{NEW}/khong-con.md"),
    "an unknown conference": lambda root: Path("content/khong-co/a.md"),
    "a file outside": lambda root: Path("../ngoai/a.md"),
}


def test_anything_but_a_good_narrative_edit_is_left_to_the_build(
    project: Path,
) -> None:
    warm, _ = build_keeping(project)
    path = Path(narrative(project, NEW))
    good = (project / path).read_text("utf-8")
    edited = append(project, path.as_posix(), "Câu đúng.")
    assert fast_pages(warm, [edited]) is not None
    for why, change in LEFT_TO_THE_BUILD.items():
        assert fast_pages(warm, [edited, change(project)]) is None, why
    (project / "content" / NEW / "anh-moi.png").write_bytes(_PNG)
    for why, text in {
        "an unknown indicator": "Số vụ: :ind[khong-co-chi-so].",
        "a new image": "![Ảnh](anh-moi.png)",
    }.items():
        (project / path).write_text(good, "utf-8")
        append(project, path.as_posix(), text)
        assert fast_pages(warm, [path]) is None, why


# A 1x1 PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e5270de40000000049454e44ae426082"
)
