"""How to make briefs: PDF variant, parallelism, limits, cache use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


VARIANTS = ("pdf/ua-1", "pdf/a-2b", "pdf/a-2u", "pdf/a-3b", "pdf/a-3u", "none")
DEFAULT_VARIANT = "pdf/ua-1"


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to make briefs: PDF variant, parallelism, limits, cache use."""

    variant: str = DEFAULT_VARIANT  # one of VARIANTS; "none" is a plain tagged PDF
    workers: int = 2  # briefs rendered at once, each in its own process
    timeout: float = 120.0  # seconds one brief may take
    memory: int = 1536 * 2**20  # bytes one brief may allocate beyond the worker's start
    use_cache: bool = True
