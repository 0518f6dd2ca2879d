"""The checks that need no whole file: run when the schema found errors elsewhere.

A data file with a schema error yields no ``Conference``, so the checks on one
(``change`` against ``value`` minus ``previous``, ids that name nothing, entries
without a source) would wait for the next run, and the author would fix one file in
three rounds. Here each entry of a list is validated alone; the checks run on the
entries that are valid, at their own index, against the ids the file declares as
written. An entry with a schema error of its own was reported already and is
passed over, so nothing is said twice.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic

from generator.errors import Pos, Problems, did_you_mean
from generator.formats import slugify
from generator.i18n import N_, t
from generator.load.checks import check_change
from generator.load.claims import check_claim
from generator.model import (
    Check,
    FigureSpec,
    FollowUp,
    FollowUpReport,
    Indicator,
    LegalDocument,
    Loc,
    Positions,
    Session,
    Speaker,
    Topic,
)

M = TypeVar("M", bound=pydantic.BaseModel)

# The lists of entries that name their source, as (field, model, what one is called).
_CLAIMS: tuple[tuple[str, type[Any], str], ...] = (
    ("speakers", Speaker, "speaker"),
    ("sessions", Session, "session"),
    ("topics", Topic, "topic"),
    ("legal_documents", LegalDocument, "legal document"),
    ("follow_up", FollowUp, "task"),
    ("follow_up_reports", FollowUpReport, "report on a task"),
)


def check_partial(
    raw: dict[str, Any], positions: Positions, problems: Problems, *, values: bool
) -> None:
    """Check what can be checked of a data file whose schema has errors.

    values=False (a derived value failed) leaves out the checks of numbers.
    """
    sources = _ids(raw, "sources")
    speakers = _ids(raw, "speakers")
    indicator_ids = _ids(raw, "indicators")
    for i, ind in _valid(raw, "indicators", Indicator):
        if values:
            check_change(i, ind, positions, problems)
        where: Loc = ("indicators", i, "source")
        expect(ind.source, sources, N_("source"), positions.at(where), problems)
    for name, model, what in _CLAIMS:
        for i, claim in _valid(raw, name, model):
            check_claim((name, i), what, claim, sources, positions, problems)
    for i, session in _valid(raw, "sessions", Session):
        for j, speaker in enumerate(session.speakers):
            where = ("sessions", i, "speakers", j)
            expect(speaker, speakers, N_("speaker"), positions.at(where), problems)
    for i, fig in _valid(raw, "figures", FigureSpec):
        for j, ident in enumerate(fig.indicators):
            where = ("figures", i, "indicators", j)
            expect(ident, indicator_ids, N_("indicator"), positions.at(where), problems)
    for i, check in _valid(raw, "checks", Check):
        kind = "sum" if check.sum else "share" if check.share else "same_unit"
        named: list[tuple[str, Loc]] = [
            (check.sum or check.share or check.same_unit or "", (kind,))
        ]
        named += [(p, ("parts", j)) for j, p in enumerate(check.parts)]
        for ident, rest in named:
            where = ("checks", i, *rest)
            expect(ident, indicator_ids, N_("indicator"), positions.at(where), problems)


def _valid(raw: dict[str, Any], name: str, model: type[M]) -> list[tuple[int, M]]:
    """The entries of list name that are valid on their own, with their index."""
    items = raw.get(name)
    out: list[tuple[int, M]] = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        try:
            out.append((i, model.model_validate(item)))
        except pydantic.ValidationError:
            continue  # reported by the validation of the whole file
    return out


def _ids(raw: dict[str, Any], name: str) -> set[str]:
    """The ids the entries of list name declare, as written and as they are meant.

    An id refused by the schema ('Vu-xam-hai') was reported where it is declared;
    a reference to the id it means ('vu-xam-hai') is not reported again.
    """
    items = raw.get(name)
    written = {
        str(item["id"])
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }
    return written | {slugify(ident) for ident in written}


# The kind of id each kind of entry has, for did_you_mean's hint.
_ID_OF = {
    "source": N_("source id"),
    "speaker": N_("speaker id"),
    "indicator": N_("indicator id"),
}


def expect(
    ident: str, known: set[str], what: str, pos: Pos, problems: Problems
) -> None:
    """Report ident, an id of the kind what names, if it is not among known."""
    if ident not in known:
        problems.add(
            pos,
            t("unknown {what} '{ident}'", what=t(what), ident=ident),
            did_you_mean(ident, known, _ID_OF.get(what, N_("id"))),
        )
