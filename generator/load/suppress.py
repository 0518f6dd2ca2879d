"""Small-count protection: which counts show as "< N", and the list of what was masked.

An optional ``suppress_below: N`` in site.yaml, under ``series:`` in site.yaml, or on
an indicator (the most specific wins; 0 turns it off) makes every count below N show
as "< N": in tables, narratives, figures, downloads, the search index and the PDFs.
Only ``kind: count`` is masked; amounts, percentages and ratios never are, and a count
in thousands or millions ("6 triệu bản ghi") is compared at its full size.

``resolve_suppression`` runs at the end of loading. It writes the threshold in force
into each indicator (so every later stage and template asks the model, with no extra
context), reports bad settings, lists each masked value as a note and warns where
other numbers would give a masked one away. The ``*_text`` functions are the one way
the site writes an indicator's numbers. See docs/suppression.md.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.errors import Pos, Problem, Problems, did_you_mean
from generator.formats import (
    format_number,
    slugify,
)
from generator.i18n import N_, t
from generator.model import (
    Entry,
    Indicator,
    Loc,
    Positions,
    Site,
    change_text,
    masked_number_text,
)

SITE_FILE = Path("site.yaml")
MAX_SUM_CANDIDATES = 12  # indicators tried as parts of a sum: 2^12 subsets at most


def resolve_suppression(site: Site, positions: Positions, problems: Problems) -> Site:
    """Return site with each indicator's threshold in force, and report on it.

    positions are those of site.yaml (for a misspelt series). Errors: a series
    setting that names no series, a threshold on an indicator that is not a count.
    Notes: each masked value (``suppression_notes``). Warnings: other numbers that
    would give a masked value away (``revealing_problems``).
    """
    config = site.config
    by_series = _series_settings(site, positions, problems)
    if not any(by_series.values()) and not config.suppress_below:
        given = (i.suppress_below for e in site.entries for i in e.data.indicators)
        if not any(given):
            return site  # off: nothing to mask, nothing can give a mask away
    entries = []
    for entry in site.entries:
        series = by_series.get(entry.series_slug)
        inherited = series if series is not None else config.suppress_below
        indicators = []
        for i, ind in enumerate(entry.data.indicators):
            if ind.suppress_below and ind.kind != "count":
                problems.add(
                    entry.positions.at(("indicators", i, "suppress_below")),
                    t(
                        "suppress_below masks counts, but indicator '{id}' has kind "
                        "'{kind}'",
                        id=ind.id,
                        kind=ind.kind,
                    ),
                    t("remove it: amounts, percentages and ratios are never masked"),
                )
            own = ind.suppress_below
            threshold = own if own is not None else inherited  # None: none set
            indicators.append(
                ind
                if ind.suppress_below == threshold
                else ind.model_copy(update={"suppress_below": threshold})
            )
        indicators, texts = _redact_derivations(indicators, entry.texts)
        if indicators != entry.data.indicators:
            data = entry.data.model_copy(update={"indicators": indicators})
            entry = dataclasses.replace(entry, data=data, texts=texts)
        entries.append(_withhold_claim_quotes(entry, problems))
    resolved = dataclasses.replace(site, entries=tuple(entries))
    problems.extend(suppression_notes(resolved))
    problems.extend(revealing_problems(resolved))
    return resolved


def _series_settings(
    site: Site, positions: Positions, problems: Problems
) -> dict[str, int | None]:
    """Map series slugs to their suppress_below; report keys that name no series."""
    known = {e.series_slug for e in site.entries}
    found: dict[str, int | None] = {}
    for key, settings in site.config.series.items():
        slug = slugify(key)
        pos = positions.at(("series", key), key=True)
        if slug not in known:
            problems.add(
                pos,
                t("series '{key}' is not the series of any conference", key=key),
                did_you_mean(slug, known, N_("series slug")),
            )
        elif slug in found:
            problems.add(
                pos,
                t(
                    "series '{key}' is given twice under `series:` (as '{slug}')",
                    key=key,
                    slug=slug,
                ),
                t("give each series once, by its slug or by its name"),
            )
        else:
            found[slug] = settings.suppress_below
    return found


def _redact_derivations(
    indicators: list[Indicator], texts: Mapping[str, Mapping[Loc, Mapping[str, Any]]]
) -> tuple[list[Indicator], dict[str, dict[Loc, Mapping[str, Any]]]]:
    """Write "< N" for masked counts in the explanation of values derived from them.

    A ``derive`` rule's generated explanation states its operands ("tính bằng 23
    … trừ 17 …"); a masked one must not show there either, in any language.
    """
    by_id = {i.id: i for i in indicators}
    out = []
    redacted = {lang: dict(where) for lang, where in texts.items()}
    for i, ind in enumerate(indicators):
        rule = ind.derive
        used = [by_id[x] for x in rule.operands if x in by_id] if rule else []
        hidden = [i for i in (ind, *used) if i.masked] if used else []
        if hidden and ind.derivation:
            ind = ind.model_copy(update={"derivation": _redact(ind.derivation, hidden)})
            for where in redacted.values():
                given = where.get(("indicators", i), {})
                if given.get("derivation"):
                    text = _redact(given["derivation"], hidden)
                    where[("indicators", i)] = {**given, "derivation": text}
        out.append(ind)
    return out, redacted


def _withhold_claim_quotes(entry: Entry, problems: Problems) -> Entry:
    """Withhold the quote of every claim that states a masked count, as indicators'.

    A quote is the source's words and is never altered: one that holds a number of
    an indicator whose count is masked (its value, compared value or change) is not
    published at all; the entry still names its source. Each is listed as a note.
    """
    numbers = {
        format_number(abs(n), lang)
        for ind in entry.data.indicators
        if ind.change_masked
        for n in (ind.value, ind.previous_value, ind.change)
        if n is not None
        for lang in ("vi", "en")
    }
    if not numbers:
        return entry
    found = re.compile(
        "|".join(rf"(?<![\d.,]){re.escape(n)}(?![\d]|[.,]\d)" for n in numbers)
    )
    conf = entry.data
    updates: dict[str, Any] = {}
    for loc, what, claim in conf.claims():
        if claim.quote is None or not found.search(claim.quote):
            continue
        quiet = claim.model_copy(update={"quote": None})
        field = str(loc[0])
        if len(loc) == 1:
            updates[field] = quiet
        else:
            updates.setdefault(field, list(getattr(conf, field)))[int(loc[1])] = quiet
        problems.note(
            entry.positions.at((*loc, "quote")),
            t(
                "the quote of this {what} is withheld: it states a masked count",
                what=t(what),
            ),
        )
    if not updates:
        return entry
    return dataclasses.replace(entry, data=conf.model_copy(update=updates))


def _redact(text: str, hidden: Sequence[Indicator]) -> str:
    """Replace each hidden indicator's value, as either language writes it, by "< N"."""
    for ind in hidden:
        for lang in ("vi", "en"):
            number = re.escape(format_number(ind.value, lang))
            pattern = rf"(?<![\d.,]){number}(?![\d]|[.,]\d)"
            text = re.sub(pattern, masked_number_text(ind, lang), text)
    return text


