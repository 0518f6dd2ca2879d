"""Values derived from a rule (`derive: {sum: [ids]}`), explained in words."""

from __future__ import annotations

import re
from collections.abc import Collection, MutableMapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.errors import Problems, did_you_mean
from generator.formats import APPROX_WORDS, format_number
from generator.i18n import N_, t
from generator.model import Loc, Positions

DOCS = "docs/data-checks.md"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OPERATIONS = ("sum", "difference")
_WORDS = {
    "vi": {"as": "tính bằng", "sum": "tổng", "and": "và", "minus": "trừ"},
    "en": {"as": "computed as", "sum": "the sum of", "and": "and", "minus": "minus"},
}


def _quantity(value: Decimal, unit: str, lang: str = "vi") -> str:
    number = format_number(value, lang)
    return f"{number}{unit}" if unit == "%" else f"{number}\u00a0{unit}"


def _explain_rule(
    operation: str, operands: Sequence[tuple[Decimal, str, str]], lang: str
) -> str:
    """Say how a value is computed; operands are (value, unit, label)."""
    words = _WORDS.get(lang, _WORDS["vi"])
    shown = [f"{_quantity(v, unit, lang)} ({label})" for v, unit, label in operands]
    if operation == "difference":
        return f"{words['as']} {shown[0]} {words['minus']} {shown[1]}"
    listed = ", ".join(shown[:-1]) + f" {words['and']} {shown[-1]}"
    return f"{words['as']} {words['sum']} {listed}"


