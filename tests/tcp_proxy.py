"""A TCP proxy on 127.0.0.1 that a test can cut, for fault injection.

    with TcpProxy("127.0.0.1", 5432) as proxy:
        url = url_through(proxy.port)        # the program under test connects here
        proxy.cut()                          # every open connection dropped, new ones refused
        proxy.restore()                      # new connections go through again

``cut_when(pattern)`` cuts by itself the moment a client sends ``pattern`` (e.g. the first
``COPY`` of an import), optionally after ``after_bytes`` more bytes have gone up: a cut
"mid-way" that does not depend on timing. Threads and blocking sockets; the listening
socket is bound to 127.0.0.1 only and the target must be on the loopback range. Bounded
in time: every socket has a timeout, and the proxy stops by itself after
``lifetime_seconds`` (and on leaving the ``with`` block).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import threading
import time
from types import TracebackType

CHUNK = 65536


class TcpProxy:
    def __init__(
        self, target_host: str, target_port: int, *, lifetime_seconds: float = 120.0
    ) -> None:
        if not ipaddress.ip_address(socket.gethostbyname(target_host)).is_loopback:
            raise ValueError("the proxy only forwards to the loopback range")
        self.target = (target_host, target_port)
        self._lifetime = lifetime_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._cut = False
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._trigger: tuple[bytes, int] | None = None
        self._after_trigger: int | None = None  # bytes sent up since the pattern was seen
        self._tail = b""  # the end of what went up, for a pattern split across chunks
        self.bytes_up = 0
        self.bytes_down = 0
        self.connections = 0
        self.cuts = 0
        self.cut_event = threading.Event()  # set whenever a cut happens
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.1)
        self.host, self.port = "127.0.0.1", int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []

    # -- life -----------------------------------------------------------------------------

    def __enter__(self) -> TcpProxy:
        self._deadline = time.monotonic() + self._lifetime
        thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._drop_all()
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    # -- faults ---------------------------------------------------------------------------

    def cut(self) -> None:
        """Drop every open connection (both sides) and refuse new ones until restore()."""
        with self._lock:
            self._cut = True
            self._trigger = None
            self.cuts += 1
        self._drop_all()
        self.cut_event.set()

    def restore(self) -> None:
        """Let new connections through again (the dropped ones stay dropped)."""
        with self._lock:
            self._cut = False
        self.cut_event.clear()

    def cut_when(self, pattern: bytes, *, after_bytes: int = 0) -> None:
        """Cut once a client has sent ``pattern`` and then ``after_bytes`` more bytes."""
        with self._lock:
            self._trigger = (pattern, after_bytes)
            self._after_trigger = None
            self._tail = b""

    @property
    def is_cut(self) -> bool:
        with self._lock:
            return self._cut

    # -- inside ---------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with self._lock:
                refused = self._cut
            if refused:
                _close(client)  # a refused connection: closed at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            for sock in (client, upstream):
                sock.settimeout(0.2)
            with self._lock:
                self._pairs.append((client, upstream))
                self.connections += 1
            for source, sink, up in ((client, upstream, True), (upstream, client, False)):
                thread = threading.Thread(
                    target=self._pump, args=(source, sink, up), name="tcp-proxy-pump", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        self._stop.set()  # the lifetime is over: stop by itself
        self._drop_all()

    def _pump(self, source: socket.socket, sink: socket.socket, up: bool) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                data = source.recv(CHUNK)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            if up and self._should_cut(data):
                self.cut()
                return
            try:
                sink.sendall(data)
            except OSError:
                break
            with self._lock:
                if up:
                    self.bytes_up += len(data)
                else:
                    self.bytes_down += len(data)
        _close(source)
        _close(sink)

    def _should_cut(self, data: bytes) -> bool:
        with self._lock:
            if self._trigger is None:
                return False
            pattern, after = self._trigger
            if self._after_trigger is None:
                seen = self._tail + data
                index = seen.find(pattern)
                self._tail = seen[-(len(pattern) - 1) :] if len(pattern) > 1 else b""
                if index < 0:
                    return False
                self._after_trigger = len(seen) - index - len(pattern)
            else:
                self._after_trigger += len(data)
            return self._after_trigger >= after

    def _drop_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, upstream in pairs:
            _close(client, reset=True)
            _close(upstream, reset=True)


def _close(sock: socket.socket, *, reset: bool = False) -> None:
    try:
        if reset:  # RST rather than FIN: as when a network or a server goes away
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sock.close()