def threshold_origin(site: Site, entry: Entry, index: int) -> str:
    """Say where indicator index of entry got its threshold: for the build's notes."""
    if ("indicators", index, "suppress_below") in entry.positions.values:
        return t("{path}, the indicator", path=entry.path.as_posix())
    for key, settings in site.config.series.items():
        if slugify(key) == entry.series_slug and settings.suppress_below is not None:
            return t("{path}, series '{key}'", path=SITE_FILE, key=key)
    return str(SITE_FILE)


def suppression_notes(site: Site) -> list[Problem]:
    """List every masked number of a resolved site, one note each, in file order."""
    notes: list[Problem] = []
    for entry in site.entries:
        for i, ind in enumerate(entry.data.indicators):
            if not ind.change_masked:
                continue
            shown = _plain(masked_number_text(ind, "vi"))
            origin = threshold_origin(site, entry, i)
            why = f"(suppress_below {ind.suppress_below}, {origin})"
            at = entry.positions.at
            if ind.masked:
                notes.append(
                    Problem(
                        at(("indicators", i, "value")),
                        t(
                            "value {number} of '{id}' shown as \"{shown}\" {why}",
                            number=_plain(format_number(ind.value)),
                            id=ind.id,
                            shown=shown,
                            why=why,
                        ),
                        severity="note",
                    )
                )
            previous = ind.previous_value
            if previous is not None and ind.previous_masked:
                field = "previous" if ind.previous is not None else "change"
                derived = (
                    t(" (derived from its change)") if ind.previous_derived else ""
                )
                notes.append(
                    Problem(
                        at(("indicators", i, field)),
                        t(
                            "compared value {number}{derived} of '{id}' shown as "
                            '"{shown}" {why}',
                            number=_plain(format_number(previous)),
                            derived=derived,
                            id=ind.id,
                            shown=shown,
                            why=why,
                        ),
                        severity="note",
                    )
                )
            if ind.change is not None:
                notes.append(
                    Problem(
                        at(("indicators", i, "change")),
                        t(
                            "change {number} of '{id}' shown only as "
                            '"{words}", so it does not give a masked count '
                            "away",
                            number=_plain(format_number(ind.change)),
                            id=ind.id,
                            words=change_text(ind, "vi"),
                        ),
                        severity="note",
                    )
                )
            notes.append(
                Problem(
                    at(("indicators", i, "quote")),
                    t(
                        "the quote of '{id}' is withheld: it states a masked count",
                        id=ind.id,
                    ),
                    severity="note",
                )
            )
    return sorted(notes, key=Problem.sort_key)


