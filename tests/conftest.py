"""Shared fixtures: a copy of the real project, and one full build of it per session."""

from __future__ import annotations

import os

# The expected outputs are English: messages are in Vietnamese only when asked for
# (tests/unit/test_i18n.py). Set before the package is imported: help texts are
# translated at import.
os.environ["PROCEEDINGS_LANG"] = "en"

import shutil
import time
from pathlib import Path

import pytest

from generator.build.pipeline import build_site
from generator.core.context import BuildOptions
from generator.site.search_index import ReadIndex, read_index

REPO = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("site.yaml", "data", "content", "themes")


SEEDS = REPO.parent / "shared" / "seeds"  # the sources' archived copies

MARK = "PROCEEDINGS_TEST_RUN"


def marked(mark: str) -> list[int]:
    """The processes whose environment carries mark (the run and its children)."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(mark: str, seconds: float = 5.0) -> list[int]:
    """Poll until no marked process is left, for at most seconds; return the rest."""
    deadline = time.monotonic() + seconds
    while (left := marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def copy_project(dest: Path) -> Path:
    """Copy the real project (settings, data, narratives, themes) into dest.

    The archived sources its quotes are checked against (site.yaml `archives`,
    ../shared/seeds) are copied beside it, where the copy's site.yaml looks.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copy2(source, dest / part)
    seeds = dest.parent / "shared" / "seeds"
    if not seeds.exists():
        shutil.copytree(SEEDS, seeds)
    return dest


def search_index(out: Path) -> ReadIndex:
    """The search index of a built version (output/ or output/en/), parsed."""
    folder = out / "search"
    files = {f"search/{p.name}": p.read_bytes() for p in sorted(folder.glob("*.js"))}
    return read_index(files)


def search_text(out: Path) -> str:
    """What a program reads in a version's index: its words and its sections."""
    index = search_index(out)
    words = [w for shard in index.shards.values() for w in shard]
    docs = [" ".join(d) for chunk in index.chunks.values() for d in chunk]
    return "\n".join([*words, *docs])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, writable copy of the real project."""
    return copy_project(tmp_path / "site")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built once (HTML, figures and PDFs); returns output/."""
    root = copy_project(tmp_path_factory.mktemp("built") / "site")
    build_site(root, BuildOptions(output=root / "output"))
    return root / "output"


# A public address and publishing dates for the real project, which has neither
# (its articles give no date; its address is not known yet): with them the build
# writes what needs them — canonical links, sitemap, feed, sharing tags.
TEST_BASE = "https://ky-yeu.proceedings.local/"  # not a placeholder host
TEST_PUBLISHED = {"2023": "2023-07-20", "2024": "2024-07-20"}


def make_public(root: Path) -> Path:
    """Give the project at root TEST_BASE and a published date per conference."""
    config = root / "site.yaml"
    config.write_text(config.read_text("utf-8") + f"base_url: {TEST_BASE}\n", "utf-8")
    for year, day in TEST_PUBLISHED.items():
        path = root / "data" / f"hoi-nghi-tre-em-phia-nam-{year}.yaml"
        text = path.read_text("utf-8").replace(
            "\norganisers:", f"\npublished: {day}\norganisers:", 1
        )
        path.write_text(text, "utf-8")
    return root


@pytest.fixture(scope="session")
def built_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project, made public (make_public), built once without PDFs."""
    root = make_public(copy_project(tmp_path_factory.mktemp("built-html") / "site"))
    build_site(root, BuildOptions(output=root / "output", pdf=False))
    return root / "output"
