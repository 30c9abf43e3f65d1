"""The database implementation of ingest's `Ledger`: what the poller took, from which server copy.

Raw bytes go to the content-addressed blob store (fsynced) before any row names
them. A new message becomes a `Message` row in state `received` through the
`receive` function the composition root injects (the pipeline's), so polling and
`filing import` file mail the same way; the `MailboxUid` row (UNIQUE on account,
folder, UIDVALIDITY, UID) records the server copy and whether it has been moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError

from ingest.ledger import AcceptResult, AcceptStatus, FetchedMeta, FolderState
from store import models as m
from store.blobs import BlobStore
from store.clock import utcnow
from store.uow import UnitOfWork
from terms.errors import ErrorCode
from terms.status import MessageState, MessageStatus

# (raw bytes, received_at) -> Message row id; idempotent by SHA-256.
Receive = Callable[[bytes, datetime], int]


_MSG_ID = re.compile(r"<[^<>\s]+>")  # as ingest.parse reads it, so both give the same string


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID as the parser will read it; compat32 so a malformed header never raises here."""
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(raw).get("Message-ID")
    except Exception:  # a header this broken is the parser's to report, not the ledger's
        return None
    found = _MSG_ID.search(str(value)) if value is not None else None
    return found.group(0)[:998] if found else None


