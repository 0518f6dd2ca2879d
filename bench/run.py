"""Benchmark proceedings against Pelican, MkDocs, Material, Hugo and a naive pipeline.

What ``make bench`` runs. It generates the synthetic corpus (bench/corpus.py), writes
the same narratives for each peer (bench/adapters.py), installs missing peers
(bench/.peers-venv from bench/requirements-peers.txt; Hugo with apt-get), builds
everything in one run, and prints and saves a table: wall time (median of --repeat
runs), ratio to each peer, CPU time and peak memory of the process tree, with the
targets of issue 8 marked met / not met. A peer that cannot be installed gets a
"not available" row; nothing here is fatal. See bench/README.md.
"""

# ruff: noqa: RUF001 -- Vietnamese text needs the en dash, result tables the times sign

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
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
from corpus import DEFAULT_SEED, make_corpus, write_corpus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEERS_VENV = BENCH / ".peers-venv"
REQUIREMENTS = BENCH / "requirements-peers.txt"
RESULTS = BENCH / "results"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Children run as on a user's machine: this sandbox sets PYTHONDONTWRITEBYTECODE, which
# would make every Python tool recompile its own (non-site-packages) modules each run.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

PROCEEDINGS_ROWS = ("cold", "warm", "noop", "edit")
PEER_ROWS = ("pelican", "mkdocs", "material", "hugo")
ALL_ROWS = (*PROCEEDINGS_ROWS, "naive", *PEER_ROWS, "real", "brief")
GROUPS = {"proceedings": PROCEEDINGS_ROWS, "peers": PEER_ROWS}
LABELS = {
    "cold": "proceedings, cold, HTML only",
    "warm": "proceedings, cold, HTML only, figures from cache",
    "noop": "proceedings, no-op rebuild",
    "edit": "proceedings, one narrative edited",
    "naive": "naive Python pipeline (reference)",
    "pelican": "Pelican",
    "mkdocs": "MkDocs",
    "material": "MkDocs Material",
    "hugo": "Hugo",
    "real": "2 real conferences, HTML + figures + PDFs, cold",
    "brief": "one PDF brief, warm",
}


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


