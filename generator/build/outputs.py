"""The output record: every file of a build, what it is made from, reused in one place.

MkDocs' ``Files``, our way. Each file a build publishes is one ``Output``: its path
under ``output/``, its format, the key of what it is made from, and its payload —
bytes, a file to copy, or a function that makes the bytes. ``Outputs.resolve``
decides, for all of them in one place, whether the file left in ``output/`` by the
last build can be linked instead: its key is the one recorded, and the file is
untouched (same size and modification time). A function is only called for a file
that must be made.

Keys come from ``input_keys``: every conference has ``data:<slug>`` (its data file
as the loader read it) and ``text:<slug>`` (its narratives and their
translations), and a global key covers the settings, the theme's files, the build
options and the versions of our code and libraries. Pages are keyed by what their
plan says they use (``page_key``), so one edited narrative re-renders its
conference page, and an edited data file also the pages of its series and the home
page.

The record (``.proceedings-cache/records/outputs.json``, verified like every cache
entry) is dropped before publishing and written after, so an interrupted build
never leaves a record that lies; it is versioned, and ``proceedings clean``
removes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generator
from generator.core.cache import (
    Cache,
    Keys,
    digest,
    library_versions,
    tree_digest,
)
from generator.core.context import PACKAGE_THEMES
from generator.load.themes import theme_dirs
from generator.model import Site
from generator.site.pages import Page

RECORD_VERSION = 1  # bump when the record's shape changes
RECORD_NAME = "outputs"  # .proceedings-cache/records/outputs.json
ALL_DATA = "data:*"  # every data file at once, as one key
_LIBRARIES = ("jinja2", "markdown-it-py", "pydantic", "nh3", "matplotlib")

Payload = bytes | Path  # file content, or a file to copy
Maker = Callable[[], bytes | None]  # makes the content; None after a problem


def input_keys(site: Site, options: object) -> Keys:
    """Compute the global key and the key of each conference's data and narratives."""
    root = site.root.resolve()
    global_key = digest(
        str(RECORD_VERSION),
        generator.__version__,
        library_versions(*_LIBRARIES),
        repr(options),
        site.config.model_dump_json(),
        tree_digest(theme_dirs(root, site.config.theme), content=True),
        tree_digest([Path(generator.__file__).parent, PACKAGE_THEMES], content=False),
    )
    inputs: dict[str, str] = {}
    for entry in site.entries:
        # The text the loader read, not the file now: an edit during the build
        # must not be taken for what this build was made from.
        read = entry.digest or os.urandom(16).hex()  # unknown: never reused
        inputs[f"data:{entry.slug}"] = digest(entry.path.as_posix(), read)
        inputs[f"text:{entry.slug}"] = digest(  # narratives and their translations
            *(
                f"{n.path.as_posix()}|{n.body_line}|{n.front.model_dump_json()}|{n.body}"
                for n in (*entry.narratives, *entry.translations)
            )
        )
    inputs[ALL_DATA] = digest(*(inputs[f"data:{e.slug}"] for e in site.entries))
    return Keys(global_key, inputs)


def page_key(keys: Keys, page: Page, salt: str) -> str:
    """Key of an HTML page from its plan; salt is what shapes it besides (PDF sizes).

    A page in a second language also uses every data file: a text translated
    once (a unit's English name) serves every conference that lacks its own.
    """
    uses = {*page.uses, ALL_DATA} if page.lang else set(page.uses)
    return keys.of(*sorted(uses), salt=f"{page.out}|{page.template}|{salt}")


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the site: where it goes, what it is, what it is made from."""

    path: str  # under output/
    format: str  # html, pdf, figure, data, search, static, asset, seo
    key: str  # the key of its inputs; "" for a file made anew every time
    payload: Payload | Maker


@dataclass(slots=True)
class Previous:
    """What the last build wrote into an output folder, by output path."""

    out: Path
    files: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def reusable(self, rel: str, key: str) -> Path | None:
        """The old file of rel if it was made from key and is untouched, else None."""
        known = self.files.get(rel)
        if not key or known is None or known[0] != key:
            return None
        path = self.out / rel
        try:
            info = path.lstat()
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns) != known[1:] or not path.is_file():
            return None
        return path


class Outputs:
    """The files of one build, in the order they were added (later ones win)."""

    def __init__(self, previous: Previous) -> None:
        self.previous = previous
        self.items: dict[str, Output] = {}
        self.reused: dict[str, int] = {}  # format -> files linked from the last build

    def add(
        self, path: str, format: str, payload: Payload | Maker, key: str = ""
    ) -> None:
        """Add one file."""
        self.items[path] = Output(path, format, key, payload)

    def add_all(
        self,
        files: Mapping[str, Payload],
        format: str,
        keys: Mapping[str, str] | None = None,
    ) -> None:
        """Add files made already, with their keys if they have any."""
        for path, payload in files.items():
            self.add(path, format, payload, (keys or {}).get(path, ""))

    def of_format(self, format: str) -> Iterator[Output]:
        """The outputs of one format."""
        return (o for o in self.items.values() if o.format == format)

    def resolve(
        self, done: Callable[[Output], None] | None = None
    ) -> dict[str, Payload]:
        """Decide, for every file, to link the last build's or to make it.

        A maker that returns None (it reported a problem) leaves its file out.
        A file given as a path (a drawing or a brief in the cache, verified as it
        was read) is the one published, unless the last build's is that very
        file: damage the cache found is never published again from the old site.
        done is told of each file once decided (progress).
        """
        files: dict[str, Payload] = {}
        for output in self.items.values():
            old = self.previous.reusable(output.path, output.key)
            if isinstance(output.payload, Path) and old is not None:
                old = old if _same_file(old, output.payload) else None
            if old is not None:
                files[output.path] = old
                self.reused[output.format] = self.reused.get(output.format, 0) + 1
            else:
                payload = output.payload
                made = payload() if callable(payload) else payload
                if made is not None:
                    files[output.path] = made
            if done is not None:
                done(output)
        return files

    def keys(self) -> dict[str, str]:
        """The key of every keyed file, for the record."""
        return {o.path: o.key for o in self.items.values() if o.key}


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def previous_outputs(cache: Cache, out: Path) -> Previous:
    """Read the record of the build that made out; empty if none or unusable."""
    out = out.absolute()
    previous = Previous(out)
    record: Any = cache.record(RECORD_NAME)
    try:
        entry = (
            record["outputs"][str(out)] if record["version"] == RECORD_VERSION else {}
        )
        for rel, (key, size, mtime) in entry.items():
            previous.files[str(rel)] = (str(key), int(size), int(mtime))
    except (ValueError, KeyError, TypeError, AttributeError):
        previous.files.clear()
    return previous


def record_outputs(cache: Cache, out: Path, keys: Mapping[str, str]) -> None:
    """Remember the key, size and mtime of each keyed file now in out."""
    out = out.absolute()
    entry = {}
    for rel, key in sorted(keys.items()):
        try:
            info = (out / rel).lstat()
        except OSError:
            continue
        entry[rel] = [key, info.st_size, info.st_mtime_ns]
    record = cache.record(RECORD_NAME)
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        record = {"version": RECORD_VERSION, "outputs": {}}
    record["outputs"][str(out)] = entry
    cache.put_record(RECORD_NAME, record)


def forget_outputs(cache: Cache, out: Path) -> None:
    """Drop the record of out (its files are no longer what the record says)."""
    record: Any = cache.record(RECORD_NAME)
    try:
        if record["outputs"].pop(str(out.absolute()), None) is not None:
            cache.put_record(RECORD_NAME, record)
    except (KeyError, TypeError, AttributeError):
        pass
