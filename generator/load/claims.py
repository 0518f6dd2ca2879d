"""Where each entry of a data file comes from: a source and its words, or the editors.

Indicators must name their ``source`` and ``quote``. Every other entry the pages state
as fact — speakers, sessions, organisers, the summary, topics, legal documents, tasks
and reports on them — is a ``Claim``: it names a source with the words that state it,
or is marked ``editorial: true``. ``check_claims`` reports, at their position:

* an entry with neither: a warning (an error under ``--strict``);
* ``editorial`` together with ``source``, a ``quote`` without a ``source``, a
  ``source`` without a ``quote``: errors;
* a source id no ``sources`` entry defines: an error with a "did you mean".

``Conference.claims`` lists them all, for this check, the quote check against
archived sources (``load.archives``) and the pages' lists of quotations.
docs/provenance.md.
"""

from __future__ import annotations

from generator.errors import Problems, did_you_mean
from generator.i18n import N_, t
from generator.model import Claim, Conference, Loc, Positions


def check_claims(conf: Conference, positions: Positions, problems: Problems) -> None:
    """Report every entry of conf that is not sourced or editorial, or is both."""
    sources = {s.id for s in conf.sources}
    for loc, what, claim in conf.claims():
        check_claim(loc, what, claim, sources, positions, problems)


def check_claim(
    loc: Loc,
    what: str,
    claim: Claim,
    sources: set[str],
    positions: Positions,
    problems: Problems,
) -> None:
    """Report an entry that is not sourced or editorial, is both, or names no source."""
    if claim.editorial and claim.source is not None:
        problems.add(
            positions.at((*loc, "editorial"), key=True),
            t("this {what} is marked editorial and names a source", what=t(what)),
            t(
                "an entry is either stated by a source (source + quote) or "
                "written by the editors (editorial: true); remove one of them"
            ),
        )
    elif claim.quote is not None and claim.source is None:
        problems.add(
            positions.at((*loc, "quote"), key=True),
            t("this {what} quotes a source it does not name", what=t(what)),
            t("add `source: <id>` naming the entry of `sources` the words come from"),
        )
    elif claim.source is not None and claim.quote is None:
        problems.add(
            positions.at((*loc, "source"), key=True),
            t(
                "this {what} names source '{source}' but not its words",
                what=t(what),
                source=claim.source,
            ),
            t(
                "add `quote:` with the words of the source that state it, so a "
                "reader (and `proceedings check`) can find them"
            ),
        )
    elif not claim.editorial and claim.source is None:
        problems.warn(
            positions.at(loc),
            t(
                "this {what} has no source and is not marked editorial",
                what=t(what),
            ),
            t(
                "give `source: <id>` and `quote: <the words of the source>`, or "
                "mark it `editorial: true` if the editors wrote it "
                "(docs/provenance.md)"
            ),
        )
    if claim.source is not None and claim.source not in sources:
        problems.add(
            positions.at((*loc, "source")),
            t("unknown source '{source}'", source=claim.source),
            did_you_mean(claim.source, sources, N_("source id")),
        )
