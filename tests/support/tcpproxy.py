"""A small threaded TCP proxy for network-fault tests, with a transcript.

Each accepted connection takes the next `Fault` from `plan` (then plain passing):
after `after_bytes` bytes from the server it either cuts the connection (FIN),
resets it (RST), or blackholes it (stops forwarding, keeps it open).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import pytest


@dataclass(frozen=True)
class Fault:
    mode: Literal["pass", "cut", "reset", "blackhole"]
    after_bytes: int = 0  # server→client bytes let through before the fault


@dataclass
class Connection:
    fault: Fault
    client_bytes: bytearray = field(default_factory=bytearray)  # what the client sent
    server_bytes: bytearray = field(default_factory=bytearray)  # what the client received
    faulted: threading.Event = field(default_factory=threading.Event)


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.plan: list[Fault] = []
        self.connections: list[Connection] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.close()

    def drop_all(self) -> None:
        """Cut every open connection now (FIN to both sides)."""
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def wait_for(self, needle: bytes, timeout: float = 10.0) -> bool:
        """Wait until some client has sent `needle` (a real condition, not a fixed sleep)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.transcript():
                return True
            time.sleep(0.005)
        return False

    def transcript(self) -> bytes:
        """Everything all clients sent, connection after connection."""
        return b"".join(bytes(c.client_bytes) for c in self.connections)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                fault = self.plan.pop(0) if self.plan else Fault("pass")
                conn = Connection(fault)
                self.connections.append(conn)
                self._sockets += [client, server]
            threading.Thread(target=self._pump_up, args=(client, server, conn), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(server, client, conn), daemon=True).start()

    def _pump_up(self, client: socket.socket, server: socket.socket, conn: Connection) -> None:
        while True:
            try:
                data = client.recv(65536)
            except OSError:
                return
            if not data:
                if conn.faulted.is_set() and conn.fault.mode == "reset":
                    for s in (client, server):
                        s.close()
                    return
                with contextlib.suppress(OSError):
                    server.shutdown(socket.SHUT_WR)
                return
            conn.client_bytes += data
            if conn.faulted.is_set():
                continue  # swallowed
            try:
                server.sendall(data)
            except OSError:
                return

    def _pump_down(self, server: socket.socket, client: socket.socket, conn: Connection) -> None:
        fault = conn.fault
        while True:
            try:
                data = server.recv(65536)
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_WR)
                return
            if fault.mode != "pass":
                room = fault.after_bytes - len(conn.server_bytes)
                if room < len(data):
                    self._deliver(client, data[: max(room, 0)], conn)
                    self._fault(client, server, conn)
                    return
            if not self._deliver(client, data, conn):
                return

    @staticmethod
    def _deliver(client: socket.socket, data: bytes, conn: Connection) -> bool:
        try:
            client.sendall(data)
        except OSError:
            return False
        conn.server_bytes += data
        return True

    def _fault(self, client: socket.socket, server: socket.socket, conn: Connection) -> None:
        conn.faulted.set()
        mode = conn.fault.mode
        if mode == "blackhole":
            return  # sockets stay open until stop(); nothing more flows to the client
        # close() alone would not reach the peer while the other pump thread sits in recv() on the
        # same socket: shutdown() acts at once.
        if mode == "reset":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RD)  # wakes _pump_up, which closes: with linger 0 that is an RST
            return
        for s in (client, server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()


@pytest.fixture
def tcp_proxy_factory() -> Iterator[Callable[[str, int], TcpProxy]]:
    """`tcp_proxy_factory(host, port)` returns a started proxy; all stop at teardown."""
    proxies: list[TcpProxy] = []

    def make(host: str, port: int) -> TcpProxy:
        proxy = TcpProxy(host, port).start()
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.stop()
