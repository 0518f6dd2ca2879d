"""`proceedings serve` as editors use it: a server process on a copy of the project."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import search_text

REPO = Path(__file__).resolve().parents[2]
CONF = "hoi-nghi-tre-em-phia-nam-2024"
SECRET = "SECRET-FILE-OUTSIDE-PREVIEW"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_dir: Path

    def get(
        self, path: str, method: str = "GET", timeout: float = 60
    ) -> tuple[int, dict[str, str], str]:
        """Request path exactly as given (http.client does not normalise '..')."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                body,
            )
        finally:
            conn.close()

    def stdout(self) -> str:
        return (self.log_dir / "stdout.txt").read_text("utf-8")

    def stderr(self) -> str:
        return (self.log_dir / "stderr.txt").read_text("utf-8")

    def wait_for(
        self, path: str, predicate, timeout: float = 60.0
    ) -> tuple[float, str]:
        """Poll path until predicate(status, body); return the seconds and the body."""
        started = time.monotonic()
        status, body = 0, ""
        while time.monotonic() - started < timeout:
            status, _, body = self.get(path)
            if predicate(status, body):
                return time.monotonic() - started, body
            time.sleep(0.02)
        raise AssertionError(
            f"{path} never matched in {timeout} s (last status {status})\n"
            f"stderr:\n{self.stderr()}\nbody:\n{body[:2000]}"
        )


@contextmanager
def running(root: Path, *extra: str, port: int | None = None) -> Iterator[Server]:
    """Start `proceedings serve` on root and stop it with Ctrl-C afterwards."""
    port = port or free_port()
    log_dir = root.parent / f"serve-{port}"
    log_dir.mkdir(exist_ok=True)
    with (
        (log_dir / "stdout.txt").open("wb") as out,
        (log_dir / "stderr.txt").open("wb") as err,
    ):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "--root",
                str(root),
                "serve",
                "--port",
                str(port),
                *extra,
            ],
            cwd=REPO,
            stdout=out,
            stderr=err,
        )
    server = Server(process, port, log_dir)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"server exited early:\n{server.stderr()}"
            try:
                server.get("/")
                break
            except OSError:
                assert time.monotonic() < deadline, "server never answered"
                time.sleep(0.05)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def write_narrative(root: Path, name: str, body: str, *, draft: bool = False) -> Path:
    path = root / "content" / CONF / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    front = (
        f"---\ntitle: {name}\norder: 90\n"
        + ("draft: true\n" if draft else "")
        + "---\n"
    )
    path.write_text(front + "\n" + body + "\n", encoding="utf-8")
    return path


def test_serves_the_preview_and_shows_each_edit(project: Path) -> None:
    write_narrative(project, "ghi-chu-xem-truoc", "Đoạn văn ban đầu.")
    with running(project) as server:
        status, headers, home = server.get("/")
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-store"
        assert '<script src="/__proceedings/reload.js"' in home
        status, _, page = server.get(f"/{CONF}/")
        assert status == 200
        assert "Đoạn văn ban đầu." in page
        assert "Serving http://127.0.0.1:" in server.stdout()

        status, headers, script = server.get("/__proceedings/reload.js")
        assert status == 200 and "EventSource" in script
        assert headers["content-type"].startswith("text/javascript")
        status, headers, _ = server.get("/static/css/site.css")
        assert status == 200 and headers["content-type"].startswith("text/css")
        status, headers, _ = server.get(f"/{CONF}")  # relative links need the slash
        assert status == 301 and headers["location"] == f"/{CONF}/"

        # How fast an edit shows is measured by bench/serve_reload.py, not here.
        marker = f"Câu đánh dấu {time.monotonic_ns()}."
        write_narrative(project, "ghi-chu-xem-truoc", marker)
        server.wait_for(f"/{CONF}/", lambda s, body: marker in body)

        # an edit to whichever narrative ships with the project shows up too
        existing = sorted((project / "content" / CONF).glob("*.md"))[0]
        marker = f"Câu thêm {time.monotonic_ns()}."
        existing.write_text(
            existing.read_text("utf-8") + f"\n{marker}\n", encoding="utf-8"
        )
        server.wait_for(f"/{CONF}/", lambda s, body: marker in body)
        time.sleep(0.3)
        assert "rebuilt in " in server.stdout()
        assert f"content/{CONF}/" in server.stdout()
    assert not (project / "output").exists()


