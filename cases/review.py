"""The review queue as a service API: every decision is audited and re-runs what depends on it.

Functions take a Session and the acting user; the caller commits (one transaction per decision,
so the audit row and the change land together).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, inspect, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from cases.checks import sync_case_checks
from cases.filing import apply_document_facts, get_or_create_case, unreadable_pages
from cases.suggest import Stored, Suggestions, number_doubt
from cases.suggest_store import Preloaded, filed_siblings, filed_traces, ranking, stored_candidates
from extract.types import DocType
from extract.understanding.casenumber import parse_case_number
from store import models as m
from store.clock import utcnow
from terms.errors import ErrorCode, FilingError
from terms.status import (
    ACCEPTED_MATCHES,
    FILED_STATUSES,
    REMINDER_KINDS,
    REVIEW_MATCHES,
    MatchStatus,
    OutboxStatus,
    Outcome,
)


@dataclass(frozen=True)
class CandidateView:
    case_id: int | None
    case_number: str | None
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ReviewItem:
    document_id: int
    message_row_id: int
    attachment_id: int
    filename: str
    doc_type: str
    type_confidence: float
    pages: tuple[int, int]
    case_number: str | None
    status: str
    received_at: datetime
    subject: str
    agency: str | None
    candidates: tuple[CandidateView, ...]  # the reviewer's ranking (cases.suggest), not the matcher's
    default_case_id: int | None = None  # what Enter files to; None: a question for the reviewer
    question: str | None = None
    unreadable_pages: tuple[int, ...] = ()  # pages of the document OCR could not read

    @property
    def age_hours(self) -> float:
        return (utcnow() - self.received_at).total_seconds() / 3600


# A review item offers a default (Enter) only when its top suggestion reaches this (Settings.matching).
DEFAULT_THRESHOLD = 0.5


def suggestions_for(s: Session, doc: m.Document, threshold: float = DEFAULT_THRESHOLD,
                    preloaded: Preloaded | None = None) -> Suggestions:
    """The reviewer's ranked cases for a document: stored candidates plus cases its siblings were filed to.
    `preloaded`: what `preload_suggestions` read for a list of documents (else it is read here)."""
    return ranking(s, doc, stored_candidates(doc), threshold, preloaded=preloaded)


def preload_suggestions(s: Session, docs: Sequence[m.Document]) -> Preloaded:
    """Read what `suggestions_for` needs for many documents at once, so a list costs the same few
    queries however long it is: their files' pages (set on the attachments), their messages' documents,
    the cases their candidates and siblings name, with their first instances, and those cases' traces."""
    if not docs:
        return Preloaded({}, {})
    # Files whose pages a caller already holds (maybe changed, not flushed) keep them.
    atts = {d.attachment_id: d.attachment for d in docs if "pages" in inspect(d.attachment).unloaded}
    pages: dict[int, list[m.Page]] = {a: [] for a in atts}
    for i in range(0, len(atts), BATCH):
        chunk = list(atts)[i : i + BATCH]
        for p in s.scalars(select(m.Page).where(m.Page.attachment_id.in_(chunk)).order_by(m.Page.number)):
            pages[p.attachment_id].append(p)
    for a_id, att in atts.items():
        set_committed_value(att, "pages", pages[a_id])
    msgs = [x for x in {d.attachment.message_id: d.attachment.message for d in docs}.values()
            if "attachments" in inspect(x).unloaded]
    for i in range(0, len(msgs), BATCH):
        # Loads the messages' attachments and their documents into the identity map (siblings).
        s.scalars(select(m.Message).where(m.Message.id.in_([x.id for x in msgs[i : i + BATCH]]))
                  .options(selectinload(m.Message.attachments).selectinload(m.Attachment.documents))).all()
    ids = sorted({c.case_id for d in docs for c in d.candidates if c.case_id is not None}
                 | {x for d in docs for x in filed_siblings(d)})
    cases: dict[int, m.Case] = {}
    traces = {}
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        cases.update((c.id, c) for c in s.scalars(select(m.Case).where(m.Case.id.in_(chunk))
                                                  .options(selectinload(m.Case.appeal_of))))
        traces.update(filed_traces(s, set(chunk)))
    return Preloaded(cases, traces)


