"""The search index in shards: one part per page, assembled into term shards.

A phone must not download the whole site's text to search it, so the index is split:

``search/manifest.js``
    sets ``window.PROCEEDINGS_SEARCH_MANIFEST``: the format version, the number of
    parts and the shard keys (a few kB, whatever the size of the site).
``search/t-<key>.js``
    one shard: every folded word starting with ``<key>`` that no longer key claims,
    with its postings (the pages, sections and word positions where it occurs).
``search/p-<part>-<chunk>.js``
    a chunk of a page's sections (URL, page title, heading, text; at most
    ``CHUNK_DOCS`` sections, about ``CHUNK_LIMIT`` bytes), read only for the results
    on screen, for their links and snippets.

Every file is a script that calls ``PROCEEDINGS_SEARCH.shard(key, words)`` or
``PROCEEDINGS_SEARCH.part(part, chunk, docs)``, loaded with a ``<script>`` element:
browsers refuse ``fetch`` on ``file://`` but run scripts, so search works from disk
and in the offline bundle. The ``t-`` and ``p-`` prefixes keep names such as
``con.js`` (reserved on Windows) out of the bundle.

A part is computed from its page alone (``make_part``), so a build can cache it per
conference; ``assemble`` only concatenates the parts' pre-written postings and picks
the shard keys from their sizes: a prefix whose words exceed ``SHARD_LIMIT`` bytes
is split by its next letter, down to single words (a word is never split).

Postings are strings of numbers, each written in base 32 with the low digits first,
a digit of ``DIGITS[32:]`` meaning "more digits follow" (so 0-31 take one
character, up to 1023 two); most numbers are deltas, hence small. For a word, in a
shard::

    part delta, length of the part's string, <the part's string>, part delta, ...

and a part's string, per section of the page that holds the word::

    section delta, 2 * occurrences + (1 if the word is in the heading), positions...

a section being numbered ``chunk * CHUNK_DOCS + its place in the chunk``, and
positions being word numbers in the folded "heading text extra" of the section, the
first absolute and the rest deltas. Positions let ``search.js`` rank exactly as a
scan of the whole text would: occurrences of each term, and of the whole phrase.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INDEX_DIR = "search"
MANIFEST = f"{INDEX_DIR}/manifest.js"
MANIFEST_GLOBAL = "PROCEEDINGS_SEARCH_MANIFEST"
REGISTRY = "PROCEEDINGS_SEARCH"
INDEX_VERSION = 2
SHARD_LIMIT = 40_000  # bytes of postings a shard may hold before it is split
CHUNK_DOCS = 16  # sections per chunk of a part, at most
CHUNK_LIMIT = 8_000  # bytes of text after which a chunk is closed
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One searchable section: where it is, what it is called, and its text."""

    url: str  # output-relative, with a #fragment for a section
    page: str  # the page's title, e.g. the conference's short title
    section: str  # the section's heading, "" for the page itself
    text: str  # as written, for snippets
    extra: str = ""  # matched but not shown, e.g. numbers written plainly (1317)


@dataclass(frozen=True, slots=True)
class SearchPart:
    """One page's share of the index, ready to be assembled with the others."""

    chunks: tuple[str, ...]  # JSON arrays of [url, page, section, text]
    # The folded words, sorted, and each one's length + postings, line by line:
    # two strings, not a tuple per word, so that reading a part from the cache
    # makes two objects, not thousands.
    words: str
    postings: str

    def entries(self) -> Iterator[tuple[str, str]]:
        """(word, length + postings) for each word of the page."""
        if self.words:
            yield from zip(
                self.words.split("\n"), self.postings.split("\n"), strict=True
            )


def make_part(sections: Sequence[SearchDoc]) -> SearchPart:
    """Compute a page's part from its sections alone."""
    chunks = _chunks(sections)
    postings: defaultdict[str, list[int]] = defaultdict(list)
    last: dict[str, int] = {}
    for chunk_number, chunk in enumerate(chunks):
        for place, doc in enumerate(chunk):
            number = chunk_number * CHUNK_DOCS + place
            heading = fold_words(doc.section)
            words = heading + fold_words(doc.text) + fold_words(doc.extra)
            at: defaultdict[str, list[int]] = defaultdict(list)
            for position, word in enumerate(words):
                at[word].append(position)
            for word, positions in at.items():
                in_heading = 1 if positions[0] < len(heading) else 0
                ints = postings[word]
                ints += (number - last.get(word, 0), 2 * len(positions) + in_heading)
                ints += map(operator.sub, positions, [0, *positions])
                last[word] = number
    return SearchPart(
        tuple(_json([[d.url, d.page, d.section, d.text] for d in c]) for c in chunks),
        "\n".join(sorted(postings)),
        "\n".join(_sized(encode(postings[word])) for word in sorted(postings)),
    )


