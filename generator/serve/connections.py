"""Connections of the preview server: held without threads until a request arrives.

A thread per connection lets anyone who opens connections and sends nothing (a
browser's speculative ones, a slow or stuck client) tie up a thread each, without
end. Here one thread, the gate, holds every connection that has not yet sent a
whole request head, in a selector: it costs a file descriptor, no thread. A head
that arrives is handed to a bounded pool of threads, which answers it; a connection
kept alive goes back to the gate for its next request. A head must arrive within
``HEAD_TIMEOUT`` seconds (``IDLE_TIMEOUT`` for the next one on a kept connection)
and fit in ``MAX_HEAD`` bytes; past ``MAX_WAITING`` held connections, the oldest
is closed. Answering has ``IO_TIMEOUT`` seconds per send or receive. Event
streams (one per open tab) each hold a pool thread for as long as the tab is
open: at most ``MAX_STREAMS`` at once, and the pool has threads for both.

Measured in bench/serve_load.py: 1,000 held connections, a page still answered at
once, the server's threads staying at a few dozen.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HEAD_TIMEOUT = 10.0  # seconds a new connection has to send its request head
IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may wait for its next request
IO_TIMEOUT = 30.0  # seconds one send or receive may take while answering
MAX_HEAD = 64 * 1024  # bytes of one request head
MAX_WAITING = 2048  # connections held at the gate; past it the oldest is closed
WORKERS = 16  # threads answering requests
MAX_STREAMS = 32  # event streams open at once; each holds a thread of its own
BACKLOG = 1024  # connections the kernel queues before they are accepted

Address = tuple[str, int] | tuple[str, int, int, int]
Serve = Callable[[socket.socket, Address, bytes], None]


@dataclass(slots=True)
class _Held:
    """A connection waiting at the gate for its request head."""

    address: Address
    deadline: float
    buffer: bytearray = field(default_factory=bytearray)


class Pool:
    """At most size daemon threads, started as work comes; excess work waits."""

    def __init__(self, size: int, name: str) -> None:
        self.size = size
        self.name = name
        self.tasks: queue.SimpleQueue[tuple[Callable[..., object], tuple[object, ...]]]
        self.tasks = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads = 0
        self.idle = 0  # threads waiting for work
        self.queued = 0  # work not yet taken by a thread

    def submit(self, work: Callable[..., object], *args: object) -> None:
        """Run work(*args) in a thread of the pool, now or when one is free.

        A new thread starts unless an idle one is there for each piece of work
        queued: work queued behind an event stream would wait for good.
        """
        with self.lock:
            self.tasks.put((work, args))
            self.queued += 1
            if self.queued > self.idle and self.threads < self.size:
                self.threads += 1
                threading.Thread(
                    target=self._work, name=f"{self.name}-{self.threads}", daemon=True
                ).start()

    def _work(self) -> None:
        while True:
            with self.lock:
                self.idle += 1
            work, args = self.tasks.get()
            with self.lock:
                self.idle -= 1
                self.queued -= 1
            with contextlib.suppress(Exception):  # the work reports its own errors;
                work(*args)  # a thread lost to one would shrink the pool for good


class Gate(threading.Thread):
    """Holds connections until a whole request head has arrived, then serves it."""

    def __init__(self, serve: Serve) -> None:
        super().__init__(name="preview-gate", daemon=True)
        self.serve = serve
        self.selector = selectors.DefaultSelector()
        self.incoming: queue.SimpleQueue[tuple[socket.socket, Address, bytes, float]]
        self.incoming = queue.SimpleQueue()
        self.waiting: dict[socket.socket, _Held] = {}  # oldest first
        self.wake_read, self.wake_write = socket.socketpair()
        self.wake_read.setblocking(False)
        self.wake_write.setblocking(False)
        self.selector.register(self.wake_read, selectors.EVENT_READ)
        self.stopping = threading.Event()

    def admit(
        self,
        sock: socket.socket,
        address: Address,
        buffered: bytes = b"",
        timeout: float = HEAD_TIMEOUT,
    ) -> None:
        """Hold sock until its next request head has arrived (from any thread)."""
        self.incoming.put((sock, address, buffered, time.monotonic() + timeout))
        with contextlib.suppress(OSError):  # full: the gate is awake anyway
            self.wake_write.send(b"\0")

    def stop(self) -> None:
        """Close every held connection and end the thread."""
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.wake_write.send(b"\0")

    def run(self) -> None:
        """Wait for heads, hand them over, close what is late or too much."""
        try:
            while not self.stopping.is_set():
                timeout = 1.0
                if self.waiting:
                    soonest = min(held.deadline for held in self.waiting.values())
                    timeout = min(timeout, max(0.0, soonest - time.monotonic()))
                for key, _ in self.selector.select(timeout):
                    if key.fileobj is self.wake_read:
                        self._take_incoming()
                    else:
                        self._read(key.fileobj)  # type: ignore[arg-type]
                self._expire()
        finally:
            for sock in list(self.waiting):
                self._drop(sock)
            self.selector.close()
            self.wake_read.close()
            self.wake_write.close()

    def _take_incoming(self) -> None:
        with contextlib.suppress(OSError):
            while self.wake_read.recv(4096):
                pass
        while True:
            try:
                sock, address, buffered, deadline = self.incoming.get_nowait()
            except queue.Empty:
                return
            if _head_end(buffered):
                self._hand_over(sock, address, bytes(buffered))
                continue
            while len(self.waiting) >= MAX_WAITING:
                self._drop(next(iter(self.waiting)))  # the oldest
            try:
                sock.setblocking(False)
                self.selector.register(sock, selectors.EVENT_READ)
            except (OSError, ValueError):
                _close(sock)
                continue
            self.waiting[sock] = _Held(address, deadline, bytearray(buffered))

    def _read(self, sock: socket.socket) -> None:
        held = self.waiting.get(sock)
        if held is None:
            return
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            self._drop(sock)
            return
        if not chunk:
            self._drop(sock)  # closed before asking anything
            return
        held.buffer += chunk
        if _head_end(held.buffer):
            self.selector.unregister(sock)
            del self.waiting[sock]
            self._hand_over(sock, held.address, bytes(held.buffer))
        elif len(held.buffer) > MAX_HEAD:
            self._drop(sock)

    def _hand_over(self, sock: socket.socket, address: Address, head: bytes) -> None:
        try:
            sock.setblocking(True)
            sock.settimeout(IO_TIMEOUT)
        except OSError:
            _close(sock)
            return
        self.serve(sock, address, head)

    def _expire(self) -> None:
        now = time.monotonic()
        for sock in [s for s, held in self.waiting.items() if held.deadline <= now]:
            self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        self.waiting.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(sock)
        _close(sock)


def _head_end(buffer: bytes | bytearray) -> bool:
    return b"\r\n\r\n" in buffer or b"\n\n" in buffer


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
