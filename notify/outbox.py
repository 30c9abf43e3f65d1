"""The outbox: every email is a row first, then sent by a loop that never sends a row twice.

States: queued → sending (a lease) → sent | queued (retry) | dead | uncertain; cancelled by staff.

Policy ("at most once per row, at least once unless a human decides"):
1. Claim: a conditional UPDATE queued→sending, attempts+1, lease expiry in `next_attempt_at`,
   committed *before* any byte goes to the server — the attempt is on record.
2. Send with the row's fixed Message-ID.
3. Accepted (250) → sent. 4xx or a connection lost before the end of data → queued again with
   exponential backoff and jitter (dead after `max_attempts`). 5xx → dead. No reply after the
   end of data → uncertain.
4. A row still 'sending' after its lease expired means a sender died between claim and mark:
   the server may or may not have the message, so it becomes 'uncertain' and is listed in the
   staff digest. Only a person requeues it (`requeue`). This trades a possible missing email
   (visible, flagged) for never a silent second copy.
Server unreachable (connect/login) → the row goes back without an attempt counted and the batch
stops: an hour-long outage just delays everything, then each row goes out once.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from notify.render import OutgoingEmail, build_message, message_bytes, stable_message_id
from notify.smtp import (
    SmtpError,
    SmtpMailer,
    SmtpPermanentError,
    SmtpSettings,
    SmtpTransientError,
    SmtpUnavailableError,
    SmtpUncertainError,
)
from store.clock import utcnow
from store.models import OutboxMessage
from terms.status import OutboxStatus

log = logging.getLogger(__name__)

QUEUED, SENDING, SENT, UNCERTAIN, DEAD, CANCELLED = (
    OutboxStatus.queued,
    OutboxStatus.sending,
    OutboxStatus.sent,
    OutboxStatus.uncertain,
    OutboxStatus.dead,
    OutboxStatus.cancelled,
)


@dataclass(frozen=True)
class NewEmail:
    """An email to enqueue, fully rendered."""

    idempotency_key: str
    kind: str
    to_addr: str
    subject: str
    header_message_id: str
    body_text: str
    body_html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    message_row_id: int | None = None
    case_id: int | None = None
    due_date: date | None = None


def new_row(email: NewEmail) -> OutboxMessage:
    """The row `enqueue` would insert, not yet in the session (`enqueue_rows` inserts many at once)."""
    return OutboxMessage(
        idempotency_key=email.idempotency_key,
        kind=email.kind,
        to_addr=email.to_addr,
        subject=email.subject,
        header_message_id=email.header_message_id,
        in_reply_to=email.in_reply_to,
        references=list(email.references),
        body_text=email.body_text,
        body_html=email.body_html,
        case_numbers=list(email.case_numbers),
        message_row_id=email.message_row_id,
        case_id=email.case_id,
        due_date=email.due_date,
        status=QUEUED,
        attempts=0,
    )


def _distinct_message_id(row: OutboxMessage) -> str:
    # Same Message-ID, different key (e.g. an agency resent a message with the same ID):
    # derive a distinct but still stable ID from the key.
    domain = row.header_message_id.strip("<>").rpartition("@")[2] or "localhost"
    return stable_message_id(row.kind.replace("_", "-"), row.idempotency_key, domain)


def enqueue(session: Session, email: NewEmail) -> tuple[OutboxMessage, bool]:
    """Insert the row unless its idempotency key exists; returns (row, created). Does not commit.

    The caller commits in the same transaction as the event that caused the email.
    """
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == email.idempotency_key))
    if existing is not None:
        return existing, False
    row = new_row(email)
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.header_message_id == row.header_message_id)) \
            is not None:
        row.header_message_id = _distinct_message_id(row)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # A concurrent writer inserted the same key between our check and insert.
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == email.idempotency_key)
        )
        if existing is None:
            raise
        return existing, False
    return row, True


def enqueue_rows(session: Session, rows: Sequence[OutboxMessage]) -> list[bool]:
    """`enqueue` for many rows made by `new_row` (whether each was created), in a few statements for all of
    them rather than five each: one read of the keys and Message-IDs already there, one savepoint, the
    inserts batched. Should a concurrent writer take a key meanwhile, the rows go one savepoint each."""
    if not rows:
        return []
    keys = [r.idempotency_key for r in rows]
    existing: set[str] = set()
    taken: set[str] = set()
    for i in range(0, len(rows), 500):
        existing.update(session.scalars(select(OutboxMessage.idempotency_key)
                                        .where(OutboxMessage.idempotency_key.in_(keys[i : i + 500]))))
        taken.update(session.scalars(select(OutboxMessage.header_message_id).where(
            OutboxMessage.header_message_id.in_([r.header_message_id for r in rows[i : i + 500]]))))
    created: list[bool] = []
    fresh: list[OutboxMessage] = []
    for row in rows:
        if row.idempotency_key in existing:
            created.append(False)
            continue
        if row.header_message_id in taken:
            row.header_message_id = _distinct_message_id(row)
        existing.add(row.idempotency_key)
        taken.add(row.header_message_id)
        fresh.append(row)
        created.append(True)
    try:
        with session.begin_nested():
            session.add_all(fresh)
    except IntegrityError:
        return [_insert_one(session, row) if made else False for row, made in zip(rows, created, strict=True)]
    return created


def _insert_one(session: Session, row: OutboxMessage) -> bool:
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == row.idempotency_key)):
        return False
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


@dataclass
class SendHooks:
    """Named points in the send loop, for fault injection in tests and for metrics."""

    claimed: Callable[[int], None] | None = None  # the attempt is committed, nothing sent yet
    accepted: Callable[[int], None] | None = None  # the server said 250, the row is not yet marked


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    uncertain: int = 0
    expired_leases: int = 0  # rows found 'sending' after a crash, now 'uncertain'
    unavailable: str | None = None  # why the batch stopped early
    errors: list[str] = field(default_factory=list)


def backoff_delay(attempts: int, settings: SmtpSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, capped."""
    raw = min(settings.backoff_cap_s, settings.backoff_base_s * (2 ** max(attempts - 1, 0)))
    return raw / 2 + (rng or random).uniform(0, raw / 2)