def _sized(postings: str) -> str:
    """The postings after their length: what a shard needs after the part delta."""
    return encode((len(postings),)) + postings


def _chunks(sections: Sequence[SearchDoc]) -> list[list[SearchDoc]]:
    chunks: list[list[SearchDoc]] = [[]]
    size = 0
    for doc in sections:
        if chunks[-1] and (size >= CHUNK_LIMIT or len(chunks[-1]) == CHUNK_DOCS):
            chunks.append([])
            size = 0
        chunks[-1].append(doc)
        size += len(doc.text) + len(doc.section) + len(doc.url)
    return chunks if chunks[0] else []


def assemble(parts: Sequence[SearchPart], limit: int = SHARD_LIMIT) -> dict[str, bytes]:
    """Write the manifest, the shards and the parts' chunks: {output path: bytes}."""
    merged: defaultdict[str, list[str]] = defaultdict(list)
    last: dict[str, int] = {}
    small = _SMALL  # the one loop that runs for every word of every page
    for number, part in enumerate(parts):
        for word, postings in part.entries():
            delta = number - last.get(word, 0)
            chunks = merged[word]
            chunks.append(small[delta] if delta < SMALL else _encode_one(delta))
            chunks.append(postings)
            last[word] = number
    sizes = {word: sum(map(len, chunks)) for word, chunks in merged.items()}
    keys = shard_keys(sizes, limit)
    files: dict[str, bytes] = {}
    for key, words in _group(sorted(merged), keys).items():
        body = ",".join(f'"{w}":"{"".join(merged[w])}"' for w in words)
        files[f"{INDEX_DIR}/t-{key}.js"] = _call("shard", _json(key), f"{{{body}}}")
    for number, part in enumerate(parts):
        for chunk, docs in enumerate(part.chunks):
            name = f"{INDEX_DIR}/p-{number}-{chunk}.js"
            files[name] = _call("part", str(number), str(chunk), docs)
    manifest = {
        "chunk": CHUNK_DOCS,
        "parts": len(parts),
        "shards": keys,
        "version": INDEX_VERSION,
    }
    files[MANIFEST] = f"window.{MANIFEST_GLOBAL} = {_json(manifest)};\n".encode()
    return dict(sorted(files.items()))


def shard_keys(sizes: Mapping[str, int], limit: int = SHARD_LIMIT) -> list[str]:
    """Choose the shard keys: prefixes, lengthened where their words are too big.

    Every word belongs to the longest key it starts with; no key is "" (so even a
    small site has a shard per first letter, and a query never loads them all).
    """
    keys: list[str] = []
    todo = [("", sorted(sizes))]
    while todo:
        prefix, words = todo.pop()
        size = sum(sizes[w] for w in words)
        if prefix and (size <= limit or all(len(w) == len(prefix) for w in words)):
            keys.append(prefix)
            continue
        groups: dict[str, list[str]] = {}
        for word in words:
            if len(word) == len(prefix):
                keys.append(prefix)  # the word itself; longer ones go below
            else:
                groups.setdefault(prefix + word[len(prefix)], []).append(word)
        todo += groups.items()
    return sorted(keys)


def shard_of(word: str, keys: Iterable[str]) -> str:
    """The key whose shard holds word: the longest key it starts with."""
    return max((k for k in keys if word.startswith(k)), key=len, default="")


def _group(words: Sequence[str], keys: Sequence[str]) -> dict[str, list[str]]:
    """Words by shard, each under the longest key it starts with."""
    groups: dict[str, list[str]] = {}
    known = set(keys)
    for word in words:
        key = next(word[:n] for n in range(len(word), 0, -1) if word[:n] in known)
        groups.setdefault(key, []).append(word)
    return groups


