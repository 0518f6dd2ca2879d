"""Validate parsed YAML against a model; report each error at its YAML position."""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from collections.abc import Sequence
from typing import Any, TypeVar

import pydantic
import yaml

from generator.errors import Problems, closest, did_you_mean
from generator.i18n import N_, t
from generator.load.messages import Context, example, explain
from generator.load.parse import REFUSED
from generator.model import Loc, Positions

try:  # libyaml's C parser is several times faster; both keep marks.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


M = TypeVar("M", bound=pydantic.BaseModel)


def validate(
    model: type[M], data: Any, positions: Positions, problems: Problems
) -> M | None:
    """Validate data against model, reporting each error at its YAML position.

    A value the parser refused (``parse.REFUSED``) was reported already: nothing
    more is said about it. A misspelt key also makes the real one "missing": only
    the misspelling is reported, and the block under it is checked as the field
    it most likely means, so its own mistakes show in the same run.
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
    renamed: dict[Loc, str] = {}  # where a misspelt key is -> the field it means
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = _data_loc(err["loc"], data)
            for match in _suggest(model, loc):
                if not _holds(data, (*loc[:-1], match)):
                    renamed[loc] = match
    meant = {(*loc[:-1], name) for loc, name in renamed.items()}
    for err in errors:
        loc = _data_loc(err["loc"], data)
        if err["type"] == "missing" and loc in meant:
            continue
        if err.get("input") is not REFUSED:
            _report(model, err, loc, positions, problems, data)
    if renamed:
        _validate_renamed(model, data, renamed, positions, problems)
    return None


MAX_RENAMED_PASSES = 3  # a misspelt key inside a misspelt block, and so on
_LANGUAGE_BLOCK = re.compile(r"^[a-z]{2}$")  # en: {…}, fr: {…}


def _validate_renamed(
    model: type[pydantic.BaseModel],
    data: Any,
    renamed: dict[Loc, str],
    positions: Positions,
    problems: Problems,
) -> None:
    """Check the blocks under misspelt keys as the fields they most likely mean.

    A misspelt key inside such a block is renamed in turn (a few levels deep),
    before anything in the block is reported.
    """
    unknown: set[Loc] = set()  # unknown fields inside the blocks, reported once
    for passes_left in reversed(range(MAX_RENAMED_PASSES)):
        fixed = _rename(data, renamed)
        try:
            model.model_validate(fixed)
            return
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
        inverse = {_forward(loc, renamed): loc for loc in renamed}
        found: list[tuple[Any, Loc, Loc]] = []  # error, loc in fixed, loc as written
        more: dict[Loc, str] = {}
        for err in errors:
            loc = _data_loc(err["loc"], fixed)
            under = max(
                (k for k in inverse if loc[: len(k)] == k), key=len, default=None
            )
            if under is None or err.get("input") is REFUSED:
                continue  # outside the renamed blocks: reported already
            written = (*inverse[under], *loc[len(under) :])
            if err["type"] != "extra_forbidden":
                found.append((err, loc, written))
                continue
            # Texts in another language (en: {…}) are taken out of known fields
            # only (load.translate): they are checked once the key is spelt right.
            if _LANGUAGE_BLOCK.match(str(loc[-1])) and isinstance(err["input"], dict):
                continue
            if written not in unknown:
                unknown.add(written)
                _report(model, err, loc, positions, problems, fixed, at=written)
            match = next(iter(_suggest(model, loc)), None)
            if match and not _holds(fixed, (*loc[:-1], match)):
                more[written] = match
        if more and passes_left:
            renamed.update(more)
            continue
        meant = {_forward((*loc[:-1], name), renamed) for loc, name in renamed.items()}
        meant |= {(*loc[:-1], name) for loc, name in renamed.items()}
        for err, loc, written in found:
            if not (err["type"] == "missing" and loc in meant):
                _report(model, err, loc, positions, problems, fixed, at=written)
        return


def _forward(loc: Loc, renamed: dict[Loc, str]) -> Loc:
    """Where loc, as written, stands once the misspelt keys are renamed."""
    return tuple(renamed.get(tuple(loc[: i + 1]), part) for i, part in enumerate(loc))


def _holds(data: Any, loc: Loc) -> bool:
    """Tell whether data has a value at loc."""
    current = data
    for part in loc:
        inside = (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and part < len(current)
        )
        if not inside:
            return False
        current = current[part]
    return True


def _rename(data: Any, renamed: dict[Loc, str]) -> Any:
    """A copy of data with each misspelt key replaced by the field it means."""

    def walk(value: Any, loc: Loc) -> Any:
        if isinstance(value, dict):
            return {
                renamed.get((*loc, key), key): walk(item, (*loc, key))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [walk(item, (*loc, i)) for i, item in enumerate(value)]
        return value

    return walk(data, ())


def _suggest(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    if not loc:
        return []
    match = closest(str(loc[-1]), _fields_at(model, loc[:-1]))
    return [match] if match else []


def _data_loc(loc: Sequence[str | int], data: Any) -> Loc:
    """Keep the parts of a pydantic loc that are keys and indexes of data.

    pydantic adds union-member and validator names ("function-after[…]") to loc.
    A part is kept if the data holds it, so an author's key such as "ghi chú (cũ)"
    is not mistaken for one; a missing field's name is kept too.
    """
    out: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int):
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(part, str) and _PYDANTIC_PART.search(part):
            continue
        else:
            current = None
        out.append(part)
    return tuple(out)


_PYDANTIC_PART = re.compile(r"[\[\](),]")


def _report(
    model: type[pydantic.BaseModel],
    err: Any,
    loc: Loc,
    positions: Positions,
    problems: Problems,
    data: Any,
    *,
    at: Loc | None = None,
) -> None:
    """Report err, found at loc of the model; at is where it is written, if not loc.

    (They differ in a block under a misspelt key, checked as the field it means.)
    """
    at = loc if at is None else at
    where = _dotted(at)
    kind = err["type"]
    owner, field = _owner(model, loc)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        if err.get("input") is None and _NOT_A_KEY.search(name):
            problems.add(
                positions.at(at, key=True),
                t(
                    "'{name}' is read as a field name: an unquoted ',' inside "
                    "'{{…}}' ends the text before it",
                    name=name,
                ),
                t(
                    "put text that holds ',' or ':' in quotes; for example: {example}",
                    example='en: {name: "Ministry of Labour, Invalids and Social '
                    'Affairs"}',
                ),
            )
            return
        hint = did_you_mean(name, _fields_at(model, loc[:-1]), N_("field"))
        problems.add(
            positions.at(at, key=True), t("unknown field '{name}'", name=name), hint
        )
    elif kind == "missing":
        line = example(owner, field)
        problems.add(
            positions.at(at[:-1]),
            t("missing required field '{name}'", name=loc[-1]),
            t("add it; for example: {example}", example=line)
            if line
            else t("see docs/content.md for the fields and an example"),
        )
    else:
        context = Context(_speaker_ids(data), _unit_at(data, loc))
        message, hint = explain(kind, err, owner, field, context)
        got = err.get("input")
        if isinstance(got, str) and kind not in _NO_INPUT:
            message = t(
                "{message}, got '{got}'", message=message, got=visible(got[:60])
            )
        problems.add(
            positions.at(at),
            t("{where}: {message}", where=where, message=message) if where else message,
            hint,
        )


# A key no one types as a field name, with no value: words with spaces, which a ','
# inside {…} cut off from the value before them ({name: Bộ A, Cục B}).
_NOT_A_KEY = re.compile(r"\S\s+\S")
_NO_INPUT = frozenset(
    {
        "fractional_count",
        "string_type",
        "model_type",
        "dict_type",
        "list_type",
        "missing",
        "string_too_short",
    }
)


def _owner(model: type[pydantic.BaseModel], loc: Loc) -> tuple[str, str]:
    """The name of the model holding the field at loc, and that field's name."""
    current: Any = model
    owner, field = model.__name__, ""
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            break
        owner, field = current.__name__, part
        current = model_in(fields[part].annotation)
        if current is None:
            break
    return owner, field


def _speaker_ids(data: Any) -> dict[str, str]:
    """Each speaker's name -> the id it was given, from the data as written."""
    speakers = data.get("speakers") if isinstance(data, dict) else None
    return {
        str(s["name"]): str(s["id"])
        for s in (speakers if isinstance(speakers, list) else [])
        if isinstance(s, dict) and isinstance(s.get("id"), str) and s.get("name")
    }


def _unit_at(data: Any, loc: Loc) -> str:
    """The unit of the indicator loc is in, as written, or ''."""
    if len(loc) < 2 or loc[0] != "indicators" or not _holds(data, loc[:2]):
        return ""
    item = data[loc[0]][loc[1]]
    return str(item.get("unit") or "") if isinstance(item, dict) else ""


def visible(text: str) -> str:
    """Show control and invisible format characters as escapes, so they can be found."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c
        for c in text
    )


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _fields_at(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    """Return the field names of the model that validates the mapping at loc."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = model_in(fields[part].annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def model_in(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The model a field's annotation holds (in a list, an optional…), if any."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return model_in(typing.get_args(annotation)[0])
    if origin in (list, tuple, dict, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = model_in(arg)
            if found is not None:
                return found
    return None
