"""A build of an unchanged project stops at once; any change makes it build again."""

from __future__ import annotations

from pathlib import Path

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions

NARRATIVE = "content/hoi-nghi-tre-em-phia-nam-2024/tinh-hinh-tre-em.md"


def build(project: Path, **kw: object) -> object:
    return build_site(project, BuildOptions(output=project / "output", pdf=False, **kw))  # type: ignore[arg-type]


def test_second_build_of_an_unchanged_project_does_nothing(project: Path) -> None:
    first = build(project)
    assert not first.up_to_date  # type: ignore[attr-defined]
    index = project / "output" / "index.html"
    before = index.stat().st_mtime_ns
    second = build(project)
    assert second.up_to_date  # type: ignore[attr-defined]
    assert "is up to date" in str(second)
    assert index.stat().st_mtime_ns == before


def test_an_edit_of_the_same_size_builds_again(project: Path) -> None:
    build(project)
    path = project / NARRATIVE
    text = path.read_text("utf-8")
    path.write_text(
        text.replace("Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước"), "utf-8"
    )
    assert path.stat().st_size == len(text.encode())  # same size on purpose
    again = build(project)
    assert not again.up_to_date  # type: ignore[attr-defined]
    page = (project / "output/hoi-nghi-tre-em-phia-nam-2024/index.html").read_text(
        "utf-8"
    )
    assert "Xâm hại và ĐUỐI nước" in page


def test_other_options_or_a_touched_output_build_again(project: Path) -> None:
    build(project)
    assert not build(project, drafts=True).up_to_date  # type: ignore[attr-defined]
    (project / "output" / "stray.txt").write_text(
        "x", "utf-8"
    )  # output changed by hand
    assert not build(project, drafts=True).up_to_date  # type: ignore[attr-defined]
    assert not (project / "output" / "stray.txt").exists()


def test_a_build_with_warnings_is_never_skipped(project: Path) -> None:
    (project / NARRATIVE).write_text(
        "---\ntitle: Trống\n---\n", "utf-8"
    )  # empty: a warning
    first = build(project)
    assert first.warnings  # type: ignore[attr-defined]
    second = build(project)
    assert not second.up_to_date  # type: ignore[attr-defined]
    assert second.warnings  # type: ignore[attr-defined]