class _FoldTable(dict[int, str]):
    """str.translate's table for fold: each character folded once, when first met.

    Folding characters one by one is folding the text: the marks that canonical
    ordering could move are the ones removed.
    """

    def __missing__(self, char: int) -> str:
        text = chr(char).replace("đ", "d").replace("Đ", "D")
        decomposed = unicodedata.normalize("NFD", text)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        folded = re.sub(r"[^a-z0-9]", " ", kept)
        self[char] = folded
        return folded


_FOLD = _FoldTable()


def fold_words(text: str) -> list[str]:
    """The words of text folded, as ``generator.formats.fold(text).split()``."""
    return text.translate(_FOLD).split()


def encode(numbers: Iterable[int]) -> str:
    """Write non-negative numbers in the postings' base-32 digits (see above)."""
    numbers = list(numbers)
    try:
        return "".join(map(_SMALL.__getitem__, numbers))
    except IndexError:  # a number past the table: rare, so slower
        return "".join(map(_encode_one, numbers))


def _encode_one(number: int) -> str:
    digits = []
    while number >= 32:
        digits.append(DIGITS[32 + (number & 31)])
        number >>= 5
    digits.append(DIGITS[number])
    return "".join(digits)


SMALL = 4096  # numbers whose digits are written once, in a table
_SMALL = [_encode_one(n) for n in range(SMALL)]


def _call(function: str, *args: str) -> bytes:
    return f"{REGISTRY}.{function}({','.join(args)});\n".encode()


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Old engines end a string literal at U+2028/2029; escaping them costs nothing.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# --- reading an index back: for tests and bench/search_bytes.py ---------------------


@dataclass(frozen=True, slots=True)
class Posting:
    """Where a word occurs in one section."""

    part: int
    doc: int  # chunk * CHUNK_DOCS + place in the chunk
    heading: bool
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ReadIndex:
    """An index as search.js sees it: manifest, shards and chunks, parsed."""

    manifest: dict[str, Any]
    shards: dict[str, dict[str, str]]  # key -> word -> postings
    chunks: dict[tuple[int, int], list[list[str]]]  # (part, chunk) -> docs

    def postings(self, word: str) -> list[Posting]:
        """The postings of a word, from the shard that holds it."""
        return decode(self.shards[shard_of(word, self.shards)].get(word, ""))

    def doc(self, posting: Posting) -> list[str]:
        """The [url, page, section, text] of a posting's section."""
        chunk, place = divmod(posting.doc, self.manifest["chunk"])
        return self.chunks[posting.part, chunk][place]


def read_index(files: Mapping[str, bytes]) -> ReadIndex:
    """Parse the files ``assemble`` wrote (output paths, as it returned them)."""
    head = f"window.{MANIFEST_GLOBAL} = "
    manifest = json.loads(files[MANIFEST].decode().removeprefix(head).rstrip(";\n"))
    shards: dict[str, dict[str, str]] = {}
    chunks: dict[tuple[int, int], list[list[str]]] = {}
    for data in files.values():
        call = re.fullmatch(rf"{REGISTRY}\.(\w+)\((.*)\);\n", data.decode(), re.S)
        if call is None:
            continue
        args = json.loads(f"[{call[2]}]")
        if call[1] == "shard":
            shards[args[0]] = args[1]
        else:
            chunks[args[0], args[1]] = args[2]
    return ReadIndex(manifest, shards, chunks)


def shards_for(term: str, keys: Iterable[str]) -> list[str]:
    """The shards search.js loads for a folded term, sorted (see ``shardsFor``)."""
    keys = list(keys)
    below = [k for k in keys if k.startswith(term) and k != term]
    return sorted({*below, shard_of(term, keys)} - {""})


def decode(text: str) -> list[Posting]:
    """Read a word's postings (as search.js's ``decode`` does)."""
    reader = _Reader(text)
    found: list[Posting] = []
    part = 0
    while reader.at < len(text):
        part += reader.number()
        end = reader.number() + reader.at  # the part's string, in characters
        doc = 0
        while reader.at < end:
            doc += reader.number()
            count, heading = divmod(reader.number(), 2)
            deltas = [reader.number() for _ in range(count)]
            positions = tuple(itertools.accumulate(deltas))
            found.append(Posting(part, doc, bool(heading), positions))
    return found


class _Reader:
    """Numbers in the postings' digits, read one at a time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def number(self) -> int:
        value, scale = 0, 1
        while (digit := DIGITS.index(self.text[self.at])) >= 32:
            self.at += 1
            value += (digit - 32) * scale
            scale *= 32
        self.at += 1
        return value + digit * scale
