"""A site in its other languages: texts given per language, one overlay, the gaps.

Data files and ``content/<slug>/*.md`` are written in the site's primary language
(``language`` in site.yaml). Each other language the site names in ``languages``
publishes pages under its prefix (``en/``); they are made by the same stages from a
*translated copy* of the Site. Which texts can be translated is marked once, on
the models (``Strict.translated``); an author gives them in a block named after the
language, beside the primary text::

    - id: vu-xam-hai-tre-em
      label: Vụ xâm hại trẻ em
      unit: vụ
      en: {label: Child abuse cases, unit: cases}

``split_texts`` takes those blocks out of the parsed YAML before validation,
checking each against the fields its model marks; ``translated_site`` lays them
over a copy of the Site. A text without a version stays in the primary language,
wrapped in ``Untranslated`` so a template can mark it ``lang="vi"``; the texts a
model keeps (``Strict.kept``: a source's own words) are always shown as written,
marked the same way. Numbers are never translated, only formatted.
``missing_texts`` lists every gap for ``proceedings check --translations``. The
same path serves every language: a third one is an entry in ``languages`` and a
message catalogue in the theme (docs/bilingual.md).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic

from generator.errors import Pos, Problem, Problems
from generator.i18n import N_, t
from generator.load.validate import model_in, validate
from generator.model import (
    Entry,
    Loc,
    Narrative,
    Positions,
    Site,
    Strict,
    Text,
    Untranslated,
)

M = TypeVar("M", bound=Strict)


@dataclass(frozen=True, slots=True)
class Languages:
    """The language the data is written in, and those it may give texts in."""

    primary: str
    others: frozenset[str]  # published ones, and those the theme has messages for


Texts = dict[str, dict[Loc, dict[str, Any]]]  # lang -> where -> field -> text
LANGUAGE_NAMES = {"vi": N_("Vietnamese"), "en": N_("English"), "fr": N_("French")}
# ---------------------------------------------------------------- at loading


def split_texts(
    raw: Any,
    model: type[Strict],
    languages: Collection[str],
    positions: Positions,
    problems: Problems,
) -> Texts:
    """Take the blocks named after a language out of raw; return them checked.

    raw is parsed YAML about to be validated against model. Each block may give
    only the fields its model marks as translated; a list must have one entry per
    entry of the primary list. Problems are reported at their YAML position.
    """
    found: Texts = {}
    _split(raw, model, (), languages, positions, problems, found)
    return found


def _split(
    data: Any,
    cls: type[Strict],
    loc: Loc,
    languages: Collection[str],
    positions: Positions,
    problems: Problems,
    found: Texts,
) -> None:
    if not isinstance(data, MutableMapping):
        return
    for lang in languages:
        if lang not in data or not cls.translated:
            continue  # a model without texts keeps the key: "unknown field"
        block = data.pop(lang)
        where = positions.under((*loc, lang))
        texts = validate(_text_model(cls), block or {}, where, problems)
        if texts is None:
            continue
        given = texts.model_dump(exclude_none=True)
        _check_lengths(data, given, lang, loc, positions, problems)
        found.setdefault(lang, {})[loc] = given
    for name, field in cls.model_fields.items():
        sub = model_in(field.annotation)
        value = data.get(name)
        if sub is None or value is None or not issubclass(sub, Strict):
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                _split(
                    item, sub, (*loc, name, i), languages, positions, problems, found
                )
        else:
            _split(value, sub, (*loc, name), languages, positions, problems, found)


@functools.cache
def _text_model(cls: type[Strict]) -> type[Strict]:
    """The model of a language block of cls: each translated field, optional."""
    fields: dict[str, Any] = {}
    for name in cls.translated:
        annotation = cls.model_fields[name].annotation
        listed = typing.get_origin(annotation) is list
        fields[name] = (list[Text] | None if listed else Text | None, None)
    return pydantic.create_model(f"{cls.__name__}Texts", __base__=Strict, **fields)


def _check_lengths(
    data: Mapping[str, Any],
    given: Mapping[str, Any],
    lang: str,
    loc: Loc,
    positions: Positions,
    problems: Problems,
) -> None:
    """Report a translated list whose length differs from the list it renders."""
    for name, texts in given.items():
        original = data.get(name)
        if (
            isinstance(texts, list)
            and isinstance(original, list)
            and len(texts) != len(original)
        ):
            problems.add(
                positions.at((*loc, lang, name)),
                t(
                    "{lang}.{name} has {count} entries but {name} has {expected}",
                    lang=lang,
                    name=name,
                    count=len(texts),
                    expected=len(original),
                ),
                t(
                    "give one {language} entry for each entry of {name}, in the same "
                    "order",
                    language=t(LANGUAGE_NAMES.get(lang, lang)),
                    name=name,
                ),
            )


# ------------------------------------------------------------ translated copy


def translated_site(site: Site, lang: str) -> Site:
    """Return the Site as its pages in lang show it (see the module docstring)."""
    units = shared_units(site, lang)
    config = translated_model(site.config, site.texts.get(lang, {}), (), units)
    entries = tuple(translated_entry(e, lang, units) for e in site.entries)
    return Site(site.root, config.model_copy(update={"language": lang}), entries)


def shared_units(site: Site, lang: str) -> dict[str, str]:
    """Map each unit to its version in lang, where the data agrees on one.

    A unit translated once (``en: {unit: cases}`` beside ``unit: vụ``) serves every
    indicator and figure with that unit and no version of its own, so a series
    keeps one unit in every language. A unit translated two ways is not shared.
    """
    seen: dict[str, set[str]] = {}
    for entry in site.entries:
        texts = entry.texts.get(lang, {})
        units: list[tuple[str, int, str | None]] = [
            ("indicators", i, x.unit) for i, x in enumerate(entry.data.indicators)
        ]
        units += [("figures", i, x.unit) for i, x in enumerate(entry.data.figures)]
        for kind, i, unit in units:
            given = texts.get((kind, i), {}).get("unit")
            if unit and given is not None:
                seen.setdefault(unit, set()).add(given)
    return {
        unit: names.pop() for unit, names in sorted(seen.items()) if len(names) == 1
    }


def translated_entry(
    entry: Entry, lang: str, units: Mapping[str, str] | None = None
) -> Entry:
    """Return entry with its texts and narratives in lang, primary where none exists.

    A narrative without a version in lang keeps the primary one (its lang says so),
    so the page can show it with a note. The series keeps its primary slug, so a
    series page has one address in every language.
    """
    own = {n.slug: n for n in entry.translations if n.lang == lang}
    narratives = tuple(own.get(n.slug, n) for n in entry.narratives)
    return dataclasses.replace(
        entry,
        data=translated_model(entry.data, entry.texts.get(lang, {}), (), units or {}),
        narratives=narratives,
        series_key=entry.series_slug,
    )


def translated_model(
    model: M,
    texts: Mapping[Loc, Mapping[str, Any]] | None = None,
    loc: Loc = (),
    units: Mapping[str, str] | None = None,
) -> M:
    """Return a copy of model (at loc) with its texts in one language laid over it.

    units (from shared_units) translates a `unit` that has no version of its own.
    """
    cls = type(model)
    texts, units = texts or {}, units or {}
    given = texts.get(loc, {})
    update: dict[str, Any] = {}
    for name in cls.model_fields:
        value = getattr(model, name)
        if isinstance(value, Strict):
            update[name] = translated_model(value, texts, (*loc, name), units)
        elif isinstance(value, list) and value and isinstance(value[0], Strict):
            update[name] = [
                translated_model(v, texts, (*loc, name, i), units)
                for i, v in enumerate(value)
            ]
    for name in cls.translated:
        value = getattr(model, name)
        text = given.get(name)
        if text is None and name == "unit" and value in units:
            text = units[value]
        if text is not None:
            update[name] = text
        elif value is not None:
            update[name] = _untranslated(value)
    for name in cls.kept:
        if getattr(model, name) is not None:
            update[name] = _untranslated(getattr(model, name))
    return model.model_copy(update=update)


def _untranslated(value: Any) -> Any:
    if isinstance(value, str):
        return Untranslated(value)
    if isinstance(value, list):
        return [_untranslated(v) for v in value]
    return value


# ------------------------------------------------------------------------ gaps


def missing_texts(
    site: Site, lang: str, config: Positions | None = None
) -> list[Problem]:
    """List every narrative and data text that has no version in lang, sorted.

    Each is a warning (exit 0 unless ``--strict``): the page in lang shows the
    primary text instead, marked as such. A gap is what the translated copy still
    holds in the primary language, so a unit translated elsewhere (shared_units)
    is not one. With config (the positions of site.yaml), the site's own texts are
    checked too.
    """
    problems = Problems()
    copy = translated_site(site, lang)
    names = (lang, site.config.language)
    if config is not None:
        _missing(copy.config, (), config, names, problems)
    for entry in copy.entries:
        for narrative in entry.narratives:
            if narrative.lang != lang:
                _missing_narrative(narrative, entry.slug, lang, problems)
        _missing(entry.data, (), entry.positions, names, problems)
    return sorted(problems.items, key=Problem.sort_key)


def _missing_narrative(
    narrative: Narrative, slug: str, lang: str, problems: Problems
) -> None:
    target = f"content/{slug}/{lang}/{narrative.path.name}"
    name = t(LANGUAGE_NAMES.get(lang, lang))
    problems.warn(
        Pos(narrative.path),
        t("narrative has no {name} version ({target})", name=name, target=target),
        t(
            "write {target} with a front matter `title:`; until then the {name} page "
            "shows this text in {language}, with a note",
            target=target,
            name=name,
            language=t(LANGUAGE_NAMES.get(narrative.lang, narrative.lang)),
        ),
    )


def _words(text: str) -> bool:
    """Tell whether text has letters to translate ('%' and '1/2' have none)."""
    return any(c.isalpha() for c in text)


def _missing(
    copy: Strict,
    loc: Loc,
    positions: Positions,
    langs: tuple[str, str],
    problems: Problems,
) -> None:
    """Report the texts of a translated copy that are still in the primary language.

    langs are the copy's language and the primary one.
    """
    lang, primary = langs
    language = t(LANGUAGE_NAMES.get(lang, lang))
    for name in type(copy).translated:
        value = getattr(copy, name)
        items = value if isinstance(value, list) else [value]
        if not any(isinstance(v, Untranslated) and _words(v) for v in items):
            continue  # '%', '‰', '2024': the same in every language
        where = "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*loc, name)
        ).removeprefix(".")
        # A plain-text item (`- Bộ …`) must first become a mapping to take a block.
        plain = loc and (*positions.prefix, *loc, name) not in positions.values
        block = (
            t(
                "write this item as `- {name}: …` and give it a `{lang}:` block with "
                "`{name}: …`",
                name=name,
                lang=lang,
            )
            if plain
            else t(
                "add `{name}: …` to this item's `{lang}:` block", name=name, lang=lang
            )
        )
        problems.warn(
            positions.at((*loc, name)),
            t(
                "{where} has no {language} version: {clip}",
                where=where,
                language=language,
                clip=_clip("; ".join(items)),
            ),
            t(
                "{block} (docs/bilingual.md); until then {language} pages show the "
                "{primary} text",
                block=block,
                language=language,
                primary=t(LANGUAGE_NAMES.get(primary, primary)),
            ),
        )
    for name in type(copy).model_fields:
        value = getattr(copy, name)
        if isinstance(value, Strict):
            _missing(value, (*loc, name), positions, langs, problems)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Strict):
                    _missing(item, (*loc, name, i), positions, langs, problems)


def _clip(text: str, width: int = 60) -> str:
    return f"“{text}”" if len(text) <= width else f"“{text[: width - 1]}…”"
