"""Rectification (整改) of lost cases: staff set what is asked and by when, the agency's report is filed
to the case and marks it received, staff confirm it done. Every change is audited on the case; the
caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.facts import FactValueError
from store import models as m
from terms.errors import ErrorCode, FilingError
from terms.status import DocType, OutboxKind, OutboxStatus, Outcome, RectificationStatus

RECTIFICATION_KINDS = (OutboxKind.reminder_rectification, OutboxKind.reminder_rectification_overdue)


def _case(s: Session, case_id: int) -> m.Case:
    case = s.get(m.Case, case_id)
    if case is None:
        raise FilingError(ErrorCode.not_found, f"案件 {case_id} 不存在")
    return case


def audit(s: Session, actor: str, action: str, case_id: int, before: object, after: object, note: str | None) -> None:
    # cases.review has the same helper; importing it would make a cycle (review -> filing -> here).
    s.add(m.AuditEntry(actor=actor, action=action, object_type="case", object_id=case_id, before=before,
                       after=after, note=note))


def rectification_of(s: Session, case_id: int) -> m.Rectification | None:
    return s.scalar(select(m.Rectification).where(m.Rectification.case_id == case_id))


def state_of(r: m.Rectification | None) -> dict[str, object] | None:
    """The audited state: what the audit log's before/after hold."""
    if r is None:
        return None
    return {"requirement": r.requirement, "due_date": r.due_date.isoformat() if r.due_date else None,
            "status": r.status, "report_document_id": r.report_document_id,
            "done_on": r.done_on.isoformat() if r.done_on else None, "note": r.note}


def cancel_queued(s: Session, case_id: int, kinds: Iterable[str], why: str, keep_due: date | None = None) -> int:
    """Queued (unsent) follow-up reminders of a case that no longer apply; `keep_due`: those for this due date stay."""
    n = 0
    for row in s.scalars(select(m.OutboxMessage).where(
        m.OutboxMessage.case_id == case_id, m.OutboxMessage.status == OutboxStatus.queued,
        m.OutboxMessage.kind.in_([str(k) for k in kinds]),
    )):
        if keep_due is not None and row.due_date == keep_due:
            continue
        row.status = OutboxStatus.cancelled
        row.last_error = why
        n += 1
    return n


def set_rectification(s: Session, case_id: int, requirement: str, due: date | None, actor: str,
                      reason: str = "") -> m.Rectification:
    """Ask the agency of a lost case to rectify `requirement` by `due` (or change what was asked)."""
    case = _case(s, case_id)
    if case.outcome != Outcome.agency_lost:
        raise FactValueError("该案件不是败诉案件，无需布置整改")
    text = requirement.strip()
    if not text:
        raise FactValueError("请填写整改要求")
    if due is None:
        raise FactValueError("请填写整改期限（如 2026-12-31）")
    r = rectification_of(s, case_id)
    before = state_of(r)
    if r is None:
        r = m.Rectification(case_id=case_id, status=RectificationStatus.open)
        s.add(r)
    r.requirement, r.due_date, r.set_by = text, due, actor
    s.flush()
    cancel_queued(s, case_id, RECTIFICATION_KINDS, "整改期限已变更", keep_due=due)
    audit(s, actor, "set_rectification", case_id, {"rectification": before},
          {"rectification": state_of(r)}, reason.strip() or None)
    return r


def note_report(s: Session, case: m.Case, doc: m.Document, received_at: datetime) -> m.Rectification | None:
    """The agency's rectification report was filed to the case: the rectification is received (a report
    arriving before staff set anything starts one, with the requirement left for staff)."""
    if doc.doc_type != DocType.rectification_report:
        return None
    r = rectification_of(s, case.id)
    if r is not None and r.report_document_id == doc.id:
        return r  # re-filing the same document changes nothing
    before = state_of(r)
    if r is None:
        r = m.Rectification(case_id=case.id, requirement="", status=RectificationStatus.received)
        s.add(r)
    elif r.status == RectificationStatus.open:
        r.status = RectificationStatus.received
    r.report_document_id, r.received_at = doc.id, received_at
    s.flush()
    cancel_queued(s, case.id, RECTIFICATION_KINDS, "已收到整改报告")
    audit(s, "system", "rectification_report_received", case.id, {"rectification": before},
          {"rectification": state_of(r)}, f"文书#{doc.id}")
    return r


def confirm_rectification(s: Session, case_id: int, actor: str, done_on: date, note: str = "") -> m.Rectification:
    """Staff confirm the agency rectified (after reading its report, or otherwise learning it)."""
    _case(s, case_id)
    r = rectification_of(s, case_id)
    if r is None:
        raise FactValueError("该案件尚未布置整改")
    if r.status == RectificationStatus.done:
        raise FactValueError("该案件整改已确认完成")
    before = state_of(r)
    r.status, r.done_on, r.note = RectificationStatus.done, done_on, note.strip() or None
    s.flush()
    cancel_queued(s, case_id, RECTIFICATION_KINDS, "整改已确认完成")
    audit(s, actor, "confirm_rectification", case_id, {"rectification": before},
          {"rectification": state_of(r)}, note.strip() or None)
    return r


def reopen_rectification(s: Session, case_id: int, actor: str, reason: str) -> m.Rectification:
    """Staff take back a confirmation of done (it was premature, or the problem came back): the rectification
    waits again, on the agency (no report yet: reminders resume) or on staff (a report is on file)."""
    _case(s, case_id)
    why = reason.strip()
    if not why:
        raise FactValueError("请填写重新打开整改的原因")
    r = rectification_of(s, case_id)
    if r is None:
        raise FactValueError("该案件尚未布置整改")
    if r.status != RectificationStatus.done:
        raise FactValueError("该案件整改尚未确认完成，无需重新打开")
    before = state_of(r)
    r.status = RectificationStatus.received if r.report_document_id is not None else RectificationStatus.open
    r.done_on, r.note = None, None
    s.flush()
    audit(s, actor, "reopen_rectification", case_id, {"rectification": before},
          {"rectification": state_of(r)}, why)
    return r


def open_rectifications(s: Session) -> list[m.Rectification]:
    """Rectifications the agency still owes a report for (the reminder sweep's input)."""
    return list(s.scalars(select(m.Rectification).where(
        m.Rectification.status == RectificationStatus.open, m.Rectification.due_date.is_not(None),
    ).order_by(m.Rectification.id)))