BATCH = 500


def case_number_doubt(doc: m.Document) -> str | None:
    """Why the document's number is not prefilled into the new-case form (None: it was read confidently)."""
    pages = tuple((p.source, p.confidence) for p in doc.attachment.pages
                  if doc.first_page <= p.number <= doc.last_page)
    stored = tuple(Stored(c.case_id, c.score, tuple(str(e) for e in c.evidence or ())) for c in doc.candidates
                   if c.case_id is not None)
    return number_doubt(doc.case_number, tuple(str(e) for e in doc.evidence or ()), pages, stored)


def _item(s: Session, doc: m.Document, threshold: float = DEFAULT_THRESHOLD,
          preloaded: Preloaded | None = None) -> ReviewItem:
    msg = doc.attachment.message
    sug = suggestions_for(s, doc, threshold, preloaded)
    cases: Mapping[int, m.Case]
    if preloaded is not None:
        cases = preloaded.cases
    else:
        cases = {c.id: c for c in s.scalars(select(m.Case).where(m.Case.id.in_([x.case_id for x in sug.items])))}
    return ReviewItem(
        document_id=doc.id,
        message_row_id=msg.id,
        attachment_id=doc.attachment_id,
        filename=doc.attachment.filename,
        doc_type=doc.doc_type,
        type_confidence=doc.type_confidence,
        pages=(doc.first_page, doc.last_page),
        case_number=doc.case_number,
        status=doc.match_status,
        received_at=msg.received_at,
        subject=msg.subject,
        agency=msg.agency.name if msg.agency else None,
        candidates=tuple(
            CandidateView(x.case_id, cases[x.case_id].case_number, x.score, x.reasons) for x in sug.items
        ),
        default_case_id=sug.default_case_id,
        question=sug.question,
        unreadable_pages=tuple(unreadable_pages(doc)),
    )


def _pending() -> Select[m.Document]:
    return (
        select(m.Document)
        .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
        .join(m.Message, m.Attachment.message_id == m.Message.id)
        .where(m.Document.match_status.in_(REVIEW_MATCHES), m.Message.status.in_(FILED_STATUSES))
        .order_by(m.Message.received_at, m.Document.id)
    )


def pending_items(s: Session, offset: int = 0, limit: int | None = None,
                  threshold: float = DEFAULT_THRESHOLD) -> list[ReviewItem]:
    """Documents waiting for a person, oldest message first, with their ranked suggestions;
    `limit` of them from `offset`."""
    stmt = _pending().options(
        selectinload(m.Document.attachment).selectinload(m.Attachment.message).joinedload(m.Message.agency),
        selectinload(m.Document.candidates).joinedload(m.MatchCandidate.case),
    )
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    docs = s.scalars(stmt).all()
    preloaded = preload_suggestions(s, docs)
    return [_item(s, d, threshold, preloaded) for d in docs]


def pending_ids(s: Session) -> list[int]:
    """The queue's document ids in order, without loading the documents."""
    return list(s.scalars(_pending().with_only_columns(m.Document.id)).all())


def pending_count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(_pending().order_by(None).subquery())) or 0


def get_item(s: Session, document_id: int, threshold: float = DEFAULT_THRESHOLD) -> ReviewItem:
    return _item(s, _doc(s, document_id), threshold)


def _doc(s: Session, document_id: int) -> m.Document:
    doc = s.get(m.Document, document_id)
    if doc is None:
        raise FilingError(ErrorCode.not_found, f"没有编号为 {document_id} 的文书")
    return doc


def _case(s: Session, case_id: int) -> m.Case:
    case = s.get(m.Case, case_id)
    if case is None:
        raise FilingError(ErrorCode.not_found, f"没有编号为 {case_id} 的案件")
    return case


def _state(doc: m.Document) -> dict[str, Any]:
    return {
        "doc_type": doc.doc_type,
        "case_id": doc.case_id,
        "match_status": doc.match_status,
        "pages": [doc.first_page, doc.last_page],
    }


def audit(
    s: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any,
    after: Any,
    note: str | None = None,
) -> None:
    s.add(
        m.AuditEntry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            note=note,
        )
    )


