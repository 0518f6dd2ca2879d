"""Incremental builds: remember what each output file was made from, reuse the rest.

Three things make a build after a small change cheap:

* **Input keys.** Every conference has two keys: ``data:<slug>``, the hash of its
  data file, and ``text:<slug>``, the hash of its narratives. A *global* key covers
  everything that shapes every page: the settings, the theme's files, the build
  options, the versions of our code and of the libraries that render.
* **The outputs record.** After each build, ``.proceedings-cache/outputs.json`` notes
  for each output file the key it was made from and its size and modification time.
  The next build gives each file it is about to make a key the same way; when the
  key is the one recorded and the file in ``output/`` is untouched, the old file is
  hard-linked into the new site instead of being made again. Pages are keyed by
  what their plan says they use (``render.Page.uses``), so one edited narrative
  re-renders its conference page, and an edited data file also the pages of its
  series and the home page.
* **The memo.** Work that is not a file of its own (a conference's rendered
  narratives with their warnings, its part of the search index) is pickled under
  ``.proceedings-cache/memo/`` by key.

The cache is ours: it is versioned, written atomically (an interrupted build leaves
the last good record), never trusted across versions, and ``proceedings clean``
removes it. A file changed in ``output/`` by hand is noticed (size or mtime) and
remade.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import generator
from generator.core.cache import (
    ALL_DATA,
    Keys,
    _library_versions,
    _sha,
    _tree_state,
    write_atomic,
)
from generator.model import Site
from generator.site.pages import Page
from generator.site.theme import PACKAGE_THEMES, theme_dirs

RECORD_VERSION = 1  # bump when the record's or the memo's shape changes


RECORD_NAME = "outputs.json"


def page_key(keys: Keys, page: Page) -> str:
    """Key of an HTML page from its plan.

    A page in a second language also uses every data file: a text translated
    once (a unit's English name) serves every conference that lacks its own.
    """
    uses = {*page.uses, ALL_DATA} if page.lang else set(page.uses)
    return keys.of(*sorted(uses), salt=f"{page.out}|{page.template}|{page.salt}")


def input_keys(site: Site, options: object) -> Keys:
    """Compute the global key and the key of each conference's data and narratives."""
    root = site.root.resolve()
    themes = theme_dirs(root, site.config.theme)
    global_key = _sha(
        str(RECORD_VERSION),
        generator.__version__,
        _library_versions(),
        repr(options),
        site.config.model_dump_json(),
        _tree_state(themes, content=True),
        _tree_state([Path(generator.__file__).parent, PACKAGE_THEMES], content=False),
    )
    inputs: dict[str, str] = {}
    for entry in site.entries:
        # The text the loader read, not the file now: an edit during the build
        # must not be taken for what this build was made from.
        digest = entry.digest or os.urandom(16).hex()  # unknown: never reused
        inputs[f"data:{entry.slug}"] = _sha(entry.path.as_posix(), digest)
        inputs[f"text:{entry.slug}"] = _sha(  # narratives and their translations
            *(
                f"{n.path.as_posix()}|{n.body_line}|{n.front.model_dump_json()}|{n.body}"
                for n in (*entry.narratives, *getattr(entry, "translations", ()))
            )
        )
    inputs[ALL_DATA] = _sha(*(inputs[f"data:{e.slug}"] for e in site.entries))
    return Keys(global_key, inputs)


@dataclass(slots=True)
class Previous:
    """What the last build wrote into an output folder, by output path."""

    out: Path
    files: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def reusable(self, rel: str, key: str) -> Path | None:
        """The old file of rel if it was made from key and is untouched, else None."""
        known = self.files.get(rel)
        if known is None or known[0] != key:
            return None
        path = self.out / rel
        try:
            info = path.lstat()
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns) != known[1:] or not path.is_file():
            return None
        return path


def previous_outputs(cache: Path, out: Path) -> Previous:
    """Read the record of the build that made out; empty if none or unusable."""
    out = out.absolute()
    previous = Previous(out)
    try:
        record = json.loads((cache / RECORD_NAME).read_text("utf-8"))
        entry = (
            record["outputs"][str(out)] if record["version"] == RECORD_VERSION else {}
        )
        for rel, (key, size, mtime) in entry.items():
            previous.files[str(rel)] = (str(key), int(size), int(mtime))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        previous.files.clear()
    return previous


def record_outputs(cache: Path, out: Path, keys: Mapping[str, str]) -> None:
    """Remember the key, size and mtime of each keyed file now in out."""
    out = out.absolute()
    entry = {}
    for rel, key in sorted(keys.items()):
        try:
            info = (out / rel).lstat()
        except OSError:
            continue
        entry[rel] = [key, info.st_size, info.st_mtime_ns]
    path = cache / RECORD_NAME
    try:
        record = json.loads(path.read_text("utf-8"))
        if record.get("version") != RECORD_VERSION:
            raise ValueError
    except (OSError, ValueError, AttributeError):
        record = {"version": RECORD_VERSION, "outputs": {}}
    record["outputs"][str(out)] = entry
    write_atomic(path, json.dumps(record, separators=(",", ":")).encode("utf-8"))


def forget_outputs(cache: Path, out: Path) -> None:
    """Drop the record of out (its files are no longer what the record says)."""
    path = cache / RECORD_NAME
    try:
        record = json.loads(path.read_text("utf-8"))
        record["outputs"].pop(str(out.absolute()), None)
        write_atomic(path, json.dumps(record, separators=(",", ":")).encode("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
