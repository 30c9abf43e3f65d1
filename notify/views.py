"""View-models for the email templates: plain frozen dataclasses, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

_WEEKDAYS = "一二三四五六日"


def cn_date(d: date) -> str:
    """2026年3月5日 — the form official letters use."""
    return f"{d.year}年{d.month}月{d.day}日"


def cn_date_weekday(d: date) -> str:
    return f"{cn_date(d)}（星期{_WEEKDAYS[d.weekday()]}）"


def cn_datetime(dt: datetime) -> str:
    """2026年4月17日（星期五）14:30"""
    return f"{cn_date_weekday(dt.date())}{dt.hour:02d}:{dt.minute:02d}"


@dataclass(frozen=True)
class Letterhead:
    """Who writes: the bureau's name and its signature block from config."""

    bureau_name: str
    signature: str
    reply_hint: str = "本邮件由系统自动发送，如有疑问请直接回复本邮件。"


@dataclass(frozen=True)
class LateNote:
    reference_date: str  # already formatted
    due: str
    received: str
    working_days: int
    reference_kind: str  # 应诉通知书落款日期 | 文书落款日期 | 开庭日期


@dataclass(frozen=True)
class ReceiptDocument:
    type_label: str
    title: str | None
    case_number: str | None  # None: not yet matched to a case
    pages: str | None  # 第1—3页
    late: LateNote | None = None


@dataclass(frozen=True)
class ReceiptAttachment:
    filename: str
    documents: tuple[ReceiptDocument, ...]
    problem: str | None = None  # why it could not be read; the agency should resend
    unreadable_pages: str | None = None  # e.g. 第2、3页: pages OCR could not read; the agency should rescan them
    unread_pages: str | None = None  # e.g. 第3、4页: read in part; the agency should resend it whole


@dataclass(frozen=True)
class CaseStatus:
    case_number: str
    received_labels: tuple[str, ...]
    missing_labels: tuple[str, ...]


@dataclass(frozen=True)
class ReceiptView:
    letterhead: Letterhead
    agency_name: str
    received_on: str  # formatted date
    original_subject: str
    attachments: tuple[ReceiptAttachment, ...]
    cases: tuple[CaseStatus, ...]
    late_count: int
    unmatched_count: int
    unreadable_count: int
    as_of: str
    late_after_workdays: int


@dataclass(frozen=True)
class MissingReminderView:
    letterhead: Letterhead
    agency_name: str
    case_number: str
    missing_labels: tuple[str, ...]
    due: str
    basis: str  # why the bureau concludes they are missing, in Chinese
    received_labels: tuple[str, ...]
    as_of: str


@dataclass(frozen=True)
class EscalationView:
    """To bureau staff: an agency did not answer two reminders about the same missing documents."""

    letterhead: Letterhead
    agency_name: str
    case_number: str
    missing_labels: tuple[str, ...]
    due: str
    first_sent: str
    second_sent: str
    as_of: str


@dataclass(frozen=True)
class DefenseDueView:
    letterhead: Letterhead
    agency_name: str
    case_number: str
    court: str
    notice_date: str
    due: str
    days_left: int
    as_of: str


@dataclass(frozen=True)
class AppealWindowView:
    letterhead: Letterhead
    agency_name: str
    case_number: str
    court: str
    decision_label: str  # 判决书 | 裁定书
    decision_date: str
    window_days: int
    due: str
    appeal_court: str
    outcome_label: str
    as_of: str


@dataclass(frozen=True)
class HearingView:
    letterhead: Letterhead
    agency_name: str
    case_number: str
    court: str
    hearing_time: str
    hearing_place: str
    days_left: int
    as_of: str


@dataclass(frozen=True)
class QuarantineItem:
    received_at: str
    from_address: str
    from_display: str
    subject: str
    reason: str


@dataclass(frozen=True)
class OutboxProblem:
    kind: str
    to_addr: str
    subject: str
    status_label: str  # 发送结果不明 | 发送失败
    last_error: str


@dataclass(frozen=True)
class StaleReview:
    """A document waiting in the review queue longer than the bureau allows."""

    document_id: int
    received_on: str
    workdays: int
    sender: str  # the agency's name, else the address
    type_label: str
    filename: str
    subject: str


@dataclass(frozen=True)
class UnplannedHearing:
    """A hearing of the coming working days with no head (负责人) planned to appear (有庭必出)."""

    case_id: int
    case_number: str
    agency: str
    hearing_at: str
    warning: str


@dataclass(frozen=True)
class QuarantineDigestView:
    letterhead: Letterhead
    day: str
    items: tuple[QuarantineItem, ...]
    outbox_problems: tuple[OutboxProblem, ...]
    fact_checks: int = 0  # case facts waiting for a person (fact checks in the review queue)
    stale_reviews: tuple[StaleReview, ...] = ()  # the oldest first, at most STALE_LISTED
    stale_review_total: int = 0
    stale_after_workdays: int = 0
    overdue_rectifications: int = 0
    overdue_compliances: int = 0
    unplanned_hearings: tuple[UnplannedHearing, ...] = ()
    hearing_alert_workdays: int = 0
    followup_url: str = ""  # the web pages the counts point to
    watch_url: str = ""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class RectificationReminderView:
    """To the agency: the rectification staff asked for after a lost case falls due (or is overdue)."""

    letterhead: Letterhead
    agency_name: str
    case_number: str
    requirement: str
    due: str
    overdue: bool
    days_left: int  # calendar days until the due date (negative: days past it)
    as_of: str


@dataclass(frozen=True)
class ComplianceReminderView:
    """To the agency: what an effective judgment or ruling it lost orders falls due (or is overdue)."""

    letterhead: Letterhead
    agency_name: str
    case_number: str
    effective_on: str
    basis: str
    order_text: str
    due: str
    due_basis: str
    overdue: bool
    days_left: int
    as_of: str