def refresh_case(s: Session, case: m.Case) -> None:
    """Rebuild a case's facts from its filed documents, oldest first (a decision changed them)."""
    s.flush()
    docs = s.scalars(
        select(m.Document)
        .where(m.Document.case_id == case.id, m.Document.match_status.in_(ACCEPTED_MATCHES))
        .order_by(m.Document.id)
    ).all()
    for doc in docs:
        apply_document_facts(s, case, doc, doc.attachment.message)
    _cancel_stale_reminders(s, case)
    sync_case_checks(s, [case])


def _cancel_stale_reminders(s: Session, case: m.Case) -> None:
    # Reminders not yet sent are recomputed by the next sweep; queued ones may no longer apply.
    for row in s.scalars(
        select(m.OutboxMessage).where(
            m.OutboxMessage.case_id == case.id,
            m.OutboxMessage.status == OutboxStatus.queued,
            m.OutboxMessage.kind.in_(REMINDER_KINDS),
        )
    ):
        row.status = OutboxStatus.cancelled
        row.last_error = "cancelled by a review decision; the next sweep recomputes reminders"


def _file_to(s: Session, doc: m.Document, case: m.Case, actor: str, action: str) -> None:
    before = _state(doc)
    old_case = doc.case
    doc.case_id, doc.case = case.id, case
    doc.match_status = MatchStatus.confirmed
    doc.match_confidence = 1.0
    audit(s, actor, action, "document", doc.id, before, _state(doc))
    refresh_case(s, case)
    if old_case is not None and old_case.id != case.id:
        refresh_case(s, old_case)


def confirm(s: Session, document_id: int, actor: str, case_id: int | None = None,
            threshold: float = DEFAULT_THRESHOLD) -> None:
    """Accept the given case, or the suggested one when it is confident."""
    doc = _doc(s, document_id)
    # Without a chosen case only a confident default is accepted: a doubtful top candidate is a question.
    target = case_id or doc.case_id or suggestions_for(s, doc, threshold).default_case_id
    if target is None:
        raise FilingError(ErrorCode.invalid_request, "没有足够可信的建议案件：请选择一个案件，或新建案件")
    _file_to(s, doc, _case(s, target), actor, "confirm")


def reassign(s: Session, document_id: int, case_id: int, actor: str) -> None:
    _file_to(s, _doc(s, document_id), _case(s, case_id), actor, "reassign")


def create_case(s: Session, document_id: int, actor: str, case_number: str | None = None) -> m.Case:
    doc = _doc(s, document_id)
    number = case_number or doc.case_number
    if number:
        parsed = parse_case_number(number)
        if parsed is None:
            raise FilingError(ErrorCode.invalid_request, f"不是有效的案号：{number}")
        number = str(parsed)
        if s.scalar(select(m.Case.id).where(m.Case.case_number == number)) is not None:
            raise FilingError(ErrorCode.invalid_request, f"案件 {number} 已存在：请改为归入该案件")
        case, _new = get_or_create_case(s, number, doc, doc.attachment.message)
    else:
        case = m.Case(
            agency_id=doc.attachment.message.agency_id, plaintiffs=[], third_parties=[], outcome=Outcome.pending
        )
        s.add(case)
        s.flush()
    audit(s, actor, "create_case", "case", case.id, None, {"case_number": number, "from_document": doc.id})
    _file_to(s, doc, case, actor, "confirm_new_case")
    return case


def change_type(s: Session, document_id: int, doc_type: str, actor: str) -> None:
    doc = _doc(s, document_id)
    try:
        new = DocType(doc_type).value
    except ValueError:
        known = "、".join(t.value for t in DocType)
        raise FilingError(ErrorCode.invalid_request, f"没有文书类型 “{doc_type}”，可选：{known}") from None
    before = _state(doc)
    doc.doc_type = new
    doc.type_confidence = 1.0
    audit(s, actor, "change_type", "document", doc.id, before, _state(doc))
    if doc.case is not None:
        refresh_case(s, doc.case)


