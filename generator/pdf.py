"""PDF briefs with WeasyPrint: one per conference and one per series, cached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import Problems
from generator.markdown import RenderedNarrative
from generator.model import Site
from generator.render import Extras, PdfOut

if TYPE_CHECKING:
    from generator.build import Reporter


@dataclass(slots=True)
class PdfResult:
    """The PDFs of a site, the files they add to output/, and what was remade."""

    pdfs: dict[str, PdfOut] = field(default_factory=dict)  # slug, or series/<slug>
    files: dict[str, bytes] = field(default_factory=dict)
    made: int = 0
    cached: int = 0


def make_pdfs(
    site: Site,
    narratives: Mapping[str, Sequence[RenderedNarrative]],
    extras: Extras,
    figure_files: Mapping[str, bytes],
    cache: Path,
    problems: Problems,
    reporter: Reporter,
) -> PdfResult:
    """Make the PDF brief of every conference and series (TODO #5: none made yet)."""
    return PdfResult()
