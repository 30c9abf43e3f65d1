"""Claiming pending pipeline work so that any number of processes share it and no step runs twice.

A claim is a lease on one message row: `claimed_by` names the claim (a fresh token
each time), `claim_until` is when others may take it over. A released message may
keep a future `claim_until` with no holder: the earliest time a failed step is retried. On PostgreSQL the claim
query uses `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on
or take the same row; on SQLite `BEGIN IMMEDIATE` serialises claimers instead.

A step's own transaction is *fenced*: just before it commits, the fence locks the
message row, checks the claim is still ours and writes a `StepRun` row in the same
transaction. A worker that lost its lease (stalled past `claim_until`, or abandoned
at shutdown) therefore cannot commit, and UNIQUE(message, step, attempt) on
`step_runs` makes a second commit of one step impossible even then.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from store import models as m
from store.clock import utcnow
from store.uow import UnitOfWork
from terms.errors import ErrorCode
from terms.status import PENDING_STATES, MessageState, MessageStatus, StepOutcome


class ClaimLost(Exception):
    """Our lease on a message ended before the step committed; its work is discarded."""


@dataclass(frozen=True)
class Claim:
    message_id: int
    token: str
    state: str
    attempts: int


def new_token(worker: str) -> str:
    return f"{worker}/{uuid.uuid4().hex[:10]}"


def claim_next(
    factory: sessionmaker[Session], worker: str, lease: timedelta, max_attempts: int, now: datetime | None = None
) -> Claim | None:
    """Take the oldest pending message nobody holds a live claim on, or None.

    A message whose claim *expired* was being worked on by a process that died (a clean
    stop releases its claims): that counts as a failed attempt, so a message that kills
    every worker that touches it is parked after `max_attempts` instead of crash-looping.
    """
    while True:
        now = now or utcnow()
        with UnitOfWork(factory) as uow:
            s = uow.session
            msg = s.scalar(
                select(m.Message)
                .where(
                    m.Message.state.in_(PENDING_STATES),
                    or_(m.Message.claim_until.is_(None), m.Message.claim_until < now),
                )
                .order_by(m.Message.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if msg is None:
                return None
            if msg.claimed_by is not None:
                _count_lost_claim(s, msg, max_attempts, now)
                if msg.state == MessageState.parked:
                    uow.commit()
                    continue
            token = new_token(worker)
            msg.claimed_by, msg.claim_until = token, now + lease
            claim = Claim(msg.id, token, msg.state, msg.attempts)
            uow.commit()
            return claim


def _count_lost_claim(s: Session, msg: m.Message, max_attempts: int, now: datetime) -> None:
    holder = msg.claimed_by or "?"
    s.add(m.StepRun(message_id=msg.id, step=msg.state, attempt=msg.attempts, outcome=StepOutcome.lost,
                    to_state=msg.state, worker=holder.rsplit("/", 1)[0], started_at=msg.claim_until or now,
                    seconds=0.0))
    msg.attempts += 1
    msg.error_code = str(ErrorCode.internal)
    msg.error = (f"the process {holder} stopped during step '{msg.state}' without finishing or releasing it "
                 "(killed, out of memory or power loss); see its log")
    if msg.attempts >= max_attempts:
        msg.state, msg.status = MessageState.parked, MessageStatus.failed
    msg.claimed_by, msg.claim_until = None, None


def extend(factory: sessionmaker[Session], claim: Claim, lease: timedelta) -> bool:
    """Push our lease forward; False when it is no longer ours."""
    with UnitOfWork(factory) as uow:
        res = uow.session.execute(
            update(m.Message)
            .where(m.Message.id == claim.message_id, m.Message.claimed_by == claim.token)
            .values(claim_until=utcnow() + lease)
        )
        uow.commit()
        return bool(res.rowcount)  # type: ignore[attr-defined]


def release(
    factory: sessionmaker[Session], claim: Claim, note: str | None = None, retry_after: timedelta | None = None
) -> bool:
    """Give the message back (after its last step, after a failed step with `retry_after`, or abandoning
    a step at shutdown with `note`). False if the claim was no longer ours."""
    with UnitOfWork(factory) as uow:
        s = uow.session
        res = s.execute(
            update(m.Message)
            .where(m.Message.id == claim.message_id, m.Message.claimed_by == claim.token)
            .values(claimed_by=None, claim_until=utcnow() + retry_after if retry_after else None)
        )
        if note and res.rowcount:  # type: ignore[attr-defined]
            s.add(m.AuditEntry(actor=claim.token, action="step_abandoned", object_type="message",
                               object_id=claim.message_id, note=note))
        uow.commit()
        return bool(res.rowcount)  # type: ignore[attr-defined]


def expire_claims(factory: sessionmaker[Session]) -> int:
    """Let every live claim expire now. Only for SQLite at start-up: one process uses that database,
    so any claim found belongs to a process that died; expiring it counts the lost attempt."""
    with UnitOfWork(factory) as uow:
        res = uow.session.execute(
            update(m.Message)
            .where(m.Message.claimed_by.is_not(None), m.Message.state.in_(PENDING_STATES))
            .values(claim_until=utcnow() - timedelta(seconds=1))
        )
        uow.commit()
        return int(res.rowcount)  # type: ignore[attr-defined]


def fenced_session_factory(
    base: sessionmaker[Session], current: Callable[[], StepFence | None]
) -> sessionmaker[Session]:
    """A session factory like `base` whose every commit first passes `current()`'s fence.

    Made once per worker and pointed at each claim's fence in turn: a factory per claim would
    leave a little event-registry state behind for every message a long-running worker handles.
    """
    fenced: sessionmaker[Session] = sessionmaker(**base.kw)

    def check(session: Session, *_: Any) -> None:
        fence = current()
        if fence is None:
            raise ClaimLost("a pipeline commit outside any claimed step was refused")
        fence.before_commit(session)

    event.listen(fenced, "before_commit", check)
    return fenced


@dataclass
class StepFence:
    """Guards the commits of one claimed message's steps and records each step that commits."""

    claim: Claim
    worker: str
    step: str = ""
    attempt: int = 0
    started_at: datetime = field(default_factory=utcnow)
    started: float = 0.0
    runs: list[tuple[str, str, str]] = field(default_factory=list)  # (step, outcome, to_state) committed

    def begin(self, step: str, attempts: int) -> None:
        self.step, self.attempt = step, attempts
        self.started_at, self.started = utcnow(), time.monotonic()

    def session_factory(self, base: sessionmaker[Session]) -> sessionmaker[Session]:
        """A session factory like `base` whose sessions check this fence before every commit."""
        return fenced_session_factory(base, lambda: self)

    def before_commit(self, session: Session) -> None:
        session.flush()
        row = session.execute(
            select(m.Message.state, m.Message.attempts, m.Message.claimed_by)
            .where(m.Message.id == self.claim.message_id)
            .with_for_update()
        ).one()
        if row.claimed_by != self.claim.token:
            raise ClaimLost(f"message {self.claim.message_id}: claim {self.claim.token} lost during step "
                            f"'{self.step}' (now held by {row.claimed_by or 'nobody'}); discarding this step's work")
        if not self.step or (row.state == self.step and row.attempts == self.attempt):
            return  # a commit that did not finish the step
        outcome = StepOutcome.ok if row.attempts == self.attempt else StepOutcome.failed
        session.add(m.StepRun(message_id=self.claim.message_id, step=self.step, attempt=self.attempt, outcome=outcome,
                              to_state=row.state, worker=self.worker, started_at=self.started_at,
                              seconds=round(time.monotonic() - self.started, 3)))
        self.runs.append((self.step, outcome, row.state))
        self.step = ""  # one record per step run
