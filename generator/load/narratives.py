"""Read content/<slug>/*.md: front matter and Markdown body, and English versions."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.errors import Pos, Problems, did_you_mean
from generator.formats import slugify
from generator.i18n import N_, t
from generator.load.files import MAX_NARRATIVE_BYTES, read_text
from generator.load.parse import parse_yaml
from generator.load.translate import LANGUAGE_NAMES
from generator.load.validate import validate
from generator.model import (
    FrontMatter,
    Narrative,
    Positions,
    TranslatedFrontMatter,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def load_narratives(
    root: Path, slug: str, problems: Problems, drafts: bool, lang: str
) -> list[Narrative]:
    """Read content/<slug>/*.md, written in lang (the site's primary language)."""
    folder = root / "content" / slug
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.md")):
        narrative = load_narrative(root, path.relative_to(root), problems, lang=lang)
        if narrative is not None and (drafts or not narrative.front.draft):
            out.append(narrative)
    out.sort(key=lambda n: (n.front.order, n.slug))
    return out


def load_translations(
    root: Path,
    slug: str,
    langs: tuple[str, str],
    originals: Sequence[Narrative],
    problems: Problems,
    drafts: bool,
) -> list[Narrative]:
    """Read content/<slug>/<lang>/*.md, each the version of a same-named narrative.

    A translation takes its place (`order`) from its original; one whose original is
    a draft left out of this build is left out too, as is a translated draft (unless
    drafts is true). langs are the translation's language and the primary one.
    """
    lang, primary = langs
    folder = root / "content" / slug / lang
    if not folder.is_dir() or folder.is_symlink():
        return []
    names = {p.stem for p in folder.parent.glob("*.md")}
    order = {n.slug: n.front.order for n in originals}
    out = []
    for path in sorted(folder.glob("*.md")):
        rel = path.relative_to(root)
        if path.stem not in names:
            problems.add(
                Pos(rel),
                t(
                    "{language} narrative '{name}' has no {primary} original "
                    "content/{slug}/{name}",
                    language=t(LANGUAGE_NAMES.get(lang, lang)),
                    name=path.name,
                    primary=t(LANGUAGE_NAMES.get(primary, primary)),
                    slug=slug,
                ),
                t(
                    "a translation keeps the file name of the narrative it "
                    "translates; {suggestion}",
                    suggestion=did_you_mean(path.stem, names, N_("narrative")),
                ),
            )
            continue
        narrative = load_narrative(root, rel, problems, lang=lang, translation=True)
        if narrative is None or path.stem not in order:
            continue
        if drafts or not narrative.front.draft:
            front = narrative.front.model_copy(update={"order": order[path.stem]})
            out.append(dataclasses.replace(narrative, front=front))
    out.sort(key=lambda n: (n.front.order, n.slug))
    return out


def load_narrative(
    root: Path,
    rel: Path,
    problems: Problems,
    *,
    lang: str = "vi",
    translation: bool = False,
) -> Narrative | None:
    """Read one narrative, written in lang: front matter between '---' lines, Markdown.

    A translation's front matter may give only title, summary and draft.
    """
    if not _SLUG.match(rel.stem):
        problems.add(
            Pos(rel),
            t("file name '{name}' is not a valid slug", name=rel.name),
            t(
                "use lowercase ASCII letters, digits and '-', e.g. '{slug}.md'",
                slug=slugify(rel.stem),
            ),
        )
        return None
    text = read_text(root, rel, problems, MAX_NARRATIVE_BYTES)
    if text is None:
        return None
    match = _FRONT.match(text)
    if match is None:
        problems.add(
            Pos(rel),
            t("narrative has no front matter"),
            t("start the file with '---', a line 'title: …', and '---'"),
        )
        return None
    positions = Positions(rel, line_offset=1)
    before = len(problems.errors)
    front_raw: Any = parse_yaml(match.group(1) or "", positions, problems)
    if not isinstance(front_raw, dict):
        if len(problems.errors) == before:
            problems.add(
                Pos(rel, 2), t("front matter must be a mapping such as 'title: …'")
            )
        return None
    if translation:
        given = validate(TranslatedFrontMatter, front_raw, positions, problems)
        front = None if given is None else FrontMatter(**given.model_dump())
    else:
        front = validate(FrontMatter, front_raw, positions, problems)
    if front is None:
        return None
    body = text[match.end() :]
    if not body.strip():
        problems.warn(Pos(rel), t("narrative has no text after its front matter"))
    body_line = text[: match.end()].count("\n") + 1
    return Narrative(rel.stem, rel, front, body, body_line, lang)
