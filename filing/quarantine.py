"""Quarantine decisions: release (registering the sender, or this message only), discard with undo, reply.

A release never files the same bytes twice: attachments an agency already sent from a registered
address are not filed again, and a message made only of such files becomes a duplicate of the earlier one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.review import audit
from filing.adapters import notify_settings
from filing.bootstrap import App
from filing.pipeline import process
from notify.outbox import NewEmail, enqueue
from notify.render import reply_subject, stable_message_id
from store import models as m
from store.clock import utcnow
from terms.errors import ErrorCode, FilingError
from terms.status import FILED_STATUSES, AttachmentStatus, MessageState, MessageStatus, OutboxKind, SenderStatus

DISCARD_UNDO_DAYS = 30
REPEATED = str(ErrorCode.repeated_file)


class ReleaseMode(StrEnum):
    register = "register"  # the sender's address becomes one of the agency's addresses
    once = "once"  # this message only; the sender stays unregistered


@dataclass(frozen=True)
class RepeatedFile:
    """An attachment of a quarantined message whose bytes were already filed from another message."""

    attachment_id: int
    filename: str
    earlier_message_id: int
    earlier_from: str | None
    earlier_received_at: datetime


@dataclass(frozen=True)
class Released:
    status: str  # the message's status after the release
    repeated: tuple[RepeatedFile, ...]
    receipt_to: str | None  # where the receipt goes; None: no receipt
    duplicate_of: int | None  # every file was already filed from this message


def repeated_files(s: Session, msg: m.Message) -> list[RepeatedFile]:
    """Attachments of `msg` whose bytes arrived earlier in a filed message (from any address)."""
    return repeated_files_many(s, [msg])[msg.id]


def repeated_files_many(s: Session, msgs: Sequence[m.Message]) -> dict[int, list[RepeatedFile]]:
    """`repeated_files` of many messages with one query (a page of the quarantine)."""
    mine = {msg.id: {a.sha256: a for a in msg.attachments
                     if a.status != AttachmentStatus.error or a.error_code == REPEATED} for msg in msgs}
    shas = sorted({sha for files in mine.values() for sha in files})
    earlier: dict[str, list[tuple[int, str | None, datetime]]] = {}
    for i in range(0, len(shas), 500):
        for sha, mid, addr, at in s.execute(
            select(m.Attachment.sha256, m.Message.id, m.Message.from_address, m.Message.received_at)
            .join(m.Message, m.Attachment.message_id == m.Message.id)
            .where(m.Attachment.sha256.in_(shas[i : i + 500]), m.Message.status.in_(list(FILED_STATUSES)))
            .order_by(m.Message.received_at, m.Message.id)
        ):
            earlier.setdefault(sha, []).append((mid, addr, at))
    out: dict[int, list[RepeatedFile]] = {}
    for msg_id, files in mine.items():
        found: dict[str, RepeatedFile] = {}
        for sha, a in files.items():
            first = next((e for e in earlier.get(sha, []) if e[0] != msg_id), None)  # the earliest other one
            if first is not None:
                found[sha] = RepeatedFile(a.id, a.filename, *first)
        out[msg_id] = sorted(found.values(), key=lambda r: r.attachment_id)
    return out


def guess_agency(s: Session, msg: m.Message) -> str | None:
    """The agency a person most likely releases this message to: the one it claims, the one that already
    sent the same files, or one whose name is in the sender's name, the subject or the body."""
    return guess_agencies(s, [msg], repeated_files_many(s, [msg]))[msg.id]


def guess_agencies(s: Session, msgs: Sequence[m.Message],
                   repeated: Mapping[int, list[RepeatedFile]]) -> dict[int, str | None]:
    """`guess_agency` of many messages with two queries (their `repeated_files_many` given)."""
    earlier_ids = sorted({r.earlier_message_id for rs in repeated.values() for r in rs})
    earlier_agency: dict[int, str] = {}
    for i in range(0, len(earlier_ids), 500):
        earlier_agency.update((mid, code) for mid, code in s.execute(
            select(m.Message.id, m.Agency.code).join(m.Agency, m.Agency.id == m.Message.agency_id)
            .where(m.Message.id.in_(earlier_ids[i : i + 500]))))
    names = [(name, a.code) for a in s.scalars(select(m.Agency).where(m.Agency.active))
             for name in (a.name, a.short_name) if name and len(name) >= 3]
    out: dict[int, str | None] = {}
    for msg in msgs:
        out[msg.id] = _guess(msg, repeated.get(msg.id, []), earlier_agency, names)
    return out


def _guess(msg: m.Message, repeated: list[RepeatedFile], earlier_agency: Mapping[int, str],
           names: list[tuple[str, str]]) -> str | None:
    if msg.agency is not None:
        return msg.agency.code
    for r in repeated:
        if r.earlier_message_id in earlier_agency:
            return earlier_agency[r.earlier_message_id]
    text = " ".join((msg.from_display or "", msg.subject or "", (msg.body_text or "")[:2000]))
    best: tuple[int, str] | None = None
    for name, code in names:
        if name in text and (best is None or len(name) > best[0]):
            best = (len(name), code)
    return best[1] if best else None


def _quarantined(s: Session, message_row_id: int) -> m.Message:
    msg = s.get(m.Message, message_row_id)
    if msg is None or msg.status != MessageStatus.quarantined:
        raise FilingError(ErrorCode.invalid_request, f"第 {message_row_id} 号邮件不在隔离区")
    return msg


