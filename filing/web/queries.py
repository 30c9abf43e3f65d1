"""Read-only queries that build the web view-models. Decisions go through cases.review / filing.service."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from cases.checks import check_views
from cases.facts import FACT_LABELS, fact_of, head_role
from cases.facts import display as fact_display
from cases.review import DEFAULT_THRESHOLD, case_number_doubt, pending_ids, pending_items, suggestions_for
from filing.bootstrap import App
from filing.service import missing_for_case, missing_for_cases
from filing.web.views import (
    AgencyRow,
    AttachmentView,
    CandidateRow,
    CaseDetail,
    CaseRow,
    FactRow,
    FilingRecord,
    ItemDetail,
    PageView,
    ProblemRow,
    QuarantineRow,
    QueueRow,
    SiblingDoc,
    TimelineEvent,
    TimelineKind,
    UnreadableRow,
    text_of,
)
from store import models as m
from terms.labels import CAUSE_LABELS, DECISION_DOC_LABELS, OUTCOME_LABELS, actor_label
from terms.labels import formal_doc_label as doc_label
from terms.status import ACCEPTED_MATCHES, DocType, FactCheckStatus, MessageStatus, Outcome, PageQuality

FIELD_LABELS = {
    "case_number": "案号",
    "court": "法院",
    "plaintiffs": "原告",
    "third_parties": "第三人",
    "cause": "案由",
    "cause_category": "案由类别",
    "hearing_at": "开庭时间",
    "hearing_place": "开庭地点",
    "head_present": "负责人出庭",
    "head_principal": "正职出庭",
    "head_name": "出庭负责人",
    "head_title": "出庭负责人职务",
    "notice_date": "应诉通知日期",
    "outcome": "裁判结果",
    "decision_type": "裁判文书",
    "decision_date": "裁判日期",
    "disposition": "裁判主文",
    "appeal_of_id": "一审案件",
    "agency_id": "被诉单位",
    "doc_date": "落款日期",
    "defendants": "被告",
    "first_instance_case": "一审案号",
    "defendant": "被告",
    "cited_case_numbers": "引用案号",
    "absence_reason": "未出庭原因",
}
AUDIT_LABELS = {
    "confirm": "人工确认归档",
    "reassign": "改归本案",
    "create_case": "由文书新建案件",
    "confirm_new_case": "归入新建案件",
    "change_type": "修改文书类型",
    "split": "拆分文书",
    "merge": "合并文书",
    "not_litigation": "标记为非诉讼材料",
    "correct_fact": "更正案件事实",
    "confirm_fact": "核实确认案件事实",
    "add_case": "人工新增案件",
    "merge_cases": "合并案件",
    "set_rectification": "布置整改",
    "rectification_report_received": "收到整改报告",
    "confirm_rectification": "确认整改完成",
    "reopen_rectification": "重新打开整改",
    "open_compliance": "裁判生效，开始跟踪履行",
    "set_compliance": "设定履行事项",
    "record_compliance": "记录履行完毕",
    "void_compliance": "裁判不再跟踪履行",
    "reopen_compliance": "恢复跟踪履行",
}
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Statutory: the defense is due 15 days after the notice to respond is served (行政诉讼法 第六十七条).
DEFENSE_DAYS = 15

MissingFn = Callable[[Session, m.Case, date], list[str]]
ROWS_CHUNK = 500  # cases per documents query of `case_rows` (SQLite's bound-parameter limit)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _agency_name(a: m.Agency | None) -> str | None:
    return (a.short_name or a.name) if a else None


QUEUE_PAGE = 100


def queue_rows(s: Session, page: int = 1, threshold: float = DEFAULT_THRESHOLD) -> list[QueueRow]:
    """One page of the queue (QUEUE_PAGE items, oldest first)."""
    rows = []
    for item in pending_items(s, offset=(max(page, 1) - 1) * QUEUE_PAGE, limit=QUEUE_PAGE, threshold=threshold):
        top = item.candidates[0] if item.candidates else None
        rows.append(QueueRow(
            document_id=item.document_id, doc_type=item.doc_type, filename=item.filename, subject=item.subject,
            agency=item.agency, received_at=item.received_at, status=item.status,
            suggestion=top.case_number if top else None, score=top.score if top else 0.0,
            confident=item.default_case_id is not None,
            unreadable_pages=item.unreadable_pages,
        ))
    return rows


def item_detail(s: Session, document_id: int, threshold: float = DEFAULT_THRESHOLD) -> ItemDetail | None:
    doc = s.get(m.Document, document_id)
    if doc is None:
        return None
    att, msg = doc.attachment, doc.attachment.message
    queue = pending_ids(s)
    pos = queue.index(doc.id) if doc.id in queue else -1
    pages = tuple(
        PageView(p.id, p.number, p.text, p.source, p.confidence, p.rotation, p.preview_sha256 is not None,
                 p.quality, p.quality_evidence)
        for p in att.pages if doc.first_page <= p.number <= doc.last_page
    )
    sug = suggestions_for(s, doc, threshold)
    cands = []
    for rank, x in enumerate(sug.items, start=1):
        case = s.get(m.Case, x.case_id)
        if case is None:
            continue
        cands.append(CandidateRow(
            case_id=case.id, case_number=case.case_number, agency=_agency_name(case.agency),
            plaintiffs=text_of(case.plaintiffs), cause=case.cause, score=x.score,
            evidence=x.reasons, rank=rank,
        ))
    doubt = case_number_doubt(doc)
    fields = tuple((field_label(k), value_text(k, v)) for k, v in (doc.fields or {}).items() if v not in (None, "", []))
    return ItemDetail(
        document_id=doc.id, doc_type=doc.doc_type, type_confidence=doc.type_confidence, title=doc.title,
        case_number=doc.case_number, status=doc.match_status, first_page=doc.first_page, last_page=doc.last_page,
        fields=fields, evidence=tuple(str(e) for e in doc.evidence or ()), pages=pages, candidates=tuple(cands),
        siblings=tuple(SiblingDoc(d.id, d.doc_type, d.first_page, d.last_page, d.match_status)
                       for d in att.documents if d.id != doc.id),
        message_id=msg.id, attachment_id=att.id, filename=att.filename, subject=msg.subject,
        from_address=msg.from_address, from_display=msg.from_display, agency=_agency_name(msg.agency),
        body_text=msg.body_text, received_at=msg.received_at,
        attachments=_attachments(msg),
        current_case=(doc.case.id, doc.case.case_number or f"案件 #{doc.case.id}") if doc.case else None,
        position=pos + 1, queue_size=len(queue),
        next_id=queue[pos + 1] if 0 <= pos < len(queue) - 1 else None,
        prev_id=queue[pos - 1] if pos > 0 else None,
        default_case_id=sug.default_case_id, question=sug.question, tie_rule=sug.tie_rule,
        prefill_number=doc.case_number if doubt is None else None, number_doubt=doubt,
    )


def next_pending_after(s: Session, document_id: int, before: list[int]) -> int | None:
    """The item to open after deciding `document_id`: the one that followed it, else the oldest."""
    queue = pending_ids(s)
    if not queue:
        return None
    if document_id in before:
        for later in before[before.index(document_id) + 1 :]:
            if later in queue:
                return later
    return queue[0]


def _filed_types(s: Session, case_id: int) -> list[str]:
    """The types of the case's filed documents (one per document)."""
    return list(s.scalars(
        select(m.Document.doc_type).where(m.Document.case_id == case_id,
                                          m.Document.match_status.in_(ACCEPTED_MATCHES))
        .order_by(m.Document.id)
    ))


