"""Receipts (回执): a reply to each filed message saying what was received, what is missing, what was late."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from extract.types import PageSource
from notify.outbox import NewEmail, enqueue
from notify.reminders import load_case_snapshot, local_date
from notify.render import EmailRenderer, receipt_message_id, reply_subject, stable_message_id
from notify.settings import NotifySettings
from notify.views import (
    CaseStatus,
    LateNote,
    ReceiptAttachment,
    ReceiptDocument,
    ReceiptView,
    cn_date,
)
from store.models import Attachment, Case, Document, Message, OutboxMessage
from terms.labels import formal_doc_label as doc_label
from terms.rules import DOC_ORDER, assess_lateness, compute_missing
from terms.snapshot import CaseSnapshot, ReceivedDoc
from terms.status import ACCEPTED_MATCHES, READABLE_ATTACHMENTS, AttachmentStatus, OutboxKind, PageQuality

__all__ = ["build_receipt", "queue_receipt", "receipt_message_id"]

RECEIPT_KIND = OutboxKind.receipt
FALLBACK_SUBJECT = "行政应诉材料报送回执"

# What the agency should hear about an attachment we could not read (codes from terms.errors).
ATTACHMENT_PROBLEMS = {
    "empty_file": "文件为空",
    "encrypted_pdf": "文件已加密",
    "corrupt_pdf": "文件已损坏",
    "corrupt_image": "图片已损坏",
    "image_bomb": "图片尺寸异常",
    "corrupt_zip": "压缩包已损坏",
    "corrupt_tnef": "Outlook 附件包（winmail.dat）已损坏",
    "zip_bomb": "压缩包异常（解压后体积过大）",
    "corrupt_docx": "文档已损坏",
    "unknown_type": "文件格式无法识别",
    "too_many_pages": "页数超过处理上限",
    "ocr_failed": "文件内容无法识别",
    "ocr_timeout": "文件内容无法识别",
    "truncated_file": "文件不完整（传输中被截断）",
    "repeated_file": "与此前收到的文件相同，未重复登记",
}

REFERENCE_KINDS = {
    "complaint": "应诉通知书落款日期",
    "notice_to_respond": "应诉通知书落款日期",
    "evidence_notice": "应诉通知书落款日期",
    "appearance_record": "开庭日期",
}


def _pages(doc: Document) -> str | None:
    if doc.first_page <= 0:
        return None
    if doc.last_page <= doc.first_page:
        return f"第{doc.first_page}页"
    return f"第{doc.first_page}—{doc.last_page}页"


def _unreadable_pages(att: Attachment) -> str | None:
    """第2、3页 for the pages OCR could not read (the agency is asked for a clearer scan), else None."""
    numbers = [str(p.number) for p in att.pages if p.quality == PageQuality.unreadable]
    return f"第{'、'.join(numbers)}页" if numbers else None


def _is_container(att: Attachment, attachments: list[Attachment]) -> bool:
    """A ZIP whose members are listed as attachments of their own."""
    return any(other.parent_sha256 == att.sha256 for other in attachments if other is not att)


def _unread_pages(att: Attachment) -> str | None:
    if att.status != AttachmentStatus.partial:
        return None
    numbers = [p.number for p in att.pages if p.source == PageSource.failed]
    if not numbers:
        return None
    return "第" + "、".join(str(n) for n in sorted(numbers)[:20]) + ("等页" if len(numbers) > 20 else "页")


def _matched_case(doc: Document) -> Case | None:
    return doc.case if doc.case is not None and doc.match_status in ACCEPTED_MATCHES else None


def build_receipt(
    session: Session, message: Message, settings: NotifySettings, renderer: EmailRenderer | None = None
) -> tuple[ReceiptView, NewEmail]:
    """The receipt for one filed message, as of the day it was received."""
    calendar = settings.work_calendar()
    received_on = local_date(message.received_at, settings)
    snapshots: dict[int, CaseSnapshot] = {}
    cases: dict[int, Case] = {}
    attachments: list[ReceiptAttachment] = []
    late_count = unmatched = unreadable = 0
    for att in message.attachments:
        if att.status not in READABLE_ATTACHMENTS:
            unreadable += 0 if att.error_code == "repeated_file" else 1
            problem = ATTACHMENT_PROBLEMS.get(att.error_code or "", "无法读取")
            attachments.append(ReceiptAttachment(att.filename, (), problem))
            continue
        if not att.documents and _is_container(att, list(message.attachments)):
            continue
        docs: list[ReceiptDocument] = []
        for doc in att.documents:
            case = _matched_case(doc)
            late = None
            if case is None:
                unmatched += 1
            else:
                cases[case.id] = case
                snap = snapshots.setdefault(case.id, load_case_snapshot(session, case, settings))
                this = next((d for d in snap.documents if d.document_id == doc.id), None)
                if this is not None:
                    lateness = assess_lateness(this, snap, calendar, settings.rules)
                    if lateness is not None and lateness.late:
                        late_count += 1
                        late = LateNote(
                            reference_date=cn_date(lateness.reference_date),
                            due=cn_date(lateness.due),
                            received=cn_date(lateness.received_on),
                            working_days=lateness.working_days,
                            reference_kind=REFERENCE_KINDS.get(doc.doc_type, "文书落款日期"),
                        )
            docs.append(
                ReceiptDocument(
                    type_label=doc_label(doc.doc_type),
                    title=doc.title,
                    case_number=case.case_number if case is not None else None,
                    pages=_pages(doc),
                    late=late,
                )
            )
        unread = _unread_pages(att)
        unreadable += 1 if unread else 0
        attachments.append(ReceiptAttachment(att.filename, tuple(docs), unread_pages=unread,
                                               unreadable_pages=_unreadable_pages(att)))

    statuses = []
    for case_id, case in sorted(cases.items()):
        snap = snapshots[case_id]
        statuses.append(
            CaseStatus(
                case_number=case.case_number or "（案号待核实）",
                received_labels=_labels(snap.received_by(received_on)),
                missing_labels=tuple(
                    doc_label(t) for t in compute_missing(snap, received_on, calendar, settings.rules)
                ),
            )
        )
    agency_name = (message.agency.name if message.agency else None) or message.from_display or "贵单位"
    view = ReceiptView(
        letterhead=settings.letterhead(),
        agency_name=agency_name,
        received_on=cn_date(received_on),
        original_subject=message.subject or "",
        attachments=tuple(attachments),
        cases=tuple(statuses),
        late_count=late_count,
        unmatched_count=unmatched,
        unreadable_count=unreadable,
        as_of=cn_date(received_on),
        late_after_workdays=settings.late_after_workdays,
    )
    subject = reply_subject(message.subject or "", FALLBACK_SUBJECT)
    rendered = (renderer or EmailRenderer(settings.templates_dir)).render(RECEIPT_KIND, subject, view)
    if message.message_id:
        header_id = receipt_message_id(message.message_id, settings.receipt_domain)
        references = [*(message.references or []), message.message_id]
    else:
        header_id = stable_message_id(RECEIPT_KIND, message.raw_sha256, settings.receipt_domain)
        references = list(message.references or [])
    assert message.from_address is not None
    new = NewEmail(
        idempotency_key=f"receipt:{message.raw_sha256}",
        kind=RECEIPT_KIND,
        to_addr=message.from_address,
        subject=rendered.subject,
        header_message_id=header_id,
        body_text=rendered.text,
        body_html=rendered.html,
        in_reply_to=message.message_id,
        references=tuple(dict.fromkeys(str(r) for r in references[-10:] if r)),
        case_numbers=tuple(c.case_number for _, c in sorted(cases.items()) if c.case_number),
        message_row_id=message.id,
        case_id=next(iter(sorted(cases)), None) if len(cases) == 1 else None,
    )
    return view, new


def _labels(docs: tuple[ReceivedDoc, ...]) -> tuple[str, ...]:
    types = {d.doc_type for d in docs}
    return tuple(doc_label(t) for t in DOC_ORDER if t in types)


def queue_receipt(
    session: Session, message_row_id: int, settings: NotifySettings, renderer: EmailRenderer | None = None
) -> OutboxMessage | None:
    """Enqueue the receipt for a filed message (idempotent). None for quarantined/duplicate/unsendable ones.

    Does not commit: call it in the transaction that files the message.
    """
    message = session.get(Message, message_row_id)
    if (message is None or message.status not in settings.receipt_statuses or not message.from_address
            or message.no_receipt):
        return None
    _, new = build_receipt(session, message, settings, renderer)
    row, _ = enqueue(session, new)
    return row


def receipt_as_of(message: Message, settings: NotifySettings) -> date:
    return local_date(message.received_at, settings)
