"""A real SMTP server for tests: aiosmtpd on a free loopback port.

The handler stores what it accepts and can be told to answer 451 or 550, or to take the
message and then stall past the client's timeout (the "did it arrive?" case).
"""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class SinkHandler:
    """Modes: accept | 451 | 550 | stall (store, then answer only after `stall_s`)."""

    mode: str = "accept"
    stall_s: float = 5.0
    messages: list[Received] = field(default_factory=list)
    refused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        if self.mode == "451":
            self.refused += 1
            return "451 4.3.0 Temporary local problem, try again later"
        if self.mode == "550":
            self.refused += 1
            return "550 5.1.1 Mailbox unavailable"
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        if self.mode == "stall":
            await asyncio.sleep(self.stall_s)
        return "250 2.0.0 OK queued"


class SmtpSink:
    """Start/stop-able sink on a fixed free port (stop it to simulate an outage)."""

    def __init__(self, **controller_kwargs: Any) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.handler = SinkHandler()
        self._kwargs = controller_kwargs
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname=self.host, port=self.port, **self._kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def by_message_id(self, message_id: str) -> list[Received]:
        return [r for r in self.messages if r.message["Message-ID"] == message_id]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, sink has {len(self.messages)}")
            time.sleep(0.02)


@pytest.fixture()
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
