"""While the code is restructured (issue 14), the built site stays byte-identical.

The SHA-256 of every file of the repository's build (HTML, figures, data, PDFs) was
recorded before the move in tests/golden/site-sha256.txt.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "site-sha256.txt"


def test_the_built_site_is_byte_identical_to_the_recorded_one(built_site: Path) -> None:
    found = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()} "
        f"{p.relative_to(built_site).as_posix()}"
        for p in sorted(built_site.rglob("*"))
        if p.is_file()
    ]
    assert found == GOLDEN.read_text("utf-8").splitlines()