def _plain(text: str) -> str:
    """Text for the terminal: ordinary spaces and minus signs."""
    return text.replace("\u00a0", " ").replace("\u2212", "-")


def revealing_sum(total: Indicator, parts: Sequence[Indicator]) -> Indicator | None:
    """Return the masked indicator that total = sum(parts) would give away, if any.

    A shown total with exactly one masked part gives that part (total minus the
    others); a masked total with every part shown is their sum. Two masked parts
    or more only give their sum away, which is the usual protection.
    """
    masked = [p for p in parts if p.masked]
    if not total.masked and len(masked) == 1:
        return masked[0]
    if total.masked and not masked:
        return total
    return None


def sum_reveal_problem(
    pos: Pos, total: Indicator, parts: Sequence[Indicator]
) -> Problem | None:
    """Return the warning for a declared sum that gives a masked count away, if it does.

    For declared checks (``total = a + b``): call it with the declaration's position.
    """
    revealed = revealing_sum(total, parts)
    if revealed is None:
        return None
    names = ", ".join(f"'{p.id}'" for p in parts)
    return Problem(
        pos,
        t(
            "'{id}' is the sum of {names}: with the numbers shown it gives away the "
            "masked count '{revealed}'",
            id=total.id,
            names=names,
            revealed=revealed.id,
        ),
        t(
            "mask a second number too (give the total or another part a "
            "suppress_below above its value), or raise the threshold"
        ),
        "warning",
    )


Sum = tuple[Pos, Indicator, list[Indicator]]  # where declared, total, parts


def revealing_problems(site: Site) -> list[Problem]:
    """Warn where shown numbers would give a masked count away.

    Sums are those declared (``checks: - sum:``, ``derive: sum`` or ``difference``,
    docs/data-checks.md) and those found: a masked count that equals a shown count
    minus other shown counts of its unit. Across a series, a number masked in one
    conference but shown in another (a meeting's compared value is the value of
    the one before) is warned too.
    """
    found: list[Problem] = []
    for entry in site.entries:
        seen: set[frozenset[str]] = set()
        for pos, total, parts in [*_declared_sums(entry), *_detected_sums(entry)]:
            names = frozenset([total.id, *(p.id for p in parts)])
            problem = sum_reveal_problem(pos, total, parts)
            if problem is not None and names not in seen:
                seen.add(names)
                found.append(problem)
    for group in site.series().values():
        found.extend(_across_series(group))
    return sorted(found, key=Problem.sort_key)


