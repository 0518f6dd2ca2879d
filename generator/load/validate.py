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
            _report(model, err, loc, positions, problems)
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
                _report(model, err, loc, positions, problems, at=written)
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
                _report(model, err, loc, positions, problems, at=written)
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
    *,
    at: Loc | None = None,
) -> None:
    """Report err, found at loc of the model; at is where it is written, if not loc.

    (They differ in a block under a misspelt key, checked as the field it means.)
    """
    at = loc if at is None else at
    where = _dotted(at)
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        hint = did_you_mean(name, _fields_at(model, loc[:-1]), "field")
        problems.add(positions.at(at, key=True), f"unknown field '{name}'", hint)
    elif kind == "missing":
        problems.add(
            positions.at(at[:-1]),
            f"missing required field '{loc[-1]}'",
            "see docs/content.md for the fields and an example",
        )
    else:
        message = _MESSAGES.get(kind, err["msg"].removeprefix("Value error, "))
        got = err.get("input")
        if isinstance(got, str) and kind not in _NO_INPUT:
            message += f", got '{visible(got[:60])}'"
        problems.add(
            positions.at(at),
            f"{where}: {message}" if where else message,
            _HINTS.get(kind, "") or _ctx_hint(err),
        )


_MESSAGES = {
    "decimal_parsing": "expected a number",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD",
    "date_parsing": "expected a date written YYYY-MM-DD",
    "string_type": "expected text",
    "list_type": "expected a list (lines starting with '- ')",
    "model_type": "expected a mapping of fields",
    "dict_type": "expected a mapping of fields",
    "finite_number": "expected a finite number",
}
_NO_INPUT = frozenset(
    {
        "fractional_count",
        "string_type",
        "model_type",
        "dict_type",
        "list_type",
        "missing",
    }
)
_HINTS = {
    "decimal_parsing": "write digits only, with '.' as the decimal point and no unit",
    "int_parsing": "write digits only, without separators or units",
    "date_from_datetime_parsing": "for example 2024-07-25",
    "date_parsing": "for example 2024-07-25",
    "string_pattern_mismatch": "ids use lowercase ASCII letters, digits and '-'",
    "finite_number": ".inf and .nan are not numbers a report can show",
    "implausible_number": "check for a typing slip: YAML reads 1e400 as 1 with 400 "
    "zeros; the numbers of a report stay below a million billion (10^15)",
    "too_many_places": "round it to at most 6 decimal places",
    "derive_operation": "for example derive: {difference: [total-id, part-id]}; "
    "see docs/data-checks.md",
    "check_kind": "for example '- sum: total-id' with 'parts: [a, b]', "
    "'- share: id' or '- same_unit: id'; see docs/data-checks.md",
    "check_parts": "for example '- sum: total-id' with 'parts: [a, b]'; "
    "see docs/data-checks.md",
    "fractional_count": "if you meant a number in thousands such as 1.317, write it "
    "without the separator (1317): YAML reads '.' as a decimal point; for an amount "
    "such as 9,4 tỷ đồng write 9.4 and set kind: amount",
}


def visible(text: str) -> str:
    """Show control and invisible format characters as escapes, so they can be found."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c
        for c in text
    )


def _ctx_hint(err: Any) -> str:
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return f"one of: {ctx['expected']}"
    return ""


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
