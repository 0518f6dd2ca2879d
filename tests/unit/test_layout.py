"""The package's shape: subpackages that mirror the pipeline, modules one can read.

The import contracts (no upward imports, no cycles) are checked by `make lint`
(import-linter, pyproject.toml); this checks what it cannot.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "generator"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_subpackages_are_the_stages_and_pyproject_lists_them_all() -> None:
    found = sorted(
        "generator." + p.parent.relative_to(PACKAGE).as_posix().replace("/", ".")
        for p in PACKAGE.rglob("__init__.py")
        if p.parent != PACKAGE
    )
    assert len(found) >= 4
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    listed = config["tool"]["setuptools"]["packages"]
    assert sorted(listed) == sorted(["generator", *found, "generator.themes"])
    assert config["tool"]["setuptools"]["package-dir"] == {"generator.themes": "themes"}


def test_no_module_is_too_long_to_read() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in _modules()
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_a_screen_or_two() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(REPO)}:{node.name}"] = size
    assert long == {}