def _declared_sums(entry: Entry) -> list[Sum]:
    """The sums a data file declares: checks and derive rules."""
    conf, at = entry.data, entry.positions.at
    sums: list[Sum] = []
    for i, check in enumerate(conf.checks):
        total = entry.indicator(check.sum) if check.sum else None
        parts = [entry.indicator(p) for p in check.parts]
        if total is not None and None not in parts:
            sums.append((at(("checks", i, "sum")), total, [p for p in parts if p]))
    for i, ind in enumerate(conf.indicators):
        rule = ind.derive
        operands = [entry.indicator(x) for x in rule.operands] if rule else []
        if rule is None or not operands or None in operands:
            continue
        known = [o for o in operands if o is not None]
        pos = at(("indicators", i, "derive"), key=True)
        if rule.operation == "sum":
            sums.append((pos, ind, known))
        else:  # value = a - b, so a = value + b
            sums.append((pos, known[0], [ind, *known[1:]]))
    return sums


def _detected_sums(entry: Entry) -> list[Sum]:
    """Find shown totals that equal a masked count plus shown counts of its unit."""
    indicators = entry.data.indicators
    found: list[Sum] = []
    for m in (i for i in indicators if i.masked):
        peers = [
            i
            for i in indicators
            if i is not m and i.kind == "count" and i.unit == m.unit and not i.masked
        ]
        for total in peers:
            others = [p for p in peers if p is not total and p.value < total.value]
            if len(others) > MAX_SUM_CANDIDATES or total.value <= m.value:
                continue
            parts = _parts_summing(others, total.value - m.value)
            if parts is None:
                continue
            index = indicators.index(total)
            pos = entry.positions.at(("indicators", index, "value"))
            found.append((pos, total, [m, *parts]))
    return found


def _parts_summing(
    candidates: Sequence[Indicator], target: Decimal
) -> list[Indicator] | None:
    """Return the smallest set of candidates whose values add up to target."""
    for size in range(1, len(candidates) + 1):
        for combo in itertools.combinations(candidates, size):
            if sum((c.value for c in combo), Decimal(0)) == target:
                return list(combo)
    return None


def _across_series(group: Sequence[Entry]) -> list[Problem]:
    """Warn when one conference masks a count another of the series shows.

    A meeting's compared value is its predecessor's value for the compared period:
    masked in one place and shown in the other, the mask protects nothing.
    """
    found: list[Problem] = []
    by_period: dict[tuple[str, str], list[tuple[Entry, int, bool, str]]] = {}
    for entry in group:
        for i, ind in enumerate(entry.data.indicators):
            own = (ind.id, entry.data.period.label)
            by_period.setdefault(own, []).append((entry, i, ind.masked, "value"))
            if ind.previous_value is not None and ind.compared_to:
                field = "previous" if ind.previous is not None else "change"
                key = (ind.id, ind.compared_to)
                by_period.setdefault(key, []).append(
                    (entry, i, ind.previous_masked, field)
                )
    for (ident, period), places in sorted(by_period.items()):
        hidden = [p for p in places if p[2]]
        shown = [p for p in places if not p[2]]
        if not hidden or not shown:
            continue
        entry, i, _, field = hidden[0]
        other, _, _, other_field = shown[0]
        found.append(
            Problem(
                entry.positions.at(("indicators", i, field)),
                t(
                    "'{ident}' for {period} is masked here but shown by {path} "
                    "(its {other_field})",
                    ident=ident,
                    period=period,
                    path=other.path.as_posix(),
                    other_field=other_field,
                ),
                t(
                    "use one threshold for the series: set suppress_below on the "
                    "series in site.yaml rather than on single indicators"
                ),
                "warning",
            )
        )
    return found
