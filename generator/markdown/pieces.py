"""What the Markdown stage makes: narratives as HTML pieces, headings, figure places."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import Pos
from generator.model import (
    Narrative,
)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a narrative, for tables of contents and PDF bookmarks."""

    level: int  # HTML level after shifting under the narrative title
    text: str
    id: str


@dataclass(frozen=True, slots=True)
class FigureRef:
    """A place in a narrative where a figure goes."""

    id: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class RenderedNarrative:
    """A narrative turned into HTML pieces, with figures still to be placed."""

    narrative: Narrative
    parts: tuple[str | FigureRef, ...]
    headings: tuple[Heading, ...]
    assets: tuple[
        tuple[str, Path], ...
    ] = ()  # (path relative to the page, source file)
    cited: frozenset[str] = frozenset()  # indicator ids cited
    links: tuple[tuple[str, Pos], ...] = ()  # relative links, to check after rendering

    @property
    def figure_ids(self) -> list[str]:
        """The ids of the figures placed in this narrative, in order."""
        return [p.id for p in self.parts if isinstance(p, FigureRef)]


def section_id(narrative: Narrative) -> str:
    """Return the HTML id of a narrative's section, prefixed to avoid the page's ids."""
    return f"n-{narrative.slug}"
