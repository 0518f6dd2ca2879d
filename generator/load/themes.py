"""The theme chain: which theme folders a project uses, and their message catalogues.

Lookup, first match wins (templates, static files and messages alike)::

    themes/site/  ->  themes/<site.yaml theme>/  ->  its `extends` parents  ->  default

A theme folder is looked for in the project's themes/ first, then among the themes
shipped with the package. Each language the site is published in needs a message
catalogue, ``messages/<lang>.yaml``, somewhere in the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.core.context import PACKAGE_THEMES
from generator.errors import Problems
from generator.load.parse import parse_yaml
from generator.model import Positions


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Return the theme folders to search, most specific first."""
    chain: list[Path] = []
    site_dir = root / "themes" / "site"
    if site_dir.is_dir():
        chain.append(site_dir)
    name: str | None = theme
    while name is not None and len(chain) < 10:
        folder = _find_theme(root, name)
        if folder is None or folder in chain:
            break
        chain.append(folder)
        name = _theme_parent(folder)
    default = _find_theme(root, "default")
    if default is not None and default not in chain:
        chain.append(default)
    return chain


def _find_theme(root: Path, name: str) -> Path | None:
    for base in (root / "themes", PACKAGE_THEMES):
        if (base / name).is_dir():
            return base / name
    return None


def _theme_parent(folder: Path) -> str | None:
    meta = folder / "theme.yaml"
    if not meta.is_file():
        return None
    data = parse_yaml(meta.read_text("utf-8"), Positions(meta), Problems())
    parent = data.get("extends") if isinstance(data, dict) else None
    return parent if isinstance(parent, str) else None


def load_messages(dirs: Sequence[Path], lang: str) -> dict[str, str]:
    """Merge the UI message catalogues of a theme chain, most specific winning."""
    merged: dict[str, str] = {}
    for folder in reversed(dirs):
        path = folder / "messages" / f"{lang}.yaml"
        if path.is_file():
            data = parse_yaml(path.read_text("utf-8"), Positions(path), Problems())
            if isinstance(data, dict):
                merged.update(
                    {str(k): str(v) for k, v in data.items() if v is not None}
                )
    return merged


def catalogue_languages(dirs: Sequence[Path]) -> frozenset[str]:
    """The languages the theme chain has a message catalogue for."""
    return frozenset(
        path.stem
        for folder in dirs
        if (folder / "messages").is_dir()
        for path in (folder / "messages").glob("*.yaml")
    )
