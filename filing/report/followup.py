"""The report's follow-up parts, pure: rectification before a repeated loss (整改), and effective decisions
not performed by their due date (履行逾期) — listed, and charged by the assessment's unperformed rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from filing.report.types import AgencyRef, CaseRef, ComplianceLine, ComplianceSnap, Period, ReportInput
from terms.labels import RECTIFICATION_STATUS_LABELS
from terms.snapshot import CaseSnapshot
from terms.status import ComplianceStatus

UNKNOWN_AGENCY = "未确定单位"


def _day(d: date) -> str:
    return f"{d.year}-{d.month:02d}-{d.day:02d}"


def _earlier_state(prev: CaseSnapshot, decided: date | None) -> tuple[str, bool]:
    """How one earlier loss stood when the later one was decided: (Chinese, rectified before)."""
    name = prev.case_number or f"案件#{prev.case_id}"
    if prev.rectification_status is None:
        return f"{name}未布置整改", False
    if prev.rectified_on is not None and (decided is None or prev.rectified_on <= decided):
        return f"{name}已于{_day(prev.rectified_on)}整改完成", True
    if prev.rectified_on is not None:
        return f"{name}整改于{_day(prev.rectified_on)}完成，晚于本次败诉", False
    label = RECTIFICATION_STATUS_LABELS.get(prev.rectification_status, prev.rectification_status)
    due = f"，期限{_day(prev.rectification_due)}" if prev.rectification_due else ""
    return f"{name}整改未完成（{label}{due}）", False


def rectification_before(group: Sequence[CaseSnapshot]) -> tuple[tuple[str, ...], tuple[bool | None, ...]]:
    """For each loss of a repeated kind (in decision order): were the earlier ones rectified before it?"""
    notes: list[str] = []
    flags: list[bool | None] = []
    for n, case in enumerate(group):
        if n == 0:
            status = case.rectification_status
            notes.append("首次败诉；整改：" + (RECTIFICATION_STATUS_LABELS.get(status, status) if status else "未布置"))
            flags.append(None)
            continue
        states = [_earlier_state(prev, case.decision_date) for prev in group[:n]]
        done = all(ok for _, ok in states)
        notes.append(("此前败诉均已整改：" if done else "此前败诉整改情况：") + "；".join(t for t, _ in states))
        flags.append(done)
    return tuple(notes), tuple(flags)


def _live(c: ComplianceSnap) -> bool:
    return c.status != ComplianceStatus.void and c.due_date is not None


def overdue_compliance(data: ReportInput, period: Period) -> tuple[ComplianceLine, ...]:
    """Compliances past their due date and not performed as of the period's end (or the report day)."""
    cutoff = min(period.end, data.as_of)
    agencies = {a.id: a.display for a in data.agencies}
    out = []
    for c in data.compliances:
        if not _live(c) or c.effective_on > cutoff:
            continue
        assert c.due_date is not None
        performed = c.status == ComplianceStatus.done and c.done_on is not None and c.done_on <= cutoff
        if c.due_date >= cutoff or performed:
            continue
        out.append(ComplianceLine(
            case_id=c.case_id, case_number=c.case_number,
            agency=agencies.get(c.agency_id, UNKNOWN_AGENCY) if c.agency_id is not None else UNKNOWN_AGENCY,
            effective_on=c.effective_on, order_text=c.order_text, due_date=c.due_date,
            days_overdue=(cutoff - c.due_date).days, done_on=c.done_on,
        ))
    return tuple(sorted(out, key=lambda x: (x.agency, x.due_date, x.case_id)))


def unperformed_in(data: ReportInput, period: Period) -> list[tuple[AgencyRef | None, str, CaseRef]]:
    """Decisions not performed by their due date, charged in the period of their first overdue day
    (once, not again each quarter they stay unperformed): (agency, label, case with the reason)."""
    agencies = {a.id: a for a in data.agencies}
    out = []
    for c in data.compliances:
        if not _live(c):
            continue
        assert c.due_date is not None
        overdue_from = c.due_date + timedelta(days=1)
        if not period.contains(overdue_from) or overdue_from > data.as_of:
            continue
        if c.status == ComplianceStatus.done and c.done_on is not None and c.done_on <= c.due_date:
            continue
        ag = agencies.get(c.agency_id) if c.agency_id is not None else None
        late = f"，{_day(c.done_on)}方履行" if c.status == ComplianceStatus.done and c.done_on else ""
        out.append((ag, ag.display if ag else UNKNOWN_AGENCY,
                    CaseRef(c.case_id, c.case_number, f"生效裁判应于{_day(c.due_date)}前履行，逾期未履行{late}")))
    return out