class DbLedger:
    """`ingest.ledger.Ledger` on our tables. Every method is idempotent and commits its own transaction."""

    def __init__(self, uow: Callable[[], UnitOfWork], blobs: BlobStore, receive: Receive) -> None:
        self._uow = uow
        self._blobs = blobs
        self._receive = receive

    def folder_state(self, account: str, folder: str) -> FolderState | None:
        with self._uow() as uow:
            row = uow.session.scalar(
                select(m.MailboxFolder).where(m.MailboxFolder.account == account, m.MailboxFolder.folder == folder)
            )
            return FolderState(row.uidvalidity, row.last_uid) if row else None

    def set_folder_state(self, account: str, folder: str, state: FolderState) -> None:
        for _ in range(2):  # a concurrent first insert loses the UNIQUE race once, then updates
            with self._uow() as uow:
                s = uow.session
                row = s.scalar(
                    select(m.MailboxFolder)
                    .where(m.MailboxFolder.account == account, m.MailboxFolder.folder == folder)
                    .with_for_update()
                )
                if row is None:
                    s.add(m.MailboxFolder(account=account, folder=folder, uidvalidity=state.uidvalidity,
                                          last_uid=state.last_uid))
                else:
                    row.uidvalidity, row.last_uid = state.uidvalidity, state.last_uid
                try:
                    uow.commit()
                    return
                except IntegrityError:
                    uow.rollback()
        raise RuntimeError(f"could not save folder state of {account} {folder}")

    def seen(self, account: str, folder: str, uidvalidity: int, uid: int) -> bool:
        with self._uow() as uow:
            row = uow.session.scalar(select(m.MailboxUid.id).where(*_key(account, folder, uidvalidity, uid)))
            return row is not None

    def store_raw(self, raw: bytes) -> str:
        return self._blobs.put(raw)

    def accept(self, raw: bytes, meta: FetchedMeta) -> AcceptResult:
        if meta.sha256 is None or not self._blobs.has(meta.sha256):
            raise ValueError("accept() before store_raw(): the raw bytes must be durable first")
        prior = self._prior(meta)
        if prior is not None:
            return prior
        status, dup_of = self._classify(raw, meta.sha256)
        # The Message row commits before the UID row: a crash in between leaves an IMAP message
        # that no UID row names, which `_classify` recognises as ours on the next poll.
        row_id = self._receive(raw, meta.internaldate or utcnow())
        with self._uow() as uow:
            # Known from arrival, not only after parsing: workers that parse two copies of a resend
            # at once still see which came first, so only the first is filed.
            mid = message_id_of(raw)
            if mid:
                uow.session.execute(update(m.Message).where(m.Message.id == row_id, m.Message.message_id.is_(None))
                                    .values(message_id=mid))
            uow.session.add(
                m.MailboxUid(account=meta.account, folder=meta.folder, uidvalidity=meta.uidvalidity, uid=meta.uid,
                             raw_sha256=meta.sha256, size=meta.size, internaldate=meta.internaldate,
                             state=str(status), duplicate_of=dup_of)
            )
            try:
                uow.commit()
            except IntegrityError:  # another poller committed this server copy first
                uow.rollback()
                prior = self._prior(meta)
                assert prior is not None
                return prior
        return AcceptResult(status, meta.sha256, dup_of)

    def _prior(self, meta: FetchedMeta) -> AcceptResult | None:
        with self._uow() as uow:
            row = uow.session.scalar(
                select(m.MailboxUid).where(*_key(meta.account, meta.folder, meta.uidvalidity, meta.uid))
            )
            if row is None:
                return None
            return AcceptResult(AcceptStatus(row.state), row.raw_sha256, row.duplicate_of)

    def _classify(self, raw: bytes, sha: str) -> tuple[AcceptStatus, str | None]:
        with self._uow() as uow:
            s = uow.session
            same = s.scalar(select(m.Message).where(m.Message.raw_sha256 == sha))
            if same is not None:
                named = s.scalar(select(m.MailboxUid.id).where(m.MailboxUid.raw_sha256 == sha).limit(1))
                if named is None and same.source == "imap":
                    return AcceptStatus.accepted, None  # our own half-finished accept
                return AcceptStatus.duplicate, sha
            mid = message_id_of(raw)
            if mid:
                # Different bytes, same Message-ID: still received (staff can compare), the pipeline
                # marks it `duplicate` at parse and files nothing from it.
                earlier = s.scalar(select(m.Message.raw_sha256).where(m.Message.message_id == mid).limit(1))
                if earlier is not None:
                    return AcceptStatus.duplicate, earlier
            return AcceptStatus.accepted, None

    def quarantine_oversized(self, meta: FetchedMeta) -> AcceptResult:
        """A quarantined `Message` (kept for staff with the header we peeked) plus the UID row."""
        prior = self._prior(meta)
        if prior is not None:
            return prior
        # The peeked header (with the size) names the record, so the same message listed again after
        # a UIDVALIDITY reset does not become a second quarantine record.
        sha = self._blobs.put(f"X-Filing-Oversized: {meta.size}\r\n".encode() + meta.header)
        detail = (
            f"message of {meta.size} bytes exceeds mailbox.max_message_bytes and was not downloaded; "
            f"it is still in {meta.folder} (UID {meta.uid}): fetch it by hand or raise the limit"
        )
        with self._uow() as uow:
            s = uow.session
            if s.scalar(select(m.Message.id).where(m.Message.raw_sha256 == sha)) is None:
                s.add(m.Message(raw_sha256=sha, size=meta.size, source="imap", message_id=message_id_of(meta.header),
                                received_at=meta.internaldate or utcnow(), status=MessageStatus.quarantined,
                                state=MessageState.done,
                                error_code=str(ErrorCode.oversized_message), error=detail))
            s.add(m.MailboxUid(account=meta.account, folder=meta.folder, uidvalidity=meta.uidvalidity, uid=meta.uid,
                               raw_sha256=None, size=meta.size, internaldate=meta.internaldate,
                               state=str(AcceptStatus.oversized)))
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()
        return AcceptResult(AcceptStatus.oversized, None, detail=detail)

    def pending_moves(self, account: str, folder: str, uidvalidity: int) -> list[int]:
        with self._uow() as uow:
            rows = uow.session.scalars(
                select(m.MailboxUid.uid)
                .where(
                    m.MailboxUid.account == account,
                    m.MailboxUid.folder == folder,
                    m.MailboxUid.uidvalidity == uidvalidity,
                    m.MailboxUid.moved_at.is_(None),
                    m.MailboxUid.state != str(AcceptStatus.oversized),
                )
                .order_by(m.MailboxUid.uid)
            )
            return list(rows)

    def mark_moved(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> None:
        if not uids:
            return
        with self._uow() as uow:
            uow.session.execute(
                update(m.MailboxUid)
                .where(
                    m.MailboxUid.account == account,
                    m.MailboxUid.folder == folder,
                    m.MailboxUid.uidvalidity == uidvalidity,
                    m.MailboxUid.uid.in_(list(uids)),
                    m.MailboxUid.moved_at.is_(None),
                )
                .values(moved_at=utcnow())
            )
            uow.commit()


def _key(account: str, folder: str, uidvalidity: int, uid: int) -> tuple[ColumnElement[bool], ...]:
    return (
        m.MailboxUid.account == account,
        m.MailboxUid.folder == folder,
        m.MailboxUid.uidvalidity == uidvalidity,
        m.MailboxUid.uid == uid,
    )