def next_deadline(case: m.Case, doc_types: Sequence[str], today: date) -> str | None:
    """The next date someone must act on: the hearing, or the defense due after the notice."""
    if case.hearing_at is not None:
        hearing = case.hearing_at  # a local wall time, as the court wrote it
        if hearing.date() >= today:
            return f"开庭 {hearing.strftime('%Y-%m-%d %H:%M')}"
    types = set(doc_types)
    if case.notice_date is not None and DocType.defense not in types and case.outcome == Outcome.pending:
        due = case.notice_date + timedelta(days=DEFENSE_DAYS)
        return f"答辩期满 {due.isoformat()}" + ("（已过）" if due < today else "")
    return None


def case_row(s: Session, case: m.Case, today: date, missing: MissingFn | None) -> CaseRow:
    return _case_row(case, _filed_types(s, case.id), today,
                     missing(s, case, today) if missing is not None else None)


def _case_row(case: m.Case, doc_types: Sequence[str], today: date, missing: list[str] | None) -> CaseRow:
    return CaseRow(
        id=case.id, case_number=case.case_number, agency=_agency_name(case.agency),
        plaintiffs=text_of(case.plaintiffs), cause=case.cause, outcome=case.outcome,
        missing=tuple(doc_label(t) for t in missing) if missing is not None else None,
        next_deadline=next_deadline(case, doc_types, today), documents=len(doc_types),
    )


