"""Figure declarations + indicators -> SVG (web and PDF) and PNG, cached by content hash."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import Problems
from generator.model import Site
from generator.render import FigureOut

if TYPE_CHECKING:
    from generator.build import Reporter


@dataclass(slots=True)
class FigureResult:
    """The figures of a site, the files they add to output/, and what was redrawn."""

    figures: dict[tuple[str, str], FigureOut] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    drawn: int = 0
    cached: int = 0


def draw_figures(site: Site, cache: Path, problems: Problems, reporter: Reporter) -> FigureResult:
    """Draw every declared figure (TODO #4: not drawn yet)."""
    return FigureResult()
