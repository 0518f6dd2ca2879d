"""The preview's HTTP server: loopback-only by default, its threads bounded.

Connections wait at a gate (``serve.connections``) until a request arrives; a
bounded pool answers them, so held-open connections cost no thread.
"""

from __future__ import annotations

import contextlib
import errno
import io
import socket
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread
from typing import Any, ClassVar
from urllib.parse import parse_qs

import click

from generator.core.context import Reporter
from generator.errors import UsageError
from generator.i18n import t
from generator.serve.connections import (
    BACKLOG,
    IDLE_TIMEOUT,
    IO_TIMEOUT,
    MAX_STREAMS,
    WORKERS,
    Address,
    Gate,
    Pool,
)
from generator.serve.preview import WATCHED_DIRS, Preview
from generator.serve.responses import _LOOPBACK, EVENTS_URL, Response, ServeOptions


class _Server(HTTPServer):
    request_queue_size = BACKLOG  # the listen backlog (socketserver's default is 5)
    allow_reuse_port = False  # a second server on the port must fail, not share it

    def __init__(self, address: tuple[str, int], preview: Preview) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        self.pool = Pool(WORKERS + MAX_STREAMS, "preview-http")
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        self.gate = Gate(
            lambda sock, address, head: self.pool.submit(
                self._answer, sock, address, head
            )
        )
        # socketserver never builds the handler itself: process_request holds the
        # connection at the gate, and _answer builds it with the request's head.
        super().__init__(address, _Handler)  # type: ignore[arg-type]
        self.gate.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Hold a new connection at the gate: no thread until it asks something."""
        self.gate.admit(request, client_address)

    def _answer(self, sock: socket.socket, address: Address, head: bytes) -> None:
        """Answer one request (in a pool thread); keep the connection if asked to."""
        handler = None
        try:
            handler = _Handler(sock, address, self, head)
        except Exception:
            self.handle_error(sock, address)
        if handler is not None and handler.keep:
            self.gate.admit(sock, address, handler.rest, IDLE_TIMEOUT)
        else:
            self.shutdown_request(sock)

    def server_close(self) -> None:
        """Stop listening and close the connections held at the gate."""
        self.gate.stop()
        super().server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return  # the browser went away mid-answer
        click.echo(
            t("request failed: {kind}: {exc}", kind=type(exc).__name__, exc=exc),
            err=True,
        )
        if self.preview.options.debug:
            traceback.print_exc()


class _Handler(BaseHTTPRequestHandler):
    """Answers the one request whose head the gate read; says if it keeps the line."""

    protocol_version = "HTTP/1.1"
    server_version = "proceedings-preview"
    timeout = IO_TIMEOUT
    server: _Server
    _hosts: ClassVar[frozenset[str]] = frozenset(_LOOPBACK)

    def __init__(
        self, request: socket.socket, address: Address, server: _Server, head: bytes
    ) -> None:
        self.head = head
        self.keep = False  # the client wants the connection for another request
        self.rest = b""  # what it sent after this request's head
        self.streamed = False
        super().__init__(request, address, server)

    def setup(self) -> None:
        """Read the request from the head the gate received, write to the socket."""
        super().setup()
        self.rfile.close()
        self.rfile = io.BytesIO(self.head)

    def handle(self) -> None:
        """Answer one request; the gate waits for the next one, if any."""
        self.close_connection = True
        self.handle_one_request()
        if not self.close_connection and not self.streamed:
            self.keep = True
            self.rest = self.rfile.read()

    def do_GET(self) -> None:
        """Answer one GET."""
        self._answer(head=False)

    def do_HEAD(self) -> None:
        """Answer one HEAD: the GET's headers, no body."""
        self._answer(head=True)

    def _answer(self, *, head: bool) -> None:
        preview = self.server.preview
        if not self._host_allowed():
            self._send(
                Response(HTTPStatus.FORBIDDEN, b"unexpected Host header\n"), head
            )
        elif self.path.split("?", 1)[0] == EVENTS_URL and not head:
            self._stream(preview)
        else:
            self._send(preview.respond(self.path), head)

    def _host_allowed(self) -> bool:
        """Refuse other names for a loopback server (DNS rebinding)."""
        if self.server.preview.options.host not in _LOOPBACK:
            return True
        host = self.headers.get("Host")
        if host is None:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.strip("[]").lower() in self._hosts

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _stream(self, preview: Preview) -> None:
        self.close_connection = True  # the stream has no length: closing ends it
        self.streamed = True
        if not self.server.streams.acquire(blocking=False):
            body = b"too many open previews: close some tabs\n"
            self._send(Response(HTTPStatus.SERVICE_UNAVAILABLE, body), head=False)
            return
        try:
            self._events(preview)
        finally:
            self.server.streams.release()

    def _events(self, preview: Preview) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        query = parse_qs(self.path.partition("?")[2])
        last_seen = self.headers.get("Last-Event-ID") or query.get("build", [""])[0]

        def send(text: str) -> None:
            self.wfile.write(text.encode("utf-8"))
            self.wfile.flush()

        with contextlib.suppress(ConnectionError, TimeoutError):  # the page went away
            preview.events(last_seen, send)

    def log_message(self, format: str, *args: object) -> None:
        """Log requests only with --verbose: a page load is a dozen of them."""
        if self.server.preview.options.verbosity >= 2:
            click.echo(
                f"  {self.command} {self.path} {args[1] if len(args) > 1 else ''}",
                err=True,
            )


def serve(root: Path, options: ServeOptions, reporter: Reporter) -> None:
    """Serve a live preview of the project at root until Ctrl-C.

    Raises UsageError if the address cannot be used (e.g. the port is taken).
    """
    preview = Preview(root, options, reporter)
    _allow_connections()
    server = _bind(options, preview)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    dirs = [preview.root / d for d in WATCHED_DIRS if (preview.root / d).is_dir()]
    threads = [
        _thread(preview.build_on_change),
        _thread(preview.watch, [preview.root], recursive=False, names=["site.yaml"]),
    ]
    if dirs:
        threads.append(_thread(preview.watch, dirs, recursive=True))
    try:
        for thread in threads:
            thread.start()
        preview.rebuild()
        if options.host not in _LOOPBACK:
            click.echo(
                t(
                    "warning: the preview (drafts included) is open to every machine "
                    "that can reach {host}",
                    host=options.host,
                ),
                err=True,
            )
        click.echo(t("Serving {url} (Ctrl-C to stop)", url=url))
        if options.open_browser:
            _thread(webbrowser.open, url).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        server.server_close()
        for thread in threads:
            thread.join(timeout=2.0)
    click.echo(t("stopped"))


def _allow_connections() -> None:
    """Raise the open-file limit toward its maximum: a held connection is a file."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 16_384 if hard == resource.RLIM_INFINITY else min(hard, 16_384)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _thread(target: Callable[..., object], *args: object, **kwargs: object) -> Thread:
    return Thread(target=target, args=args, kwargs=kwargs, daemon=True)


def _bind(options: ServeOptions, preview: Preview) -> _Server:
    try:
        return _Server((options.host, options.port), preview)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                t(
                    "port {port} is in use; try --port {next}",
                    port=options.port,
                    next=options.port + 1,
                )
            ) from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                t(
                    "not allowed to listen on port {port}; use one above 1023",
                    port=options.port,
                )
            ) from None
        raise UsageError(
            t(
                "cannot listen on {host}:{port}: {reason}",
                host=options.host,
                port=options.port,
                reason=exc.strerror or exc,
            )
        ) from None
