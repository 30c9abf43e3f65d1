"""Network faults between the poller and a real Dovecot, injected by a TCP proxy."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest

from ingest.poll import poll_once
from tests.support.dovecot import DovecotServer, free_port, make_message
from tests.support.ledger import SqliteLedger
from tests.support.tcpproxy import Fault, TcpProxy

pytestmark = pytest.mark.dovecot

MID_FETCH = 30_000  # server→client bytes: past login and the size listing, inside the first 50 kB body


def seed(server: DovecotServer, n: int = 3, size: int = 50_000) -> None:
    for i in range(n):
        server.save(make_message(f"fault test {i}", size=size))


def assert_taken_once(server: DovecotServer, ledger: SqliteLedger, n: int = 3) -> None:
    assert ledger.message_count() == n and len(ledger.blobs()) == n
    assert [row[1] for row in ledger.rows()] == list(range(1, n + 1))
    assert server.count("INBOX") == 0 and server.count("Filed") == n


@pytest.mark.parametrize("mode", ["cut", "reset"])
def test_connection_lost_mid_fetch_is_retried(
    mode: str, dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    seed(dovecot)
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    proxy.plan = [Fault(mode, MID_FETCH)]  # type: ignore[arg-type]
    slept: list[float] = []

    report = poll_once(dovecot.settings(port=proxy.port), durable_ledger, sleep=slept.append)

    assert proxy.connections[0].faulted.is_set() and len(proxy.connections) == 2
    assert report.ok and report.attempts == 2 and report.accepted == 3
    assert "connection failed" in report.errors[0] and slept == [0.05]
    assert_taken_once(dovecot, durable_ledger)


def test_stalled_fetch_times_out_and_is_retried(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    seed(dovecot)
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    proxy.plan = [Fault("blackhole", MID_FETCH)]

    started = time.monotonic()
    report = poll_once(dovecot.settings(port=proxy.port, timeout_s=1.0), durable_ledger)
    elapsed = time.monotonic() - started

    assert report.ok and report.attempts == 2 and report.accepted == 3
    assert "timed out" in report.errors[0]
    assert elapsed < 8, f"a stalled server held the poll for {elapsed:.1f}s with a 1 s timeout"
    assert_taken_once(dovecot, durable_ledger)


def test_command_deadline_cuts_a_server_that_never_finishes(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    """With a long socket timeout, the per-command watchdog still ends the stalled fetch."""
    seed(dovecot)
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    proxy.plan = [Fault("blackhole", MID_FETCH)]

    started = time.monotonic()
    report = poll_once(dovecot.settings(port=proxy.port, timeout_s=60, command_deadline_s=1.0), durable_ledger)

    assert time.monotonic() - started < 8
    assert report.ok and report.attempts == 2
    assert "no complete answer within 1s" in report.errors[0]
    assert_taken_once(dovecot, durable_ledger)


def test_a_line_dropping_again_and_again_never_loses_or_doubles(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    seed(dovecot, n=4, size=20_000)
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    # Batches of two 20 kB messages. Each failed batch is retried one message at a time, and the
    # message whose lone fetch drops too is left for the next poll (the line cannot tell a bad
    # message from a bad network); a fourth connection passes.
    proxy.plan = [Fault("cut", 30_000), Fault("cut", 45_000), Fault("reset", 20_000)]
    settings = dovecot.settings(port=proxy.port, batch_size=2, retries=2)

    report = poll_once(settings, durable_ledger)

    assert report.attempts == 4 and report.skipped == 1 and not report.ok
    assert re.search(r"UIDs \[\d\] of INBOX could not be fetched", report.errors[-1])
    assert durable_ledger.message_count() == 3 and dovecot.count("INBOX") == 1
    second = poll_once(settings, durable_ledger)
    assert second.ok and (second.accepted, second.duplicates) == (1, 0)
    assert_taken_once(dovecot, durable_ledger, n=4)


def test_an_unreadable_message_on_the_server_does_not_block_the_others(
    dovecot: DovecotServer, durable_ledger: SqliteLedger
) -> None:
    """Dovecot drops the connection when it cannot read a message file: every fetch of it fails."""
    seed(dovecot, n=5, size=1_000)
    maildir = dovecot.root / "home" / dovecot.user / "Maildir"
    files = sorted((maildir / "new").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    assert len(files) == 5
    poison = files[2]  # UID 3
    poison.chmod(0)
    os.chown(poison, 0, 0)  # the mail processes run unprivileged: now they cannot open it
    settings = dovecot.settings(batch_size=10)

    report = poll_once(settings, durable_ledger)

    assert not report.ok and report.skipped == 1 and report.accepted == 4
    assert "UIDs [3]" in report.errors[-1]
    assert "Permission denied" in dovecot.log_text()
    state = durable_ledger.folder_state(settings.account, "INBOX")
    assert state is not None and state.last_uid == 2
    for path in (maildir / "new").iterdir():  # staff repair the file
        os.chown(path, *dovecot.mail_owner)
        path.chmod(0o600)
    for path in (maildir / "cur").iterdir():
        os.chown(path, *dovecot.mail_owner)
        path.chmod(0o600)
    again = poll_once(settings, durable_ledger)
    assert again.ok and again.accepted == 1
    assert_taken_once(dovecot, durable_ledger, n=5)


def test_server_down_is_reported_after_retries(durable_ledger: SqliteLedger, dovecot: DovecotServer) -> None:
    slept: list[float] = []
    report = poll_once(dovecot.settings(port=free_port()), durable_ledger, sleep=slept.append)
    assert not report.ok and report.attempts == 3 and len(slept) == 2
    assert "connect to 127.0.0.1" in report.errors[-1] and "refused" in report.errors[-1]