def test_an_edited_page_shows_first_and_the_build_catches_up(project: Path) -> None:
    """Saves in quick succession: each page shows at once (build.fast); the builds
    a newer save stops are made again, so the search index ends with every edit."""
    files = [
        sorted((project / "content" / slug).glob("*.md"))[0]
        for slug in (CONF, "hoi-nghi-tre-em-phia-nam-2023")
    ]
    bases = [path.read_text("utf-8") for path in files]
    with running(project) as server:
        server.wait_for(f"/{CONF}/", lambda s, body: s == 200)
        markers = []
        for i in range(4):
            which = i % 2
            markers.append(f"xyzdau{i}x{time.monotonic_ns()}")
            files[which].write_text(f"{bases[which]}\n{markers[-1]}\n", "utf-8")
            time.sleep(0.15)
        for path, marker in zip(files, markers[2:], strict=True):
            slug = path.parent.name
            server.wait_for(f"/{slug}/", lambda s, body, m=marker: m in body)
        site = project / ".preview" / "site"
        deadline = time.monotonic() + 60
        while not all(m in search_text(site) for m in markers[2:]):
            assert time.monotonic() < deadline, server.stdout()
            time.sleep(0.2)
        assert "page shown in " in server.stdout()
    assert all(m not in search_text(site) for m in markers[:2])  # replaced since


def test_a_build_error_shows_an_overlay_until_it_is_fixed(project: Path) -> None:
    data = project / "data" / f"{CONF}.yaml"
    good = data.read_text("utf-8")
    with running(project) as server:
        _, _, before = server.get(f"/{CONF}/")
        events = EventReader(server.port, build_of(before))

        lines = good.splitlines(keepends=True)
        data.write_text("".join([*lines[:4], "\tbroken: tab\n", *lines[4:]]), "utf-8")
        where = f"data/{CONF}.yaml:5:"
        _, page = server.wait_for(f"/{CONF}/", lambda s, body: where in body)
        assert 'role="alert"' in page and 'id="proceedings-overlay"' in page
        assert "hint:" in page or "bad YAML" in page or "tab" in page
        kind, payload = events.next_event()
        assert kind == "error" and where in payload["overlay"]
        # the last good site is still served, with the overlay on every page
        status, _, home = server.get("/")
        assert status == 200 and where in home
        time.sleep(0.2)
        assert where in server.stderr()

        data.write_text(good, "utf-8")
        _, page = server.wait_for(
            f"/{CONF}/", lambda s, body: "proceedings-overlay" not in body
        )
        assert "reload.js" in page
        kind, _ = events.next_event()
        assert kind == "reload"
        assert server.process.poll() is None
        events.close()


def test_the_first_build_may_fail_and_the_server_still_starts(project: Path) -> None:
    data = project / "data" / f"{CONF}.yaml"
    good = data.read_text("utf-8")
    data.write_text("\t" + good, "utf-8")
    with running(project) as server:
        status, _, page = server.get("/")
        assert status == 200
        assert 'role="alert"' in page and f"data/{CONF}.yaml:1:" in page
        data.write_text(good, "utf-8")
        server.wait_for(
            "/",
            lambda s, body: (
                s == 200 and "proceedings-overlay" not in body and CONF in body
            ),
        )


OUTSIDE = [
    "/../pyproject.toml",
    "/../../pyproject.toml",
    "/%2e%2e/pyproject.toml",
    "/%2e%2e%2fpyproject.toml",
    "/%2E%2E/%2E%2E/pyproject.toml",
    "/..%2f..%2fsite.yaml",
    "/..%2fpyproject.toml",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/..\\pyproject.toml",
    "/%5c..%5cpyproject.toml",
    "/%2fetc/passwd",
    "//etc/passwd",
    "/index.html%00.css",
    "/%c0%ae%c0%ae/pyproject.toml",
    "/.hidden",
    "pyproject.toml",
]
NO_LISTINGS = ["/static/", "/static/css/", "/static/fonts/"]


def test_only_files_of_the_preview_are_served(project: Path) -> None:
    (project / "pyproject.toml").write_text(f"# {SECRET}\n", "utf-8")
    (project / ".preview").mkdir()
    (project / ".preview" / "pyproject.toml").write_text(f"# {SECRET}\n", "utf-8")
    (project / "secret.txt").write_text(SECRET, "utf-8")
    with running(project) as server:
        assert server.get("/index.html")[0] == 200
        for path in OUTSIDE + NO_LISTINGS:
            for method in ("GET", "HEAD"):
                status, _, body = server.get(path, method)
                assert status == 404, (method, path, status)
                assert SECRET not in body, path
                assert "Index of" not in body, path


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("Threads:")[1].split()[0])


