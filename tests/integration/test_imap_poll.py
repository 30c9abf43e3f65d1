"""Polling a real Dovecot: what is taken, what is left, what the server sees."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from ingest.ledger import AcceptStatus
from ingest.mailbox import MailboxSettings, open_mailbox
from ingest.poll import PollProgress, poll_once
from tests.support.corpus import SAMPLE
from tests.support.dovecot import DovecotServer, make_message
from tests.support.ledger import SqliteLedger

pytestmark = pytest.mark.dovecot

SAMPLES = sorted((SAMPLE / "messages").glob("*.eml"))


def crlf(raw: bytes) -> bytes:
    """IMAP serves messages with CRLF line ends whatever the file on disk had."""
    return re.sub(rb"\r?\n", b"\r\n", raw)


def test_first_poll_takes_every_message_once_and_moves_it(dovecot: DovecotServer, durable_ledger: SqliteLedger) -> None:
    samples = SAMPLES[:5]
    assert len(samples) == 5, "sample corpus missing"
    for path in samples:
        dovecot.save(path.read_bytes())
    progress: list[PollProgress] = []

    report = poll_once(dovecot.settings(batch_size=2), durable_ledger, progress.append)

    assert report.ok, report.errors
    assert (report.listed, report.accepted, report.duplicates, report.moved) == (5, 5, 0, 5)
    expected = {hashlib.sha256(crlf(p.read_bytes())).hexdigest() for p in samples}
    assert {p.name for p in durable_ledger.blobs()} == expected  # raw bytes stored exactly
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Filed") == 5
    assert [p.done for p in progress] == [2, 4, 5] and progress[-1].total == 5
    state = durable_ledger.folder_state(report.account, "INBOX")
    assert state is not None and state.uidvalidity == dovecot.status()["uidvalidity"] and state.last_uid == 5


def test_incremental_poll_takes_only_new_mail(dovecot: DovecotServer, durable_ledger: SqliteLedger) -> None:
    settings = dovecot.settings()
    dovecot.save(make_message("one"))
    dovecot.save(make_message("two"))
    first = poll_once(settings, durable_ledger)
    dovecot.save(make_message("three"))

    second = poll_once(settings, durable_ledger)

    assert (first.accepted, second.accepted, second.listed) == (2, 1, 1)
    assert [r[1] for r in durable_ledger.rows()] == [1, 2, 3]
    assert durable_ledger.message_count() == 3
    assert dovecot.count("Filed") == 3


def test_empty_poll_drops_the_newest_message_that_uid_n_star_returns(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    """Flag mode keeps mail in INBOX, so `UID FETCH last+1:*` returns the newest (taken) message."""
    proxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    settings = dovecot.settings(port=proxy.port, after_filing="flag")
    dovecot.save(make_message("one"))
    dovecot.save(make_message("two"))
    assert poll_once(settings, durable_ledger).accepted == 2
    before = durable_ledger.rows()
    sent_before = len(proxy.transcript())

    report = poll_once(settings, durable_ledger)

    assert report.ok and (report.listed, report.accepted, report.moved) == (0, 0, 0)
    assert durable_ledger.rows() == before
    commands = proxy.transcript()[sent_before:].decode()
    assert re.search(r"UID FETCH 3:\* \(UID RFC822.SIZE INTERNALDATE\)", commands)
    verbs = [line.split()[1] for line in commands.strip().splitlines()]
    # One round trip after SELECT: the size listing, then LOGOUT. No body fetch, no STORE.
    assert verbs[verbs.index("SELECT") :] == ["SELECT", "UID", "LOGOUT"]


def test_empty_mailbox_costs_no_fetch(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    proxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    report = poll_once(dovecot.settings(port=proxy.port), durable_ledger)
    assert report.ok and report.listed == 0
    assert b"FETCH" not in proxy.transcript()


def test_uidvalidity_change_rescans_without_refiling(dovecot: DovecotServer, durable_ledger: SqliteLedger) -> None:
    settings = dovecot.settings(after_filing="flag")
    for i in range(3):
        dovecot.save(make_message(f"old {i}"))
    assert poll_once(settings, durable_ledger).accepted == 3
    old_uv = dovecot.status()["uidvalidity"]
    dovecot.set_uidvalidity(old_uv + 1000)
    dovecot.save(make_message("new after reset"))

    report = poll_once(settings, durable_ledger)

    assert report.ok and report.uidvalidity_changed
    assert (report.listed, report.accepted, report.duplicates) == (4, 1, 3)
    assert durable_ledger.message_count() == 4  # nothing stored twice
    statuses = [(uv, status) for uv, _uid, _sha, status, _moved in durable_ledger.rows()]
    assert statuses.count((old_uv + 1000, AcceptStatus.duplicate)) == 3
    state = durable_ledger.folder_state(settings.account, "INBOX")
    assert state is not None and state.uidvalidity == old_uv + 1000 and state.last_uid == 4


def test_flag_mode_flags_and_leaves_mail_in_place(dovecot: DovecotServer, durable_ledger: SqliteLedger) -> None:
    dovecot.save(make_message("one"))
    dovecot.save(make_message("two"))
    report = poll_once(dovecot.settings(after_filing="flag", flag="$Filed"), durable_ledger)
    assert report.ok and report.moved == 2
    flags = dovecot.flags("INBOX")
    assert set(flags) == {1, 2}
    assert all("$Filed" in f and "\\Seen" not in f for f in flags.values())  # BODY.PEEK: never \Seen
    assert "Filed" not in dovecot.list_folders()


def test_move_mode_creates_a_chinese_named_folder_and_keeps_mail_unseen(
    dovecot: DovecotServer, durable_ledger: SqliteLedger
) -> None:
    dovecot.save(make_message("one"))
    assert poll_once(dovecot.settings(filed_folder="已备案"), durable_ledger).moved == 1
    assert dovecot.count("INBOX") == 0
    assert "已备案" in dovecot.list_folders()  # sent as modified UTF-7, not mangled
    flags = dovecot.flags("已备案")
    assert len(flags) == 1 and all("\\Seen" not in f for f in flags.values())


def test_copy_delete_expunge_when_server_has_no_move(dovecot_factory: Any, durable_ledger: SqliteLedger) -> None:
    server: DovecotServer = dovecot_factory(capabilities="IMAP4rev1 LITERAL+ ID UIDPLUS IDLE")
    for i in range(3):
        server.save(make_message(f"m{i}"))
    with open_mailbox(server.settings()) as session:
        assert "MOVE" not in session.capabilities and "UIDPLUS" in session.capabilities

    report = poll_once(server.settings(), durable_ledger)

    assert report.ok and report.moved == 3
    assert server.count("INBOX") == 0 and server.count("Filed") == 3
    assert "expunged=3" in server.log_text()


def test_oversized_message_is_quarantined_without_download(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    proxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    dovecot.save(make_message("small"))
    dovecot.save(make_message("huge", size=300_000))
    dovecot.save(make_message("small too"))

    report = poll_once(dovecot.settings(port=proxy.port, max_message_bytes=100_000), durable_ledger)

    assert report.ok and (report.accepted, report.oversized, report.moved) == (2, 1, 2)
    received = sum(len(c.server_bytes) for c in proxy.connections)
    assert received < 100_000  # the 300 kB body never crossed the wire
    assert [(uid, status, moved) for _uv, uid, _sha, status, moved in durable_ledger.rows()] == [
        (1, "accepted", 1),
        (2, "oversized", 0),
        (3, "accepted", 1),
    ]
    header = durable_ledger.db.execute("SELECT header FROM uids WHERE uid=2").fetchone()[0]
    assert b"Subject: huge" in header
    assert dovecot.count("INBOX") == 1  # the only copy of the big one stays on the server for staff
    assert poll_once(dovecot.settings(max_message_bytes=100_000), durable_ledger).listed == 0


def test_id_is_sent_after_login_and_before_select(
    dovecot: DovecotServer, durable_ledger: SqliteLedger, tcp_proxy_factory: Any
) -> None:
    proxy = tcp_proxy_factory("127.0.0.1", dovecot.port)
    poll_once(dovecot.settings(port=proxy.port), durable_ledger)
    commands = [line.split()[1].upper() for line in proxy.transcript().decode().splitlines() if line.strip()]
    assert commands.index("LOGIN") < commands.index("ID") < commands.index("SELECT")
    assert re.search(r"imap\(filing\).*ID sent: name=filing", dovecot.log_text())


def test_a_thousand_small_messages(dovecot: DovecotServer, tmp_path: Path) -> None:
    ledger = SqliteLedger(tmp_path / "l.db", tmp_path / "blobs", fsync=False)  # volume, not durability
    assert dovecot.seed_maildir(make_message(f"bulk {i}") for i in range(1000)) == 1000
    report = poll_once(dovecot.settings(batch_size=100), ledger)
    assert report.ok and (report.listed, report.accepted, report.moved) == (1000, 1000, 1000)
    assert ledger.message_count() == 1000 and len(ledger.blobs()) == 1000
    assert dovecot.count("INBOX") == 0 and dovecot.count("Filed") == 1000


def test_wrong_password_is_reported_not_retried(dovecot: DovecotServer, durable_ledger: SqliteLedger) -> None:
    slept: list[float] = []
    report = poll_once(dovecot.settings(password="wrong"), durable_ledger, sleep=slept.append)
    assert not report.ok and report.attempts == 1 and slept == []
    assert "login refused" in report.errors[0]


def test_tls_and_starttls(dovecot_factory: Any, durable_ledger: SqliteLedger) -> None:
    server: DovecotServer = dovecot_factory(tls=True)
    server.save(make_message("over tls"))
    server.save(make_message("over starttls"))
    assert server.ca_file is not None
    tls = server.settings(security="tls", port=server.tls_port, tls_ca_file=str(server.ca_file), after_filing="flag")
    assert poll_once(tls, durable_ledger).accepted == 2
    starttls = MailboxSettings(**{**tls.__dict__, "security": "starttls", "port": server.port, "folder": "INBOX"})
    server.save(make_message("third"))
    report = poll_once(starttls, durable_ledger)
    assert report.ok and (report.listed, report.accepted) == (1, 1)
    untrusted = server.settings(security="tls", port=server.tls_port)
    report = poll_once(untrusted, durable_ledger, sleep=lambda s: None)
    assert not report.ok and report.attempts == 1  # not retried: it will not fix itself
    assert "certificate not trusted" in report.errors[-1] and "tls_ca_file" in report.errors[-1]


REAL_WORLD = sorted((SAMPLES[0].parents[2] / "real-world-eml" / "messages").glob("*.eml")) if SAMPLES else []


def test_every_corpus_message_crosses_imap_intact(dovecot: DovecotServer, tmp_path: Path) -> None:
    """The sample mailbox byte for byte, and 282 parser-torture messages, through a real server."""
    assert len(SAMPLES) == 41 and len(REAL_WORLD) == 282, "corpus missing"
    ledger = SqliteLedger(tmp_path / "l.db", tmp_path / "blobs", fsync=False)
    dovecot.seed_maildir(p.read_bytes() for p in [*SAMPLES, *REAL_WORLD])

    report = poll_once(dovecot.settings(batch_size=100), ledger)

    assert report.ok and report.listed == 323 and report.accepted + report.duplicates == 323
    assert report.skipped == report.vanished == report.oversized == 0
    assert len(ledger.rows()) == 323 and all(moved for *_, moved in ledger.rows())
    stored = {p.name for p in ledger.blobs()}
    assert {hashlib.sha256(crlf(p.read_bytes())).hexdigest() for p in SAMPLES} <= stored
    assert dovecot.count("INBOX") == 0 and dovecot.count("Filed") == 323
