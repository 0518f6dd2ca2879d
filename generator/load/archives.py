"""Quotes checked against the archived copies of their sources (never published).

A source may name the editors' archived copy of itself: ``archive: <path>`` (a
``.txt``, ``.html`` or ``.md`` file), resolved from the project root. A path outside
the project is allowed only under a read-only root that site.yaml declares, e.g.
``archives: [../shared/seeds]`` (a newsroom keeps its archive on a shared drive, not
in the publication). Every ``quote`` citing the source — indicators and claims — must
occur in it, after Unicode NFC and collapsing whitespace; one that does not is an
error at its line, with the closest passage as a hint. A quoted source without an
archive, or whose archive cannot be found, is a warning ("quotes of … not
verified"), an error under ``--strict``; an archive outside every allowed root,
unreadable, or not UTF-8 is an error. The archive is
read for checking only: its text and its path never reach a page or a PDF.
"""

from __future__ import annotations

import difflib
import functools
import html.parser
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator.errors import Pos, Problems
from generator.i18n import t
from generator.load.files import note_read
from generator.model import Conference, Loc, Positions, Source

ARCHIVE_TYPES = frozenset({".txt", ".html", ".htm", ".md"})
MAX_ARCHIVE_BYTES = 5_000_000
_SPACE = re.compile(r"\s+")


def allowed_roots(root: Path, declared: Sequence[str]) -> tuple[Path, ...]:
    """The folders archives may be in: the project, and each root site.yaml declares."""
    real = root.resolve()
    return (real, *((real / folder).resolve() for folder in declared))


def check_quotes(
    conf: Conference,
    root: Path,
    roots: Sequence[Path],
    positions: Positions,
    problems: Problems,
) -> list[Path]:
    """Check every quote of conf against its source's archive; return the files read."""
    read: list[Path] = []
    for i, source in enumerate(conf.sources):
        if source.archive is None:
            if any(_quotes_of(conf, source.id)):
                problems.warn(
                    positions.at(("sources", i)),
                    t(
                        "quotes of source '{id}' not verified: it names no archived "
                        "copy",
                        id=source.id,
                    ),
                    t(
                        "save the source's text in the project (or a folder site.yaml "
                        "lists under `archives`) and give its path as `archive:`"
                    ),
                )
            continue
        where = positions.at(("sources", i, "archive"))
        text = _archive_text(source, root, roots, where, problems)
        if text is None:
            continue
        read.append(_resolve(root, source.archive))
        for loc, quote in _quotes_of(conf, source.id):
            if normalise(quote) not in text:
                problems.add(
                    positions.at(loc),
                    t(
                        "the quote is not in the archived copy of source '{id}'",
                        id=source.id,
                    ),
                    t(
                        "the closest passage is “{passage}”; copy the words "
                        "exactly as the source writes them",
                        passage=closest_passage(quote, text),
                    ),
                )
    return read


def _quotes_of(conf: Conference, source: str) -> Iterator[tuple[Loc, str]]:
    for i, indicator in enumerate(conf.indicators):
        if indicator.source == source:
            yield ("indicators", i, "quote"), indicator.quote
    for loc, _, claim in conf.claims():
        if claim.source == source and claim.quote is not None:
            yield (*loc, "quote"), claim.quote


def _resolve(root: Path, archive: str) -> Path:
    return (root / archive).resolve()


def _archive_text(
    source: Source,
    root: Path,
    roots: Sequence[Path],
    where: Pos,
    problems: Problems,
) -> str | None:
    """Read and normalise a source's archive, or report why it cannot be used."""
    assert source.archive is not None
    path = _resolve(root, source.archive)
    if not any(path.is_relative_to(r) for r in roots):
        problems.add(
            where,
            t(
                "archive '{archive}' is outside the project and outside every folder "
                "site.yaml allows",
                archive=source.archive,
            ),
            t(
                "keep the archive in the project, or declare its folder in site.yaml, "
                "e.g. `archives: [../shared/seeds]`"
            ),
        )
        return None
    if path.suffix.lower() not in ARCHIVE_TYPES:
        problems.add(
            where,
            t(
                "archive '{archive}' is not a text, HTML or Markdown file",
                archive=source.archive,
            ),
            t("use one of: {types}", types=", ".join(sorted(ARCHIVE_TYPES))),
        )
        return None
    if not path.is_file():
        problems.warn(
            where,
            t(
                "quotes of source '{id}' not verified: its archive '{archive}' cannot "
                "be found",
                id=source.id,
                archive=source.archive,
            ),
            t("check the path, which starts from the project folder"),
        )
        return None
    return _read(path, source, where, problems)


def _read(path: Path, source: Source, where: Pos, problems: Problems) -> str | None:
    note_read(path)  # a changed copy makes the next build check its quotes again
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_ARCHIVE_BYTES + 1)
    except OSError as exc:
        problems.add(
            where,
            t(
                "archive '{archive}' cannot be read: {reason}",
                archive=source.archive,
                reason=(exc.strerror or type(exc).__name__).lower(),
            ),
            t("check that the file exists and can be read"),
        )
        return None
    if len(raw) > MAX_ARCHIVE_BYTES:
        problems.add(
            where,
            t(
                "archive '{archive}' is over {limit:,} bytes",
                archive=source.archive,
                limit=MAX_ARCHIVE_BYTES,
            ),
            t("keep the article's text only"),
        )
        return None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        problems.add(
            where,
            t(
                "archive '{archive}' is not UTF-8 text (byte 0x{byte:02x} at offset "
                "{start})",
                archive=source.archive,
                byte=raw[exc.start],
                start=exc.start,
            ),
            t(
                "save it as UTF-8; from an old Windows program, convert it from "
                "Windows-1258 (iconv -f WINDOWS-1258 -t UTF-8)"
            ),
        )
        return None
    if path.suffix.lower() in (".html", ".htm"):
        text = _html_text(text)
    return normalise(text)


@functools.lru_cache(maxsize=64)
def normalise(text: str) -> str:
    """NFC, with every run of whitespace one space: how quotes and archives compare."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def closest_passage(quote: str, text: str, limit: int = 160) -> str:
    """The passage of text that reads most like quote (as many words), for a hint."""
    words = text.split(" ")
    wanted = normalise(quote).split(" ")
    size = max(1, len(wanted))
    best, best_ratio = "", -1.0
    target = " ".join(wanted)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in range(max(1, len(words) - size + 1)):
        window = " ".join(words[start : start + size])
        matcher.set_seq1(window)
        if matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    best = _one_sentence(best, target)
    return best if len(best) <= limit else best[: limit - 1] + "…"


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _one_sentence(window: str, target: str) -> str:
    """The sentence of window most like target, when target spans no sentence end.

    A window as long as the quote may run into the next sentence ("…78,6%. Các");
    the hint gives the words to copy, so it stops where the sentence does.
    """
    if _SENTENCE_END.search(target):
        return window
    pieces = _SENTENCE_END.split(window)
    if len(pieces) == 1:
        return window
    return max(pieces, key=lambda p: difflib.SequenceMatcher(None, p, target).ratio())