def plain(value: Decimal, unit: str = "") -> str:
    """A number for a message: Vietnamese separators, ordinary spaces."""
    number = format_number(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def _number(text: Any) -> Decimal | None:
    """Read a value as typed; None if it is no finite number (validation says why)."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        return None
    try:
        number = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass(slots=True)
class _Deriver:
    """Computes derived values in dependency order, reporting each problem once."""

    items: list[Any]
    positions: Positions
    problems: Problems
    primary: str = "vi"  # the language of the generated explanations
    languages: tuple[str, ...] = ()  # other languages to explain in, too
    by_id: dict[str, int] = field(default_factory=dict)
    done: dict[int, Decimal | None] = field(default_factory=dict)
    visiting: list[int] = field(default_factory=list)

    def value_of(self, index: int) -> Decimal | None:
        """Return indicator index's value: as typed, or computed from its rule."""
        item = self.items[index]
        if "derive" not in item:
            return _number(item.get("value"))
        if index in self.done:
            return self.done[index]
        if index in self.visiting:
            self._report_cycle(index)
            return None
        self.visiting.append(index)
        result = self._compute(index)
        self.visiting.pop()
        self.done[index] = result
        return result

    def _report_cycle(self, index: int) -> None:
        loop = [*self.visiting[self.visiting.index(index) :], index]
        names = " → ".join(str(self.items[i].get("id")) for i in loop)
        self.problems.add(
            self.positions.at(("indicators", index, "derive")),
            t(
                "indicators[{index}].derive: the rule depends on itself: {names}",
                index=index,
                names=names,
            ),
            t(
                "a derived value is computed from numbers the source states; break "
                "the loop by typing one of them as `value`"
            ),
        )
        for i in loop:
            self.done[i] = None  # each is reported through this one problem

    def _compute(self, index: int) -> Decimal | None:
        item = self.items[index]
        rule = item["derive"]
        where = ("indicators", index)
        if "value" in item:
            self.problems.add(
                self.positions.at((*where, "value"), key=True),
                t(
                    "indicators[{index}].value: typed, but `derive` computes it",
                    index=index,
                ),
                t(
                    "remove `value`: the tool computes it, so the number is typed "
                    "once; to check a typed number instead, declare a check ({docs})",
                    docs=DOCS,
                ),
            )
            return None
        if not isinstance(rule, dict) or len(rule) != 1:
            return None  # validation reports the shape of the rule
        ((operation, ids),) = rule.items()
        if operation not in OPERATIONS or not isinstance(ids, list):
            return None
        if not all(isinstance(i, str) for i in ids) or len(ids) < 2:
            return None
        if operation == "difference" and len(ids) != 2:
            return None
        operands = self._operands(index, operation, ids)
        if operands is None:
            return None
        values = [v for v, _ in operands]
        result = (
            sum(values[1:], values[0]) if operation == "sum" else values[0] - values[1]
        )
        return self._store(index, operation, operands, result)

    def _operands(
        self, index: int, operation: str, ids: list[str]
    ) -> list[tuple[Decimal, int]] | None:
        operands: list[tuple[Decimal, int]] = []
        failed = False
        for j, ident in enumerate(ids):
            loc: Loc = ("indicators", index, "derive", operation, j)
            k = self.by_id.get(ident)
            if k is None and not _ID.match(ident):
                failed = True  # validation reports the malformed id
                continue
            if k is None:
                self.problems.add(
                    self.positions.at(loc),
                    t(
                        "indicators[{index}].derive: unknown indicator '{ident}'",
                        index=index,
                        ident=ident,
                    ),
                    did_you_mean(ident, self.by_id, N_("indicator id")),
                )
                failed = True
                continue
            value = self.value_of(k)
            if value is None:
                failed = True  # reported where that value is
                continue
            approx = self.items[k].get("approx", "exact")
            if approx != "exact":
                word = APPROX_WORDS["vi"].get(str(approx), str(approx))
                self.problems.add(
                    self.positions.at(loc),
                    t(
                        "indicators[{index}].derive: '{ident}' is approximate ({word} "
                        "{number}), so no exact value can be computed from it",
                        index=index,
                        ident=ident,
                        word=word,
                        number=plain(value, str(self.items[k].get("unit", ""))),
                    ),
                    t(
                        "derive only from exact numbers; if the source states this "
                        "value, type it as `value` with its `approx`"
                    ),
                )
                failed = True
                continue
            operands.append((value, k))
        return None if failed else operands

    def _store(
        self,
        index: int,
        operation: str,
        operands: list[tuple[Decimal, int]],
        result: Decimal,
    ) -> Decimal | None:
        item = self.items[index]
        where = ("indicators", index)
        units = {str(self.items[k].get("unit", "")) for _, k in operands}
        kinds = {str(self.items[k].get("kind", "count")) for _, k in operands}
        if len(units) > 1 or len(kinds) > 1:
            named = ", ".join(
                f"'{self.items[k].get('id')}' in '{self.items[k].get('unit', '')}'"
                for _, k in operands
            )
            self.problems.add(
                self.positions.at((*where, "derive")),
                t(
                    "indicators[{index}].derive: the indicators are not in one unit "
                    "and kind: {named}",
                    index=index,
                    named=named,
                ),
                t("only numbers of the same unit and kind can be added or subtracted"),
            )
            return None
        unit, kind = units.pop(), kinds.pop()
        for name, wanted in (("unit", unit), ("kind", kind)):
            typed = item.get(name)
            if typed is not None and typed != wanted:
                self.problems.add(
                    self.positions.at((*where, name)),
                    t(
                        "indicators[{index}].{name}: '{typed}', but the indicators it "
                        "is computed from are in '{wanted}'",
                        index=index,
                        name=name,
                        typed=typed,
                        wanted=wanted,
                    ),
                    t(
                        "write {name}: {wanted}, or leave `{name}` out: a derived "
                        "indicator takes the {name} of its parts",
                        name=name,
                        wanted=wanted,
                    ),
                )
                return None
        if kind == "count" and result < 0:
            self.problems.add(
                self.positions.at((*where, "derive")),
                t(
                    "indicators[{index}].derive: the computed count is {number}, below "
                    "zero",
                    index=index,
                    number=plain(result, unit),
                ),
                t("check the order of `difference`: the first id minus the second"),
            )
            return None
        item.setdefault("unit", unit)
        item.setdefault("kind", kind)
        item["value"] = format(result, "f")
        item["derived"] = "true"
        if "derivation" not in item:
            item["derivation"] = self._explain(operation, operands, self.primary)
            for lang in self.languages:  # in each language the words exist for
                block = item.setdefault(lang, {})
                if isinstance(block, dict) and "derivation" not in block:
                    block["derivation"] = self._explain(operation, operands, lang)
        return result

    def _explain(
        self, operation: str, operands: list[tuple[Decimal, int]], lang: str
    ) -> str:
        shown = []
        for value, k in operands:
            other = self.items[k]
            texts = other.get(lang) if lang != self.primary else None
            label = other.get("label", other.get("id"))
            unit = other.get("unit", "")
            if isinstance(texts, dict):  # the operand's own words in lang
                label = texts.get("label", label)
                unit = texts.get("unit", unit)
            shown.append((value, str(unit), str(label)))
        return _explain_rule(operation, shown, lang)


def derive_values(
    raw: MutableMapping[str, Any],
    positions: Positions,
    problems: Problems,
    languages: Collection[str] = (),
    primary: str = "vi",
) -> bool:
    """Compute, in raw (parsed YAML, before validation), each `derive` rule's value.

    The generated explanation is written in primary, and in each of languages
    (the data's other languages) that has the words for it. Return False when a
    rule could not be applied: its problem is reported here, or by validation when
    the rule or a value it uses is malformed. The value is then a placeholder, and
    the data checks of the conference are skipped.
    """
    items = raw.get("indicators")
    if not isinstance(items, list):
        return True
    known = tuple(lang for lang in sorted(languages) if lang in _WORDS)
    deriver = _Deriver(items, positions, problems, primary, known)
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            deriver.by_id.setdefault(item["id"], i)
    ok = True
    for i, item in enumerate(items):
        if not isinstance(item, dict) or item.get("derive") is None:
            continue
        if deriver.value_of(i) is None:
            ok = False
            # Placeholders keep what the rule would have given from making second
            # errors; the build stops on the reported one before any output.
            item.setdefault("value", "0")
            item.setdefault("unit", "?")
    return ok