def release(app: App, message_row_id: int, agency_code: str, actor: str, *, mode: ReleaseMode,
            send_receipt: bool) -> Released:
    """File a quarantined message for the agency; `mode` says whether its sender is registered from now on."""
    with app.uow() as uow:
        s = uow.session
        msg = _quarantined(s, message_row_id)
        agency = s.scalar(select(m.Agency).where(m.Agency.code == agency_code))
        if agency is None:
            raise FilingError(ErrorCode.not_found, f"没有代码为 {agency_code} 的单位")
        if not msg.from_address and (mode == ReleaseMode.register or send_receipt):
            raise FilingError(ErrorCode.no_sender, "该邮件没有唯一的发件地址，只能“仅放行本封”且不发回执")
        if mode == ReleaseMode.register and s.scalar(
                select(m.AgencyAddress).where(m.AgencyAddress.address == msg.from_address)) is None:
            s.add(m.AgencyAddress(agency_id=agency.id, address=msg.from_address))
            audit(s, actor, "add_address", "agency", agency.id, None, {"address": msg.from_address})
        repeated = tuple(repeated_files(s, msg))
        audit(s, actor, "release", "message", msg.id, {"status": msg.status},
              {"agency": agency_code, "mode": str(mode), "receipt": send_receipt,
               "repeated_attachments": [r.attachment_id for r in repeated]})
        msg.release_mode, msg.no_receipt, msg.agency_id = str(mode), not send_receipt, agency.id
        msg.error_code = msg.error = None
        msg.attempts = 0
        filable = [a for a in msg.attachments if a.status != AttachmentStatus.error or a.error_code == REPEATED]
        repeated_ids = {r.attachment_id for r in repeated}
        if filable and all(a.id in repeated_ids for a in filable):
            # Everything here was filed already: a second copy would double the documents and the receipt.
            msg.duplicate_of_id = repeated[0].earlier_message_id
            msg.status, msg.state = MessageStatus.duplicate, MessageState.done
            uow.commit()
            return Released(MessageStatus.duplicate, repeated, None, msg.duplicate_of_id)
        for a in msg.attachments:
            if a.id in repeated_ids:
                earlier = next(r for r in repeated if r.attachment_id == a.id)
                a.status, a.error_code = AttachmentStatus.error, REPEATED
                a.error = f"与第 {earlier.earlier_message_id} 号邮件中的文件相同，未重复登记"
        if mode == ReleaseMode.register:
            msg.sender_status = SenderStatus.registered
        # The attachments were stored at quarantine: filing starts after the sender check a person just made.
        msg.status, msg.state = MessageStatus.pending, MessageState.parsed
        receipt_to = msg.from_address if send_receipt else None
        uow.commit()
    return Released(process(app, message_row_id), repeated, receipt_to, None)


def discard(app: App, message_row_id: int, actor: str) -> None:
    """Hide a quarantined message. Nothing is deleted; `undo_discard` brings it back for DISCARD_UNDO_DAYS."""
    with app.uow() as uow:
        msg = _quarantined(uow.session, message_row_id)
        audit(uow.session, actor, "discard", "message", msg.id, {"status": msg.status}, {"status": "discarded"})
        msg.status, msg.discarded_at = MessageStatus.discarded, utcnow()
        uow.commit()


def undo_window_start(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=DISCARD_UNDO_DAYS)


def undo_discard(app: App, message_row_id: int, actor: str) -> None:
    with app.uow() as uow:
        msg = uow.session.get(m.Message, message_row_id)
        if msg is None or msg.status != MessageStatus.discarded or msg.discarded_at is None:
            raise FilingError(ErrorCode.invalid_request, f"第 {message_row_id} 号邮件不是已丢弃的邮件")
        if msg.discarded_at < undo_window_start():
            raise FilingError(ErrorCode.invalid_request, f"丢弃已超过 {DISCARD_UNDO_DAYS} 天，不能撤销")
        audit(uow.session, actor, "undo_discard", "message", msg.id, {"status": msg.status},
              {"status": "quarantined"})
        msg.status, msg.discarded_at = MessageStatus.quarantined, None
        uow.commit()


def discarded_messages(s: Session) -> list[m.Message]:
    """Messages discarded within the undo window, newest first."""
    return list(s.scalars(
        select(m.Message).where(m.Message.status == MessageStatus.discarded,
                                m.Message.discarded_at >= undo_window_start())
        .order_by(m.Message.discarded_at.desc(), m.Message.id.desc()).limit(500)))


def queue_reply(app: App, message_row_id: int, body: str, actor: str) -> m.OutboxMessage:
    """A staff answer to a received message, sent through the outbox in the message's thread."""
    text = body.strip()
    if not text:
        raise FilingError(ErrorCode.invalid_request, "答复内容不能为空")
    ns = notify_settings(app.settings)
    with app.uow() as uow:
        s = uow.session
        msg = s.get(m.Message, message_row_id)
        if msg is None:
            raise FilingError(ErrorCode.not_found, f"没有第 {message_row_id} 号邮件")
        if not msg.from_address:
            raise FilingError(ErrorCode.no_sender, "该邮件没有可答复的发件地址")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
        key = f"reply:{msg.id}:{digest}"
        references = [*(str(r) for r in msg.references or []), *([msg.message_id] if msg.message_id else [])]
        row, created = enqueue(s, NewEmail(
            idempotency_key=key,
            kind=OutboxKind.reply,
            to_addr=msg.from_address,
            subject=reply_subject(msg.subject or "", "答复"),
            header_message_id=stable_message_id("reply", key, ns.receipt_domain),
            body_text=f"{text}\n\n{ns.signature}\n",
            in_reply_to=msg.message_id,
            references=tuple(dict.fromkeys(r for r in references[-10:] if r)),
            message_row_id=msg.id,
        ))
        if created:
            audit(s, actor, "reply", "message", msg.id, None, {"outbox": row.idempotency_key, "to": msg.from_address})
        uow.commit()
        s.refresh(row)
        s.expunge(row)
        return row
