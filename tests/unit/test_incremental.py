"""Incremental builds: a change re-renders what it affects, and the result is the same.

Every test compares against the truth: a build from scratch (empty cache, new
output folder) of the same project must give byte-identical files.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from generator.build.outputs import RECORD_NAME
from generator.build.pipeline import Summary, build_site
from generator.core.cache import Cache
from generator.core.context import BuildOptions

SLUG_23 = "hoi-nghi-tre-em-phia-nam-2023"
SLUG_24 = "hoi-nghi-tre-em-phia-nam-2024"
NARRATIVE = f"content/{SLUG_24}/tinh-hinh-tre-em.md"
SERIES = "series/hoi-nghi-cong-tac-tre-em-khu-vuc-phia-nam/index.html"
CACHE = ".proceedings-cache"


def build(project: Path, out: str = "output") -> Summary:
    return build_site(project, BuildOptions(output=project / out, pdf=False))


def rendered(summary: Summary) -> int:
    return summary.pages - summary.pages_reused


def inodes(project: Path) -> dict[str, int]:
    out = project / "output"
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}


def remade(before: dict[str, int], project: Path) -> set[str]:
    """The pages of the primary language made anew.

    Translated pages also use every data file (a unit translated once serves all
    conferences), so they are left out here; see the English test below.
    """
    after = inodes(project)
    changed = {p for p, ino in after.items() if before.get(p) != ino}
    return {p for p in changed if not p.startswith("en/")}


def assert_same_as_fresh_build(project: Path) -> None:
    """The incremental output equals a build of a fresh copy with no cache."""
    fresh = project.parent / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("output", CACHE))
    build(fresh)
    compare = filecmp.dircmp(project / "output", fresh / "output")
    differing: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        differing.extend(prefix + n for n in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(
            cmp.left, cmp.right, cmp.common_files, shallow=False
        )
        differing.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compare, "")
    assert differing == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_one_edited_narrative_renders_one_page(project: Path) -> None:
    first = build(project)
    assert first.pages_reused == 0
    before = inodes(project)
    edit(project / NARRATIVE, "Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước")
    again = build(project)
    assert remade(before, project) == {f"{SLUG_24}/index.html"}
    assert again.pages_reused == again.pages - rendered(again) > 0
    english = {p for p, ino in inodes(project).items() if p.startswith("en/")}
    assert {p for p in english if before[p] != inodes(project)[p]} == {
        f"en/{SLUG_24}/index.html"
    }
    page = (project / "output" / SLUG_24 / "index.html").read_text("utf-8")
    assert "Xâm hại và ĐUỐI nước" in page
    assert_same_as_fresh_build(project)


def test_unchanged_pages_are_linked_not_rewritten(project: Path) -> None:
    build(project)
    old = (project / "output" / SLUG_23 / "index.html").stat()
    edit(project / NARRATIVE, "Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước")
    build(project)
    new = (project / "output" / SLUG_23 / "index.html").stat()
    assert (new.st_ino, new.st_mtime_ns) == (old.st_ino, old.st_mtime_ns)


def test_an_edited_data_file_renders_its_series_and_the_home_page(
    project: Path,
) -> None:
    build(project)
    before = inodes(project)
    edit(project / f"data/{SLUG_23}.yaml", "value: 9.4", "value: 9.5")
    build(project)
    # 2023's page, 2024's page (it compares with 2023), the series page, the index
    assert remade(before, project) == {
        f"{SLUG_23}/index.html",
        f"{SLUG_24}/index.html",
        SERIES,
        "index.html",
    }
    assert "9,5" in (project / "output" / SERIES).read_text("utf-8")
    assert_same_as_fresh_build(project)


def test_a_template_or_setting_change_renders_every_page(project: Path) -> None:
    build(project)
    template = project / "themes" / "site" / "templates" / "conference.html"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text(
        '{% extends "default:conference.html" %}{% block title %}Đổi{% endblock %}',
        "utf-8",
    )
    after_template = build(project)
    assert rendered(after_template) == after_template.pages
    assert_same_as_fresh_build(project)
    site_yaml = project / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text("utf-8") + "colors:\n  primary: '#00594f'\n", "utf-8"
    )
    after_setting = build(project)
    assert rendered(after_setting) == after_setting.pages
    assert_same_as_fresh_build(project)


def test_a_page_changed_by_hand_in_output_is_made_again(project: Path) -> None:
    build(project)
    page = project / "output" / SLUG_23 / "index.html"
    page.write_text("sửa tay", "utf-8")
    before = inodes(project)
    edit(project / NARRATIVE, "Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước")
    build(project)
    # the edited conference and the hand-changed page
    assert remade(before, project) == {f"{SLUG_24}/index.html", f"{SLUG_23}/index.html"}
    assert "sửa tay" not in page.read_text("utf-8")
    assert_same_as_fresh_build(project)


def test_a_damaged_record_means_a_full_build(project: Path) -> None:
    build(project)
    (project / CACHE / "records" / f"{RECORD_NAME}.json").write_text("{not json")
    edit(project / NARRATIVE, "Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước")
    again = build(project)
    assert again.pages_reused == 0
    assert [str(n) for n in again.notes] == [  # type: ignore[attr-defined]
        f"{CACHE}:1:1: note: cache entry {CACHE}/records/{RECORD_NAME}.json "
        "damaged; rebuilt\n  hint: each entry is checked against its SHA-256 when "
        "read; if this happens again, check the disk"
    ]
    assert Cache(project / CACHE).record(RECORD_NAME)["outputs"]
    assert_same_as_fresh_build(project)


def test_another_output_folder_does_not_reuse_this_one(project: Path) -> None:
    build(project)
    other = build(project, "elsewhere")
    assert other.pages_reused == 0
    assert (project / "elsewhere" / "index.html").is_file()


def test_warnings_of_reused_narratives_are_reported_again(project: Path) -> None:
    path = project / NARRATIVE
    path.write_text(
        path.read_text("utf-8") + "\nXem [trang không có](khong-co.html).\n", "utf-8"
    )
    first = build(project)
    warned = [str(w) for w in first.warnings]
    assert any("khong-co.html" in w for w in warned)
    # The project is unchanged, but a build with warnings is never skipped: the
    # narratives come from the memo, and their warnings must come with them.
    edit(project / f"data/{SLUG_23}.yaml", "value: 9.4", "value: 9.5")
    again = build(project)
    assert [str(w) for w in again.warnings] == warned


def test_a_deleted_image_is_an_error_even_when_the_text_is_unchanged(
    project: Path,
) -> None:
    image = project / "content" / SLUG_24 / "anh.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    path = project / NARRATIVE
    path.write_text(path.read_text("utf-8") + "\n![Ảnh hội nghị](anh.png)\n", "utf-8")
    build(project)
    assert list((project / "output" / SLUG_24 / "media").glob("*-anh.png"))
    image.unlink()
    try:
        build(project)
    except Exception as exc:  # BuildFailed
        assert "anh.png" in str(getattr(exc, "problems", exc))
    else:
        raise AssertionError("a build with a missing image must fail")


def test_the_cache_keeps_about_twice_what_a_build_uses(tmp_path: Path) -> None:
    import os

    from generator.core.cache import Cache

    first = Cache(tmp_path)
    for i in range(6):
        first.save("x", f"k{i}", i)
        path = tmp_path / "x" / f"k{i}.pickle"
        os.utime(path, (1000 + i, 1000 + i))  # k0 is the oldest
    second = Cache(tmp_path)
    assert second.load("x", "k4") == 4 and second.load("x", "k5") == 5
    assert second.load("x", "missing") is None
    second.prune()  # used: k4, k5, missing -> keep 3 unused, the newest
    left = sorted(p.stem for p in (tmp_path / "x").iterdir())
    assert left == ["k1", "k2", "k3", "k4", "k5"]
    (tmp_path / "x" / "k1.pickle").write_bytes(b"x" * 40)
    damaged = Cache(tmp_path)
    assert damaged.load("x", "k1") is None  # damaged: recomputed, no crash
    assert damaged.damaged == ["x/k1.pickle"]
    assert not (tmp_path / "x" / "k1.pickle").exists()


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the slug of every conference loaded from its files (not the memo)."""
    from generator.load import conference as loader

    loaded: list[str] = []
    real = loader._load_entry

    def counting(run: object, rel: Path) -> object:
        loaded.append(rel.stem)
        return real(run, rel)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_load_entry", counting)
    return loaded


