"""Where each value of a YAML document stands, for problems reported at its line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.errors import Pos

try:  # libyaml's C parser is several times faster; both keep marks.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


Loc = tuple[str | int, ...]


@dataclass(slots=True)
class Positions:
    """Where each value (and each mapping key) of one YAML document stands."""

    path: Path
    line_offset: int = 0  # lines before the YAML text in its file (front matter)
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def at(self, loc: Sequence[str | int], *, key: bool = False) -> Pos:
        """Return the position of loc, or of its deepest ancestor that exists."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self._pos(self.keys[loc])
        while loc and loc not in self.values:
            loc = loc[:-1]
        return self._pos(self.values.get(loc, (0, 0)))

    def _pos(self, mark: tuple[int, int]) -> Pos:
        return Pos(self.path, mark[0] + 1 + self.line_offset, mark[1] + 1)
