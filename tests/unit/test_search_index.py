"""The sharded search index: parts from one page each, shards, and reading them back."""

from __future__ import annotations

import random

import pytest

from generator.formats import fold
from generator.site.search_index import (
    CHUNK_DOCS,
    DIGITS,
    SearchDoc,
    assemble,
    decode,
    encode,
    fold_words,
    make_part,
    read_index,
    shard_keys,
    shard_of,
    shards_for,
)

TEXTS = [
    "Trẻ em phía Nam: 1.317 vụ xâm hại, giảm 31 vụ (\u22122,3%)",
    "ĐUỐI NƯỚC đuối nước Đà Nẵng — Quỹ Bảo trợ trẻ em Việt Nam",
    "İstanbul ǅemal ﬁle Σίσυφος naïve café x\u0301y\u0323z 10³ ①",
    "  leading   and trailing…  ",
    "Thông tư 13/2021/TT-LĐTBXH, Chỉ thị 28-CT/TW",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_fold_words_folds_as_fold_does(text: str) -> None:
    assert fold_words(text) == fold(text).split()


def test_numbers_read_back_as_written() -> None:
    rng = random.Random(18)
    numbers = [0, 1, 31, 32, 1023, 1024, 4095, 4096, 10**9]
    numbers += [rng.randrange(0, 1 << rng.randrange(1, 40)) for _ in range(500)]
    text = encode(numbers)
    assert set(text) <= set(DIGITS)  # safe inside a JSON string, no escapes
    assert len(encode(range(32))) == 32 and len(encode([1023])) == 2
    # a part of one section whose position deltas are the numbers: read them back
    body = encode([0, 2 * len(numbers), *numbers])
    (posting,) = decode(encode([3, len(body)]) + body)
    assert posting.part == 3 and posting.doc == 0 and not posting.heading
    deltas = [
        b - a for a, b in zip([0, *posting.positions], posting.positions, strict=False)
    ]
    assert deltas == numbers


def page(slug: str, *sections: tuple[str, str]) -> list[SearchDoc]:
    return [
        SearchDoc(f"{slug}/index.html#s{i}", slug.upper(), heading, text)
        for i, (heading, text) in enumerate(sections)
    ]


def files_of(*pages: list[SearchDoc], limit: int = 40_000) -> dict[str, bytes]:
    return assemble([make_part(p) for p in pages], limit)


def test_postings_give_each_word_its_sections_positions_and_heading() -> None:
    first = page(
        "a",
        ("Trẻ em", "Số trẻ em bị xâm hại giảm; trẻ em đuối nước."),
        ("", "Không có từ đó."),
    )
    second = page("b", ("Đuối nước", "Trẻ nhỏ đuối nước"))
    index = read_index(files_of(first, second))
    tre = index.postings("tre")
    assert [(p.part, p.doc, p.heading, p.positions) for p in tre] == [
        (0, 0, True, (0, 3, 9)),  # "tre em so tre em bi xam hai giam tre em …"
        (1, 0, False, (2,)),  # "duoi nuoc tre nho duoi nuoc"
    ]
    assert [index.doc(p)[0] for p in index.postings("duoi")] == [
        "a/index.html#s0",
        "b/index.html#s0",
    ]
    assert index.doc(index.postings("khong")[0]) == [
        "a/index.html#s1",
        "A",
        "",
        "Không có từ đó.",
    ]
    assert index.manifest == {
        "chunk": CHUNK_DOCS,
        "parts": 2,
        "shards": sorted(index.shards),
        "version": 2,
    }


def test_matched_only_text_is_indexed_but_not_shown() -> None:
    doc = SearchDoc("a/index.html#so-lieu", "A", "Số liệu", "Vụ: 1.317 vụ", "1317")
    index = read_index(assemble([make_part([doc])]))
    (posting,) = index.postings("1317")
    assert posting.positions == (6,)  # after "so lieu vu 1 317 vu"
    assert "1317" not in index.doc(posting)[3]


def test_long_pages_are_cut_into_small_chunks() -> None:
    sections = [(f"Mục {i}", "trẻ em " * 300) for i in range(40)]
    files = files_of(page("dai", *sections))
    chunks = sorted(name for name in files if name.startswith("search/p-"))
    assert len(chunks) > 3 and all(len(files[c]) < 12_000 for c in chunks)
    index = read_index(files)
    found = index.postings("muc")
    assert [index.doc(p)[2] for p in found] == [f"Mục {i}" for i in range(40)]
    assert max(p.doc for p in found) >= CHUNK_DOCS  # numbered chunk by chunk


def test_shards_split_long_prefixes_and_hold_every_word_once() -> None:
    rng = random.Random(5)
    words = {
        "".join(rng.choice("abct") for _ in range(rng.randrange(1, 7)))
        for _ in range(3000)
    }
    sizes = {w: rng.randrange(1, 400) for w in words} | {"tre": 50_000}
    keys = shard_keys(sizes, limit=4_000)
    assert "" not in keys and len(keys) == len(set(keys)) > 20
    assert "tre" in keys  # one word too big for a shard keeps its own
    for key in keys:
        held = [w for w in sizes if shard_of(w, keys) == key]
        longer = any(len(w) > len(key) for w in held)
        assert sum(sizes[w] for w in held) <= 4_000 or not longer or key == "tre"


def test_a_query_term_needs_exactly_the_shards_of_its_words() -> None:
    rng = random.Random(7)
    words = {
        "".join(rng.choice("aeinot") for _ in range(rng.randrange(1, 6)))
        for _ in range(2000)
    }
    keys = shard_keys(dict.fromkeys(words, 100), limit=2_000)
    for term in ["a", "t", "te", "ten", "tenoi", "zzz", *rng.sample(sorted(words), 50)]:
        holding = {shard_of(w, keys) for w in words if w.startswith(term)}
        assert set(shards_for(term, keys)) >= holding, term
        # and no more: each shard loaded holds a word starting with term, or is
        # the one term's own word would be in
        extra = set(shards_for(term, keys)) - holding
        assert extra <= {shard_of(term, keys)}, term


def test_the_same_parts_give_the_same_bytes_and_a_part_is_its_page_alone() -> None:
    a = page("a", ("Trẻ em", "xâm hại trẻ em"))
    b = page("b", ("Việc làm", "giảm nghèo bền vững"))
    assert files_of(a, b) == files_of(list(a), list(b))
    assert make_part(a) == make_part(list(a))  # nothing of b in a's part
    small = files_of(a, b, limit=10)
    assert len([n for n in small if "/t-" in n]) > 5
    assert all(n.startswith("search/") for n in small)
    names = [n.removeprefix("search/") for n in small]
    reserved = {"con", "nul", "aux", "prn"}  # on Windows, whatever the extension
    assert not any(n.split(".")[0].lower() in reserved for n in names)


def test_scripts_register_themselves_and_escape_line_separators() -> None:
    files = files_of(page("a", ("", "một\u2028hai")))
    chunk = files["search/p-0-0.js"].decode()
    assert chunk.startswith("PROCEEDINGS_SEARCH.part(0,0,[")
    assert "\u2028" not in chunk and "\\u2028" in chunk
    shards = [v.decode() for k, v in files.items() if "/t-" in k]
    assert all(s.startswith('PROCEEDINGS_SEARCH.shard("') for s in shards)
    manifest = files["search/manifest.js"].decode()
    assert manifest.startswith("window.PROCEEDINGS_SEARCH_MANIFEST = {")
