"""Where each value of a YAML document stands, for problems reported at its line."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Pos

Loc = tuple[str | int, ...]


@dataclass(slots=True)
class Positions:
    """Where each value (and each mapping key) of one YAML document stands.

    ``under(prefix)`` gives a view whose locations start below prefix, for
    validating one part of the document (a block of translated texts) on its own.
    """

    path: Path
    line_offset: int = 0  # lines before the YAML text in its file (front matter)
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    prefix: Loc = ()

    def at(self, loc: Sequence[str | int], *, key: bool = False) -> Pos:
        """Return the position of loc, or of its deepest ancestor that exists."""
        loc = (*self.prefix, *loc)
        if key and loc in self.keys:
            return self.pos_of(self.keys[loc])
        while loc and loc not in self.values:
            loc = loc[:-1]
        return self.pos_of(self.values.get(loc, (0, 0)))

    def under(self, prefix: Loc) -> Positions:
        """The same positions, seen from the value at prefix."""
        return dataclasses.replace(self, prefix=(*self.prefix, *prefix))

    def pos_of(self, mark: tuple[int, int]) -> Pos:
        """The position of a YAML mark (0-based line and column)."""
        return Pos(self.path, mark[0] + 1 + self.line_offset, mark[1] + 1)
