"""Follow-up reminders: a rectification (整改) or a compliance (履行) due date, to the agency, on working days.

Each matter gets at most two emails per due date: one `followup_lead_workdays` working days before it
(`upcoming`), one once it has passed (`overdue`); the idempotency key is (kind, case, due date), so a
re-run never repeats one and a new due date set by staff is reminded afresh. A matter recorded received
or done gets nothing more (and its queued reminders are cancelled when staff record it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.compliance import open_compliances
from cases.rectification import open_rectifications
from notify.outbox import NewEmail, enqueue
from notify.reminders import SweepReport, _recipient, waiting_by_agency, waiting_index
from notify.render import EmailRenderer, stable_message_id
from notify.settings import NotifySettings
from notify.views import ComplianceReminderView, RectificationReminderView, cn_date
from store.models import Case, OutboxMessage
from terms.followup import followup_reminder
from terms.status import OutboxKind
from terms.workdays import WorkCalendar

log = logging.getLogger(__name__)

KINDS = {
    ("rectification", "upcoming"): OutboxKind.reminder_rectification,
    ("rectification", "overdue"): OutboxKind.reminder_rectification_overdue,
    ("compliance", "upcoming"): OutboxKind.reminder_compliance,
    ("compliance", "overdue"): OutboxKind.reminder_compliance_overdue,
}


@dataclass(frozen=True)
class FollowupDue:
    """A follow-up matter with a due date, as plain data for the pure part."""

    matter: str  # rectification | compliance
    case_id: int
    due: date


def due_followups(items: list[FollowupDue], as_of: date, calendar: WorkCalendar,
                  lead_workdays: int) -> list[tuple[FollowupDue, OutboxKind]]:
    """The reminders due on `as_of` (nothing on a day off). Pure."""
    out = []
    for it in items:
        stage = followup_reminder(it.due, as_of, calendar, lead_workdays)
        if stage is not None:
            out.append((it, KINDS[(it.matter, stage)]))
    return out


def followup_key(kind: str, case_id: int, due: date) -> str:
    return f"{kind}:{case_id}:{due.isoformat()}"


def sweep_followups(session: Session, as_of: date, settings: NotifySettings, report: SweepReport,
                    renderer: EmailRenderer | None = None) -> None:
    """Enqueue every follow-up reminder due on `as_of` not already in the outbox. The caller commits."""
    calendar = settings.work_calendar()
    renderer = renderer or EmailRenderer(settings.templates_dir)
    rects = {r.case_id: r for r in open_rectifications(session)}
    comps = {c.case_id: c for c in open_compliances(session) if c.due_date is not None}
    items = [FollowupDue("rectification", cid, r.due_date) for cid, r in rects.items() if r.due_date] + \
            [FollowupDue("compliance", cid, c.due_date) for cid, c in comps.items() if c.due_date]
    waiting = waiting_index(waiting_by_agency(session, settings)) if rects else {}
    for it, kind in due_followups(items, as_of, calendar, settings.followup_lead_workdays):
        key = followup_key(kind, it.case_id, it.due)
        case = session.get(Case, it.case_id)
        assert case is not None
        if it.matter == "rectification":
            pending = waiting.get(case.agency_id or -1)
            queued = pending.types(case.id, case.case_number, as_of) if pending is not None else {}
            if "rectification_report" in queued:
                # The agency sent a report that waits in our review queue: we owe it a decision, not a reminder.
                report.held.append(f"{case.case_number or case.id}: rectification_report "
                                   f"(document {queued['rectification_report']} waits in review)")
                continue
        report.keys.append(key)
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
            report.already_queued += 1
            continue
        to_addr = _recipient(session, case, settings)
        if not to_addr:
            report.no_address.append(case.case_number or f"case {case.id}")
            log.warning("no address for %s: follow-up reminder %s not queued", case.case_number, key)
            continue
        lh = settings.letterhead()
        agency = case.agency.name if case.agency else "贵单位"
        number = case.case_number or "（案号待核实）"
        overdue = kind in (OutboxKind.reminder_rectification_overdue, OutboxKind.reminder_compliance_overdue)
        days_left = (it.due - as_of).days
        view: RectificationReminderView | ComplianceReminderView
        if it.matter == "rectification":
            r = rects[it.case_id]
            template = "reminder_rectification"
            subject = (f"【整改逾期】{number}案件整改期限已于{cn_date(it.due)}届满，请报送整改报告" if overdue
                       else f"【整改提醒】{number}案件整改报告应于{cn_date(it.due)}前报送")
            view = RectificationReminderView(lh, agency, number, r.requirement, cn_date(it.due), overdue, days_left,
                                             cn_date(as_of))
        else:
            c = comps[it.case_id]
            template = "reminder_compliance"
            subject = (f"【履行逾期】{number}案件生效裁判履行期限已于{cn_date(it.due)}届满" if overdue
                       else f"【履行提醒】{number}案件生效裁判应于{cn_date(it.due)}前履行")
            view = ComplianceReminderView(lh, agency, number, cn_date(c.effective_on), c.basis, c.order_text,
                                          cn_date(it.due), c.due_basis or "", overdue, days_left, cn_date(as_of))
        rendered = renderer.render(template, subject, view)
        _, created = enqueue(session, NewEmail(
            idempotency_key=key, kind=kind, to_addr=to_addr, subject=rendered.subject,
            header_message_id=stable_message_id(kind.replace("_", "-"), key, settings.receipt_domain),
            body_text=rendered.text, body_html=rendered.html,
            case_numbers=(case.case_number,) if case.case_number else (), case_id=case.id, due_date=it.due,
        ))
        if created:
            report.queued[kind] += 1
        else:
            report.already_queued += 1
