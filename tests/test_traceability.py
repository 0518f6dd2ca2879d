"""Every number in the data comes from its source article, and each of those is used.

Sources name their archived article as ``archive: shared/seeds/<file>.txt``, relative
to the folder that holds this repository. A missing article is a failure, not a skip.
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
from generator.model import Entry, Indicator

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
    return REPO.parent / source.archive


def read_archive(path: Path) -> str:
    assert path.is_file(), f"archived article {path} is missing"
    return unicodedata.normalize("NFC", path.read_text("utf-8"))


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
    assert indicator.quote in article


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