def _source_state() -> str:
    """Name the commit measured, and which generator/theme files differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
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
    return f"commit {head or 'unknown'}" + (
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


def _version_all(cmd: Sequence[str]) -> str:
    try:
        return subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _real_copy(work: Path) -> Path:
    """Copy the repository's site.yaml, data/, content/ and themes/ to work/real."""
    real = work / "real"
    shutil.rmtree(real, ignore_errors=True)
    real.mkdir(parents=True)
    shutil.copy2(REPO / "site.yaml", real / "site.yaml")
    for name in ("data", "content", "themes"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, real / name)
    return real


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Run the selected rows and return everything measured."""
    keys = _selected(args)
    n, repeat, timeout = args.conferences, args.repeat, args.timeout
    work = args.workdir / f"n{n}"
    corpus_root = work / "corpus"
    log: list[str] = []
    logs = work / "logs"

    print(
        f"Generating corpus: {n} conferences (seed {args.seed}) ...", end="", flush=True
    )
    started = time.perf_counter()
    corpus = make_corpus(n, args.seed)
    write_corpus(corpus, corpus_root)
    print(
        f" {corpus.pages} narratives, {corpus.words:,} words "
        f"in {time.perf_counter() - started:.1f} s -> {corpus_root}"
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
            Row("cold", LABELS["cold"]),
            build,
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=lambda i: _clean(cache, out),
            output=out,
        )
    if "warm" in keys:
        # What a build costs besides drawing charts, which no peer does: output/,
        # the outputs record and the memo go, the drawn figures stay.
        if not (cache / "figures").is_dir():
            measure(build, corpus_root, timeout, logs / "warm-figures")
        rows["warm"] = run_row(
            Row(
                "warm",
                LABELS["warm"],
                note="output/ and every cache but the drawn figures removed",
            ),
            build,
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=lambda i: _clean(
                out,
                cache / "memo",
                cache / "outputs.json",
                cache / "stamps.json",
                cache / "jinja",
            ),
            output=out,
        )
    if ("noop" in keys or "edit" in keys) and not out.is_dir():
        # warm the cache once, unmeasured
        measure(build, corpus_root, timeout, logs / "warm-up")
    if "noop" in keys:
        rows["noop"] = run_row(
            Row("noop", LABELS["noop"]),
            build,
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            output=out,
        )
    if "edit" in keys:
        first = corpus.conferences[0]
        edited = corpus_root / "content" / first.slug / f"{first.narratives[1].name}.md"

        def edit(i: int) -> None:
            with edited.open("a", encoding="utf-8") as handle:
                handle.write(
                    f"\nĐoạn bổ sung lần thứ {i + 1}: số liệu được cập nhật.\n"
                )

        row = Row(
            "edit",
            LABELS["edit"],
            note=f"appends a paragraph to {edited.relative_to(corpus_root)}",
        )
        rows["edit"] = run_row(
            row,
            build,
            corpus_root,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=edit,
            output=out,
        )
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

    real: Path | None = None
    if "real" in keys or "brief" in keys:
        real = _real_copy(work)
        real_cmd = [proceedings, "--root", str(real), "build"]
    if "real" in keys and real is not None:
        rows["real"] = run_row(
            Row("real", LABELS["real"]),
            real_cmd,
            real,
            repeat=repeat,
            timeout=timeout,
            logs=logs,
            before=lambda i: _clean(real / ".proceedings-cache", real / "output"),
            output=real / "output",
        )
        pdfs = (
            list((real / "output").rglob("*.pdf")) if (real / "output").is_dir() else []
        )
        rows["real"].note = f"{len(pdfs)} PDFs, " + ", ".join(
            f"{p.name} {p.stat().st_size // 1024} KB" for p in sorted(pdfs)[:4]
        )
    if "brief" in keys and real is not None:
        rows["brief"] = _brief_row(real, real_cmd, repeat, timeout, logs)
    return {
        "corpus": {
            "conferences": n,
            "seed": args.seed,
            "narratives": corpus.pages,
            "words": corpus.words,
            "root": str(corpus_root),
        },
        "repeat": repeat,
        "machine": machine,
        "rows": [rows[k] for k in ALL_ROWS if k in rows],
        "install_log": log,
    }


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


def _selected(args: argparse.Namespace) -> list[str]:
    if args.only:
        keys: list[str] = []
        for word in args.only.split(","):
            word = word.strip()
            for key in GROUPS.get(word, (word,)):
                if key not in ALL_ROWS:
                    raise SystemExit(
                        f"--only: unknown row '{key}'; rows: "
                        f"{', '.join(ALL_ROWS)}, or proceedings, peers"
                    )
                keys.append(key)
    else:
        keys = list(ALL_ROWS)
    if args.skip_peers:
        keys = [k for k in keys if k not in PEER_ROWS]
    return [k for k in ALL_ROWS if k in keys]


# --- targets and report ------------------------------------------------------------


@dataclass(slots=True)
class Target:
    """A goal of issue 8 and whether this run met it."""

    goal: str
    measured: str
    verdict: str  # met | not met | not measured


def evaluate(rows: Sequence[Row], n: int) -> list[Target]:
    """Check the results against the targets of issue 8."""
    by = {r.key: r for r in rows}

    def secs(key: str) -> float | None:
        return by[key].seconds if key in by else None

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "not met")

    targets = []
    scale = "" if n == 1000 else f" (measured on {n}, target is for 1000)"
    for row, what in (("cold", "cold"), ("warm", "cold, figures from cache")):
        if row == "warm" and row not in by:
            continue
        cold = secs(row)
        for peer, factor, sign in (
            ("pelican", 0.25, "≤"),
            ("mkdocs", 0.25, "≤"),
            ("hugo", 1.0, "<"),
        ):
            _compare(targets, what, cold, secs(peer), peer, factor, sign, scale)
    for key, limit, goal in (
        ("noop", 0.5, "no-op rebuild < 0.5 s"),
        ("edit", 0.5, "one narrative edited < 0.5 s"),
        ("real", 5.0, "real conferences cold (HTML+figures+PDFs) < 5 s"),
        ("brief", 1.0, "one PDF brief warm < 1 s"),
    ):
        value = secs(key)
        note = scale if key in ("noop", "edit") else ""
        if key == "brief" and key in by and by[key].status == "n/a":
            targets.append(Target(goal, "n/a", "not measured"))
            continue
        targets.append(
            Target(
                goal + note,
                "—" if value is None else f"{value:.2f} s",
                verdict(None if value is None else value < limit),
            )
        )
    peaks = [
        peak_mb
        for k in PROCEEDINGS_ROWS
        if k in by and by[k].status == "ok" and (peak_mb := by[k].peak_mb) is not None
    ]
    peak = max(peaks) if peaks else None
    targets.append(
        Target(
            "peak memory < 300 MB (proceedings on the corpus)" + scale,
            "—" if peak is None else f"{peak:.0f} MB",
            verdict(None if peak is None else peak < 300),
        )
    )
    return targets


def _compare(
    targets: list[Target],
    what: str,
    ours: float | None,
    other: float | None,
    peer: str,
    factor: float,
    sign: str,
    scale: str,
) -> None:
    goal = (
        f"1000 conferences {what} {sign} {factor:g}× {LABELS[peer]}"
        if factor != 1
        else f"1000 conferences {what} {sign} {LABELS[peer]}"
    )
    if ours is None or other is None:
        targets.append(Target(goal + scale, "—", "not measured"))
        return
    ratio = ours / other
    ok = ratio <= factor if sign == "≤" else ratio < factor
    targets.append(
        Target(
            goal + scale,
            f"{ours:.2f} s vs {other:.2f} s = {ratio:.2f}×",
            "met" if ok else "not met",
        )
    )


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_markdown(result: dict[str, Any], targets: Sequence[Target]) -> str:
    """Format the results as the Markdown saved in bench/results/."""
    rows: list[Row] = result["rows"]
    by = {r.key: r for r in rows}
    peers = [k for k in PEER_ROWS if k in by and by[k].seconds]
    corpus, machine = result["corpus"], result["machine"]
    head = (
        ["row", "time (s)"]
        + [f"÷ {LABELS[p]}" for p in peers]
        + ["CPU (s)", "peak RSS (MB)", "HTML files", "output (MB)", "load", "notes"]
    )
    lines = [
        "# proceedings benchmark",
        "",
        f"Corpus: {corpus['conferences']} conferences, {corpus['narratives']} "
        f"narratives, {corpus['words']:,} words (seed {corpus['seed']}). Times are the "
        f"median of {result['repeat']} run(s); ÷ X is this row's time divided by X's. "
        "CPU is user + "
        "system time of the whole process tree; load is the highest 1-minute load "
        "average seen just before a run (the machine has "
        f"{machine['cores']} cores: above that, other work was competing for them).",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + " |",
    ]
    for row in rows:
        secs = row.seconds
        ratios = [
            "—" if secs is None else f"{secs / by[p].seconds:.2f}×"  # type: ignore[operator]
            for p in peers
        ]
        time_cell = _fmt(secs) if row.status == "ok" else row.status
        note = row.note.replace("|", "\\|")
        lines.append(
            "| "
            + " | ".join(
                [
                    row.label,
                    time_cell,
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
        "## Targets (issue 8)",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {t.goal} | {t.measured} | {t.verdict} |" for t in targets]
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
        help="runs per row, the median is reported "
        "(default 1 for 500+ conferences, else 3)",
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
        + "; or the groups proceedings, peers",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
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
    if args.conferences < 1 or args.repeat < 1:
        parser.error("--conferences and --repeat must be at least 1")
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
