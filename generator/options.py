"""Build options and the cache folder's name.

A small module of its own, so the CLI can check build stamps (``stamp.py``)
without importing the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CACHE_DIR = ".proceedings-cache"  # figures, PDFs, memo, records; `proceedings clean`


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build: where to, what to include, how strict to be."""

    output: Path
    strict: bool = False
    pdf: bool = True
    drafts: bool = False
    preview: bool = False
