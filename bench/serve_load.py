"""The preview server under load: held connections, a burst of requests.

Starts ``proceedings serve`` on a copy of the repository's project and measures:

* **alone**: the time to answer ``GET /`` (median and slowest of ``--requests``);
* **held**: the same with ``--held`` connections open and silent (half of them
  having sent half a request head), and how many threads the server then runs;
* **burst**: ``--burst`` requests sent at once from as many threads: the slowest;
* **timed out**: how many held connections the server closed by itself after its
  head timeout (``serve.connections.HEAD_TIMEOUT``) and a second.

Timings are a benchmark, never asserted in tests (tests/e2e/test_serve.py checks
that held connections take no thread and block no request).

Usage: .venv/bin/python bench/serve_load.py [--held 1000] [--burst 200]
       [--requests 50] [--code DIR]   (DIR: the checkout whose generator to run)
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAD_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str = "/", timeout: float = 60.0) -> float:
    """GET path; return the seconds until the whole answer was read."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
    finally:
        conn.close()
    return time.perf_counter() - started


def threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("Threads:")[1].split()[0])


def timings(port: int, count: int) -> tuple[float, float]:
    times = [get(port) for _ in range(count)]
    return statistics.median(times), max(times)


def main() -> int:
    """Run the measures and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--held", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--code", type=Path, default=REPO)
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
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "-q",
                "--root",
                str(root),
                "serve",
                "--port",
                str(port),
            ],
            cwd=args.code,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    get(port, timeout=5)
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the server never answered"
                    time.sleep(0.1)
            rows = []
            median, worst = timings(port, args.requests)
            rows.append(("alone: GET /", median, worst, threads(server.pid)))
            held = []
            for i in range(args.held):
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                if i % 2:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                held.append(sock)
            time.sleep(0.5)
            median, worst = timings(port, args.requests)
            rows.append(
                (f"{args.held} held: GET /", median, worst, threads(server.pid))
            )
            results: list[float] = []
            errors: list[str] = []

            def one() -> None:
                try:
                    results.append(get(port))
                except Exception as exc:
                    errors.append(type(exc).__name__)

            burst = [threading.Thread(target=one) for _ in range(args.burst)]
            for thread in burst:
                thread.start()
            for thread in burst:
                thread.join()
            rows.append(
                (
                    f"burst of {args.burst} (+ held), {len(errors)} failed",
                    statistics.median(results) if results else float("nan"),
                    max(results) if results else float("nan"),
                    threads(server.pid),
                )
            )
            time.sleep(HEAD_TIMEOUT + 1)
            closed = 0
            for sock in held:
                sock.settimeout(0.01)
                try:
                    closed += sock.recv(1) == b""
                except TimeoutError:
                    pass
                except OSError:
                    closed += 1
                sock.close()
        finally:
            server.terminate()
            server.wait(30)
    print("| measure | median s | slowest s | server threads |")
    print("|---|---|---|---|")
    for name, median, worst, count in rows:
        print(f"| {name} | {median:.3f} | {worst:.3f} | {count} |")
    print(
        f"\n{closed} of {args.held} held connections closed by the server "
        f"after {HEAD_TIMEOUT + 1:g} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
