"""``proceedings new SLUG``: start a conference from a commented, valid template.

Writes ``data/SLUG.yaml`` (every field, either filled with a placeholder or shown
commented out with what it means) and ``content/SLUG/gioi-thieu.md``. The project
builds straight away; the author then replaces the placeholders. Nothing existing is
ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.errors import Problems, UsageError
from generator.formats import slugify
from generator.i18n import t
from generator.load.parse import parse_yaml
from generator.model import Positions
from generator.scaffold.project import template

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80  # model.Id allows 80 characters


def new_conference(root: Path, slug: str, today: dt.date | None = None) -> list[Path]:
    """Create data/SLUG.yaml and content/SLUG/gioi-thieu.md; return the new paths.

    Raises UsageError for an invalid slug, an existing conference or no project.
    """
    if not (root / "site.yaml").is_file():
        raise UsageError(
            t(
                "no site.yaml in {root}: run this in a project folder, or pass --root",
                root=root,
            )
        )
    check_slug(slug)
    data = root / "data" / f"{slug}.yaml"
    content = root / "content" / slug
    taken = [p for p in (data, data.with_suffix(".yml"), content) if p.exists()]
    taken += _case_twins(root / "data", slug)
    if taken:
        names = ", ".join(p.relative_to(root).as_posix() for p in taken)
        raise UsageError(
            t(
                "conference '{slug}' already exists ({names}); choose another slug",
                slug=slug,
                names=names,
            )
        )
    year = (today or dt.date.today()).year
    narrative = content / "gioi-thieu.md"
    data.parent.mkdir(parents=True, exist_ok=True)
    content.mkdir(parents=True)
    text = template("conference.yaml").replace("{slug}", slug)
    data.write_text(text.replace("{year}", str(year)), encoding="utf-8")
    narrative.write_text(template("narrative.md"), encoding="utf-8")
    return [data.relative_to(root), narrative.relative_to(root)]


def description_reminder(root: Path) -> str:
    """A reminder of site.yaml's `description`, which names the series it covers.

    A new conference may start a series the description does not speak of yet
    (the home page and search engines show it). '' when there is none.
    """
    problems = Problems()
    try:
        text = (root / "site.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    data = parse_yaml(text, Positions(Path("site.yaml")), problems)
    said = data.get("description") if isinstance(data, dict) else None
    if not isinstance(said, str) or not said.strip():
        return ""
    words = " ".join(said.split())
    shown = words if len(words) <= 100 else words[:99] + "…"
    return t(
        "site.yaml's `description` says: “{description}”; if this conference is of "
        "another series, say so there too (docs/content.md)",
        description=shown,
    )


def check_slug(slug: str) -> None:
    """Raise UsageError unless slug is lowercase ASCII words joined by '-'."""
    if SLUG.match(slug) and len(slug) <= MAX_SLUG:
        return
    suggestion = slugify(slug)[:MAX_SLUG].strip("-")
    hint = (
        t("; try '{suggestion}'", suggestion=suggestion)
        if suggestion and suggestion != slug
        else ""
    )
    raise UsageError(
        t(
            "'{slug}' is not a valid slug: use lowercase ASCII letters, digits and "
            "'-' (at most {most} characters){hint}",
            slug=slug,
            most=MAX_SLUG,
            hint=hint,
        )
    )


def _case_twins(folder: Path, slug: str) -> list[Path]:
    """List data files named like slug but for case (the loader refuses those)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and p.stem.lower() == slug and p.stem != slug
    )
