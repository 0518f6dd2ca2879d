"""Is Jinja's bytecode cache worth keeping? Time what a build spends on templates.

A build makes one Jinja environment per language (pages) and one for the briefs,
and loads every template it renders once per environment. This script loads the
default theme's templates as a build does, in a fresh environment each round
(``--rounds``), three ways:

* compile: no bytecode cache (Jinja parses and compiles each template);
* bytecode: the verified cache of ``core.cache`` (read, SHA-256, unmarshal);
* and, for scale, a whole HTML-only build of the repository's project with its
  caches warm (``proceedings build --no-pdf`` after removing output/ and the
  records, so every page is rendered).

CPU time (``time.process_time``), medians over the rounds: the machine's load
matters less than for wall time.

Usage: .venv/bin/python bench/jinja_bytecode.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.core.cache import Cache  # noqa: E402
from generator.core.context import CACHE_DIR  # noqa: E402
from generator.errors import Problems  # noqa: E402
from generator.load.project import load_site  # noqa: E402
from generator.pdf.brief import brief_environment  # noqa: E402


def load_all(site: object, cache: Cache | None) -> float:
    """Load every template of the theme in a fresh environment; CPU seconds."""
    started = time.process_time()
    env = brief_environment(site, cache)  # type: ignore[arg-type]
    for name in env.list_templates():
        if name.endswith(".html") and ":" not in name:
            env.get_template(name)
    return time.process_time() - started


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        for part in ("site.yaml", "data", "content", "themes"):
            source = REPO / part
            if source.is_dir():
                shutil.copytree(source, root / part)
            else:
                shutil.copy2(source, root / part)
        site = load_site(root, Problems())
        cache = Cache(root / CACHE_DIR)
        load_all(site, cache)  # fill the bytecode cache
        compiled = [load_all(site, None) for _ in range(args.rounds)]
        cached = [load_all(site, cache) for _ in range(args.rounds)]
        command = [sys.executable, "-m", "generator", "-q", "--root", str(root)]
        subprocess.run([*command, "build", "--no-pdf"], check=True, cwd=REPO)
        builds = []
        for _ in range(max(3, args.rounds // 10)):
            shutil.rmtree(root / "output")
            shutil.rmtree(root / CACHE_DIR / "records")
            started = time.perf_counter()
            subprocess.run([*command, "build", "--no-pdf"], check=True, cwd=REPO)
            builds.append(time.perf_counter() - started)
    env_count = 3  # pages in vi, pages in en, briefs: environments per build
    saved = (statistics.median(compiled) - statistics.median(cached)) * env_count
    print(f"| templates loaded per environment, CPU ms | median of {args.rounds} |")
    print("|---|---|")
    print(f"| compiled from source | {statistics.median(compiled) * 1000:.1f} |")
    print(f"| from the verified bytecode cache | {statistics.median(cached) * 1000:.1f} |")
    print(f"| saved per build ({env_count} environments) | {saved * 1000:.1f} |")
    print(
        f"| whole HTML-only build, warm caches (wall, median of {len(builds)}) "
        f"| {statistics.median(builds) * 1000:.0f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