def case_rows(s: Session, cases: Sequence[m.Case], today: date, missing: MissingFn | None) -> list[CaseRow]:
    """`case_row` for a list page or a download: the filed documents and missing lists of all its cases
    at once (the documents a chunk of cases per query; the missing lists in one call, which reads the
    review queue once: once per chunk grew with chunks x waiting documents)."""
    if not cases:
        return []
    # The filed documents' types only: a row counts them and looks for a defense.
    docs: dict[int, list[str]] = {}
    for i in range(0, len(cases), ROWS_CHUNK):
        for case_id, doc_type in s.execute(
            select(m.Document.case_id, m.Document.doc_type)
            .where(m.Document.case_id.in_([c.id for c in cases[i : i + ROWS_CHUNK]]),
                   m.Document.match_status.in_(ACCEPTED_MATCHES))
            .order_by(m.Document.id)
        ):
            if case_id is not None:
                docs.setdefault(case_id, []).append(doc_type)
    many = getattr(missing, "many", None)
    if many is not None:
        found: Mapping[int, list[str]] = many(s, cases, today)
        return [_case_row(c, docs.get(c.id, []), today, found[c.id]) for c in cases]
    return [_case_row(c, docs.get(c.id, []), today, missing(s, c, today) if missing is not None else None)
            for c in cases]


def search_case_rows(s: Session, query: str, today: date, missing: MissingFn | None,
                     search: Callable[[Session, str], list[m.Case]]) -> list[CaseRow]:
    return case_rows(s, search(s, query), today, missing)


def _doc_title(d: m.Document) -> str:
    return f"{doc_label(d.doc_type)}（第{d.first_page}–{d.last_page}页）"


def case_detail(s: Session, case_id: int, today: date, missing: MissingFn | None) -> CaseDetail | None:
    case = s.get(m.Case, case_id)
    if case is None:
        return None
    row = case_row(s, case, today, missing)
    docs = list(s.scalars(select(m.Document).where(m.Document.case_id == case.id).order_by(m.Document.id)))
    by_msg: dict[int, list[m.Document]] = {}
    for d in docs:
        by_msg.setdefault(d.attachment.message_id, []).append(d)
    events: list[TimelineEvent] = []
    for mid, mdocs in by_msg.items():
        msg = mdocs[0].attachment.message
        events.append(TimelineEvent(
            at=msg.received_at, kind=TimelineKind.received, title=f"收到邮件：{msg.subject or '（无主题）'}",
            detail=f"{msg.from_display} <{msg.from_address or '?'}>", status=msg.status, message_id=mid,
            documents=tuple((d.id, _doc_title(d), d.match_status) for d in mdocs),
        ))
    conds = [m.OutboxMessage.case_id == case.id]
    if by_msg:
        conds.append(m.OutboxMessage.message_row_id.in_(list(by_msg)))
    for o in s.scalars(select(m.OutboxMessage).where(or_(*conds)).order_by(m.OutboxMessage.id)):
        events.append(TimelineEvent(
            at=o.sent_at or o.created_at, kind=TimelineKind.outbox, title=o.subject, detail=f"发往 {o.to_addr}",
            status=o.status, message_id=None, documents=(),
        ))
    doc_ids = [d.id for d in docs]
    audit_conds = [(m.AuditEntry.object_type == "case") & (m.AuditEntry.object_id == case.id)]
    if doc_ids:
        audit_conds.append((m.AuditEntry.object_type == "document") & (m.AuditEntry.object_id.in_(doc_ids)))
    for a in s.scalars(select(m.AuditEntry).where(or_(*audit_conds)).order_by(m.AuditEntry.id)):
        label = AUDIT_LABELS.get(a.action, a.action)
        target = f"文书 {a.object_id}" if a.object_type == "document" else "本案"
        events.append(TimelineEvent(
            at=a.at, kind=TimelineKind.audit, title=f"{label}（{target}）", detail=f"操作人 {actor_label(a.actor)}",
            status=a.action,
            message_id=None, documents=(),
        ))
    events.sort(key=lambda e: _utc(e.at))
    facts = []
    doc_by_id = {d.id: d for d in docs}
    for f in s.scalars(select(m.CaseFact).where(m.CaseFact.case_id == case.id).order_by(m.CaseFact.at, m.CaseFact.id)):
        src = doc_by_id.get(f.document_id) if f.document_id else None
        if src is None and f.document_id is not None:
            src = s.get(m.Document, f.document_id)
        facts.append(FactRow(
            field=f.field, label=field_label(f.field), value=_fact_text(s, f.field, f.value),
            previous=_fact_text(s, f.field, f.previous), document_id=f.document_id,
            document_label=_doc_title(src) if src else ("人工" if f.actor != "system" else "—"),
            message_id=src.attachment.message_id if src else None, actor=f.actor, at=f.at,
            reason=f.reason or "",
        ))
    appeals = tuple((c.id, c.case_number or f"#{c.id}")
                    for c in s.scalars(select(m.Case).where(m.Case.appeal_of_id == case.id)))
    head = None
    if case.head_present is not None:
        head = ("负责人出庭" if case.head_present else "负责人未出庭") + (
            f"：{case.head_name or ''} {case.head_title or ''}".rstrip() if case.head_present else "")
    return CaseDetail(
        row=row, court=case.court, case_type=case.case_type, agency_id=case.agency_id,
        third_parties=text_of(case.third_parties), hearing_at=case.hearing_at, hearing_place=case.hearing_place,
        notice_date=case.notice_date, decision=case.decision_type, decision_date=case.decision_date,
        disposition=case.disposition,
        appeal_of=(case.appeal_of.id, case.appeal_of.case_number or "") if case.appeal_of else None,
        appeals=appeals, head=head, timeline=tuple(events), facts=tuple(facts),
        checks=tuple(check_views(s, list(s.scalars(select(m.FactCheck).where(
            m.FactCheck.case_id == case.id, m.FactCheck.status == FactCheckStatus.open).order_by(m.FactCheck.id))))),
        current=current_values(case),
        human=tuple(sorted({fact_of(a) for a in (case.human_fields or [])})),
    )