def split_document(s: Session, document_id: int, at_page: int, actor: str) -> m.Document:
    """Split before `at_page`; the new second part goes to review with the same candidates."""
    doc = _doc(s, document_id)
    if not doc.first_page < at_page <= doc.last_page:
        raise FilingError(ErrorCode.invalid_request,
                          f"第 {at_page} 页不在本文书的第 {doc.first_page}-{doc.last_page} 页之内")
    before = _state(doc)
    second = m.Document(
        attachment_id=doc.attachment_id,
        first_page=at_page,
        last_page=doc.last_page,
        doc_type=doc.doc_type,
        type_confidence=0.0,
        title=None,
        case_number=None,
        fields={},
        evidence=[f"split from document {doc.id}"],
        case_id=None,
        match_status=MatchStatus.review,
        match_confidence=0.0,
    )
    doc.last_page = at_page - 1
    s.add(second)
    s.flush()
    for c in doc.candidates:
        second.candidates.append(m.MatchCandidate(case_id=c.case_id, rank=c.rank, score=c.score, evidence=c.evidence))
    audit(s, actor, "split", "document", doc.id, before, {**_state(doc), "new_document": second.id})
    return second


def merge_documents(s: Session, document_id: int, other_id: int, actor: str) -> None:
    """Merge the adjacent `other` into `document` (same file)."""
    doc, other = _doc(s, document_id), _doc(s, other_id)
    if doc.attachment_id != other.attachment_id:
        raise FilingError(ErrorCode.invalid_request, "只能合并同一文件中的文书")
    before = {"document": _state(doc), "other": _state(other)}
    doc.first_page = min(doc.first_page, other.first_page)
    doc.last_page = max(doc.last_page, other.last_page)
    old_case = other.case
    s.delete(other)
    audit(s, actor, "merge", "document", doc.id, before, _state(doc))
    if old_case is not None:
        refresh_case(s, old_case)


def mark_not_litigation(s: Session, document_id: int, actor: str) -> None:
    doc = _doc(s, document_id)
    before = _state(doc)
    old_case = doc.case
    doc.case_id, doc.case = None, None
    doc.match_status = MatchStatus.not_litigation
    audit(s, actor, "not_litigation", "document", doc.id, before, _state(doc))
    if old_case is not None:
        refresh_case(s, old_case)


def search_cases(s: Session, query: str, limit: int = 50) -> list[m.Case]:
    q = (query or "").strip()
    stmt = select(m.Case).order_by(m.Case.id.desc()).limit(limit)
    if q:
        parsed = parse_case_number(q)
        # The query's own % and _ are letters to find, not wildcards.
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds: list[ColumnElement[bool]] = [
            m.Case.case_number.like(like, escape="\\"),
            m.Case.cause.like(like, escape="\\"),
            m.Case.court.like(like, escape="\\"),
        ]
        if parsed is not None:
            conds.append(m.Case.case_number == str(parsed))
        agency_ids = select(m.Agency.id).where(or_(m.Agency.name.like(like, escape="\\"),
                                                   m.Agency.short_name.like(like, escape="\\")))
        conds.append(m.Case.agency_id.in_(agency_ids))
        cases = list(s.scalars(stmt.where(or_(*conds))).all())
        if len(cases) < limit:
            cases += _plaintiff_matches(s, q, {c.id for c in cases}, limit - len(cases))
        return cases[:limit]
    return list(s.scalars(stmt).all())


def _like_text(text: str) -> str:
    return "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def _plaintiff_matches(s: Session, q: str, seen: set[int], limit: int) -> list[m.Case]:
    """Cases (newest first) with a plaintiff whose name contains `q`.

    Plaintiffs are a JSON list: the database narrows by the list's text (as stored, with or without
    \\u escapes), Python checks each name, so SQLite and PostgreSQL answer alike."""
    stored = cast(m.Case.plaintiffs, String)
    narrowed = or_(stored.like(_like_text(q), escape="!"), stored.like(_like_text(json.dumps(q)[1:-1]), escape="!"))
    stmt = select(m.Case).where(narrowed).order_by(m.Case.id.desc())
    if seen:
        stmt = stmt.where(m.Case.id.not_in(seen))
    out: list[m.Case] = []
    result = s.scalars(stmt.execution_options(yield_per=200))
    try:
        for c in result:
            if any(q in p for p in (c.plaintiffs or [])):
                out.append(c)
                if len(out) >= limit:
                    break
    finally:
        result.close()
    return out
