"""Application services that need the whole app (pipeline + store + notify)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.review import audit
from filing.adapters import notify_settings, work_calendar
from filing.bootstrap import App
from filing.pipeline import process
from notify.reminders import load_case_snapshot
from store import models as m
from terms.errors import ErrorCode, FilingError
from terms.rules import compute_missing
from terms.status import MessageStatus


def missing_for_case(app: App, s: Session, case: m.Case, as_of: date) -> list[str]:
    ns = notify_settings(app.settings)
    return compute_missing(load_case_snapshot(s, case, ns), as_of, work_calendar(app.settings), ns.rules)


def missing_for_cases(app: App, s: Session, cases: Sequence[m.Case], as_of: date) -> dict[int, list[str]]:
    """`missing_for_case` for many cases, reading their documents in a few queries."""
    from filing.adapters import notify_settings, work_calendar
    from notify.reminders import load_case_snapshots
    from terms.rules import compute_missing

    ns = notify_settings(app.settings)
    calendar = work_calendar(app.settings)
    snaps = load_case_snapshots(s, cases, ns)
    return {c.id: compute_missing(snaps[c.id], as_of, calendar, ns.rules) for c in cases}


def release_quarantined(app: App, message_row_id: int, agency_code: str, actor: str) -> str:
    """Register the sender's address with the agency, then file the message through the pipeline."""
    with app.uow() as uow:
        s = uow.session
        msg = s.get(m.Message, message_row_id)
        if msg is None or msg.status != MessageStatus.quarantined:
            raise FilingError(ErrorCode.invalid_request, f"第 {message_row_id} 号邮件不在隔离区")
        agency = s.scalar(select(m.Agency).where(m.Agency.code == agency_code))
        if agency is None:
            raise FilingError(ErrorCode.not_found, f"没有代码为 {agency_code} 的单位")
        if not msg.from_address:
            raise FilingError(ErrorCode.no_sender, "the message has no single sender address to register")
        if s.scalar(select(m.AgencyAddress).where(m.AgencyAddress.address == msg.from_address)) is None:
            s.add(m.AgencyAddress(agency_id=agency.id, address=msg.from_address))
            audit(s, actor, "add_address", "agency", agency.id, None, {"address": msg.from_address})
        audit(s, actor, "release", "message", msg.id, {"status": msg.status}, {"agency": agency_code})
        msg.status, msg.state, msg.attempts = "pending", "received", 0
        msg.error_code = msg.error = None
        uow.commit()
    return process(app, message_row_id)


def discard_quarantined(app: App, message_row_id: int, actor: str) -> None:
    with app.uow() as uow:
        msg = uow.session.get(m.Message, message_row_id)
        if msg is None or msg.status != MessageStatus.quarantined:
            raise FilingError(ErrorCode.invalid_request, f"第 {message_row_id} 号邮件不在隔离区")
        audit(uow.session, actor, "discard", "message", msg.id, {"status": msg.status}, {"status": "discarded"})
        # The raw message stays in blob storage: discarding hides it, it never deletes evidence.
        msg.status = MessageStatus.discarded
        uow.commit()