def current_values(case: m.Case) -> tuple[tuple[str, str, str], ...]:
    """Each correctable fact with its current value as a person would type it."""
    values: dict[str, object] = {
        "court": case.court, "agency": case.agency.name if case.agency else None,
        "plaintiffs": case.plaintiffs, "cause": case.cause, "notice_date": case.notice_date,
        "hearing_at": case.hearing_at, "head_present": case.head_present,
        "head_role": head_role(case.head_present, case.head_principal), "head_name": case.head_name,
        "head_title": case.head_title, "decision_type": case.decision_type, "decision_date": case.decision_date,
        "outcome": case.outcome, "appeal_of": case.appeal_of.case_number if case.appeal_of else None,
    }
    return tuple((f, FACT_LABELS[f], "" if values[f] in (None, [], "") else fact_display(f, values[f]))
                 for f in FACT_LABELS)


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def value_text(field: str, value: object) -> str:
    if field == "cause_category" and isinstance(value, str):
        return CAUSE_LABELS.get(value, value)
    if field == "outcome" and isinstance(value, str):
        return OUTCOME_LABELS.get(value, value)
    if field == "decision_type" and isinstance(value, str):
        return DECISION_DOC_LABELS.get(value, value)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return value[:16].replace("T", " ")
    return text_of(value)


def _fact_text(s: Session, field: str, value: object) -> str:
    if field == "agency_id" and isinstance(value, int):
        a = s.get(m.Agency, value)
        return a.name if a else str(value)
    if field == "appeal_of_id" and isinstance(value, int):
        c = s.get(m.Case, value)
        return (c.case_number or str(value)) if c else str(value)
    return value_text(field, value)


def agency_rows(s: Session) -> list[AgencyRow]:
    case_counts = {a: n for a, n in s.execute(select(m.Case.agency_id, func.count()).group_by(m.Case.agency_id))}
    msg_counts = {a: n for a, n in s.execute(select(m.Message.agency_id, func.count()).group_by(m.Message.agency_id))}
    return [
        AgencyRow(a.id, a.code, a.name, a.short_name, a.active, tuple(x.address for x in a.addresses),
                  case_counts.get(a.id, 0), msg_counts.get(a.id, 0))
        for a in s.scalars(select(m.Agency).order_by(m.Agency.code))
    ]


LIST_LIMIT = 100  # rows a list page shows: the newest; the page says how many there are in all


def filing_record(s: Session, agency_id: int, limit: int = LIST_LIMIT) -> list[FilingRecord]:
    out = []
    for msg in s.scalars(select(m.Message).where(m.Message.agency_id == agency_id)
                         .order_by(m.Message.received_at.desc(), m.Message.id.desc()).limit(limit)
                         .options(selectinload(m.Message.attachments).selectinload(m.Attachment.documents))):
        out.append(FilingRecord(msg.id, msg.received_at, msg.subject, msg.status,
                                tuple(doc_label(d.doc_type) for a in msg.attachments for d in a.documents)))
    return out


