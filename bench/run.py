"""Benchmark proceedings against Pelican, MkDocs, Material, Hugo and a naive pipeline.

What ``make bench`` runs. It generates the synthetic corpus (bench/corpus.py) and its
variant with warnings, writes the same narratives for each peer (bench/adapters.py),
installs missing peers (bench/.peers-venv from bench/requirements-peers.txt; Hugo
with apt-get), builds everything in one run, times the live preview's reload
(bench/serve_reload.py) and what the search page downloads (bench/search_bytes.py),
builds a copy of the real project, and prints and saves a table: wall time (median
of the runs), ratio to each peer, CPU time and peak memory of the process tree, and
for every row its target (issue "Scale") and a verdict, met / not met. ``--scaling``
adds cold builds at N = 100, 1,000 and 5,000 and the fitted growth exponent. A peer
that cannot be installed gets a "not available" row; nothing here is fatal. See
bench/README.md.
"""

# ruff: noqa: RUF001 -- Vietnamese text needs the en dash, result tables the times sign

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import itertools
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from adapters import Peer, write_hugo, write_mkdocs, write_pelican
from corpus import DEFAULT_SEED, Corpus, make_corpus, warnings_expected, write_corpus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEERS_VENV = BENCH / ".peers-venv"
REQUIREMENTS = BENCH / "requirements-peers.txt"
RESULTS = BENCH / "results"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Children run as on a user's machine: this sandbox sets PYTHONDONTWRITEBYTECODE, which
# would make every Python tool recompile its own (non-site-packages) modules each run.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

WARNING_ROWS = ("noop-warn", "edit-warn")
PROCEEDINGS_ROWS = ("cold", "warm", "noop", "edit", *WARNING_ROWS, "serve", "search")
PEER_ROWS = ("pelican", "mkdocs", "material", "hugo")
REAL_ROWS = ("real", "real-edit", "brief")
ALL_ROWS = (*PROCEEDINGS_ROWS, "naive", *PEER_ROWS, *REAL_ROWS, "scaling")
DEFAULT_ROWS = tuple(k for k in ALL_ROWS if k != "scaling")  # --scaling adds it
GROUPS = {
    "proceedings": PROCEEDINGS_ROWS,
    "peers": PEER_ROWS,
    "warnings": WARNING_ROWS,
    "real": REAL_ROWS,
}
LABELS = {
    "cold": "proceedings, cold, HTML only, every figure drawn",
    "warm": "proceedings, cold, HTML only, figures cached",
    "noop": "proceedings, no-op rebuild",
    "edit": "proceedings, one narrative edited",
    "noop-warn": "proceedings, no-op rebuild, project with warnings",
    "edit-warn": "proceedings, one narrative edited, project with warnings",
    "serve": "proceedings serve, narrative saved → page reloaded",
    "search": "search: bytes before first results",
    "naive": "naive Python pipeline (reference)",
    "pelican": "Pelican",
    "mkdocs": "MkDocs",
    "material": "MkDocs Material",
    "hugo": "Hugo",
    "real": "real project (2 conferences), HTML + figures + PDFs, cold",
    "real-edit": "real project, one narrative edited, HTML + PDFs",
    "brief": "one PDF brief, warm",
    "scaling": "growth of cold time and memory",
}
WARN_EVERY = 50  # the corpus with warnings: one per 50 conferences (20 on 1000)
SCALING_SIZES = (100, 1000, 5000)
# A real narrative the real-edit row appends to: of the newest conference.
REAL_EDITED = "content/hoi-nghi-tre-em-phia-nam-2024/tinh-hinh-tre-em.md"


# --- measuring one command ---------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One execution of a command."""

    seconds: float
    cpu_seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def _tree_rss(root_pid: int) -> int:
    """Sum the resident memory (bytes) of root_pid and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * PAGE_SIZE
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def measure(cmd: Sequence[str], cwd: Path, timeout: float, log: Path) -> Run:
    """Run cmd; return wall and CPU time and the peak RSS of its process tree.

    Peak memory is the larger of the kernel's ru_maxrss for the child and its waited-for
    descendants (exact for the largest single process) and the sum of the tree's RSS
    sampled every 50 ms (catches several processes alive at once).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log.with_suffix(".out"), log.with_suffix(".err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdout=out,
            stderr=err,
            env=CHILD_ENV,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        peak_tree = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(0.05):
                peak_tree = max(peak_tree, _tree_rss(proc.pid))

        def kill() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        timer.cancel()
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    peak = max(usage.ru_maxrss * 1024, peak_tree) / (1024 * 1024)
    return Run(
        seconds=elapsed,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=peak,
        returncode=proc.returncode,
        stdout=out_path.read_text("utf-8", "replace"),
        stderr=err_path.read_text("utf-8", "replace"),
    )


# --- rows --------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One line of the results table."""

    key: str
    label: str
    status: str = "ok"  # ok | failed | not available | n/a | skipped
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    pages: int | None = None  # HTML files in the output
    output_mb: float | None = None
    note: str = ""
    command: str = ""
    load: list[float] = field(
        default_factory=list
    )  # 1-min load average before each run
    target: str = ""  # the goal of issue "Scale" this row is held to; "" if none
    verdict: str = ""  # met | not met | not measured; "" for a reference row
    measured: str = ""  # what the verdict is on, when it is not the median time
    value: float | None = None  # that quantity as a number (bytes, exponent)

    @property
    def seconds(self) -> float | None:
        """Median wall time of the measured runs."""
        return (
            statistics.median(self.times)
            if self.times and self.status == "ok"
            else None
        )

    @property
    def cpu_seconds(self) -> float | None:
        """Median CPU time (user + system, whole tree) of the measured runs."""
        return statistics.median(self.cpu) if self.cpu and self.status == "ok" else None


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text("ascii").split()[0])