def expire_leases(session: Session, now: datetime) -> int:
    """Rows left 'sending' past their lease: a sender died mid-send. Flag, never resend blindly."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at < now)
        .values(
            status=UNCERTAIN,
            next_attempt_at=None,
            last_error="interrupted during sending (lease expired); it may have been delivered — check with the "
            "recipient, then requeue or cancel",
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _claim(session: Session, row_id: int, now: datetime, lease_s: float) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == QUEUED)
        .values(
            status=SENDING,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + timedelta(seconds=lease_s),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _finish(session: Session, row_id: int, from_states: Sequence[str], **values: object) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status.in_(list(from_states)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _outgoing(row: OutboxMessage, settings: SmtpSettings, now: datetime) -> OutgoingEmail:
    return OutgoingEmail(
        from_addr=settings.from_address,
        from_name=settings.from_name,
        to_addr=row.to_addr,
        subject=row.subject,
        message_id=row.header_message_id,
        text=row.body_text,
        html=row.body_html,
        in_reply_to=row.in_reply_to,
        references=tuple(row.references or ()),
        date=now,
    )


def send_pending(
    session_factory: sessionmaker[Session],
    smtp_settings: SmtpSettings,
    now: datetime | None = None,
    *,
    limit: int = 200,
    hooks: SendHooks | None = None,
    rng: random.Random | None = None,
) -> SendReport:
    """Send due queued rows once each; safe to run from several processes at once."""
    now = now or utcnow()
    hooks = hooks or SendHooks()
    report = SendReport()
    with session_factory() as s:
        report.expired_leases = expire_leases(s, now)
        s.commit()
        due_ids = list(
            s.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == QUEUED,
                    (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
    if report.expired_leases:
        log.error("%d outbox rows were interrupted mid-send and are now 'uncertain'", report.expired_leases)
    mailer = SmtpMailer(smtp_settings)
    try:
        for row_id in due_ids:
            if not _send_one(session_factory, mailer, smtp_settings, row_id, now, hooks, report, rng):
                break
    finally:
        mailer.close()
    return report


def _send_one(
    session_factory: sessionmaker[Session],
    mailer: SmtpMailer,
    settings: SmtpSettings,
    row_id: int,
    now: datetime,
    hooks: SendHooks,
    report: SendReport,
    rng: random.Random | None,
) -> bool:
    """Claim, send and mark one row. Returns False when the batch should stop."""
    with session_factory() as s:
        if not _claim(s, row_id, now, settings.lease_s):
            s.rollback()
            return True  # another sender took it
        s.commit()
        row = s.get(OutboxMessage, row_id)
        assert row is not None
        outgoing = _outgoing(row, settings, now)
        attempts = row.attempts
    if hooks.claimed:
        hooks.claimed(row_id)
    try:
        raw = message_bytes(build_message(outgoing))
    except ValueError as e:  # a malformed address or header stored in the row: no retry will fix it
        _mark(session_factory, row_id, status=DEAD, next_attempt_at=None, last_error=f"cannot build message: {e}")
        report.dead += 1
        report.errors.append(f"outbox {row_id}: {e}")
        return True
    try:
        reply = mailer.send(settings.from_address, outgoing.to_addr, raw)
    except SmtpUnavailableError as e:
        # Nothing was transmitted: undo the attempt count and try again on a later run.
        _mark(
            session_factory, row_id, status=QUEUED, attempts=attempts - 1,
            next_attempt_at=now + timedelta(seconds=settings.backoff_base_s), last_error=str(e),
        )
        report.unavailable = str(e)
        report.errors.append(f"outbox {row_id}: {e}")
        return False
    except SmtpUncertainError as e:
        _mark(session_factory, row_id, status=UNCERTAIN, next_attempt_at=None, last_error=str(e))
        report.uncertain += 1
        report.errors.append(f"outbox {row_id}: {e}")
        return True
    except SmtpPermanentError as e:
        _mark(session_factory, row_id, status=DEAD, next_attempt_at=None, last_error=str(e))
        report.dead += 1
        report.errors.append(f"outbox {row_id}: {e}")
        return True
    except SmtpTransientError as e:
        if attempts >= settings.max_attempts:
            _mark(session_factory, row_id, status=DEAD, next_attempt_at=None,
                  last_error=f"gave up after {attempts} attempts: {e}")
            report.dead += 1
        else:
            delay = backoff_delay(attempts, settings, rng)
            _mark(session_factory, row_id, status=QUEUED,
                  next_attempt_at=now + timedelta(seconds=delay), last_error=str(e))
            report.retried += 1
        report.errors.append(f"outbox {row_id}: {e}")
        return True
    except SmtpError as e:  # pragma: no cover - every SmtpError is one of the above
        raise AssertionError(f"unclassified SMTP error: {e}") from e
    if hooks.accepted:
        hooks.accepted(row_id)
    # 'uncertain' too: a slow send may have outlived its lease while another sender expired it.
    with session_factory() as s:
        _finish(s, row_id, (SENDING, UNCERTAIN), status=SENT, sent_at=utcnow(), next_attempt_at=None,
                last_error=None)
        s.commit()
    log.info("outbox %d sent: %s", row_id, reply)
    report.sent += 1
    return True


def _mark(session_factory: sessionmaker[Session], row_id: int, **values: object) -> None:
    with session_factory() as s:
        _finish(s, row_id, (SENDING,), **values)
        s.commit()


def requeue(session: Session, row_id: int) -> bool:
    """Staff decision after checking with the recipient: send an uncertain or dead row again."""
    return _finish(
        session, row_id, (UNCERTAIN, DEAD), status=QUEUED, attempts=0, next_attempt_at=None, last_error=None
    )


def cancel(session: Session, row_id: int) -> bool:
    """Staff decision: never send this row (e.g. the uncertain one did arrive)."""
    return _finish(session, row_id, (QUEUED, UNCERTAIN, DEAD), status=CANCELLED, next_attempt_at=None)
