"""Each broken data file in cases/bad/ gives exactly the output in its .expected file.

A case is ``<name>.yaml``: a copy of the 2024 data file with one defect. It replaces
data/hoi-nghi-tre-em-phia-nam-2024.yaml in a copy of the project whose output/ was
already built; ``proceedings check`` must print ``<name>.expected`` to stderr and
exit 1, and a failed ``build`` must leave output/ byte-identical.

Regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_bad_cases.py``, then read every
diff: an .expected file says what is right, not what the code happens to print.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS, copy_project

from generator.build.pipeline import build_site
from generator.commands.main import cli
from generator.core.context import CACHE_DIR, BuildOptions

BAD = Path(__file__).parent / "cases" / "bad"
CASES = sorted(BAD.glob("*.yaml"))
TARGET = "data/hoi-nghi-tre-em-phia-nam-2024.yaml"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project with output/ (and the figure cache) built once."""
    root = copy_project(tmp_path_factory.mktemp("bad-cases") / "site")
    build_site(root, BuildOptions(output=root / "output", pdf=False))
    return root


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(built, root, symlinks=True)
    shutil.copytree(SEEDS, tmp_path / "shared" / "seeds")  # the archived sources
    return root


def test_there_are_enough_cases_and_each_has_its_expected_output() -> None:
    assert len(CASES) >= 12
    expected = sorted(BAD.glob("*.expected"))
    assert [p.stem for p in expected] == [p.stem for p in CASES] or UPDATE


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_bad_input_is_reported_with_position(case: Path, site: Path) -> None:
    shutil.copyfile(case, site / TARGET)
    result = CliRunner().invoke(cli, ["--root", str(site), "check"])
    expected_file = case.with_suffix(".expected")
    if UPDATE:
        expected_file.write_text(result.stderr, "utf-8")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr == expected_file.read_text("utf-8")
    for line in result.stderr.splitlines():
        assert line.startswith((f"{TARGET}:", "  hint: ")) or line.endswith(
            "error(s)"
        ), line


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_failed_build_leaves_output_byte_identical(case: Path, site: Path) -> None:
    before = snapshot(site / "output")
    cache_before = snapshot(site / CACHE_DIR) if (site / CACHE_DIR).is_dir() else {}
    shutil.copyfile(case, site / TARGET)
    result = CliRunner().invoke(cli, ["--root", str(site), "build", "--no-pdf"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    # build reports what check reports (the golden comparison is the test above)
    check = CliRunner().invoke(cli, ["--root", str(site), "check"])
    assert result.stderr == check.stderr
    assert snapshot(site / "output") == before
    leftovers = sorted(p.name for p in site.iterdir() if p.name.startswith(".output"))
    assert leftovers in ([], [".output.lock"])
    cache_after = snapshot(site / CACHE_DIR) if (site / CACHE_DIR).is_dir() else {}
    # Nothing in the cache is changed or lost; the only additions allowed are
    # entries for files that were read cleanly (parsed YAML, a conference loaded
    # without errors): nothing is drawn, rendered or published from a file with
    # errors.
    assert {k: cache_after.get(k) for k in cache_before} == cache_before
    added = cache_after.keys() - cache_before.keys()
    assert all(k.startswith(("yaml/", "entries/")) for k in added), added
