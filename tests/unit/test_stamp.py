"""A build of an unchanged project stops at once; any change makes it build again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


def test_a_no_op_with_warnings_prints_them_again(project: Path) -> None:
    (project / NARRATIVE).write_text(
        "---\ntitle: Trống\n---\n", "utf-8"
    )  # empty: a warning
    first = build(project)
    assert first.warnings  # type: ignore[attr-defined]
    second = build(project)
    assert second.up_to_date  # type: ignore[attr-defined]
    assert second.warnings == first.warnings  # type: ignore[attr-defined]
    assert second.notes == first.notes  # type: ignore[attr-defined]
    assert f"{len(first.warnings)} warning(s)" in str(second)  # type: ignore[attr-defined]


def test_the_cli_prints_the_same_warnings_on_a_no_op(project: Path) -> None:
    from click.testing import CliRunner

    from generator.commands.main import cli

    (project / NARRATIVE).write_text("---\ntitle: Trống\n---\n", "utf-8")
    args = ["--root", str(project), "build", "--no-pdf"]
    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)
    assert first.exit_code == second.exit_code == 0
    assert "is up to date" in second.stderr + second.stdout
    said = [line for line in first.stderr.splitlines() if "warning:" in line]
    assert said
    assert [line for line in second.stderr.splitlines() if "warning:" in line] == said
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1  # --strict still fails on them


def test_warnings_kept_in_one_language_are_not_replayed_in_another(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import i18n

    (project / NARRATIVE).write_text("---\ntitle: Trống\n---\n", "utf-8")
    english = build(project)
    monkeypatch.setenv("PROCEEDINGS_LANG", "vi")
    i18n.reset()
    try:
        vietnamese = build(project)
    finally:
        monkeypatch.setenv("PROCEEDINGS_LANG", "en")
        i18n.reset()
    assert not vietnamese.up_to_date  # type: ignore[attr-defined]
    said = [w.message for w in vietnamese.warnings]  # type: ignore[attr-defined]
    assert said and said != [w.message for w in english.warnings]  # type: ignore[attr-defined]
    assert "bài viết" in " ".join(said)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_page_deleted_from_output_returns_on_the_next_build(project: Path) -> None:
    build(project)
    page = project / "output" / "hoi-nghi-tre-em-phia-nam-2024" / "index.html"
    before = page.read_bytes()
    page.unlink()
    again = build(project)
    assert not again.up_to_date  # type: ignore[attr-defined]
    assert page.read_bytes() == before
    assert build(project).up_to_date  # type: ignore[attr-defined]


def test_a_file_altered_or_added_in_output_is_noticed(project: Path) -> None:
    build(project)
    data = project / "output" / "hoi-nghi-tre-em-phia-nam-2024" / "du-lieu.csv"
    if not data.is_file():
        data = next((project / "output").rglob("*.csv"))
    original = data.read_bytes()
    data.write_bytes(original.replace(b"1", b"9"))  # tampered with, same size
    assert not build(project).up_to_date  # type: ignore[attr-defined]
    assert data.read_bytes() == original


IMAGE_LINE = "\n![Ảnh toàn cảnh](../../hinh/toan-canh.png)\n"


def add_image_outside_content(root: Path, colour: bytes) -> None:
    """A narrative showing an image kept outside content/ (but in the project)."""
    (root / "hinh").mkdir(exist_ok=True)
    (root / "hinh" / "toan-canh.png").write_bytes(b"\x89PNG\r\n\x1a\n" + colour * 64)
    path = root / NARRATIVE
    text = path.read_text("utf-8")
    if IMAGE_LINE not in text:
        path.write_text(text + IMAGE_LINE, "utf-8")


def test_an_image_outside_content_is_an_input_of_the_build(project: Path) -> None:
    add_image_outside_content(project, b"\x01")
    build(project)
    assert build(project).up_to_date  # type: ignore[attr-defined]
    add_image_outside_content(project, b"\x02")  # only the image changes
    assert not build(project).up_to_date  # type: ignore[attr-defined]
    [copy] = (project / "output" / "hoi-nghi-tre-em-phia-nam-2024" / "media").glob(
        "*-toan-canh.png"
    )
    assert copy.read_bytes().endswith(b"\x02" * 64)


def test_the_same_project_in_two_folders_gives_the_same_site(
    project: Path, tmp_path: Path
) -> None:
    add_image_outside_content(project, b"\x01")
    other = tmp_path / "somewhere" / "else" / "entirely"
    shutil.copytree(project, other)
    build(project)
    build(other)
    assert snapshot(project / "output") == snapshot(other / "output")
    assert list((other / "output").rglob("media/*-toan-canh.png"))


def test_a_same_size_edit_of_a_file_hashed_long_ago_is_still_seen(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from generator.build import digests

    # Digests are trusted at once (no margin), so the no-op reuses them unread;
    # a write still changes a file's ctime, which nothing can set back.
    monkeypatch.setattr(digests, "MARGIN_NS", 0)
    read = []
    state = digests.Digests.state

    def counting(self: digests.Digests, path: str) -> bytes:
        before = self.read
        found = state(self, path)
        read.extend([path] if self.read > before else [])
        return found

    monkeypatch.setattr(digests.Digests, "state", counting)
    old = (1_600_000_000_000_000_000,) * 2
    for path in project.rglob("*"):
        if path.is_file():
            os.utime(path, ns=old)
    build(project)
    read.clear()
    assert build(project).up_to_date  # type: ignore[attr-defined]
    assert read == []  # every digest reused
    path = project / NARRATIVE
    text = path.read_text("utf-8")
    path.write_text(text.replace("Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước"))
    os.utime(path, ns=old)  # same size, same modification time: only ctime moved
    again = build(project)
    assert not again.up_to_date  # type: ignore[attr-defined]
    page = project / "output/hoi-nghi-tre-em-phia-nam-2024/index.html"
    assert "Xâm hại và ĐUỐI nước" in page.read_text("utf-8")
