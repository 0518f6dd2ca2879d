"""The package works outside this checkout: a wheel, a fresh venv, an empty folder.

The wheel is built from a copy of the sources (pyproject.toml, README.md,
generator/, themes/) with the test venv's setuptools, and installed without
dependencies into a new venv that sees the test venv's libraries through a .pth
file (so no download is needed and the editable checkout is not on its path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with proceedings installed from a wheel; returns its bin/."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for name in ("generator", "themes"):
        shutil.copytree(
            REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    wheels = base / "wheels"
    pip = [sys.executable, "-m", "pip", "--quiet"]
    wheel_args = ["wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels)]
    run([*pip, *wheel_args, str(source)], base)
    [wheel] = wheels.glob("proceedings-*.whl")
    env = base / "venv"
    venv.create(env, with_pip=False)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)})
    )
    (purelib / "test-libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # Unpacking the wheel is what pip does for a pure-Python one; the test venv's pip
    # installs it into the new venv's site-packages.
    run([*pip, "install", "--no-deps", "--target", str(purelib), str(wheel)], base)
    return env / "bin"


def run(command: list[str], cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_wheel_starts_and_builds_a_project_in_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    python = str(installed / "python")
    where = run([python, "-c", "import generator; print(generator.__file__)"], tmp_path)
    assert "site-packages" in where and str(REPO) not in where
    cli = [python, "-m", "generator"]
    run([*cli, "init", "site"], tmp_path)
    project = tmp_path / "site"
    assert {p.name for p in project.iterdir()} == {
        "site.yaml",
        "data",
        "content",
        ".gitignore",
    }
    run([*cli, "new", "hoi-nghi-thu"], project)
    out = run([*cli, "build"], project)
    assert out.startswith("Built ")
    page = project / "output" / "hoi-nghi-thu" / "index.html"
    assert '<html lang="vi">' in page.read_text("utf-8")
    brief = project / "output" / "hoi-nghi-thu" / "hoi-nghi-thu.pdf"
    assert len(PdfReader(brief).pages) >= 1
    assert (project / "output" / "static" / "css" / "site.css").is_file()


def test_the_wheel_carries_the_vietnamese_catalogue(
    installed: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PROCEEDINGS_LANG"] = "vi"
    done = subprocess.run(
        [str(installed / "python"), "-m", "generator", "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Làm kỷ yếu hội nghị: trang HTML và bản tóm tắt PDF" in done.stdout
