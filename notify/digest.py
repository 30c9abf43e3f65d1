"""The staff's daily digest: quarantined mail (which got no reply) and outbox rows needing a person."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.plans import current_plans, plan_warning
from notify.outbox import DEAD, UNCERTAIN, NewEmail, enqueue
from notify.render import EmailRenderer, stable_message_id
from notify.settings import NotifySettings
from notify.views import (
    OutboxProblem,
    QuarantineDigestView,
    QuarantineItem,
    StaleReview,
    UnplannedHearing,
    cn_date,
)
from store.models import (
    Attachment,
    Case,
    Compliance,
    Document,
    FactCheck,
    Message,
    OutboxMessage,
    Rectification,
)
from terms.labels import formal_doc_label
from terms.status import (
    READABLE_ATTACHMENTS,
    REVIEW_MATCHES,
    ComplianceStatus,
    FactCheckStatus,
    MessageStatus,
    OutboxKind,
    RectificationStatus,
)

log = logging.getLogger(__name__)

DIGEST_KIND = OutboxKind.digest_quarantine

SENDER_REASONS = {
    "unregistered": "发件人地址未在备案单位名录中登记",
    "spoofed": "发件人身份核验未通过（疑似冒用单位名义）",
    "unauthenticated": "发件人地址已登记，但邮件未通过身份认证",
}


def _reason(msg: Message) -> str:
    if msg.sender_status in SENDER_REASONS:
        return SENDER_REASONS[msg.sender_status]
    return msg.error or msg.error_code or "待人工核查"


STALE_LISTED = 50  # the digest lists this many waiting documents, the oldest first, and counts the rest


def _last_stale_day(day: date, settings: NotifySettings) -> date:
    """The latest arrival day that is `review_alert_after_workdays` working days before `day` or more."""
    calendar = settings.work_calendar()
    d = day
    while calendar.workdays_between(d, day) < settings.review_alert_after_workdays:
        d -= timedelta(days=1)
    return d


def stale_reviews(session: Session, day: date, settings: NotifySettings) -> tuple[tuple[StaleReview, ...], int]:
    """Documents in the review queue that arrived too many working days before `day`: (oldest listed, total).

    Their missing-document reminders are held while they wait, so an idle queue would silence reminders."""
    if settings.review_alert_after_workdays <= 0:
        return (), 0
    tz = settings.tz
    end = datetime.combine(_last_stale_day(day, settings), time.min, tzinfo=tz) + timedelta(days=1)
    waiting = (
        select(Document, Message)
        .join(Attachment, Document.attachment_id == Attachment.id)
        .join(Message, Attachment.message_id == Message.id)
        .where(Document.match_status.in_(REVIEW_MATCHES), Attachment.status.in_(READABLE_ATTACHMENTS),
               Message.status.in_(sorted(settings.receipt_statuses)), Message.received_at < end)
    )
    total = session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    calendar = settings.work_calendar()
    listed = []
    for doc, msg in session.execute(waiting.order_by(Message.received_at, Document.id).limit(STALE_LISTED)):
        received_on = msg.received_at.astimezone(tz).date()
        listed.append(StaleReview(
            document_id=doc.id,
            received_on=cn_date(received_on),
            workdays=calendar.workdays_between(received_on, day),
            sender=(msg.agency.name if msg.agency else None) or msg.from_address or "（无发件人地址）",
            type_label=formal_doc_label(doc.doc_type),
            filename=doc.attachment.filename,
            subject=msg.subject or "",
        ))
    return tuple(listed), total


def overdue_followups(session: Session, day: date) -> tuple[int, int]:
    """(rectifications, compliances) still open whose due date passed before `day`.

    A rectification whose report arrived waits for staff, not the agency: it is not overdue."""
    rect = session.scalar(select(func.count()).select_from(Rectification).where(
        Rectification.status == RectificationStatus.open, Rectification.due_date < day)) or 0
    comp = session.scalar(select(func.count()).select_from(Compliance).where(
        Compliance.status == ComplianceStatus.open, Compliance.due_date < day)) or 0
    return rect, comp


def unplanned_hearings(session: Session, day: date, settings: NotifySettings) -> tuple[UnplannedHearing, ...]:
    """Hearings from `day` through the `head_plan_alert_workdays`-th working day after it that no head is
    planned to attend (the 有庭必出 watch page's warnings), the soonest first."""
    if settings.head_plan_alert_workdays <= 0:
        return ()
    last = settings.work_calendar().add_workdays(day, settings.head_plan_alert_workdays)
    # Hearing times are stored as local wall-clock times (the summons' words), like the watch page reads them.
    cases = list(session.scalars(
        select(Case).where(Case.hearing_at >= datetime.combine(day, time.min),
                           Case.hearing_at < datetime.combine(last + timedelta(days=1), time.min))
        .order_by(Case.hearing_at, Case.id)))
    plans = current_plans(session, cases)
    out = []
    for c in cases:
        warning = plan_warning(plans.get(c.id))
        if warning is None or c.hearing_at is None:
            continue
        agency = c.agency.name if c.agency else "（单位未知）"
        out.append(UnplannedHearing(c.id, c.case_number or "（案号未读出）", agency,
                                    c.hearing_at.strftime("%Y-%m-%d %H:%M"), warning))
    return tuple(out)


def build_digest(session: Session, day: date, settings: NotifySettings) -> QuarantineDigestView:
    """Everything still in quarantine at the end of `day` (local), whenever it arrived.

    Listing what is unresolved rather than what arrived that day means mail quarantined after
    the digest ran, or on a weekend when no digest goes out, is still reported.
    """
    tz = settings.tz
    end = datetime.combine(day, time.min, tzinfo=tz) + timedelta(days=1)
    quarantined = session.scalars(
        select(Message)
        .where(Message.status == MessageStatus.quarantined, Message.received_at < end)
        .order_by(Message.received_at, Message.id)
    ).all()
    items = tuple(
        QuarantineItem(
            received_at=m.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            from_address=m.from_address or "（无发件人地址）",
            from_display=m.from_display or "",
            subject=m.subject or "",
            reason=_reason(m),
        )
        for m in quarantined
    )
    # Unresolved problems are repeated every day until a person requeues or cancels them.
    stale = stale_reviews(session, day, settings)
    overdue = overdue_followups(session, day)
    problems = session.scalars(
        select(OutboxMessage).where(OutboxMessage.status.in_((UNCERTAIN, DEAD))).order_by(OutboxMessage.id)
    ).all()
    return QuarantineDigestView(
        letterhead=settings.letterhead(),
        day=cn_date(day),
        items=items,
        outbox_problems=tuple(
            OutboxProblem(
                kind=p.kind,
                to_addr=p.to_addr,
                subject=p.subject,
                status_label="发送结果不明" if p.status == UNCERTAIN else "发送失败",
                last_error=p.last_error or "",
            )
            for p in problems
            if p.kind != DIGEST_KIND
        ),
        fact_checks=session.scalar(
            select(func.count()).select_from(FactCheck).where(FactCheck.status == FactCheckStatus.open)) or 0,
        stale_reviews=stale[0],
        stale_review_total=stale[1],
        stale_after_workdays=settings.review_alert_after_workdays,
        overdue_rectifications=overdue[0],
        overdue_compliances=overdue[1],
        unplanned_hearings=unplanned_hearings(session, day, settings),
        hearing_alert_workdays=settings.head_plan_alert_workdays,
        followup_url=f"{settings.web_url}/followup",
        watch_url=f"{settings.web_url}/watch",
    )


def queue_quarantine_digest(
    session: Session, day: date, settings: NotifySettings, renderer: EmailRenderer | None = None
) -> list[OutboxMessage]:
    """One digest per staff address for `day` (local date), only when something awaits a person.

    Does not commit.
    """
    view = build_digest(session, day, settings)
    if not (view.items or view.outbox_problems or view.fact_checks or view.stale_review_total
            or view.overdue_rectifications or view.overdue_compliances or view.unplanned_hearings):
        return []
    if not settings.staff_addresses:
        log.warning("quarantine digest for %s not queued: notify.staff_addresses is empty", day)
        return []
    counts = f"待核查隔离来信{len(view.items)}封、待处理外发邮件{len(view.outbox_problems)}封"
    if view.fact_checks:
        counts += f"、待核实案件事实{view.fact_checks}项"
    if view.stale_review_total:
        counts += f"、超期待审核文书{view.stale_review_total}件"
    if view.overdue_rectifications:
        counts += f"、逾期未整改案件{view.overdue_rectifications}件"
    if view.overdue_compliances:
        counts += f"、逾期未履行裁判{view.overdue_compliances}件"
    if view.unplanned_hearings:
        counts += f"、近期开庭未报负责人出庭{len(view.unplanned_hearings)}件"
    subject = f"【备案邮箱日报】{view.day}{counts}"
    rendered = (renderer or EmailRenderer(settings.templates_dir)).render("quarantine_digest", subject, view)
    rows = []
    for addr in settings.staff_addresses:
        key = f"{DIGEST_KIND}:{day.isoformat()}:{addr.lower()}"
        row, _ = enqueue(
            session,
            NewEmail(
                idempotency_key=key,
                kind=DIGEST_KIND,
                to_addr=addr,
                subject=rendered.subject,
                header_message_id=stable_message_id("digest", key, settings.receipt_domain),
                body_text=rendered.text,
                body_html=rendered.html,
                due_date=day,
            ),
        )
        rows.append(row)
    return rows