def test_held_connections_cost_no_thread_and_block_no_request(project: Path) -> None:
    """Connections that send nothing, or half a request, wait without a thread.

    How fast the server answers then is measured by bench/serve_load.py.
    """
    with running(project) as server:
        base = threads_of(server.process.pid)
        held = []
        try:
            for i in range(300):
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                if i % 2:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no end
                held.append(sock)
            status, _, page = server.get(f"/{CONF}/", timeout=30)
            assert status == 200 and CONF in page
            streams = [EventReader(server.port, "") for _ in range(3)]
            assert server.get("/")[0] == 200  # streams hold threads of their own
            assert threads_of(server.process.pid) < base + 40
            for stream in streams:
                stream.close()
        finally:
            for sock in held:
                sock.close()
        assert server.get("/")[0] == 200
        assert server.process.poll() is None


def test_a_taken_port_is_a_usage_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "--root",
                str(project),
                "serve",
                "--port",
                str(port),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"port {port} is in use; try --port {port + 1}" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_the_server_cleanly(project: Path) -> None:
    with running(project) as server:
        server.get("/")
        events = EventReader(server.port, "")
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=30) == 0  # an open event stream or not
        events.close()
    assert server.stdout().rstrip().endswith("stopped")
    assert "Traceback" not in server.stderr()


def test_drafts_show_in_preview_with_a_badge_and_are_left_out_of_build(
    project: Path,
) -> None:
    write_narrative(project, "ban-thao-chua-duyet", "Nội dung chưa duyệt.", draft=True)
    with running(project) as server:
        _, _, page = server.get(f"/{CONF}/")
        assert "Nội dung chưa duyệt." in page
        assert "Bản nháp" in page
    on_disk = (project / ".preview" / "site" / CONF / "index.html").read_text("utf-8")
    assert "reload.js" not in on_disk  # injected when served, never written

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "--root",
            str(project),
            "build",
            "--no-pdf",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    published = (project / "output" / CONF / "index.html").read_text("utf-8")
    assert "Nội dung chưa duyệt." not in published
    assert "Bản nháp" not in published
    assert "__proceedings" not in published


@pytest.mark.slow
def test_a_pdf_is_made_on_request(project: Path) -> None:
    with running(project) as server:
        status, headers, body = server.get(f"/{CONF}/{CONF}.pdf", timeout=300)
        assert status == 200, body[:2000]
        assert headers["content-type"] == "application/pdf"
        assert body.startswith("%PDF-")
        assert not (project / "output").exists()
        missing = "/no-such-conference/no-such-conference.pdf"
        assert server.get(missing)[0] == 404
        assert server.process.poll() is None


def build_of(page: str) -> str:
    start = page.index('data-build="') + len('data-build="')
    return page[start : page.index('"', start)]


class EventReader:
    """A raw server-sent-events client on its own socket."""

    def __init__(self, port: int, build: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(
            f"GET /__proceedings/events?build={build} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        self.buffer = b""

    def next_event(self) -> tuple[str, dict[str, str]]:
        while True:
            while b"\n\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                assert chunk, "event stream closed"
                self.buffer += chunk
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            fields = dict(
                line.split(": ", 1)
                for line in block.decode().splitlines()
                if ": " in line
            )
            if "event" in fields:
                return fields["event"], json.loads(fields["data"])

    def close(self) -> None:
        self.sock.close()


def test_url_paths_map_inside_the_preview_only(tmp_path: Path) -> None:
    from generator.serve.responses import url_to_path

    site = tmp_path / "site"
    (site / "a b").mkdir(parents=True)
    assert url_to_path(site, "/") == site.resolve()
    assert (
        url_to_path(site, "/a%20b/x.html?q=1#top") == site.resolve() / "a b" / "x.html"
    )
    assert url_to_path(site, "/ti%E1%BA%BFng.html") == site.resolve() / "tiếng.html"
    (site / "link").symlink_to(tmp_path)
    assert url_to_path(site, "/link/secret.txt") is None  # a symlink cannot lead out
    for path in OUTSIDE:
        assert url_to_path(site, path) is None, path