def test_unchanged_conferences_come_from_the_memo(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    loaded = count_loads(monkeypatch)
    edit(project / NARRATIVE, "Xâm hại và đuối nước", "Xâm hại và ĐUỐI nước")
    build(project)
    assert loaded == [SLUG_24]  # the other conference is taken as loaded
    assert_same_as_fresh_build(project)


def test_an_edited_archive_checks_the_quotes_again(project: Path) -> None:
    from generator.errors import BuildFailed

    build(project)
    archive = project.parent / "shared" / "seeds" / "000_5a68a6f6c8afb5c5.txt"
    quoted = "các đại biểu được nghe Cục Trẻ em báo cáo"
    edit(archive, quoted, "các đại biểu nghe báo cáo")
    with pytest.raises(BuildFailed) as failed:
        build(project)
    assert any(SLUG_23 in str(p.pos.path) for p in failed.value.problems)


def test_an_edit_with_warnings_warns_as_a_fresh_build(project: Path) -> None:
    path = project / NARRATIVE
    path.write_text(
        path.read_text("utf-8") + "\nXem [trang không có](khong-co.html).\n", "utf-8"
    )
    build(project)
    edit(project / f"data/{SLUG_23}.yaml", "value: 9.4", "value: 9.5")
    again = build(project)
    assert_same_as_fresh_build(project)
    fresh = build_site(
        project.parent / "fresh",
        BuildOptions(output=project.parent / "fresh" / "other", pdf=False),
    )
    assert [str(w) for w in again.warnings] == [str(w) for w in fresh.warnings]
    assert any("khong-co.html" in str(w) for w in again.warnings)


def test_a_deleted_conference_leaves_as_from_a_fresh_build(project: Path) -> None:
    build(project)
    (project / f"data/{SLUG_23}.yaml").unlink()
    shutil.rmtree(project / "content" / SLUG_23)
    build(project)
    assert not (project / "output" / SLUG_23).exists()
    assert_same_as_fresh_build(project)
