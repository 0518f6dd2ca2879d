"""Time the PDF briefs of the real conferences: cold, warm, cached, serial or parallel.

On a temporary copy of the repository's project, after drawing its figures once:

* cold: a fresh Python process imports WeasyPrint and renders one brief (both timed);
* warm: this process, WeasyPrint already imported, renders each brief (no cache, no
  worker process): the median of --repeat runs;
* build: ``make_briefs`` with the cache off, all briefs, with 1 worker and with 2
  (what a build does, worker processes included);
* cached: ``make_briefs`` again with the cache on: HTML, hashing, reading the cache;
* the size of each PDF.

Usage: .venv/bin/python bench/pdf.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402

from generator.build import stages  # noqa: E402
from generator.core.cache import Cache  # noqa: E402
from generator.core.context import BuildContext, BuildOptions  # noqa: E402
from generator.errors import Problems  # noqa: E402
from generator.pdf.brief import (  # noqa: E402
    brief_environment,
    plan_briefs,
    render_brief_html,
)
from generator.pdf.fetch import site_resources  # noqa: E402
from generator.pdf.options import PdfOptions  # noqa: E402
from generator.pdf.stage import make_briefs  # noqa: E402
from generator.pdf.worker import render_pdf  # noqa: E402
from generator.site.pages import plan_site  # noqa: E402
from generator.site.views import Extras  # noqa: E402

COLD = textwrap.dedent(
    """
    import pickle, sys, time
    started = time.perf_counter()
    import weasyprint
    imported = time.perf_counter()
    from generator.pdf.worker import render_pdf
    html, resources, variant = pickle.load(open(sys.argv[1], "rb"))
    outcome = render_pdf(html, resources, variant)
    assert outcome.pdf
    print(imported - started, time.perf_counter() - imported)
    """
)


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in ("site.yaml", "data", "content", "themes"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copy2(source, dest / part)
    return dest


def fresh(ctx: BuildContext) -> BuildContext:
    """The same run's context with no problems yet and the cache of the project."""
    return BuildContext(
        ctx.root, ctx.options, Problems(), ctx.reporter, Cache(ctx.cache.folder)
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seconds(value: float) -> str:
    return f"{value:6.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per warm timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        root = copy_project(Path(tmp) / "site")
        ctx = BuildContext.open(root, BuildOptions(root / "output"))
        site = stages.load(ctx)
        narratives = stages.narratives(ctx, site)
        figures = stages.figures(ctx, site)
        problems = ctx.problems
        extras = Extras(figures=figures.figures)
        pages = plan_site(site)
        env = brief_environment(site)
        resources = site_resources(site, figures.files, narratives)
        t = env.globals["t"]
        briefs = {
            b.doc.name: render_brief_html(env, b, site, "", problems)
            for b in plan_briefs(site, pages, narratives, extras, resources.root_url, t)  # type: ignore[arg-type]
        }
        assert not problems.errors, problems.errors
        cpus = os.cpu_count()
        load = os.getloadavg()[0]
        print(
            f"{len(briefs)} briefs, {cpus} CPUs, load average {load:.1f}, "
            f"Python {sys.version.split()[0]}\n"
        )

        print("cold: fresh process, import WeasyPrint + render one brief")
        for name, html in briefs.items():
            job = Path(tmp) / "job.pickle"
            job.write_bytes(pickle.dumps((html, resources, "pdf/ua-1")))
            env_vars = {**os.environ, "PYTHONPATH": str(REPO)}
            out = subprocess.run(
                [sys.executable, "-c", COLD, str(job)],
                check=True,
                capture_output=True,
                text=True,
                env=env_vars,
            ).stdout.split()
            imported, rendered = float(out[0]), float(out[1])
            print(f"  {name:<58} import {seconds(imported)} render {seconds(rendered)}")

        print(
            f"\nwarm: WeasyPrint loaded, no cache, in process, median of {args.repeat}"
        )
        import weasyprint  # noqa: F401

        sizes = {}
        for name, html in briefs.items():
            assert html is not None
            times, cpu = [], []
            for _ in range(args.repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                outcome = render_pdf(html, resources, "pdf/ua-1")
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            sizes[name] = len(outcome.pdf)
            wall, used = statistics.median(times), statistics.median(cpu)
            print(f"  {name:<58} {seconds(wall)} (CPU {seconds(used).strip()})")

        print("\nbuild stage: make_briefs, cache off, worker processes")
        for workers in (1, 2):
            options = PdfOptions(workers=workers, use_cache=False)
            before = children_cpu()
            started = time.perf_counter()
            result = make_briefs(
                fresh(ctx), site, pages, narratives, extras, figures.files, options
            )
            elapsed = time.perf_counter() - started
            used = children_cpu() - before
            label = f"{workers} worker{'s' if workers > 1 else ''}"
            print(
                f"  {label:<9}: all {result.made} briefs {seconds(elapsed)} "
                f"(CPU of the workers {seconds(used).strip()})"
            )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  peak memory of a worker: {peak:.0f} MiB")

        print("\ncached: make_briefs, cache on and filled")
        make_briefs(fresh(ctx), site, pages, narratives, extras, figures.files)
        started = time.perf_counter()
        result = make_briefs(fresh(ctx), site, pages, narratives, extras, figures.files)
        elapsed = time.perf_counter() - started
        print(f"  all {result.cached} briefs from the cache {seconds(elapsed)}")

        print("\nsizes")
        for name, size in sizes.items():
            payload = result.files[result.pdfs[name].path]
            data = payload.read_bytes() if isinstance(payload, Path) else payload
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(f"  {name:<58} {size / 1024:7.1f} KiB, {pages} pages")


if __name__ == "__main__":
    main()
