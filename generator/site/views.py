"""Views of the data that pages and briefs share: groups, comparisons, narratives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from generator.figures.stage import FigureOut
from generator.markdown.pieces import FigureRef, RenderedNarrative, section_id
from generator.model import (
    Claim,
    Conference,
    Entry,
    Indicator,
)


@dataclass(frozen=True, slots=True)
class PdfOut:
    """A PDF brief as pages link to it."""

    path: str  # output-relative
    size: int  # bytes


@dataclass(slots=True)
class Extras:
    """What later stages add to pages: figures, PDF links, preview-only markup."""

    figures: Mapping[tuple[str, str], FigureOut] = field(default_factory=dict)
    pdfs: Mapping[str, PdfOut] = field(default_factory=dict)  # slug or series slug
    preview: bool = False  # show drafts' badges and the live-reload script


def indicator_groups(
    indicators: Sequence[Indicator],
) -> list[tuple[str, list[Indicator]]]:
    """Group indicators for the key-figures table, keeping their order."""
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.group or "", []).append(indicator)
    return list(groups.items())


@dataclass(frozen=True, slots=True)
class Quotation:
    """The words of a source that state one entry of a page (docs/provenance.md)."""

    no: int  # 1, 2, … in the order of the page: its id is anchors.quotation + no
    claim: Claim
    source: str  # the source's id
    quote: str


def quotations(conf: Conference) -> list[Quotation]:
    """The quotations of conf's sourced claims, in the order the page shows them.

    Indicators are left out: the key-figures table prints their quotes already.
    """
    sourced = [c for _, _, c in conf.claims() if c.source and c.quote]
    return [
        Quotation(no, claim, claim.source or "", claim.quote or "")
        for no, claim in enumerate(sourced, 1)
    ]


def quotation_number(conf: Conference, claim: Claim) -> int | None:
    """The number of claim's quotation on conf's page, or None if it quotes none."""
    return next((q.no for q in quotations(conf) if q.claim is claim), None)


@dataclass(frozen=True, slots=True)
class ComparisonCell:
    """One meeting's figure for an indicator in a series comparison.

    Its own value (``restated`` false), or — when its sources give none — the
    compared value a later meeting states for its period (``restated`` true): shown
    with the indicator's compared-value texts, marked derived when computed from a
    stated change.
    """

    indicator: Indicator
    restated: bool = False
    by: str = ""  # the period label of the meeting that restated it
    # An own value's compared value, unless an earlier column shows it already.
    show_compared: bool = False


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One indicator across the conferences of a series."""

    id: str
    label: str
    unit: str
    cells: tuple[ComparisonCell | None, ...]  # one per conference, oldest first
    discontinued: bool = False  # a source says it is no longer reported


def comparison_rows(entries: Sequence[Entry]) -> list[ComparisonRow]:
    """Match indicators by id across a series; fill a gap from a later statement.

    A meeting whose sources do not give an indicator gets the compared value a
    later meeting states for its period (``compared_to`` equal to its period's
    label, ignoring case and spacing), if any; otherwise its cell is empty, which
    says only that its sources do not cover it. No row is called new or dropped
    unless the data says so (``discontinued: true``).
    """
    order: list[str] = []
    found: dict[str, list[Indicator | None]] = {}
    for i, entry in enumerate(entries):
        for indicator in entry.data.indicators:
            if indicator.id not in found:
                order.append(indicator.id)
                found[indicator.id] = [None] * len(entries)
            found[indicator.id][i] = indicator
    rows = []
    for ident in order:
        own = found[ident]
        filled = [
            _restated(entries, own, i) if c is None else None for i, c in enumerate(own)
        ]
        shown = {id(c.indicator) for c in filled if c is not None}
        cells = tuple(
            filled[i]
            if ind is None
            else ComparisonCell(
                ind,
                show_compared=ind.previous_value is not None and id(ind) not in shown,
            )
            for i, ind in enumerate(own)
        )
        first = next(c for c in own if c is not None)
        discontinued = any(c is not None and c.discontinued for c in own)
        rows.append(ComparisonRow(ident, first.label, first.unit, cells, discontinued))
    return rows


def _restated(
    entries: Sequence[Entry], own: Sequence[Indicator | None], i: int
) -> ComparisonCell | None:
    """The compared value a later meeting gives for meeting i's period, if any."""
    period = _words(entries[i].data.period.label)
    for later, ind in zip(entries[i + 1 :], own[i + 1 :], strict=True):
        if (
            ind is not None
            and ind.compared_to is not None
            and _words(ind.compared_to) == period
            and ind.previous_value is not None
        ):
            return ComparisonCell(ind, restated=True, by=later.data.period.label)
    return None


def _words(text: str) -> str:
    """Text compared as a reader would: "First half of 2023" is "first half of 2023"."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class FollowUpStatus:
    """A task set by an earlier meeting, and what this one reported on it."""

    origin: Entry
    task: Any  # model.FollowUp
    report: Any  # model.FollowUpReport | None


def follow_up_reports(entry: Entry, series: Sequence[Entry]) -> list[FollowUpStatus]:
    """List the tasks of the previous meeting in the series with this one's reports."""
    earlier = [e for e in series if e.data.period.end < entry.data.period.end]
    if not earlier:
        return []
    previous = earlier[-1]
    reports = {(r.conference, r.task): r for r in entry.data.follow_up_reports}
    return [
        FollowUpStatus(previous, task, reports.get((previous.slug, task.id)))
        for task in previous.data.follow_up
    ]


def narrative_view(
    rendered: RenderedNarrative,
    slug: str,
    extras: Extras,
    *,
    rewrite: Callable[[str], str] | None = None,
    ident: str = "",
) -> dict[str, Any]:
    """A narrative as templates show it: HTML pieces with its figures in place.

    rewrite changes each HTML piece (a brief makes ids unique and links absolute);
    ident is the id of its section (by default the page's ``n-<slug>``).
    """
    pieces: list[Any] = []
    for part in rendered.parts:
        if isinstance(part, FigureRef):
            pieces.append(extras.figures.get((slug, part.id)))
        else:  # produced by our Markdown stage, raw HTML off or sanitised
            pieces.append(Markup(rewrite(part) if rewrite else part))
    return {
        "narrative": rendered.narrative,
        "front": rendered.narrative.front,
        "pieces": pieces,
        "headings": rendered.headings,
        "id": ident or section_id(rendered.narrative),
        "lang": rendered.narrative.lang,  # differs from the page's: a fallback
    }
