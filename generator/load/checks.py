"""Data checks: numbers that must agree, and numbers typed once (with load.derive).

The loader runs three passes (docs/data-checks.md):

* ``derive_values`` runs *before* validation, on the parsed YAML: an indicator with
  ``derive: {sum: [a, b]}`` or ``derive: {difference: [a, b]}`` gets its ``value``
  computed from the indicators it names, is marked derived, and gets a generated
  explanation ("tính bằng 23 triệu bản ghi (…) trừ 17 triệu bản ghi (…)"). A fixed
  set of operations over ids: nothing in a data file is ever evaluated.
* ``check_conference`` runs on the validated conference: a stated ``change`` equals
  ``value`` minus ``previous``, and each item of ``checks:`` holds (``sum`` with
  ``parts``, ``share`` within 0 to 100 %, ``same_unit`` names an indicator).
* ``check_series`` runs on all conferences: an indicator id keeps its unit in every
  conference of a series.

Every failure is a Problem at the position of the check or of the offending value,
naming the numbers as a Vietnamese reader writes them (1.317), with a hint. A
compared value derived from ``change`` is explained by ``explain_previous``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from generator.errors import Problems, did_you_mean
from generator.i18n import N_, t
from generator.load.derive import DOCS, plain
from generator.model import Check, Conference, Entry, Indicator, Loc, Positions


def check_conference(
    conf: Conference,
    positions: Positions,
    problems: Problems,
    *,
    values: bool = True,
) -> None:
    """Check a conference's numbers; values=False checks only the ids named."""
    by_id = {ind.id: (i, ind) for i, ind in reversed(list(enumerate(conf.indicators)))}
    if values:
        for i, ind in enumerate(conf.indicators):
            check_change(i, ind, positions, problems)
    for i, check in enumerate(conf.checks):
        loc: Loc = ("checks", i)
        named = [
            (check.sum or check.share or check.same_unit or "", (*loc, _kind(check)))
        ]
        named += [(p, (*loc, "parts", j)) for j, p in enumerate(check.parts)]
        unknown = False
        for ident, where in named:
            if ident not in by_id:
                problems.add(
                    positions.at(where),
                    t("checks[{i}]: unknown indicator '{ident}'", i=i, ident=ident),
                    did_you_mean(ident, by_id, N_("indicator id")),
                )
                unknown = True
        if unknown or not values:
            continue
        if check.sum:
            _check_sum(i, check.sum, check.parts, by_id, positions, problems)
        elif check.share:
            _check_share(i, *by_id[check.share], positions, problems)


def _kind(check: Check) -> str:
    return "sum" if check.sum else "share" if check.share else "same_unit"


def check_change(
    i: int, ind: Indicator, positions: Positions, problems: Problems
) -> None:
    """Report a stated change that is not value minus the stated previous value."""
    if ind.change is None or ind.previous is None:
        return
    difference = ind.value - ind.previous
    if difference == ind.change:
        return
    problems.add(
        positions.at(("indicators", i, "change")),
        t(
            "indicators[{i}].change: {change} does not equal value {value} minus "
            "previous {previous} (= {difference})",
            i=i,
            change=plain(ind.change),
            value=plain(ind.value),
            previous=plain(ind.previous),
            difference=plain(difference),
        ),
        t(
            "give `change` or `previous`, not both: the other is computed ({docs}); "
            "if the source states both, one of them is mistyped",
            docs=DOCS,
        ),
    )


def _check_sum(
    i: int,
    total_id: str,
    part_ids: Sequence[str],
    by_id: Mapping[str, tuple[int, Indicator]],
    positions: Positions,
    problems: Problems,
) -> None:
    total = by_id[total_id][1]
    parts = [by_id[p][1] for p in part_ids]
    units = dict.fromkeys(ind.unit for ind in (total, *parts))
    if len(units) > 1:
        problems.add(
            positions.at(("checks", i, "sum")),
            t(
                "checks[{i}]: the total and its parts are in different units: {units}",
                i=i,
                units=", ".join(f"'{u}'" for u in units),
            ),
            t("a sum check adds numbers of one unit; name parts in the total's unit"),
        )
        return
    added = sum((p.value for p in parts), Decimal(0))
    if added == total.value:
        return
    terms = " + ".join(plain(p.value) for p in parts)
    problems.add(
        positions.at(("checks", i, "sum")),
        t(
            "checks[{i}]: total '{total_id}' is {total} but its parts add up to "
            "{added} ({terms})",
            i=i,
            total_id=total_id,
            total=plain(total.value, total.unit),
            added=plain(added, total.unit),
            terms=terms,
        ),
        t(
            "correct the number that differs from the source; if the parts are not "
            "the whole (a part is missing), add it to `parts` or remove the check"
        ),
    )


def _check_share(
    i: int,
    k: int,
    ind: Indicator,
    positions: Positions,
    problems: Problems,
) -> None:
    if ind.unit != "%" and ind.kind != "percent":
        problems.add(
            positions.at(("checks", i, "share")),
            t(
                "checks[{i}]: '{id}' is in '{unit}', not a share in %",
                i=i,
                id=ind.id,
                unit=ind.unit,
            ),
            t(
                "a share check is for a percentage: give the indicator unit '%' (and "
                "kind: percent), or remove the check"
            ),
        )
        return
    if Decimal(0) <= ind.value <= Decimal(100):
        return
    problems.add(
        positions.at(("indicators", k, "value")),
        t(
            "indicators[{k}].value: share '{id}' is {value}, outside 0 to 100 % "
            "(checks[{i}])",
            k=k,
            id=ind.id,
            value=plain(ind.value, "%"),
            i=i,
        ),
        t(
            "a share lies between 0 and 100 %; check the number against the source. A "
            "figure such as 'đạt 105% kế hoạch' is not a share: remove the check"
        ),
    )


def check_series(entries: Sequence[Entry], problems: Problems) -> None:
    """Report an indicator whose unit differs from the one in an earlier meeting."""
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: (e.data.period.end, e.slug)):
        groups.setdefault(entry.series_slug, []).append(entry)
    for group in groups.values():
        first: dict[str, tuple[Entry, Indicator]] = {}
        for entry in group:
            for k, ind in enumerate(entry.data.indicators):
                earlier = first.setdefault(ind.id, (entry, ind))
                if earlier[0] is entry or earlier[1].unit == ind.unit:
                    continue
                _report_unit(entry, k, ind, *earlier, problems)


def _report_unit(
    entry: Entry,
    k: int,
    ind: Indicator,
    earlier: Entry,
    before: Indicator,
    problems: Problems,
) -> None:
    path = Path(earlier.path).as_posix()
    problems.add(
        entry.positions.at(("indicators", k, "unit")),
        t(
            "indicators[{k}].unit: '{id}' is in '{unit}' here but in '{earlier}' in "
            "{path} ({label})",
            k=k,
            id=ind.id,
            unit=ind.unit,
            earlier=before.unit,
            path=path,
            label=earlier.data.period.label,
        ),
        t(
            "an indicator keeps its unit across a series so meetings can be compared: "
            "write the number in '{unit}', or give this indicator a new id",
            unit=before.unit,
        ),
    )
