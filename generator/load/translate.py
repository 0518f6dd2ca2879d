"""English versions of a site: the data's `en:` texts, English narratives, gaps.

Vietnamese is the primary language: data files and ``content/<slug>/*.md`` are written
in it. A site with ``languages: [vi, en]`` also publishes English pages under ``en/``;
they are made by the same stages from an *English copy* of the Site, in which every
text that has an English version (an ``en:`` block in the data, a narrative in
``content/<slug>/en/``) replaces the Vietnamese one. A text without one stays
Vietnamese, wrapped in ``Untranslated`` so a template can mark it ``lang="vi"``;
numbers are never translated, only formatted. ``missing_translations`` lists every
gap for ``proceedings check --translations``. See docs/bilingual.md.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from generator.errors import Pos, Problem, Problems
from generator.model import (
    Entry,
    Indicator,
    LegalDocument,
    Loc,
    Narrative,
    Positions,
    Site,
    Source,
    Strict,
    Untranslated,
)

if TYPE_CHECKING:
    pass


PRIMARY = "vi"


ENGLISH = "en"


M = TypeVar("M", bound=Strict)


# Texts that stay as written on English pages too, and are marked as Vietnamese:
# the source's own words, and the names of Vietnamese documents.
KEPT: dict[type[Strict], tuple[str, ...]] = {
    Indicator: ("quote",),
    Source: ("title", "author", "publisher"),
    LegalDocument: ("number",),
}


def translated_site(site: Site, lang: str) -> Site:
    """Return the Site as its pages in lang show it (see the module docstring)."""
    assert lang == ENGLISH, "only English translations exist so far"
    return english_site(site)


def english_site(site: Site) -> Site:
    """Return the Site as its English pages show it (see the module docstring)."""
    config = english_texts(site.config).model_copy(update={"language": ENGLISH})
    units = english_units(site)
    entries = tuple(english_entry(e, units) for e in site.entries)
    return Site(site.root, config, entries)


def english_units(site: Site) -> dict[str, str]:
    """Map each Vietnamese unit to its English one, where the data agrees on one.

    A unit translated once (``en: {unit: cases}`` beside ``unit: vụ``) serves every
    indicator and figure with that unit and no English unit of its own, so a
    series keeps one unit in English too. A unit translated two ways is not shared.
    """
    seen: dict[str, set[str]] = {}
    for entry in site.entries:
        pairs: list[tuple[str | None, str | None]]
        pairs = [(i.unit, i.en.unit if i.en else None) for i in entry.data.indicators]
        pairs += [(f.unit, f.en.unit if f.en else None) for f in entry.data.figures]
        for unit, english in pairs:
            if unit and english is not None:
                seen.setdefault(unit, set()).add(english)
    return {vi: en.pop() for vi, en in sorted(seen.items()) if len(en) == 1}


def english_entry(entry: Entry, units: Mapping[str, str] | None = None) -> Entry:
    """Return entry with English texts and narratives, Vietnamese where none exists.

    A narrative without an English version keeps its Vietnamese one (lang "vi"), so
    the English page can show it with a note. The series keeps its Vietnamese slug,
    so series pages have one address in both languages.
    """
    english = {n.slug: n for n in entry.translations}
    narratives = tuple(english.get(n.slug, n) for n in entry.narratives)
    return dataclasses.replace(
        entry,
        data=english_texts(entry.data, units or {}),
        narratives=narratives,
        series_key=entry.series_slug,
    )


def english_texts(model: M, units: Mapping[str, str] | None = None) -> M:
    """Return a copy of model whose texts are its `en:` versions where given.

    units (from english_units) translates a `unit` that has no `en:` version.
    """
    units = units or {}
    cls = type(model)
    english = getattr(model, "en", None)
    update: dict[str, Any] = {}
    for name in cls.model_fields:
        value = getattr(model, name)
        if name == "en" or value is None:
            continue
        if isinstance(value, Strict):
            update[name] = english_texts(value, units)
        elif isinstance(value, list) and value and isinstance(value[0], Strict):
            update[name] = [english_texts(v, units) for v in value]
    for name in _translated_fields(cls):
        value = getattr(model, name)
        given = getattr(english, name, None) if english is not None else None
        if given is None and name == "unit" and value in units:
            given = units[value]
        if given is not None:
            update[name] = given
        elif value is not None:
            update[name] = _untranslated(value)
    for name in KEPT.get(cls, ()):
        if getattr(model, name) is not None:
            update[name] = _untranslated(getattr(model, name))
    return model.model_copy(update=update)


def _untranslated(value: Any) -> Any:
    if isinstance(value, str):
        return Untranslated(value)
    if isinstance(value, list):
        return [_untranslated(v) for v in value]
    return value


def _translated_fields(cls: type[Strict]) -> tuple[str, ...]:
    """Return the fields cls's `en:` block may give (none if it has no such block)."""
    field = cls.model_fields.get("en")
    if field is None:
        return ()
    for arg in typing.get_args(field.annotation) or (field.annotation,):
        if isinstance(arg, type) and issubclass(arg, Strict):
            return tuple(arg.model_fields)
    return ()  # pragma: no cover - every `en` field is `<Model>En | None`


def missing_translations(site: Site, config: Positions | None = None) -> list[Problem]:
    """List every narrative and data text that has no English version, sorted.

    Each is a warning (exit 0 unless ``--strict``): the English page shows the
    Vietnamese text instead, marked as such. A gap is what the English copy still
    holds in Vietnamese, so a unit translated elsewhere (english_units) is not one.
    With config (the positions of site.yaml), the site's own texts are checked too.
    """
    problems = Problems()
    english = english_site(site)
    if config is not None:
        _missing_texts(english.config, (), config, problems)
    for entry in english.entries:
        for narrative in entry.narratives:
            if narrative.lang != ENGLISH:
                _missing_narrative(narrative, entry.slug, problems)
        _missing_texts(entry.data, (), entry.positions, problems)
    return sorted(problems.items, key=Problem.sort_key)


def _missing_narrative(narrative: Narrative, slug: str, problems: Problems) -> None:
    target = f"content/{slug}/en/{narrative.path.name}"
    problems.warn(
        Pos(narrative.path),
        f"narrative has no English version ({target})",
        f"write {target} with a front matter `title:`; until then the English page "
        "shows this text in Vietnamese, with a note",
    )


def _missing_texts(
    copy: Strict, loc: Loc, positions: Positions, problems: Problems
) -> None:
    """Report the texts of an English copy that are still Vietnamese."""
    for name in _translated_fields(type(copy)):
        value = getattr(copy, name)
        items = value if isinstance(value, list) else [value]
        if not any(isinstance(v, Untranslated) for v in items):
            continue
        where = "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*loc, name)
        ).removeprefix(".")
        problems.warn(
            positions.at((*loc, name)),
            f"{where} has no English version: {_clip('; '.join(items))}",
            f"add `{name}: …` to this item's `en:` block (docs/bilingual.md); until "
            "then English pages show the Vietnamese text",
        )
    for name in type(copy).model_fields:
        value = getattr(copy, name)
        if isinstance(value, Strict) and name != "en":
            _missing_texts(value, (*loc, name), positions, problems)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Strict):
                    _missing_texts(item, (*loc, name, i), positions, problems)


def _clip(text: str, width: int = 60) -> str:
    return f"“{text}”" if len(text) <= width else f"“{text[: width - 1]}…”"
