"""``proceedings init [DIR]``: start a project that builds at once.

Writes ``site.yaml`` (every setting, commented), empty ``data/`` and ``content/``
folders and a ``.gitignore`` for what a build makes. An existing project is never
overwritten.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from generator.errors import UsageError
from generator.i18n import t


def template(name: str) -> str:
    """Return the text of one of the package's scaffold templates."""
    return (files("generator.scaffold") / "templates" / name).read_text("utf-8")


def init_project(folder: Path) -> list[Path]:
    """Create a project in folder (made if missing); return the paths created.

    Raises UsageError if folder already holds a project (a site.yaml).
    """
    if (folder / "site.yaml").exists():
        raise UsageError(
            t(
                "{folder} already holds a project (site.yaml); add a conference with "
                "`proceedings new SLUG`",
                folder=folder,
            )
        )
    if folder.exists() and not folder.is_dir():
        raise UsageError(t("{folder} is a file, not a folder", folder=folder))
    created = []
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.yaml").write_text(template("site.yaml"), encoding="utf-8")
    created.append(Path("site.yaml"))
    for name in ("data", "content"):
        if not (folder / name).exists():
            (folder / name).mkdir()
            created.append(Path(name))
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(template("gitignore"), encoding="utf-8")
        created.append(Path(".gitignore"))
    return created
