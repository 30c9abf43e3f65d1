"""Network faults between the poller and a real Dovecot, injected by a TCP proxy."""

from __future__ import annotations

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


def test_every_attempt_failing_ends_the_poll_without_raising_and_the_next_poll_finishes(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    seed(dovecot, n=4, size=20_000)
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    # Batches of two 20 kB messages: the 1st attempt drops inside batch 1, the 2nd inside batch 2
    # (batch 1 is then committed and moved), the 3rd inside what is left.
    proxy.plan = [Fault("cut", 30_000), Fault("cut", 45_000), Fault("reset", 20_000)]
    slept: list[float] = []
    settings = dovecot.settings(port=proxy.port, batch_size=2, retries=2, backoff_s=0.5)

    report = poll_once(settings, durable_ledger, sleep=slept.append)

    assert not report.ok and report.attempts == 3 and len(report.errors) == 3
    assert slept == [0.5, 1.0]  # exponential backoff
    assert durable_ledger.message_count() == 2 and dovecot.count("Filed") == 2
    second = poll_once(settings, durable_ledger)
    assert second.ok and second.duplicates == 0
    assert_taken_once(dovecot, durable_ledger, n=4)


def test_server_down_is_reported_after_retries(durable_ledger: SqliteLedger, dovecot: DovecotServer) -> None:
    slept: list[float] = []
    report = poll_once(dovecot.settings(port=free_port()), durable_ledger, sleep=slept.append)
    assert not report.ok and report.attempts == 3 and len(slept) == 2
    assert "connect to 127.0.0.1" in report.errors[-1] and "refused" in report.errors[-1]