def agency_cases(s: Session, agency_id: int, today: date, missing: MissingFn | None,
                 limit: int = LIST_LIMIT) -> list[CaseRow]:
    cases = s.scalars(select(m.Case).where(m.Case.agency_id == agency_id).order_by(m.Case.id.desc())
                      .limit(limit).options(joinedload(m.Case.agency))).all()
    return case_rows(s, cases, today, missing)


def _attachments(msg: m.Message) -> tuple[AttachmentView, ...]:
    return tuple(AttachmentView(a.id, a.filename, a.content_type, a.size, a.status, a.error,
                                 a.error_code) for a in msg.attachments)


QUARANTINE_PAGE = 100


def quarantine_count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(m.Message)
                    .where(m.Message.status == MessageStatus.quarantined)) or 0


def quarantine_messages(s: Session, page: int = 1, per_page: int = QUARANTINE_PAGE) -> list[m.Message]:
    """One page of the quarantined messages, oldest first, with their attachments and claimed agency."""
    return list(s.scalars(
        select(m.Message).where(m.Message.status == MessageStatus.quarantined)
        .order_by(m.Message.received_at, m.Message.id).offset((max(page, 1) - 1) * per_page).limit(per_page)
        .options(selectinload(m.Message.attachments), joinedload(m.Message.agency))))


def quarantine_rows(s: Session, page: int = 1, msgs: Sequence[m.Message] | None = None) -> list[QuarantineRow]:
    out = []
    for msg in quarantine_messages(s, page) if msgs is None else msgs:
        out.append(QuarantineRow(
            message_id=msg.id, received_at=msg.received_at, from_address=msg.from_address,
            from_display=msg.from_display, subject=msg.subject, sender_status=msg.sender_status,
            evidence=tuple(str(e) for e in msg.sender_evidence or ()),
            claimed_agency=_agency_name(msg.agency), body_text=msg.body_text, attachments=_attachments(msg),
        ))
    return out


def problem_rows(s: Session) -> list[ProblemRow]:
    """Messages that failed in the pipeline or carried nothing to file, newest first."""
    out = []
    problems = (MessageStatus.failed, MessageStatus.no_attachments, MessageStatus.incomplete)
    for msg in s.scalars(select(m.Message).where(m.Message.status.in_(problems))
                         .order_by(m.Message.received_at.desc(), m.Message.id.desc()).limit(200)
                         .options(selectinload(m.Message.attachments))):
        out.append(ProblemRow(msg.id, msg.received_at, msg.from_address, msg.subject, msg.status, msg.error_code,
                              msg.error, _attachments(msg), msg.body_text))
    return out


def unreadable_rows(s: Session, limit: int = 200) -> list[UnreadableRow]:
    """Files with pages OCR could not read, newest first."""
    atts = list(s.scalars(
        select(m.Attachment).where(m.Attachment.id.in_(
            select(m.Page.attachment_id).where(m.Page.quality == PageQuality.unreadable)))
        .join(m.Message, m.Attachment.message_id == m.Message.id)
        .order_by(m.Message.received_at.desc(), m.Attachment.id.desc()).limit(limit)
        .options(selectinload(m.Attachment.message))))
    # The unreadable pages' numbers and evidence only: not every page's text.
    pages: dict[int, list[tuple[int, str]]] = {}
    if atts:
        for att_id, number, evidence in s.execute(
            select(m.Page.attachment_id, m.Page.number, m.Page.quality_evidence)
            .where(m.Page.attachment_id.in_([a.id for a in atts]), m.Page.quality == PageQuality.unreadable)
            .order_by(m.Page.number, m.Page.id)
        ):
            pages.setdefault(att_id, []).append((number, evidence or ""))
    out = []
    for a in atts:
        msg = a.message
        out.append(UnreadableRow(msg.id, msg.received_at, msg.from_address, msg.subject, a.id, a.filename,
                                 tuple(pages.get(a.id, ()))))
    return out


def message_attachments(s: Session, message_id: int) -> tuple[AttachmentView, ...]:
    msg = s.get(m.Message, message_id)
    return _attachments(msg) if msg else ()


def today_local(app: App) -> date:
    return app.settings.today()



@dataclass(frozen=True)
class _AppMissing:
    """The missing-document rules as the CLI export applies them: per case, or for a list at once."""

    app: App

    def __call__(self, s: Session, case: m.Case, day: date) -> list[str]:
        return list(missing_for_case(self.app, s, case, day))

    def many(self, s: Session, cases: Sequence[m.Case], day: date) -> Mapping[int, list[str]]:
        return missing_for_cases(self.app, s, cases, day)


def missing_fn(app: App) -> MissingFn | None:
    """The missing-document rules as the CLI export applies them."""
    return _AppMissing(app)
