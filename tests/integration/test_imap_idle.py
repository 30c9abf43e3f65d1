"""IMAP IDLE as a hint to poll sooner, against a real Dovecot."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ingest.mailbox import MailboxUnavailable, idle_wait
from tests.support.dovecot import DovecotServer, make_message
from tests.support.tcpproxy import TcpProxy

pytestmark = pytest.mark.dovecot


class Waiter(threading.Thread):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(daemon=True)
        self.kwargs = kwargs
        self.result: bool | None = None
        self.error: BaseException | None = None
        self.elapsed = 0.0

    def run(self) -> None:
        started = time.monotonic()
        try:
            self.result = idle_wait(**self.kwargs)
        except BaseException as e:
            self.error = e
        self.elapsed = time.monotonic() - started


def test_new_mail_ends_the_wait(dovecot: DovecotServer, tcp_proxy_factory: Any) -> None:
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    waiter = Waiter(settings=dovecot.settings(port=proxy.port), seconds=30)
    waiter.start()
    assert proxy.wait_for(b" IDLE\r\n")
    dovecot.save(make_message("wake up"))
    waiter.join(timeout=15)
    assert waiter.error is None and waiter.result is True
    assert waiter.elapsed < 15  # not the full 30 s
    assert b"DONE\r\n" in proxy.transcript()


def test_no_mail_times_out_and_idle_is_reissued(dovecot: DovecotServer, tcp_proxy_factory: Any) -> None:
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    assert idle_wait(dovecot.settings(port=proxy.port), seconds=0.6, reissue_s=0.2) is False
    assert proxy.transcript().count(b" IDLE\r\n") >= 3 and proxy.transcript().count(b"DONE\r\n") >= 3


def test_dropped_connection_during_idle_raises_promptly(dovecot: DovecotServer, tcp_proxy_factory: Any) -> None:
    proxy: TcpProxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    waiter = Waiter(settings=dovecot.settings(port=proxy.port), seconds=30)
    waiter.start()
    assert proxy.wait_for(b" IDLE\r\n")
    proxy.drop_all()
    waiter.join(timeout=15)
    assert isinstance(waiter.error, MailboxUnavailable) and waiter.elapsed < 15
