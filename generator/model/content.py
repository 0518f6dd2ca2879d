"""What the loader makes of a project: narratives, conferences as entries, the Site."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.formats import slugify
from generator.model.base import Strict, Text
from generator.model.conference import Conference
from generator.model.indicators import Indicator
from generator.model.positions import Loc, Positions
from generator.model.site import SiteConfig


class FrontMatter(Strict):
    """The YAML block at the top of a narrative."""

    title: Text
    order: int = 100
    summary: Text | None = None
    draft: bool = False


class TranslatedFrontMatter(Strict):
    """The front matter of a narrative's translation; its place is the original's."""

    title: Text
    summary: Text | None = None
    draft: bool = False


@dataclass(frozen=True, slots=True)
class Narrative:
    """content/<conference>/<slug>.md: front matter and a Markdown body."""

    slug: str
    path: Path  # relative to the project root
    front: FrontMatter
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    lang: str = "vi"  # "en" for content/<conference>/en/<slug>.md, and so on


@dataclass(frozen=True, slots=True)
class Entry:
    """One conference as loaded: its data, narratives and where each value stands."""

    slug: str
    path: Path  # data file, relative to the project root
    data: Conference
    narratives: tuple[Narrative, ...]
    positions: Positions
    # Narratives in the site's other languages (content/<slug>/<lang>/), matched to
    # their originals by file name.
    translations: tuple[Narrative, ...] = ()
    # The data's texts in other languages: {lang: {where: {field: text}}}, from the
    # blocks named after a language (``en:``) in the data file (load.translate).
    texts: Mapping[str, Mapping[Loc, Mapping[str, Any]]] = field(default_factory=dict)
    series_key: str = ""  # a translated copy keeps its series' primary slug
    digest: str = ""  # SHA-256 of the data file's text as loaded (incremental builds)

    @property
    def series_slug(self) -> str:
        """The ASCII slug of the series this conference belongs to."""
        return self.series_key or slugify(self.data.series)

    def indicator(self, ident: str) -> Indicator | None:
        """Return the indicator with id ident, if any."""
        return next((i for i in self.data.indicators if i.id == ident), None)


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the loader read: settings and conferences, newest first."""

    root: Path
    config: SiteConfig
    entries: tuple[Entry, ...]
    # site.yaml's texts in other languages, as Entry.texts.
    texts: Mapping[str, Mapping[Loc, Mapping[str, Any]]] = field(default_factory=dict)

    def series(self) -> dict[str, list[Entry]]:
        """Group conferences by series slug, oldest first within a series."""
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(self.entries, key=lambda e: e.data.period.end):
            groups.setdefault(entry.series_slug, []).append(entry)
        return groups
