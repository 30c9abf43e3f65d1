"""A real SMTP server for tests: aiosmtpd on a free loopback port.

The handler stores what it accepts and can be told to answer 451 or 550, or to take the
message and then stall past the client's timeout (the "did it arrive?" case).
"""

from __future__ import annotations

import email
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
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


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


SINK_USER, SINK_PASSWORD = "filing", "s3cret-pass"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SINK_USER.encode()
        and auth_data.password == SINK_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class TlsSinks:
    cert: Path
    starttls: SmtpSink  # STARTTLS required, AUTH required (only after TLS)
    implicit: SmtpSink  # SMTPS: TLS from the first byte, AUTH required


@pytest.fixture()
def tls_smtp_sinks(tmp_path: Path) -> Iterator[TlsSinks]:
    cert, key = make_cert(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    common: dict[str, Any] = dict(authenticator=_authenticator, auth_required=True)
    starttls = SmtpSink(tls_context=server_ctx, require_starttls=True, auth_require_tls=True, **common)
    # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; SMTPS is TLS from the first byte.
    implicit = SmtpSink(ssl_context=server_ctx, auth_require_tls=False, **common)
    starttls.start()
    implicit.start()
    try:
        yield TlsSinks(cert, starttls, implicit)
    finally:
        starttls.stop()
        implicit.stop()
