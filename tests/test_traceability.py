"""Every claim of the real conferences is tied to a passage of its source article.

Sources name their archived article as ``archive: ../shared/seeds/<file>.txt``, from
the project root (site.yaml declares ``archives: [../shared/seeds]``). A missing
article is a failure, not a skip. The loader checks every quote against its archive
(generator/load/archives.py); these tests check the same on the real content
independently, and what the loader cannot: that each quote states its number, that
every number of the articles is in the data, and that every entry is sourced or
marked as the editors'.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from conftest import REPO

from generator.errors import Problems
from generator.formats import format_number
from generator.load.project import load_site
from generator.model import Claim, Entry, Indicator

# A number as the articles write it: digits, maybe grouped by '.', ',' or '/'
# (1.317, 9,4, 17/23, 13/2021).
NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
PARTS = re.compile(r"\d+(?:[.,]\d+)*")  # the same, split at '/' (17/23 -> 17, 23)


def _entries() -> list[Entry]:
    return list(load_site(REPO, Problems()).entries)


ENTRIES = _entries()
INDICATORS = [(e, ind) for e in ENTRIES for ind in e.data.indicators]


def archive_of(entry: Entry, source_id: str) -> Path:
    source = next(s for s in entry.data.sources if s.id == source_id)
    assert source.archive, f"{entry.slug}: source {source_id} names no archive"
    return (REPO / source.archive).resolve()


def read_archive(path: Path) -> str:
    assert path.is_file(), f"archived article {path} is missing"
    return " ".join(unicodedata.normalize("NFC", path.read_text("utf-8")).split())


def seed_files() -> list[Path]:
    return sorted(
        {archive_of(e, s.id) for e in ENTRIES for s in e.data.sources if s.archive}
    )


def test_every_source_has_an_archived_article() -> None:
    assert len(seed_files()) == 2
    for entry in ENTRIES:
        for source in entry.data.sources:
            read_archive(archive_of(entry, source.id))


@pytest.mark.parametrize(
    ("entry", "indicator"), INDICATORS, ids=[i.id for _, i in INDICATORS]
)
def test_quote_appears_verbatim_in_the_source(
    entry: Entry, indicator: Indicator
) -> None:
    article = read_archive(archive_of(entry, indicator.source))
    assert " ".join(indicator.quote.split()) in article


@pytest.mark.parametrize(
    ("entry", "indicator"), INDICATORS, ids=[i.id for _, i in INDICATORS]
)
def test_quote_states_the_number(entry: Entry, indicator: Indicator) -> None:
    if indicator.derived:
        assert indicator.derivation
        return
    numbers = PARTS.findall(indicator.quote)
    assert format_number(indicator.value) in numbers, (indicator.quote, numbers)
    if indicator.change is not None:
        assert format_number(abs(indicator.change)) in numbers, "the stated change"
    if indicator.previous is not None:
        assert format_number(indicator.previous) in numbers, "the stated previous value"


def data_numbers() -> set[str]:
    """Every number the data files show, as typed and as the site formats it."""
    text = "\n".join(
        p.read_text("utf-8") for p in sorted((REPO / "data").glob("*.yaml"))
    )
    found = set(NUMBER.findall(text)) | set(PARTS.findall(text))
    for _, ind in INDICATORS:
        for number in (ind.value, ind.change, ind.previous_value):
            if number is not None:
                found.add(format_number(abs(number)))
    return found


def test_every_number_in_the_articles_is_in_the_data() -> None:
    known = data_numbers()
    missing = {}
    for path in seed_files():
        article = read_archive(path)
        absent = sorted({n for n in NUMBER.findall(article) if n not in known})
        if absent:
            missing[path.name] = absent
    assert missing == {}, f"numbers of the articles missing from data/: {missing}"


def test_the_number_check_can_fail() -> None:
    assert "1.318" not in data_numbers()
    assert (
        "17.800" in data_numbers()
        and "9,4" in data_numbers()
        and "17/23" in data_numbers()
    )


CLAIMS = [(e, loc, what, c) for e in ENTRIES for loc, what, c in e.data.claims()]


@pytest.mark.parametrize(
    ("entry", "loc", "what", "claim"),
    CLAIMS,
    ids=[f"{e.slug[-4:]}-{'.'.join(map(str, loc))}" for e, loc, _, _ in CLAIMS],
)
def test_every_entry_is_quoted_from_its_article_or_marked_editorial(
    entry: Entry, loc: tuple[str | int, ...], what: str, claim: Claim
) -> None:
    assert claim.editorial != (claim.source is not None), (what, loc)
    if claim.source is not None:
        assert claim.quote, (what, loc)
        article = read_archive(archive_of(entry, claim.source))
        assert " ".join(claim.quote.split()) in article, (what, loc)


def test_the_strict_check_of_the_repository_passes() -> None:
    problems = Problems()
    load_site(REPO, problems)
    assert [str(p) for p in problems.items if p.severity != "note"] == []


def test_nothing_the_articles_do_not_state_is_in_the_data() -> None:
    """The classes of invented facts an audit found stay out (issue 15)."""
    text = "\n".join(p.read_text("utf-8") for p in (REPO / "data").glob("*.yaml"))
    for invented in (
        "status: in_progress",  # no status is stated by the 2024 article
        "Các tỉnh khu vực phía Nam",  # never named as an owner or presenter
        "thăm hỏi",
        "example.gov.vn",
        "decimals: 1",  # "hơn 30,0" where the article says "hơn 30"
    ):
        assert invented not in text, invented
    for entry in ENTRIES:
        assert not entry.data.dates and entry.data.venue is None  # none stated
        for organiser in entry.data.organisers:
            assert organiser.editorial, "no article names an organiser"
