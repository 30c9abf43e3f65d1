"""What staff see of the follow-up of lost cases (rectification, compliance): plain rows for the CLI and the web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store import models as m
from terms.labels import COMPLIANCE_STATUS_LABELS, RECTIFICATION_STATUS_LABELS
from terms.status import ComplianceStatus, Outcome


@dataclass(frozen=True)
class RectificationView:
    case_id: int
    case_number: str | None
    agency: str | None
    lost: bool
    status: str | None  # None: nothing asked yet
    requirement: str
    due_date: date | None
    report_document_id: int | None
    received_at: datetime | None
    done_on: date | None
    note: str | None

    @property
    def status_label(self) -> str:
        return RECTIFICATION_STATUS_LABELS.get(self.status, self.status) if self.status else "未布置整改"


@dataclass(frozen=True)
class ComplianceView:
    case_id: int
    case_number: str | None
    agency: str | None
    effective_on: date
    basis: str
    order_text: str
    due_date: date | None
    due_basis: str | None
    status: str
    done_on: date | None
    note: str | None
    overdue_days: int  # days past the due date as of the day asked (0: not overdue)
    human_fields: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return COMPLIANCE_STATUS_LABELS.get(self.status, self.status)


def _rect_view(case: m.Case, r: m.Rectification | None) -> RectificationView:
    return RectificationView(
        case.id, case.case_number, case.agency.name if case.agency else None, case.outcome == Outcome.agency_lost,
        r.status if r else None, r.requirement if r else "", r.due_date if r else None,
        r.report_document_id if r else None, r.received_at if r else None, r.done_on if r else None,
        r.note if r else None,
    )


def rectification_views(s: Session) -> list[RectificationView]:
    """Every lost case (with its rectification, or none asked yet) and every other case with one."""
    rows = s.execute(
        select(m.Case, m.Rectification)
        .outerjoin(m.Rectification, m.Rectification.case_id == m.Case.id)
        .where(or_(m.Case.outcome == Outcome.agency_lost, m.Rectification.id.is_not(None)))
        .order_by(m.Case.id)
    ).all()
    return [_rect_view(c, r) for c, r in rows]


def rectification_view(s: Session, case: m.Case) -> RectificationView:
    r = s.scalar(select(m.Rectification).where(m.Rectification.case_id == case.id))
    return _rect_view(case, r)


def _comp_view(case: m.Case, c: m.Compliance, as_of: date) -> ComplianceView:
    overdue = 0
    if c.status == ComplianceStatus.open and c.due_date is not None and as_of > c.due_date:
        overdue = (as_of - c.due_date).days
    return ComplianceView(case.id, case.case_number, case.agency.name if case.agency else None, c.effective_on,
                          c.basis, c.order_text, c.due_date, c.due_basis, c.status, c.done_on, c.note, overdue,
                          tuple(c.human_fields or ()))


def compliance_views(s: Session, as_of: date) -> list[ComplianceView]:
    rows = s.execute(select(m.Case, m.Compliance).join(m.Compliance, m.Compliance.case_id == m.Case.id)
                     .order_by(m.Compliance.due_date, m.Case.id)).all()
    return [_comp_view(case, c, as_of) for case, c in rows]


def compliance_view(s: Session, case: m.Case, as_of: date) -> ComplianceView | None:
    c = s.scalar(select(m.Compliance).where(m.Compliance.case_id == case.id))
    return _comp_view(case, c, as_of) if c is not None else None
