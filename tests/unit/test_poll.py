"""The poll algorithm against a scripted mailbox and an in-memory ledger (pure logic only)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from ingest.ledger import AcceptResult, AcceptStatus, FetchedMeta, FolderState
from ingest.mailbox import FolderStatus, MailboxSettings, MailboxUnavailable, ServerMessage
from ingest.poll import MailboxSession, batches, crash_hook, poll_once
from terms.errors import ConfigError

SETTINGS = MailboxSettings(host="imap.example", user="u", retries=2, backoff_s=1.0, batch_size=2)


@dataclass
class FakeServer:
    """A folder as an IMAP server shows it, including the `UID n:*` quirk."""

    uidvalidity: int = 7
    messages: dict[int, bytes] = field(default_factory=dict)
    moved: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)
    fail_fetch_times: int = 0
    fail_select_times: int = 0
    poison: set[int] = field(default_factory=set)  # a fetch including these always fails
    hide_on_fetch: set[int] = field(default_factory=set)
    fetched: list[list[int]] = field(default_factory=list)
    next_uid: int = 1

    def add(self, *bodies: bytes) -> None:
        for body in bodies:
            self.messages[self.next_uid] = body
            self.next_uid += 1

    @contextmanager
    def connect(self, settings: MailboxSettings) -> Iterator[MailboxSession]:
        yield FakeSession(self)


class FakeSession:
    def __init__(self, server: FakeServer) -> None:
        self.server = server

    def select(self, folder: str) -> FolderStatus:
        if self.server.fail_select_times:
            self.server.fail_select_times -= 1
            raise MailboxUnavailable("SELECT: connection failed: timed out")
        return FolderStatus(self.server.uidvalidity, None, len(self.server.messages))

    def list_from(self, first_uid: int) -> list[ServerMessage]:
        uids = [u for u in sorted(self.server.messages) if u >= first_uid] or sorted(self.server.messages)[-1:]
        return [ServerMessage(u, len(self.server.messages[u]), None) for u in uids]

    def fetch_headers(self, uids: Sequence[int], max_bytes: int) -> dict[int, bytes]:
        return {u: self.server.messages[u][:max_bytes] for u in uids}

    def fetch_raw(self, uids: Sequence[int]) -> dict[int, bytes]:
        self.server.fetched.append(list(uids))
        if self.server.fail_fetch_times or self.server.poison.intersection(uids):
            self.server.fail_fetch_times = max(0, self.server.fail_fetch_times - 1)
            raise MailboxUnavailable("UID FETCH: connection failed: reset")
        return {u: self.server.messages[u] for u in uids if u not in self.server.hide_on_fetch}

    def move(self, uids: Sequence[int], folder: str) -> None:
        for u in uids:
            if self.server.messages.pop(u, None) is not None:
                self.server.moved.append(u)

    def add_flag(self, uids: Sequence[int], flag: str) -> None:
        self.server.flagged += uids


class MemoryLedger:
    def __init__(self) -> None:
        self.state: dict[tuple[str, str], FolderState] = {}
        self.rows: dict[tuple[str, str, int, int], tuple[AcceptResult, bool]] = {}
        self.blobs: dict[str, bytes] = {}

    def folder_state(self, account: str, folder: str) -> FolderState | None:
        return self.state.get((account, folder))

    def set_folder_state(self, account: str, folder: str, state: FolderState) -> None:
        self.state[(account, folder)] = state

    def seen(self, account: str, folder: str, uidvalidity: int, uid: int) -> bool:
        return (account, folder, uidvalidity, uid) in self.rows

    def store_raw(self, raw: bytes) -> str:
        sha = hashlib.sha256(raw).hexdigest()
        self.blobs[sha] = raw
        return sha

    def accept(self, raw: bytes, meta: FetchedMeta) -> AcceptResult:
        key = (meta.account, meta.folder, meta.uidvalidity, meta.uid)
        if key in self.rows:
            return self.rows[key][0]
        taken = {r.sha256 for r, _ in self.rows.values() if r.status is not AcceptStatus.duplicate}
        status = AcceptStatus.duplicate if meta.sha256 in taken else AcceptStatus.accepted
        result = AcceptResult(status, meta.sha256)
        self.rows[key] = (result, False)
        return result

    def quarantine_oversized(self, meta: FetchedMeta) -> AcceptResult:
        result = AcceptResult(AcceptStatus.oversized, None)
        self.rows[(meta.account, meta.folder, meta.uidvalidity, meta.uid)] = (result, True)
        return result

    def pending_moves(self, account: str, folder: str, uidvalidity: int) -> list[int]:
        return sorted(
            k[3] for k, (_, moved) in self.rows.items() if k[:3] == (account, folder, uidvalidity) and not moved
        )

    def mark_moved(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> None:
        for uid in uids:
            key = (account, folder, uidvalidity, uid)
            self.rows[key] = (self.rows[key][0], True)


def test_batches_respect_count_and_bytes() -> None:
    msgs = [ServerMessage(i, size, None) for i, size in enumerate([10, 10, 10, 100, 10], start=1)]
    assert [[m.uid for m in b] for b in batches(msgs, 2, 1000)] == [[1, 2], [3, 4], [5]]
    assert [[m.uid for m in b] for b in batches(msgs, 10, 50)] == [[1, 2, 3], [4], [5]]  # a big one goes alone


def test_the_newest_message_returned_by_uid_n_star_is_not_taken_again() -> None:
    server, ledger = FakeServer(), MemoryLedger()
    server.add(b"a", b"b")
    assert poll_once(SETTINGS, ledger, connect=server.connect).accepted == 2
    server.messages = {2: b"b"}  # flag-mode-like: the newest stays on the server
    again = poll_once(SETTINGS, ledger, connect=server.connect)
    assert (again.listed, again.accepted) == (0, 0) and len(server.fetched) == 1


def test_transient_failure_is_retried_with_backoff_and_nothing_doubles() -> None:
    server, ledger, slept = FakeServer(fail_select_times=2), MemoryLedger(), list[float]()
    server.add(b"a", b"b", b"c")
    report = poll_once(SETTINGS, ledger, connect=server.connect, sleep=slept.append)
    assert report.ok and report.attempts == 3 and slept == [1.0, 2.0]
    assert report.accepted == 3 and len(ledger.rows) == 3 and server.moved == [1, 2, 3]


def test_a_failed_batch_is_retried_one_by_one_without_using_up_retries() -> None:
    server, ledger, slept = FakeServer(fail_fetch_times=1), MemoryLedger(), list[float]()
    server.add(b"a", b"b", b"c")
    report = poll_once(SETTINGS, ledger, connect=server.connect, sleep=slept.append)
    assert report.ok and report.attempts == 2 and slept == [1.0]
    assert server.fetched == [[1, 2], [1], [2], [3]]


def test_a_poison_message_is_stepped_around_and_left_for_the_next_poll() -> None:
    server, ledger = FakeServer(poison={2}), MemoryLedger()
    server.add(b"a", b"b", b"c", b"d", b"e")
    report = poll_once(SETTINGS, ledger, connect=server.connect, sleep=lambda s: None)
    assert not report.ok and report.skipped == 1 and report.accepted == 4
    assert "UIDs [2]" in report.errors[-1] and "UNREADABLE" in report.summary
    assert ledger.state[(SETTINGS.account, "INBOX")].last_uid == 1  # UID 2 is fetched again next time
    server.poison.clear()
    again = poll_once(SETTINGS, ledger, connect=server.connect)
    assert again.ok and again.accepted == 1 and server.moved == [1, 3, 4, 5, 2]
    assert ledger.state[(SETTINGS.account, "INBOX")].last_uid == 2


def test_gives_up_after_retries_without_raising() -> None:
    server, ledger = FakeServer(fail_select_times=99), MemoryLedger()
    server.add(b"a")
    report = poll_once(SETTINGS, ledger, connect=server.connect, sleep=lambda s: None)
    assert not report.ok and report.attempts == 3 and "FAILED" in report.summary
    assert ledger.rows == {} and server.moved == []


def test_a_line_that_drops_every_fetch_gives_up_after_a_bounded_number_of_attempts() -> None:
    server, ledger = FakeServer(fail_fetch_times=10_000), MemoryLedger()
    server.add(*(bytes([i]) for i in range(40)))
    report = poll_once(SETTINGS, ledger, connect=server.connect, sleep=lambda s: None)
    assert not report.ok and ledger.rows == {}
    assert report.attempts <= 2 * 10 + SETTINGS.retries + 1


def test_a_uid_that_vanishes_stops_the_state_from_advancing_past_it() -> None:
    server, ledger = FakeServer(hide_on_fetch={2}), MemoryLedger()
    server.add(b"a", b"b", b"c", b"d")
    report = poll_once(SETTINGS, ledger, connect=server.connect)
    assert report.vanished == 1 and report.accepted == 3
    assert ledger.state[(SETTINGS.account, "INBOX")].last_uid == 1  # never past the UID not taken
    server.hide_on_fetch.clear()
    again = poll_once(SETTINGS, ledger, connect=server.connect)
    assert (again.accepted, again.already_taken) == (1, 0) and len(ledger.blobs) == 4
    assert ledger.state[(SETTINGS.account, "INBOX")].last_uid == 2


def test_uidvalidity_change_rescans_and_dedupes() -> None:
    server, ledger = FakeServer(), MemoryLedger()
    server.add(b"a", b"b")
    settings = MailboxSettings(host="h", user="u", after_filing="flag")
    poll_once(settings, ledger, connect=server.connect)
    server.uidvalidity = 8
    report = poll_once(settings, ledger, connect=server.connect)
    assert report.uidvalidity_changed and (report.accepted, report.duplicates) == (0, 2)
    assert server.flagged == [1, 2, 1, 2]


def test_oversized_is_quarantined_from_its_header_and_left_in_place() -> None:
    server, ledger = FakeServer(), MemoryLedger()
    server.add(b"small", b"Subject: big\r\n\r\n" + b"x" * 5000)
    report = poll_once(MailboxSettings(host="h", max_message_bytes=1000), ledger, connect=server.connect)
    assert (report.accepted, report.oversized) == (1, 1) and server.moved == [1]
    assert all(uids != [2] for uids in server.fetched)


def test_filed_folder_must_differ_from_the_polled_one() -> None:
    with pytest.raises(ConfigError):
        poll_once(MailboxSettings(host="h", filed_folder="INBOX"), MemoryLedger())


@pytest.mark.parametrize("flag", ["已备案", "two words", "(x)", ""])
def test_flag_must_be_an_imap_keyword(flag: str) -> None:
    with pytest.raises(ConfigError, match=r"mailbox\.flag"):
        poll_once(MailboxSettings(host="h", after_filing="flag", flag=flag), MemoryLedger())


@pytest.mark.parametrize("spec", ["after_lunch", "after_store:x"])
def test_crash_hook_rejects_unknown_points(spec: str) -> None:
    with pytest.raises(ValueError):
        crash_hook({"FILING_CRASH_AT": spec})


def test_crash_hook_is_inert_without_the_variable() -> None:
    crash_hook({})("after_store")  # returns: no kill
