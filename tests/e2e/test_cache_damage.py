"""A damaged cache is never published: every entry is verified, remade, noted once.

Every kind of file under .proceedings-cache/ — parsed YAML, rendered narratives,
search records and figure sets (pickles), drawn figures and PDF briefs (files
with a .sha256 beside them), Jinja's bytecode (blobs), the output record and the
stamps (records) — is damaged in place, keeping its size and modification time,
and the next build must exit 0 with the site of a clean build and one note.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build.pipeline import build_site
from generator.build.publish import SPARE_DIR
from generator.core.cache import public_mode
from generator.core.context import CACHE_DIR, BuildOptions
from generator.core.lock import LOCK_NAME

REPO = Path(__file__).resolve().parents[2]
KINDS = {  # every kind of cache file a full build leaves, by folder
    "yaml",
    "entries",
    "markdown",
    "search",
    "figure-sets",
    "figures",
    "pdf",
    "jinja",
    "records",
}


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def cache_files(root: Path) -> list[Path]:
    """The cache's entries. Not spare/: the site the last publish replaced, kept
    to stage the next one in; its files are output/'s own (the same inodes), never
    read as content."""
    folder = root / CACHE_DIR
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.name != LOCK_NAME
        and p.relative_to(folder).parts[0] != SPARE_DIR
    )


def rewrite(path: Path, data: bytes) -> None:
    """Replace a file's bytes, keeping its modification time (as bit rot does)."""
    info = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def copy_built(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(built.parent, root, symlinks=True)
    return root


def test_bytes_flipped_in_every_cache_file_give_the_clean_site(
    built_site: Path, tmp_path: Path
) -> None:
    root = copy_built(built_site, tmp_path)
    # Loaded conferences are kept per project folder: build once here, so the
    # cache holds this copy's too (everything else is reused).
    elsewhere = {p for p in cache_files(root) if p.parent.name == "entries"}
    build_site(root, BuildOptions(output=root / "output"))
    files = cache_files(root)
    assert {p.relative_to(root / CACHE_DIR).parts[0] for p in files} == KINDS
    for path in files:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x10  # one bit, in the middle of the entry
        rewrite(path, bytes(data))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "build"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root / "output") == snapshot(built_site)
    notes = [line for line in result.stderr.splitlines() if "damaged; rebuilt" in line]
    assert len(notes) == 1, result.stderr
    assert notes[0].startswith(f"{CACHE_DIR}:1:1: note: cache entry {CACHE_DIR}/")
    # A file and its digest are one entry; a drawing's files (its wide, medium and
    # narrow SVG, its PNG) are one entry too: the first damaged file redraws them all.
    entries = {  # the first folder's loaded conferences are not read here
        p.name.split("-")[0].split(".")[0] if p.parent.name == "figures" else p.name
        for p in files
        if p.suffix != ".sha256" and p not in elsewhere
    }
    assert f"and {len(entries) - 1} other(s) damaged; rebuilt" in notes[0]


MUTATIONS = ("flip", "truncate", "append", "empty", "swap", "drop sidecar")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_damage_to_the_cache_gives_the_clean_site(
    built_html: Path, tmp_path_factory: object, data: st.DataObject
) -> None:
    root = copy_built(built_html, tmp_path_factory.mktemp("damaged"))  # type: ignore[attr-defined]
    files = cache_files(root)
    chosen = data.draw(st.lists(st.sampled_from(files), min_size=1, unique=True))
    for path in chosen:
        raw = path.read_bytes()
        kind = data.draw(st.sampled_from(MUTATIONS))
        if kind == "flip" and raw:
            at = data.draw(st.integers(0, len(raw) - 1))
            rewrite(path, raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :])
        elif kind == "truncate":
            rewrite(path, raw[: data.draw(st.integers(0, max(0, len(raw) - 1)))])
        elif kind == "append":
            rewrite(path, raw + b"\0")
        elif kind == "empty":
            rewrite(path, b"")
        elif kind == "swap":  # another entry of the same kind, sidecar and all
            others = [
                p for p in files if p.parent == path.parent and p != path and p.exists()
            ]  # not a sidecar an earlier step dropped
            if others:
                rewrite(path, data.draw(st.sampled_from(others)).read_bytes())
        elif kind == "drop sidecar" and path.suffix == ".sha256":
            path.unlink()
    summary = build_site(root, BuildOptions(output=root / "output", pdf=False))
    assert snapshot(root / "output") == snapshot(built_html)
    assert len([n for n in summary.notes if "damaged; rebuilt" in n.message]) <= 1


def test_a_drawing_damaged_in_the_cache_is_not_published_through_its_link(
    built_site: Path, tmp_path: Path
) -> None:
    """Publishing links a drawing kept in the cache rather than copying it, so
    damage to one is damage to the published file too: the next build finds it
    in the cache and publishes the drawing made again, not the old site's file."""
    for svg in sorted(built_site.glob("*/figures/*.svg")):
        kept = list((built_site.parent / CACHE_DIR / "figures").glob("*.svg"))
        assert any(svg.samefile(p) for p in kept), svg
        assert stat.S_IMODE(svg.stat().st_mode) == public_mode()
    root = copy_built(built_site, tmp_path)  # copies: link them again
    build_site(root, BuildOptions(output=root / "output"))
    published = sorted((root / "output").glob("*/figures/*.svg"))[0]
    kept = next(
        p for p in (root / CACHE_DIR / "figures").glob("*.svg") if p.samefile(published)
    )
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0x10
    rewrite(kept, bytes(data))
    assert published.read_bytes() == bytes(data)  # one file, two names
    # An edit elsewhere, so that the build runs (a build that finds nothing
    # changed checks only the sizes and times of output/'s files) and reuses
    # the old site's drawings by their keys.
    narrative = sorted((root / "content" / published.parts[-3]).glob("*.md"))[0]
    narrative.write_text(narrative.read_text("utf-8") + "\nMột câu.\n", "utf-8")
    summary = build_site(root, BuildOptions(output=root / "output", pdf=False))
    figures = {k: v for k, v in snapshot(root / "output").items() if "/figures/" in k}
    assert figures == {
        k: v for k, v in snapshot(built_site).items() if "/figures/" in k
    }
    assert [n for n in summary.notes if "damaged; rebuilt" in n.message]
