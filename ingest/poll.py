"""One poll of the filing mailbox: take every new message exactly once.

The order is the guarantee. For each message: download, store the raw bytes
durably, commit the ledger row, and only then move (or flag) the server copy and
record that. A crash between any two steps leaves a state the next poll finishes:
a stored-but-uncommitted message is fetched again (same bytes, same blob), a
committed-but-unmoved one is only moved, a moved-but-unrecorded one is moved again
(a no-op). The poll talks to the world only through the `Ledger` and the mailbox
session it is given.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from ingest.ledger import AcceptStatus, FetchedMeta, FolderState, Ledger
from ingest.mailbox import (
    FolderStatus,
    MailboxError,
    MailboxRejected,
    MailboxSettings,
    MailboxUnavailable,
    ServerMessage,
    open_mailbox,
)
from terms.errors import ConfigError

log = logging.getLogger(__name__)

CRASH_ENV = "FILING_CRASH_AT"
CRASH_POINTS = ("after_fetch", "after_store", "after_commit", "after_move")
HEADER_PEEK_BYTES = 16_384  # what staff get to see of an oversized message
MOVE_CHUNK = 500  # UIDs per MOVE/STORE command line
FLAG_ATOM = re.compile(r"\$?[A-Za-z0-9_.\-]{1,60}")  # a keyword every server accepts
MAX_SKIPPED = 10  # unreadable messages one poll steps around before it counts failures again


class MailboxSession(Protocol):
    """What a poll needs from a logged-in connection (`ingest.mailbox.ImapSession`)."""

    def select(self, folder: str) -> FolderStatus: ...

    def list_from(self, first_uid: int) -> list[ServerMessage]: ...

    def fetch_headers(self, uids: Sequence[int], max_bytes: int) -> dict[int, bytes]: ...

    def fetch_raw(self, uids: Sequence[int]) -> dict[int, bytes]: ...

    def move(self, uids: Sequence[int], folder: str) -> None: ...

    def add_flag(self, uids: Sequence[int], flag: str) -> None: ...


Connect = Callable[[MailboxSettings], AbstractContextManager[MailboxSession]]


@dataclass(frozen=True)
class PollProgress:
    done: int
    total: int


@dataclass
class PollReport:
    account: str
    folder: str
    uidvalidity: int | None = None
    uidvalidity_changed: bool = False
    listed: int = 0  # new UIDs on the server
    accepted: int = 0
    duplicates: int = 0
    oversized: int = 0
    already_taken: int = 0  # in the ledger already: an earlier poll stopped before saving its place
    vanished: int = 0  # listed, then gone before download (another client expunged them)
    skipped: int = 0  # the server failed on them every time: left there, retried next poll
    moved: int = 0  # server copies moved to the filed folder, or flagged
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    ok: bool = False

    @property
    def summary(self) -> str:
        return (
            f"{self.account} {self.folder}: {self.accepted} new, {self.duplicates} duplicate, "
            f"{self.oversized} oversized, {self.moved} moved/flagged, {self.attempts} attempt(s)"
            + (f", {self.skipped} UNREADABLE left on the server" if self.skipped else "")
            + ("" if self.ok else f"; FAILED: {self.errors[-1] if self.errors else 'unknown'}")
        )


def poll_once(
    settings: MailboxSettings,
    ledger: Ledger,
    on_progress: Callable[[PollProgress], None] | None = None,
    *,
    connect: Connect = open_mailbox,
    sleep: Callable[[float], None] = time.sleep,
) -> PollReport:
    """Take all new mail; retry dropped connections with backoff; never raise for mailbox trouble.

    A message the server fails on every time (a poison message: Dovecot drops the connection
    when it cannot read the file) must not block the others: a failed batch is retried one
    message at a time, and a message that fails alone is left on the server for the next poll.
    Such narrowing-down does not use up the retries; plain failures do.
    """
    if settings.after_filing == "move" and settings.filed_folder == settings.folder:
        raise ConfigError("mailbox.filed_folder", f"must differ from mailbox.folder ({settings.folder!r})")
    if settings.after_filing == "flag" and not FLAG_ATOM.fullmatch(settings.flag):
        raise ConfigError("mailbox.flag", f"{settings.flag!r} is not an IMAP keyword: use ASCII like $Filed")
    report = PollReport(settings.account, settings.folder)
    crash = crash_hook(os.environ)
    carry = _Carry()
    failures = 0
    while True:
        report.attempts += 1
        try:
            with connect(settings) as session:
                _Poll(settings, ledger, session, report, on_progress, crash, carry).run()
        except (MailboxUnavailable, MailboxRejected) as e:
            report.errors.append(e.message)
            if not carry.narrow_down(e):
                if isinstance(e, MailboxRejected):
                    log.error("poll of %s refused: %s", settings.account, e.message)
                    break
                failures += 1
            if failures > settings.retries:
                log.error("poll of %s gave up after %d attempts: %s", settings.account, report.attempts, e.message)
                break
            delay = settings.backoff_s * 2 ** max(failures - 1, 0)
            log.warning("poll of %s failed (%s); retry in %.1fs", settings.account, e.message, delay)
            sleep(delay)
        else:
            report.skipped = len(carry.skipped)
            report.ok = not carry.skipped
            if carry.skipped:
                report.errors.append(
                    f"UIDs {sorted(carry.skipped)} of {settings.folder} could not be fetched: left on the server; "
                    "the server log says why (a damaged or unreadable message file?)"
                )
            (log.info if report.ok else log.error)("poll done: %s", report.summary)
            break
    report.skipped = len(carry.skipped)
    return report


@dataclass
class _Carry:
    """What one attempt of a poll tells the next."""

    fetching: list[int] = field(default_factory=list)  # UIDs of the body fetch in flight
    suspects: set[int] = field(default_factory=set)  # in a batch whose fetch failed: fetch alone
    skipped: set[int] = field(default_factory=set)  # failed alone: left on the server until the next poll

    def narrow_down(self, error: MailboxError) -> bool:
        """Learn from a failed body fetch; False when the failure says nothing about any message."""
        failed, self.fetching = self.fetching, []
        if not failed or len(self.skipped) >= MAX_SKIPPED:
            return False
        if len(failed) > 1:
            self.suspects.update(failed)
            return True
        log.error("UID %d could not be fetched (%s): left on the server, retried next poll", failed[0], error.message)
        self.skipped.add(failed[0])
        return True


class _Poll:
    def __init__(
        self,
        settings: MailboxSettings,
        ledger: Ledger,
        session: MailboxSession,
        report: PollReport,
        on_progress: Callable[[PollProgress], None] | None,
        crash: Callable[[str], None],
        carry: _Carry,
    ) -> None:
        self.s = settings
        self.ledger = ledger
        self.session = session
        self.report = report
        self.on_progress = on_progress
        self.crash = crash
        self.carry = carry
        self.account = settings.account
        self.folder = settings.folder

    def run(self) -> None:
        status = self.session.select(self.folder)
        uv = status.uidvalidity
        self.report.uidvalidity = uv
        state = self.ledger.folder_state(self.account, self.folder)
        if state is None or state.uidvalidity != uv:
            if state is not None:
                # Stored UIDs mean nothing now: rescan all; the ledger dedupes by SHA-256 / Message-ID.
                log.warning("%s %s: UIDVALIDITY %d → %d, rescanning", self.account, self.folder, state.uidvalidity, uv)
                self.report.uidvalidity_changed = True
            state = FolderState(uv, 0)
            self.ledger.set_folder_state(self.account, self.folder, state)
        self.finish_moves(uv)  # left over by a poll that stopped after commit
        if status.exists == 0:
            return
        listed = [m for m in self.session.list_from(state.last_uid + 1) if m.uid > state.last_uid]  # the n:* trap
        if not listed:
            return
        self.report.listed = max(self.report.listed, len(listed))
        fresh = [m for m in listed if not self.ledger.seen(self.account, self.folder, uv, m.uid)]
        self.report.already_taken += len(listed) - len(fresh)
        self.quarantine_oversized(uv, [m for m in fresh if m.size > self.s.max_message_bytes])
        # The folder state never passes a UID we did not take: it is fetched again next poll.
        cap = min([listed[-1].uid, *(u - 1 for u in self.carry.skipped if u > state.last_uid)])
        wanted = [m for m in fresh if m.size <= self.s.max_message_bytes and m.uid not in self.carry.skipped]
        last = state.last_uid
        done = 0
        for batch in batches(wanted, self.s.batch_size, self.s.batch_bytes, alone=self.carry.suspects):
            vanished = self.take_batch(uv, batch)
            cap = min([cap, *(u - 1 for u in vanished)])
            if min(batch[-1].uid, cap) > last:
                last = min(batch[-1].uid, cap)
                self.ledger.set_folder_state(self.account, self.folder, FolderState(uv, last))
            self.finish_moves(uv)
            done += len(batch)
            if self.on_progress is not None:
                self.on_progress(PollProgress(done, len(wanted)))
        if cap > last:
            # Oversized and already-taken UIDs after the last batch are committed too.
            self.ledger.set_folder_state(self.account, self.folder, FolderState(uv, cap))

    def take_batch(self, uv: int, batch: list[ServerMessage]) -> list[int]:
        """Store and commit each message; return the UIDs that vanished before download."""
        self.carry.fetching = [m.uid for m in batch]
        bodies = self.session.fetch_raw(self.carry.fetching)
        self.carry.fetching = []
        self.crash("after_fetch")
        vanished = []
        for m in batch:
            raw = bodies.pop(m.uid, None)
            if raw is None:
                log.warning("%s %s: UID %d vanished before download", self.account, self.folder, m.uid)
                self.report.vanished += 1
                vanished.append(m.uid)
                continue
            sha = self.ledger.store_raw(raw)
            self.crash("after_store")
            meta = FetchedMeta(self.account, self.folder, uv, m.uid, m.size, m.internaldate, sha256=sha)
            result = self.ledger.accept(raw, meta)
            self.crash("after_commit")
            if result.status is AcceptStatus.duplicate:
                self.report.duplicates += 1
            else:
                self.report.accepted += 1
        return vanished

    def quarantine_oversized(self, uv: int, big: list[ServerMessage]) -> None:
        if not big:
            return
        headers = self.session.fetch_headers([m.uid for m in big], HEADER_PEEK_BYTES)
        for m in big:
            log.warning("%s %s: UID %d has %d bytes: quarantined", self.account, self.folder, m.uid, m.size)
            header = headers.get(m.uid, b"")
            meta = FetchedMeta(self.account, self.folder, uv, m.uid, m.size, m.internaldate, header=header)
            self.ledger.quarantine_oversized(meta)
            self.report.oversized += 1

    def finish_moves(self, uv: int) -> None:
        pending = self.ledger.pending_moves(self.account, self.folder, uv)
        for start in range(0, len(pending), MOVE_CHUNK):
            uids = pending[start : start + MOVE_CHUNK]
            if self.s.after_filing == "move":
                self.session.move(uids, self.s.filed_folder)
            else:
                self.session.add_flag(uids, self.s.flag)
            self.crash("after_move")
            self.ledger.mark_moved(self.account, self.folder, uv, uids)
            self.report.moved += len(uids)


def batches(
    messages: Sequence[ServerMessage], max_count: int, max_bytes: int, alone: Set[int] = frozenset()
) -> Iterator[list[ServerMessage]]:
    """Consecutive groups of at most `max_count` messages and `max_bytes`, in UID order.

    A message larger than `max_bytes`, or whose UID is in `alone`, gets a batch of its own.
    """
    batch: list[ServerMessage] = []
    size = 0
    for m in messages:
        single = m.uid in alone
        if batch and (single or len(batch) >= max_count or size + m.size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(m)
        size += m.size
        if single:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def crash_hook(environ: Mapping[str, str]) -> Callable[[str], None]:
    """Test hook: `FILING_CRASH_AT=after_store[:N]` SIGKILLs this process at the N-th such point."""
    spec = environ.get(CRASH_ENV, "")
    if not spec:
        return lambda point: None
    point_name, _, nth = spec.partition(":")
    if point_name not in CRASH_POINTS:
        raise ValueError(f"{CRASH_ENV}={spec!r}: expected one of {', '.join(CRASH_POINTS)}[:N]")
    target = int(nth or 1)
    hits = [0]

    def hook(point: str) -> None:
        if point != point_name:
            return
        hits[0] += 1
        if hits[0] == target:
            log.critical("%s=%s: killing this process", CRASH_ENV, spec)
            os.kill(os.getpid(), signal.SIGKILL)

    return hook