def _tail(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(kept[-lines:])[:400]


def _count_output(out: Path) -> tuple[int, float]:
    html, size = 0, 0
    if out.is_dir():
        for path in out.rglob("*"):
            if path.is_file():
                size += path.stat().st_size
                html += path.suffix == ".html"
    return html, size / (1024 * 1024)


def run_row(
    row: Row,
    cmd: Sequence[str],
    cwd: Path,
    *,
    repeat: int,
    timeout: float,
    before: Callable[[int], None] | None = None,
    output: Path | None = None,
    logs: Path,
    discard: bool = False,
) -> Row:
    """Measure cmd repeat times (calling before(i) first each time) into row."""
    row.command = " ".join(str(c) for c in cmd)
    print(f"  {row.label} ...", end="", flush=True)
    for i in range(repeat):
        if before is not None:
            before(i)
        row.load.append(_loadavg())
        result = measure(cmd, cwd, timeout, logs / f"{row.key}-{i}")
        if result.returncode != 0:
            row.status = "failed"
            reason = (
                "timed out"
                if result.returncode == -signal.SIGKILL
                else (f"exit {result.returncode}")
            )
            row.note = f"{reason}: {_tail(result.stderr) or _tail(result.stdout)}"
            break
        row.times.append(result.seconds)
        row.cpu.append(result.cpu_seconds)
        row.peak_mb = max(row.peak_mb or 0.0, result.peak_mb)
        print(f" {result.seconds:.2f}s", end="", flush=True)
    if row.status == "ok" and output is not None:
        row.pages, row.output_mb = _count_output(output)
    if discard and output is not None:
        _clean(output)  # MkDocs' outputs reach gigabytes on the 1000 corpus
    print("" if row.status == "ok" else f" {row.status}: {row.note}")
    return row


def _cleaner(peer: Peer) -> Callable[[int], None]:
    """Return a before-run hook that deletes the peer's output and caches."""
    return lambda i: _clean(peer.output, *peer.clean)


def _clean(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# --- installing peers --------------------------------------------------------------


def ensure_peers_venv(log: list[str]) -> Path | None:
    """Create bench/.peers-venv, install the pinned peers; return its bin/ or None."""
    bin_dir = PEERS_VENV / "bin"
    stamp = PEERS_VENV / ".requirements"
    wanted = REQUIREMENTS.read_text("utf-8")
    if (
        (bin_dir / "python").exists()
        and stamp.exists()
        and stamp.read_text("utf-8") == wanted
    ):
        return bin_dir
    print(
        "Installing peers into bench/.peers-venv (pelican, mkdocs, mkdocs-material) ..."
    )
    try:
        if not (bin_dir / "python").exists():
            subprocess.run(
                [sys.executable, "-m", "venv", str(PEERS_VENV)],
                check=True,
                capture_output=True,
            )
            (PEERS_VENV / ".gitignore").write_text("*\n", "utf-8")  # never commit it
        result = subprocess.run(
            [
                str(bin_dir / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.append(f"peers venv: {exc}")
        return bin_dir if (bin_dir / "mkdocs").exists() else None
    if result.returncode != 0:
        log.append(f"pip install -r {REQUIREMENTS.name} failed: {_tail(result.stderr)}")
    else:
        stamp.write_text(wanted, "utf-8")
    return bin_dir


def ensure_hugo(log: list[str]) -> str | None:
    """Return the hugo executable, installing Debian's package if it is missing."""
    found = shutil.which("hugo")
    if found:
        return found
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        log.append("hugo: not installed, and not root and no sudo to apt-get it")
        return None
    print("Installing hugo with apt-get ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for steps in (
        [["apt-get", "install", "-y", "-q", "hugo"]],
        [["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "hugo"]],
    ):
        try:
            ok = all(
                subprocess.run(
                    prefix + step, env=env, capture_output=True, timeout=900
                ).returncode
                == 0
                for step in steps
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.append(f"hugo: apt-get failed: {exc}")
            return None
        if ok and shutil.which("hugo"):
            return shutil.which("hugo")
    log.append("hugo: apt-get install hugo failed")
    return None


# --- the machine -------------------------------------------------------------------


def _version(cmd: Sequence[str]) -> str:
    try:
        result = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "not available"
    text = (result.stdout or result.stderr).strip().splitlines()
    return text[0].strip() if result.returncode == 0 and text else "not available"


def _code_root() -> Path:
    """The checkout whose generator/ the installed `proceedings` runs (not bench's)."""
    found = _version_all(
        [sys.executable, "-c", "import generator; print(generator.__file__)"], cwd="/"
    ).strip()
    return Path(found).parent.parent if found else REPO


def _source_state() -> str:
    """Name the commit measured, and which generator/theme files differ from it."""
    code = _code_root()
    try:
        head = subprocess.run(
            ["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(code),
                "status",
                "--porcelain",
                "--",
                "generator",
                "themes",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    changed = [line[3:] for line in dirty if line.strip()]
    return f"{code}, commit {head or 'unknown'}" + (
        f", with uncommitted changes to {', '.join(changed)}" if changed else ""
    )


def describe_machine(peers_bin: Path | None, hugo: str | None) -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and the versions of every tool measured."""
    cpu = "unknown"
    with Path("/proc/cpuinfo").open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with Path("/proc/meminfo").open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    libs = {}
    for name in (
        "markdown-it-py",
        "Jinja2",
        "PyYAML",
        "pydantic",
        "matplotlib",
        "weasyprint",
    ):
        try:
            libs[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            libs[name] = "not installed"
    tools = {
        "proceedings": _version(
            [str(Path(sys.executable).parent / "proceedings"), "--version"]
        )
    }
    if peers_bin is not None:
        tools["pelican"] = _version([str(peers_bin / "pelican"), "--version"])
        tools["mkdocs"] = _version([str(peers_bin / "mkdocs"), "--version"])
        tools["mkdocs-material"] = _version(
            [
                str(peers_bin / "python"),
                "-c",
                "import importlib.metadata as m; print(m.version('mkdocs-material'))",
            ]
        )
        tools["markdown (Python-Markdown)"] = _version(
            [
                str(peers_bin / "python"),
                "-c",
                "import importlib.metadata as m; print(m.version('markdown'))",
            ]
        )
    if hugo is not None:
        tools["hugo"] = _version([hugo, "version"])
    return {
        "source": _source_state(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": libs,
        "tools": tools,
    }


# --- the benchmark -----------------------------------------------------------------


def _proceedings() -> str:
    return str(Path(sys.executable).parent / "proceedings")


def _has_pdf_command() -> bool:
    help_text = _version_all([_proceedings(), "--help"])
    return re.search(r"^\s+pdf\s", help_text, re.MULTILINE) is not None


def _version_all(cmd: Sequence[str], cwd: str | None = None) -> str:
    try:
        return subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=60, cwd=cwd
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _real_copy(work: Path) -> Path:
    """Copy the repository's project to work/real/project, its archives beside it.

    site.yaml, data/, content/ and themes/ are copied, and every archive folder
    site.yaml declares (``archives: [../shared/seeds]``) is copied to the same place
    relative to the copy (work/real/shared/seeds), so quotes are checked against the
    saved articles as in the repository.
    """
    from serve_reload import copy_project, declared_archives

    shutil.rmtree(work / "real", ignore_errors=True)
    real = copy_project(work / "real" / "project", REPO)
    missing = [f for f in declared_archives(REPO) if not (REPO / f).resolve().is_dir()]
    if missing:
        print(f"  (archive folders not found beside the repository: {missing})")
    return real


def _keep_only_figures(cache: Path) -> None:
    """Empty the build cache except the drawn figures (cache/figures/)."""
    if cache.is_dir():
        for child in cache.iterdir():
            if child.name != "figures":
                _clean(child)


def _figures_only(out: Path, cache: Path) -> Callable[[int], None]:
    """A before-run hook: remove output/ and every cache but the drawn figures."""

    def before(i: int) -> None:
        _clean(out)
        _keep_only_figures(cache)

    return before


def _link_tree(source: Path, dest: Path) -> None:
    """Hard-link (else copy) source's files into dest: a cache of drawings, cheaply."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, dest, copy_function=link, dirs_exist_ok=True)


def _warnings_in(text: str) -> int:
    return len(re.findall(r": warning: ", text))


def _made(text: str, what: str) -> tuple[int, int] | None:
    """From 'Built …, 3 PDFs (1 made) …': (made, total) for what = 'PDFs'."""
    found = re.search(rf"(\d+) {what} \((\d+) (?:made|drawn)\)", text)
    return (int(found.group(2)), int(found.group(1))) if found else None


def _write_corpus(corpus: Corpus, root: Path, *, keep_figures: bool = False) -> None:
    """Write corpus at root; keep the drawn figures of an earlier run if asked."""
    kept = root.parent / ".figures-kept"
    figures = root / ".proceedings-cache" / "figures"
    _clean(kept)
    if keep_figures and figures.is_dir():
        kept.parent.mkdir(parents=True, exist_ok=True)
        figures.rename(kept)
    write_corpus(corpus, root)
    if kept.is_dir():
        figures.parent.mkdir(parents=True, exist_ok=True)
        kept.rename(figures)


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Run the selected rows and return everything measured."""
    keys = _selected(args)
    n, repeat, timeout = args.conferences, args.repeat, args.timeout
    fast = max(repeat, args.fast_repeat)
    work = args.workdir / f"n{n}"
    corpus_root = work / "corpus"
    log: list[str] = []
    logs = work / "logs"
    _clean(logs)

    started = time.perf_counter()
    corpus = make_corpus(n, args.seed)
    if any(k not in ("scaling", *REAL_ROWS) for k in keys):  # else left as it is
        print(f"Writing corpus: {n} conferences (seed {args.seed}) ...", end="")
        _write_corpus(corpus, corpus_root, keep_figures=args.keep_figures)
        print(
            f" {corpus.pages} narratives, {corpus.words:,} words "
            f"in {time.perf_counter() - started:.1f} s -> {corpus_root}",
            flush=True,
        )

    peers_bin = hugo = None
    if any(k in PEER_ROWS for k in keys):
        if any(k in ("pelican", "mkdocs", "material") for k in keys):
            peers_bin = ensure_peers_venv(log)
        if "hugo" in keys:
            hugo = ensure_hugo(log)
    machine = describe_machine(peers_bin, hugo)
    rows: dict[str, Row] = {}
    proceedings = _proceedings()
    out = corpus_root / "output"
    cache = corpus_root / ".proceedings-cache"
    build = [proceedings, "--root", str(corpus_root), "build", "--no-pdf"]
    print("Measuring (wall seconds per run):")

    if "cold" in keys:
        rows["cold"] = run_row(
            Row("cold", LABELS["cold"], note=f"{4 * n:,} figures drawn"),
            build,
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=lambda i: _clean(cache, out),
            output=out,
        )
    if "warm" in keys:
        # What a build costs besides drawing charts, which no peer does: output/ and
        # every cache go, the drawn figures stay.
        if not (cache / "figures").is_dir():
            measure(build, corpus_root, timeout, logs / "warm-figures")
        rows["warm"] = run_row(
            Row(
                "warm",
                LABELS["warm"],
                note="output/ and every cache but .proceedings-cache/figures removed",
            ),
            build,
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=_figures_only(out, cache),
            output=out,
        )
    if any(k in keys for k in ("noop", "edit", "serve", "search")) and not out.is_dir():
        # warm the cache once, unmeasured
        measure(build, corpus_root, timeout, logs / "warm-up")
    if "noop" in keys:
        measure(build, corpus_root, timeout, logs / "noop-warm-up")  # stamp written
        rows["noop"] = run_row(
            Row("noop", LABELS["noop"]),
            build,
            corpus_root,
            repeat=fast,
            timeout=timeout,
            logs=logs,
            output=out,
        )
    first = corpus.conferences[0]
    edited = f"content/{first.slug}/{first.narratives[1].name}.md"
    if "edit" in keys:
        rows["edit"] = _edit_row(
            "edit", corpus_root, edited, build, fast, timeout, logs
        )
    if "search" in keys:
        rows["search"] = _search_row(out, args.search_query)
    if "serve" in keys:
        rows["serve"] = _serve_row(
            corpus_root, edited, args.serve_rounds, logs, timeout
        )
    if any(k in keys for k in WARNING_ROWS):
        rows.update(_warning_rows(args, keys, work, cache, fast, timeout, logs))
    if "naive" in keys:
        naive_out = work / "naive-output"
        rows["naive"] = run_row(
            Row(
                "naive",
                LABELS["naive"],
                note="markdown-it + Jinja + PyYAML, one process",
            ),
            [sys.executable, str(BENCH / "naive.py"), str(corpus_root), str(naive_out)],
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            output=naive_out,
        )

    peers: dict[str, Peer] = {}
    if peers_bin is not None and (peers_bin / "pelican").exists() and "pelican" in keys:
        peers["pelican"] = write_pelican(corpus, work / "pelican", peers_bin)
    if (
        peers_bin is not None
        and (peers_bin / "mkdocs").exists()
        and ("mkdocs" in keys or "material" in keys)
    ):
        peers["mkdocs"], peers["material"] = write_mkdocs(
            corpus, work / "mkdocs", peers_bin
        )
    if hugo is not None and "hugo" in keys:
        peers["hugo"] = write_hugo(corpus, work / "hugo", hugo)
    for key in PEER_ROWS:
        if key not in keys:
            continue
        peer = peers.get(key)
        if peer is None:
            reason = "; ".join(log) or "not installed"
            rows[key] = Row(key, LABELS[key], status="not available", note=reason)
            print(f"  {LABELS[key]}: not available ({reason})")
            continue
        rows[key] = run_row(
            Row(key, LABELS[key]),
            peer.command,
            peer.root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=_cleaner(peer),
            output=peer.output,
            discard=True,
        )

    if any(k in keys for k in REAL_ROWS):
        rows.update(_real_rows(work, keys, fast, timeout, logs))
    scaling: dict[str, Any] | None = None
    if "scaling" in keys:
        rows["scaling"], scaling = _scaling(args, timeout)
    return {
        "corpus": {
            "conferences": n,
            "seed": args.seed,
            "narratives": corpus.pages,
            "words": corpus.words,
            "root": str(corpus_root),
            "warnings_variant": {
                "every": args.warn_every,
                "warnings": warnings_expected(n, args.warn_every),
            },
        },
        "repeat": repeat,
        "fast_repeat": fast,
        "machine": machine,
        "rows": [rows[k] for k in ALL_ROWS if k in rows],
        "scaling": scaling,
        "install_log": log,
    }


def _edit_row(
    key: str,
    root: Path,
    edited: str,
    build: list[str],
    repeat: int,
    timeout: float,
    logs: Path,
    *,
    expect_warnings: int = 0,
) -> Row:
    """Append a paragraph to one narrative before each run of build."""
    path = root / edited

    def edit(i: int) -> None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\nĐoạn bổ sung lần thứ {i + 1}: số liệu được cập nhật.\n")

    row = Row(key, LABELS[key], note=f"appends a paragraph to {edited}")
    run_row(
        row,
        build,
        root,
        repeat=repeat,
        timeout=timeout,
        logs=logs,
        before=edit,
        output=root / "output",
    )
    if expect_warnings:
        _note_warnings(row, logs, expect_warnings)
    return row


def _note_warnings(row: Row, logs: Path, expected: int) -> None:
    """Say in row.measured whether every run printed the expected warnings."""
    printed = [
        _warnings_in(path.read_text("utf-8", "replace"))
        for path in sorted(logs.glob(f"{row.key}-*.err"))
    ]
    row.measured = (
        f"warnings printed: {min(printed) if printed else 0} of {expected}"
        + (" in every run" if printed and len(set(printed)) == 1 else "")
    )


def _warning_rows(
    args: argparse.Namespace,
    keys: Sequence[str],
    work: Path,
    clean_cache: Path,
    repeat: int,
    timeout: float,
    logs: Path,
) -> dict[str, Row]:
    """No-op and one-edit builds of the corpus with warnings (corpus-warnings/)."""
    n, every = args.conferences, args.warn_every
    root = work / "corpus-warnings"
    corpus = make_corpus(n, args.seed, warn_every=every)
    _write_corpus(corpus, root, keep_figures=args.keep_figures)
    expected = warnings_expected(n, every)
    # Its drawings are those of the plain corpus: start from them, if drawn.
    figures = root / ".proceedings-cache" / "figures"
    if (clean_cache / "figures").is_dir() and not figures.is_dir():
        _link_tree(clean_cache / "figures", figures)
    build = [_proceedings(), "--root", str(root), "build", "--no-pdf"]
    print(
        f"  (corpus with warnings: {expected} indicators nothing cites, one per "
        f"{every} conferences -> {root}; warming its cache ...)",
        flush=True,
    )
    warm = measure(build, root, timeout, logs / "warnings-warm-up")
    printed = _warnings_in(warm.stderr)
    rows: dict[str, Row] = {}
    if warm.returncode != 0 or printed != expected:
        why = (
            f"warm-up build failed (exit {warm.returncode}): {_tail(warm.stderr)}"
            if warm.returncode
            else f"the corpus gave {printed} warnings, not {expected}"
        )
        for key in WARNING_ROWS:
            if key in keys:
                rows[key] = Row(key, LABELS[key], status="failed", note=why)
                print(f"  {LABELS[key]}: failed ({why})")
        return rows
    if "noop-warn" in keys:
        measure(build, root, timeout, logs / "noop-warn-warm-up")
        row = Row(
            "noop-warn",
            LABELS["noop-warn"],
            note=f"{expected} warnings (an indicator nothing cites, 1 per {every} "
            "conferences)",
        )
        run_row(
            row,
            build,
            root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            output=root / "output",
        )
        _note_warnings(row, logs, expected)
        rows["noop-warn"] = row
    if "edit-warn" in keys:
        first = corpus.conferences[0]  # one of those with the warning
        edited = f"content/{first.slug}/{first.narratives[1].name}.md"
        rows["edit-warn"] = _edit_row(
            "edit-warn",
            root,
            edited,
            build,
            repeat,
            timeout,
            logs,
            expect_warnings=expected,
        )
    return rows


def _serve_row(root: Path, edited: str, rounds: int, logs: Path, timeout: float) -> Row:
    """`proceedings serve` on the corpus: save a narrative, wait for the reload."""
    row = Row(
        "serve",
        LABELS["serve"],
        note=f"appends a paragraph to {edited}, {rounds} saves",
    )
    print(f"  {row.label} ...", end="", flush=True)
    from search_bytes import browser_available

    why = browser_available()
    if why:
        row.status, row.note = "not available", why
        print(f" not available ({why})")
        return row
    from serve_reload import serve_reload

    row.command = f"{_proceedings()} --root {root} serve --port PORT"
    row.load.append(_loadavg())
    try:
        result = serve_reload(
            root,
            root / edited,
            Path(edited).parent.name,
            rounds=rounds,
            log=logs / "serve.log",
            startup_timeout=timeout,
            echo=False,
        )
    except Exception as exc:  # the browser or the server: say so, go on
        row.status, row.note = "failed", f"{type(exc).__name__}: {exc}"[:400]
        print(f" failed: {row.note}")
        return row
    row.times = [ms / 1000 for ms in result.page_ms]
    rebuild = (
        f", rebuild {statistics.median(result.rebuild_ms):.0f} ms"
        if result.rebuild_ms
        else ""
    )
    row.note += (
        f"; median seen by Playwright {statistics.median(result.seen_ms):.0f} ms"
        f"{rebuild}; first build {result.startup_s:.0f} s"
    )
    print(" " + " ".join(f"{t:.2f}s" for t in row.times))
    return row


def _search_row(out: Path, query: str) -> Row:
    """Bytes the search page downloads before its first results (search_bytes.py)."""
    row = Row("search", LABELS["search"])
    print(f"  {row.label} ...", end="", flush=True)
    if not (out / "search.html").is_file():
        row.status, row.note = "failed", f"no {out / 'search.html'}"
        print(f" failed ({row.note})")
        return row
    from search_bytes import search_bytes

    row.load.append(_loadavg())
    try:
        found = search_bytes(out, query)
    except Exception as exc:
        row.status, row.note = "failed", f"{type(exc).__name__}: {exc}"[:400]
        print(f" failed: {row.note}")
        return row
    row.measured = f"{found.total / 1e6:.2f} MB"
    row.value = found.total
    row.note = (
        f"query '{found.query}', {found.method}: {len(found.files)} files "
        f"({found.largest()})"
        + (
            f"; {found.results} results after {found.seconds:.2f} s"
            if found.seconds is not None
            else ""
        )
        + (f"; {found.note}" if found.note else "")
    )
    row.command = f"python bench/search_bytes.py {out} '{query}'"
    print(f" {found.total:,} bytes")
    return row


def _real_rows(
    work: Path, keys: Sequence[str], repeat: int, timeout: float, logs: Path
) -> dict[str, Row]:
    """The repository's own project: cold with PDFs, one narrative edited, a brief."""
    rows: dict[str, Row] = {}
    real = _real_copy(work)
    cmd = [_proceedings(), "--root", str(real), "build"]
    out, cache = real / "output", real / ".proceedings-cache"
    if "real" in keys or "real-edit" in keys:
        row = run_row(
            Row("real", LABELS["real"]),
            cmd,
            real,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=lambda i: _clean(cache, out),
            output=out,
        )
        pdfs = sorted(out.rglob("*.pdf")) if out.is_dir() else []
        row.note = f"{len(pdfs)} PDFs, " + ", ".join(
            f"{p.name} {p.stat().st_size // 1024} KB" for p in pdfs[:4]
        )
        warned = _warnings_in(
            (logs / "real-0.err").read_text("utf-8", "replace")
            if (logs / "real-0.err").exists()
            else ""
        )
        if warned:
            row.note += f"; {warned} warnings"
        rows["real"] = row
    if "real-edit" in keys:
        row = _edit_row("real-edit", real, REAL_EDITED, cmd, repeat, timeout, logs)
        made = [
            _made(path.read_text("utf-8", "replace"), "PDFs")
            for path in sorted(logs.glob("real-edit-*.out"))
        ]
        if made and all(m is not None for m in made):
            done = sorted({m for m in made if m is not None})
            row.note += "; PDFs made: " + ", ".join(f"{a} of {b}" for a, b in done)
        rows["real-edit"] = row
    if "brief" in keys:
        rows["brief"] = _brief_row(real, cmd, repeat, timeout, logs)
    return rows


def _brief_row(
    real: Path, real_cmd: list[str], repeat: int, timeout: float, logs: Path
) -> Row:
    row = Row("brief", LABELS["brief"])
    if not _has_pdf_command():
        row.status, row.note = "n/a", "no `proceedings pdf` command yet"
        print(f"  {row.label}: n/a ({row.note})")
        return row
    slug = sorted(p.stem for p in (real / "data").glob("*.yaml"))[-1]
    cmd = [_proceedings(), "--root", str(real), "pdf", slug]
    if not (real / ".proceedings-cache").is_dir():
        measure(real_cmd, real, timeout, logs / "brief-warm-build")
    measure(cmd, real, timeout, logs / "brief-warm-up")  # warm, unmeasured
    row.note = f"proceedings pdf {slug}, after a full build and one unmeasured run"
    return run_row(row, cmd, real, repeat=repeat, timeout=timeout, logs=logs)


# --- scaling -----------------------------------------------------------------------


def _slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of log y on log x: the growth exponent."""
    points = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
    if len(points) < 2:
        return None
    mx = statistics.fmean(p[0] for p in points)
    my = statistics.fmean(p[1] for p in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else None


def _scaling(args: argparse.Namespace, timeout: float) -> tuple[Row, dict[str, Any]]:
    """Cold HTML-only builds at each size; the fitted exponents of time and memory.

    With --scaling-figures cached (the default) the figures are declared and drawn
    once, unmeasured, and every measured build starts with output/ and every cache
    removed except the drawings (like the `warm` row); with none, the corpus
    declares no figure. Each size's corpus lives in <workdir>/scaling/n<N>/ and
    keeps its drawings from run to run (they depend only on the corpus).
    """
    sizes = sorted(set(args.scaling_sizes))
    mode = args.scaling_figures
    print(f"Scaling: cold, HTML only, figures {mode}, N = {sizes}")
    points: list[dict[str, Any]] = []
    for n in sizes:
        work = args.workdir / "scaling" / f"n{n}"
        root, logs = work / "corpus", work / "logs"
        _clean(logs)
        corpus = make_corpus(n, args.seed, figures=mode == "cached")
        _write_corpus(corpus, root, keep_figures=True)
        cache, out = root / ".proceedings-cache", root / "output"
        build = [_proceedings(), "--root", str(root), "build", "--no-pdf"]
        main_figures = (
            args.workdir / f"n{n}" / "corpus" / ".proceedings-cache" / "figures"
        )
        if (
            mode == "cached"
            and not (cache / "figures").is_dir()
            and main_figures.is_dir()  # the same corpus, drawn by the main run
        ):
            _link_tree(main_figures, cache / "figures")
        if mode == "cached":
            print(f"  N = {n}: drawing the figures the cache lacks (unmeasured) ...")
            prime = measure(build, root, timeout, logs / "prime")
            if prime.returncode != 0:
                print(f"  N = {n}: failed: {_tail(prime.stderr)}")
                points.append({"n": n, "status": "failed", "note": _tail(prime.stderr)})
                continue
        repeat = args.scaling_repeat or (3 if n <= 1000 else 1)
        row = run_row(
            Row(f"scale-{n}", f"N = {n}, cold, HTML only, figures {mode}"),
            build,
            root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=_figures_only(out, cache),
            output=out,
        )
        points.append(
            {
                "n": n,
                "status": row.status,
                "seconds": row.seconds,
                "times": row.times,
                "cpu_seconds": row.cpu_seconds,
                "peak_mb": row.peak_mb,
                "pages": row.pages,
                "load": row.load,
                "note": row.note,
            }
        )
    good = [p for p in points if p["status"] == "ok" and p["seconds"]]
    ns = [p["n"] for p in good]
    time_exp = _slope(ns, [p["seconds"] for p in good])
    mem_exp = _slope(ns, [p["peak_mb"] for p in good])
    pairs = [
        (
            a["n"],
            b["n"],
            _slope([a["n"], b["n"]], [a["seconds"], b["seconds"]]),
            _slope([a["n"], b["n"]], [a["peak_mb"], b["peak_mb"]]),
        )
        for a, b in itertools.pairwise(good)
    ]
    summary = {
        "figures": mode,
        "points": points,
        "time_exponent": time_exp,
        "memory_exponent": mem_exp,
        "pairs": [
            {"from": a, "to": b, "time_exponent": t, "memory_exponent": m}
            for a, b, t, m in pairs
        ],
    }
    row = Row("scaling", LABELS["scaling"])
    row.command = (
        f"python bench/run.py --scaling --scaling-sizes {','.join(map(str, sizes))}"
    )
    if len(good) < 2 or time_exp is None or mem_exp is None:
        row.status = "failed" if len(points) >= 2 else "n/a"
        row.note = "needs two sizes or more that built"
    else:
        row.measured = f"time N^{time_exp:.2f}, memory N^{mem_exp:.2f}"
        row.value = max(time_exp, mem_exp)
        row.note = f"N = {', '.join(map(str, ns))}, figures {mode}; " + "; ".join(
            f"{a}→{b}: time N^{t:.2f}, memory N^{m:.2f}" for a, b, t, m in pairs
        )
        row.times = [good[-1]["seconds"]]
        row.peak_mb = good[-1]["peak_mb"]
    return row, summary


def _selected(args: argparse.Namespace) -> list[str]:
    if args.only:
        keys: list[str] = []
        for word in args.only.split(","):
            word = word.strip()
            for key in GROUPS.get(word, (word,)):
                if key not in ALL_ROWS:
                    raise SystemExit(
                        f"--only: unknown row '{key}'; rows: "
                        f"{', '.join(ALL_ROWS)}, or the groups "
                        f"{', '.join(GROUPS)}"
                    )
                keys.append(key)
    else:
        keys = list(DEFAULT_ROWS)
    if args.scaling:
        keys.append("scaling")
    if args.skip_peers:
        keys = [k for k in keys if k not in PEER_ROWS]
    return [k for k in ALL_ROWS if k in keys]


# --- targets and report ------------------------------------------------------------


@dataclass(slots=True)
class Target:
    """A goal of issue "Scale" and whether this run met it."""

    goal: str
    target: str
    measured: str
    verdict: str  # met | not met | not measured


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "not met")


def _why_not(row: Row | None, hint: str = "") -> str:
    """Why a row has no value: not selected, not available, failed."""
    if row is None:
        return f"not run{hint}"
    return f"{row.status}: {row.note}"[:200] if row.note else row.status


def evaluate(rows: Sequence[Row], n: int) -> list[Target]:
    """Hold the results to the targets of issue "Scale"; mark each row's verdict."""
    by = {r.key: r for r in rows}
    scale = "" if n == 1000 else f" (measured on {n}; the target is for 1,000)"
    targets: list[Target] = []

    def timed(
        key: str, goal: str, limit: float, target: str, *, inclusive: bool = False
    ) -> None:
        row = by.get(key)
        secs = row.seconds if row else None
        ok = None if secs is None else (secs <= limit if inclusive else secs < limit)
        extra = ""
        if row is not None and key in WARNING_ROWS and secs is not None:
            printed = row.measured  # "warnings printed: 20 of 20 in every run"
            found = re.search(r"(\d+) of (\d+)", printed)
            shown = found is not None and found.group(1) == found.group(2)
            if key == "noop-warn":
                ok = ok and shown
            extra = f"; {printed}"
        if row is not None:
            row.target, row.verdict = target, _verdict(ok)
        measured = f"{secs:.2f} s{extra}" if secs is not None else _why_not(row)
        targets.append(Target(goal + scale, target, measured, _verdict(ok)))

    timed(
        "noop-warn",
        "1,000 conf., no-op, project with warnings",
        0.3,
        "< 0.3 s, warnings re-printed",
    )
    for key, what in (("edit", "without"), ("edit-warn", "with")):
        timed(
            key, f"1,000 conf., one narrative edited ({what} warnings)", 0.5, "< 0.5 s"
        )
    timed("serve", "1,000 conf., `serve` edit → page reloaded", 0.5, "< 0.5 s")

    warm = by.get("warm")
    for peer, factor in (("pelican", 0.33), ("hugo", 1.5)):
        goal = (
            f"1,000 conf., cold, HTML only, figures cached ≤ {factor:g}× {LABELS[peer]}"
        )
        ours = warm.seconds if warm else None
        other_row = by.get(peer)
        other = other_row.seconds if other_row else None
        if ours is None or other is None:
            why = (
                _why_not(warm)
                if ours is None
                else _why_not(other_row, " (--skip-peers)")
            )
            if other is None and other_row is not None:
                why = f"{LABELS[peer]} {other_row.status}: {other_row.note}"[:200]
            targets.append(Target(goal + scale, f"≤ {factor:g}×", why, "not measured"))
            continue
        ratio = ours / other
        targets.append(
            Target(
                goal + scale,
                f"≤ {factor:g}×",
                f"{ours:.2f} s vs {other:.2f} s = {ratio:.2f}×",
                _verdict(ratio <= factor),
            )
        )
    if warm is not None:
        verdicts = [t.verdict for t in targets[-2:]]
        warm.target = "≤ 0.33× Pelican, ≤ 1.5× Hugo"
        warm.verdict = (
            "not measured"
            if "not measured" in verdicts
            else ("met" if all(v == "met" for v in verdicts) else "not met")
        )

    timed(
        "cold",
        "1,000 conf., cold, 4,000 figures drawn",
        200.0,
        "≤ 200 s",
        inclusive=True,
    )

    peaks: dict[str, float] = {}
    for k in ("cold", "warm"):
        mb = by[k].peak_mb if k in by and by[k].status == "ok" else None
        if mb is not None:
            peaks[k] = mb
    peak = max(peaks.values()) if peaks else None
    targets.append(
        Target(
            "peak memory, cold, 1,000 conf." + scale,
            "< 300 MB",
            "—"
            if peak is None
            else ", ".join(f"{k} {v:.0f} MB" for k, v in peaks.items()),
            _verdict(None if peak is None else peak < 300),
        )
    )
    for k, mb in peaks.items():
        by[k].target = (by[k].target + "; " if by[k].target else "") + "peak < 300 MB"
        if mb >= 300:
            by[k].verdict = "not met"

    search = by.get("search")
    size = search.value if search and search.status == "ok" else None
    ok = None if size is None else size <= 1_000_000
    if search is not None:
        search.target, search.verdict = "≤ 1 MB uncompressed", _verdict(ok)
    targets.append(
        Target(
            "search, 1,000 conf.: bytes before first results (a two-word query)"
            + scale,
            "≤ 1 MB uncompressed",
            search.measured if ok is not None and search else _why_not(search),
            _verdict(ok),
        )
    )

    timed("real", "the two real conferences, HTML + figures + PDFs, cold", 5.0, "< 5 s")
    real, edit = by.get("real"), by.get("real-edit")
    edit_ratio = (
        edit.seconds / real.seconds
        if real and edit and real.seconds and edit.seconds is not None
        else None
    )
    if edit is not None:
        edit.target, edit.verdict = (
            "≤ 0.2 × cold",
            _verdict(None if edit_ratio is None else edit_ratio <= 0.2),
        )
        if edit_ratio is not None:
            edit.measured = f"{edit_ratio:.2f} × cold"
    if edit_ratio is not None and edit is not None and real is not None:
        measured = (
            f"{edit.seconds:.2f} s / {real.seconds:.2f} s = {edit_ratio:.2f} × cold"
            + "".join(f"; {part}" for part in edit.note.split("; ")[1:])
        )
    else:
        measured = _why_not(edit if edit is None or edit.status != "ok" else real)
    targets.append(
        Target(
            "the real project, one narrative edited, HTML + PDFs",
            "≤ 0.2 of cold (only the affected briefs)",
            measured,
            _verdict(None if edit_ratio is None else edit_ratio <= 0.2),
        )
    )

    growth = by.get("scaling")  # value: the larger of the two exponents
    steepest = growth.value if growth and growth.status == "ok" else None
    ok = None if steepest is None else steepest <= 1.05
    if growth is not None:
        growth.target, growth.verdict = "exponent ≤ 1.05", _verdict(ok)
    targets.append(
        Target(
            "growth of cold time and memory, N = 100 → 5,000",
            "linear (exponent ≤ 1.05)",
            (growth.measured + f" ({growth.note})")
            if ok is not None and growth
            else _why_not(growth, " (pass --scaling)"),
            _verdict(ok),
        )
    )

    # Not in the issue's table, held to the same or to issue 8's targets.
    timed(
        "noop",
        "1,000 conf., no-op, project without warnings (as with warnings)",
        0.3,
        "< 0.3 s",
    )
    targets[-1].goal += " [extra]"
    timed("brief", "one PDF brief, warm (issue 8)", 1.0, "< 1 s")
    targets[-1].goal += " [extra]"
    brief = by.get("brief")
    if brief is not None and brief.status == "n/a":
        targets[-1].measured, targets[-1].verdict = "n/a", "not measured"
    return targets


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_markdown(result: dict[str, Any], targets: Sequence[Target]) -> str:
    """Format the results as the Markdown saved in bench/results/."""
    rows: list[Row] = result["rows"]
    by = {r.key: r for r in rows}
    peers = [k for k in PEER_ROWS if k in by and by[k].seconds]
    corpus, machine = result["corpus"], result["machine"]
    head = (
        ["row", "time (s)", "target", "verdict"]
        + [f"÷ {LABELS[p]}" for p in peers]
        + ["CPU (s)", "peak RSS (MB)", "HTML files", "output (MB)", "load", "notes"]
    )
    warned = corpus["warnings_variant"]
    lines = [
        "# proceedings benchmark",
        "",
        f"Corpus: {corpus['conferences']} conferences, {corpus['narratives']} "
        f"narratives, {corpus['words']:,} words (seed {corpus['seed']}); its variant "
        f"with warnings has {warned['warnings']} (one per {warned['every']} "
        "conferences). Times are the median of "
        f"{result['repeat']} run(s) for cold builds and peers, of "
        f"{result['fast_repeat']} for the no-op, edit and real-project rows, of every "
        "save for serve; ÷ X is this row's time divided by X's. CPU is user + "
        "system time of the whole process tree; load is the highest 1-minute load "
        "average seen just before a run (the machine has "
        f"{machine['cores']} cores: above that, other work was competing for them).",
        "",
        "| " + " | ".join(head) + " |",
        "| "
        + " | ".join(
            ["---"] + ["---:"] + ["---"] * 2 + ["---:"] * (len(head) - 5) + ["---"]
        )
        + " |",
    ]
    for row in rows:
        secs = row.seconds
        ratios = [
            "—"
            if secs is None or row.key in ("search", "scaling")
            else f"{secs / by[p].seconds:.2f}×"  # type: ignore[operator]
            for p in peers
        ]
        if row.status != "ok":
            time_cell = row.status
        elif row.key == "search" or row.key == "scaling":
            time_cell = row.measured
        else:
            time_cell = _fmt(secs)
        if row.measured and row.key not in ("search", "scaling"):
            time_cell += f" ({row.measured})"
        note = row.note.replace("|", "\\|")
        lines.append(
            "| "
            + " | ".join(
                [
                    row.label,
                    time_cell,
                    row.target or "—",
                    row.verdict or "—",
                    *ratios,
                    _fmt(row.cpu_seconds),
                    _fmt(row.peak_mb, 0),
                    "—" if row.pages is None else str(row.pages),
                    _fmt(row.output_mb, 1),
                    _fmt(max(row.load), 1) if row.load else "—",
                    note,
                ]
            )
            + " |"
        )
    lines += [
        "",
        "## Targets (issue “Scale”)",
        "",
        "| measure | target | measured | verdict |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        "| "
        + " | ".join((t.goal, t.target, t.measured.replace("|", "\\|"), t.verdict))
        + " |"
        for t in targets
    ]
    scaling = result.get("scaling")
    if scaling:
        lines += [
            "",
            f"## Scaling (cold, HTML only, figures {scaling['figures']})",
            "",
            "| N | time (s) | runs | CPU (s) | peak RSS (MB) | HTML files | load |",
            "| ---: | ---: | --- | ---: | ---: | ---: | ---: |",
        ]
        for p in scaling["points"]:
            if p["status"] != "ok":
                lines.append(f"| {p['n']} | {p['status']} | | | | | |")
                continue
            lines.append(
                f"| {p['n']} | {_fmt(p['seconds'])} | "
                + ", ".join(f"{t:.2f}" for t in p["times"])
                + f" | {_fmt(p['cpu_seconds'])} | {_fmt(p['peak_mb'], 0)} | "
                f"{p['pages'] if p['pages'] is not None else '—'} | "
                f"{_fmt(max(p['load']), 1) if p['load'] else '—'} |"
            )
        lines += [
            "",
            "Fitted exponent (least-squares slope of log y on log N): time "
            f"{_fmt(scaling['time_exponent'])}, "
            f"memory {_fmt(scaling['memory_exponent'])}.",
        ]
    lines += [
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB memory, {machine['os']}",
        f"- Python {machine['python']}; "
        + ", ".join(f"{k} {v}" for k, v in machine["libraries"].items()),
    ]
    lines += [f"- {name}: {version}" for name, version in machine["tools"].items()]
    lines.append(f"- proceedings source: {machine['source']}")
    if result["install_log"]:
        lines += ["", "## Install problems", ""] + [
            f"- {x}" for x in result["install_log"]
        ]
    lines += ["", "## Commands", ""]
    lines += [f"- {r.label}: `{r.command}`" for r in rows if r.command]
    lines += ["", f"Run {result['finished']} with `{result['invocation']}`.", ""]
    return "\n".join(lines)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are numbers: 100,1000,5000") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give two sizes or more, each at least 1")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags, run the benchmark, print the table and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--conferences",
        "-n",
        type=int,
        default=1000,
        help="conferences in the synthetic corpus (default 1000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs of the cold builds and peers, the median is reported "
        "(default 1 for 500+ conferences, else 3)",
    )
    parser.add_argument(
        "--fast-repeat",
        type=int,
        default=5,
        help="runs of the no-op, edit and real-project rows (default 5; never "
        "fewer than --repeat)",
    )
    parser.add_argument(
        "--skip-peers",
        action="store_true",
        help="leave out Pelican, MkDocs, MkDocs Material and Hugo",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated rows: "
        + ", ".join(ALL_ROWS)
        + "; or the groups "
        + ", ".join(GROUPS),
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--warn-every",
        type=int,
        default=WARN_EVERY,
        metavar="K",
        help="the corpus with warnings has one per K conferences "
        f"(default {WARN_EVERY})",
    )
    parser.add_argument(
        "--serve-rounds",
        type=int,
        default=10,
        help="saves timed by the serve row (default 10)",
    )
    parser.add_argument(
        "--search-query",
        default="trẻ em",
        help="the two-word query of the search row (default 'trẻ em')",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="also build at N = 100, 1000, 5000 (see --scaling-sizes) and fit the "
        "growth exponent; slow",
    )
    parser.add_argument(
        "--scaling-sizes",
        type=_sizes,
        default=list(SCALING_SIZES),
        help="comma-separated sizes for --scaling (default 100,1000,5000)",
    )
    parser.add_argument(
        "--scaling-figures",
        choices=("cached", "none"),
        default="cached",
        help="cached: figures declared, drawn once unmeasured (default); none: the "
        "corpus declares no figure",
    )
    parser.add_argument(
        "--scaling-repeat",
        type=int,
        default=0,
        help="runs per size (default 3 up to N = 1000, 1 above)",
    )
    parser.add_argument(
        "--keep-figures",
        action="store_true",
        help="keep the corpus' drawn figures from the last run (the cold row still "
        "removes them); saves drawing them again when cold is not run",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds before one build is killed (default 3600)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=BENCH / "corpus",
        help="where corpora, peer projects and logs are written "
        "(default bench/corpus/, git-ignored)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="file stem for the .md and .json results "
        "(default bench/results/n<N>, or n<N>-partial with --only "
        "or --skip-peers)",
    )
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.conferences >= 500 else 3
    if args.conferences < 1 or args.repeat < 1 or args.warn_every < 1:
        parser.error("--conferences, --repeat and --warn-every must be at least 1")
    args.workdir = args.workdir.resolve()

    result = benchmark(args)
    result["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["invocation"] = "python bench/run.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    targets = evaluate(result["rows"], args.conferences)
    text = render_markdown(result, targets)
    print()
    print(text)

    partial = bool(args.only or args.skip_peers)
    stem = (
        args.results or RESULTS / f"n{args.conferences}{'-partial' if partial else ''}"
    )
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".md").write_text(text, "utf-8")
    payload = {
        **{k: v for k, v in result.items() if k != "rows"},
        "rows": [
            {
                **asdict(r),
                "median_seconds": r.seconds,
                "median_cpu_seconds": r.cpu_seconds,
            }
            for r in result["rows"]
        ],
        "targets": [asdict(t) for t in targets],
    }
    stem.with_suffix(".json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    print(f"Saved {stem.with_suffix('.md')} and {stem.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
