"""View-models for the web templates: frozen dataclasses, never ORM objects in a template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from terms.status import PageQuality


@dataclass(frozen=True)
class QueueRow:
    document_id: int
    doc_type: str
    filename: str
    subject: str
    agency: str | None
    received_at: datetime
    status: str
    suggestion: str | None
    score: float
    confident: bool = False  # the top suggestion is a default (Enter) on the item page
    unreadable_pages: tuple[int, ...] = ()  # pages OCR could not read: the person looks at the scan


@dataclass(frozen=True)
class PageView:
    id: int
    number: int
    text: str
    source: str
    confidence: float
    rotation: int
    has_preview: bool
    quality: str = PageQuality.ok
    quality_evidence: str | None = None


@dataclass(frozen=True)
class CandidateRow:
    case_id: int
    case_number: str | None
    agency: str | None
    plaintiffs: str
    cause: str | None
    score: float
    evidence: tuple[str, ...]
    rank: int


@dataclass(frozen=True)
class SiblingDoc:
    id: int
    doc_type: str
    first_page: int
    last_page: int
    status: str


@dataclass(frozen=True)
class ItemDetail:
    document_id: int
    doc_type: str
    type_confidence: float
    title: str | None
    case_number: str | None
    status: str
    first_page: int
    last_page: int
    fields: tuple[tuple[str, str], ...]
    evidence: tuple[str, ...]
    pages: tuple[PageView, ...]
    candidates: tuple[CandidateRow, ...]
    siblings: tuple[SiblingDoc, ...]
    message_id: int
    attachment_id: int
    filename: str
    subject: str
    from_address: str | None
    from_display: str
    agency: str | None
    body_text: str
    received_at: datetime
    attachments: tuple[AttachmentView, ...]  # every file of the message, with read errors
    current_case: tuple[int, str] | None  # where the document is filed now
    position: int  # 1-based place in the queue, 0 if no longer pending
    queue_size: int
    next_id: int | None
    prev_id: int | None
    default_case_id: int | None = None  # the case Enter files to; None: the page asks a question
    question: str | None = None
    tie_rule: str = ""
    prefill_number: str | None = None  # the own number, only when read confidently
    number_doubt: str | None = None  # why the own number is not prefilled


@dataclass(frozen=True)
class CaseRow:
    id: int
    case_number: str | None
    agency: str | None
    plaintiffs: str
    cause: str | None
    outcome: str
    missing: tuple[str, ...] | None  # None: the missing-document rules are not available
    next_deadline: str | None
    documents: int


class TimelineKind(StrEnum):
    """What a case timeline entry is; the case page styles and labels each by it (not stored)."""

    received = "received"  # a message of the case arrived
    outbox = "outbox"  # an email the bureau queued or sent
    audit = "audit"  # a person's action on the case or one of its documents


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: TimelineKind
    title: str
    detail: str
    status: str
    message_id: int | None
    documents: tuple[tuple[int, str, str], ...]  # (document id, type, match status)


@dataclass(frozen=True)
class FactRow:
    field: str
    label: str
    value: str
    previous: str
    document_id: int | None
    document_label: str
    message_id: int | None
    actor: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    court: str | None
    case_type: str | None
    agency_id: int | None
    third_parties: str
    hearing_at: datetime | None
    hearing_place: str | None
    notice_date: date | None
    decision: str | None
    decision_date: date | None
    disposition: str | None
    appeal_of: tuple[int, str] | None
    appeals: tuple[tuple[int, str], ...]
    head: str | None
    timeline: tuple[TimelineEvent, ...]
    facts: tuple[FactRow, ...]
    checks: tuple[Any, ...] = ()  # cases.checks.CheckView of its waiting fact checks
    current: tuple[tuple[str, str, str], ...] = ()  # (fact, label, value as typed) for the correction form
    human: tuple[str, ...] = ()  # facts a person set (shown as 人工核实)


@dataclass(frozen=True)
class AgencyRow:
    id: int
    code: str
    name: str
    short_name: str
    active: bool
    addresses: tuple[str, ...]
    cases: int
    messages: int


@dataclass(frozen=True)
class FilingRecord:
    message_id: int
    received_at: datetime
    subject: str
    status: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    content_type: str
    size: int
    status: str
    error: str | None
    error_code: str | None = None


@dataclass(frozen=True)
class ProblemRow:
    """A message the pipeline could not file: staff must see it and the error."""

    message_id: int
    received_at: datetime
    from_address: str | None
    subject: str
    status: str
    error_code: str | None
    error: str | None
    attachments: tuple[AttachmentView, ...]
    body_text: str


@dataclass(frozen=True)
class UnreadableRow:
    """A file with pages OCR could not read: staff look at the scan; the receipt asked for a clearer one."""

    message_id: int
    received_at: datetime
    from_address: str | None
    subject: str
    attachment_id: int
    filename: str
    pages: tuple[tuple[int, str], ...]  # (page number, evidence)


@dataclass(frozen=True)
class QuarantineRow:
    message_id: int
    received_at: datetime
    from_address: str | None
    from_display: str
    subject: str
    sender_status: str | None
    evidence: tuple[str, ...]
    claimed_agency: str | None
    body_text: str
    attachments: tuple[AttachmentView, ...]


def text_of(value: Any) -> str:
    """A stored JSON value as plain text for a table cell."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
