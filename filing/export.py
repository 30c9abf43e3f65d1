"""Everything the system decided, as one JSON-ready structure (`filing export --format json`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from cases.checks import open_facts_by_case
from cases.facts import head_role
from cases.review import case_number_doubt, preload_suggestions, suggestions_for
from cases.suggest_store import Preloaded
from store import models as m
from terms.status import ACCEPTED_MATCHES, REVIEW_MATCHES, PageQuality

# (session, cases, as_of) -> {case id: missing document types}
MissingFn = Callable[[Session, Sequence[m.Case], date], Mapping[int, list[str]]]
BATCH = 500  # rows per query: memory stays flat however large the store


def _doc(d: m.Document, cases: Preloaded) -> dict[str, Any]:
    return {
        "id": d.id,
        "type": d.doc_type,
        "title": d.title,
        "pages": [d.first_page, d.last_page],
        "case_number": d.case_number,
        "case_id": d.case_id,
        "match": d.match_status,
        "confidence": round(d.match_confidence if d.case_id else d.type_confidence, 3),
        "type_confidence": round(d.type_confidence, 3),
        "candidates": [{"case_id": c.case_id, "score": c.score, "evidence": c.evidence} for c in d.candidates],
        "fields": d.fields,
        "evidence": d.evidence or [],
        **({"suggestions": _suggestions(d, cases)} if d.match_status in REVIEW_MATCHES else {}),
    }


def _suggestions(d: m.Document, cases: Preloaded) -> list[dict[str, Any]]:
    """The review queue's ranking (what a person sees on top), for `filing eval`."""
    s = Session.object_session(d)
    if s is None:
        return []
    sug = suggestions_for(s, d, preloaded=cases)
    return [
        {"case_id": x.case_id, "score": x.score, "reasons": list(x.reasons),
         "default": x.case_id == sug.default_case_id}
        for x in sug.items
    ]


def _attachment(a: m.Attachment, pages: Mapping[int, int], unreadable: Mapping[int, list[dict[str, Any]]],
                cases: Preloaded) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filename": a.filename,
        "sha256": a.sha256,
        "content_type": a.content_type,
        "size": a.size,
        "status": a.status,
        "error": a.error,
        "error_code": a.error_code,
        "pages_extracted": pages.get(a.id, 0),
        # Pages OCR could not read (every strategy tried): kept apart, never filed as read.
        "pages_unreadable": unreadable.get(a.id, []),
        "documents": [_doc(d, cases) for d in a.documents],
    }
    if a.parent_sha256:
        out["parent"] = a.parent_sha256
    return out


def _message(msg: m.Message, pages: Mapping[int, int], unreadable: Mapping[int, list[dict[str, Any]]],
             cases: Preloaded) -> dict[str, Any]:
    return {
        "id": msg.id,
        "message_id": msg.message_id,
        "raw_sha256": msg.raw_sha256,
        "from": msg.from_address,
        "from_display": msg.from_display,
        "agency": msg.agency.code if msg.agency else None,
        "sender_status": msg.sender_status,
        "sender_evidence": msg.sender_evidence,
        "status": msg.status,
        "state": msg.state,
        "error": msg.error,
        "subject": msg.subject,
        "received_at": msg.received_at.isoformat() if msg.received_at else None,
        "in_reply_to": msg.in_reply_to,
        "attachments": [_attachment(a, pages, unreadable, cases) for a in msg.attachments],
    }


def _case(case: m.Case, doc_types: set[str], missing: list[str], unverified: list[str]) -> dict[str, Any]:
    return {
        "id": case.id,
        "case_number": case.case_number,
        "court": case.court,
        "court_code": case.court_code,
        "case_type": case.case_type,
        "agency": case.agency.code if case.agency else None,
        "plaintiff": "、".join(case.plaintiffs or []) or None,
        "plaintiffs": case.plaintiffs,
        "cause": case.cause,
        "cause_category": case.cause_category,
        "notice_date": case.notice_date.isoformat() if case.notice_date else None,
        "hearing_at": case.hearing_at.isoformat() if case.hearing_at else None,
        "hearing_place": case.hearing_place,
        "head_present": case.head_present,
        "head_principal": case.head_principal,
        "head_role": head_role(case.head_present, case.head_principal),
        "head_name": case.head_name,
        "head_title": case.head_title,
        "outcome": case.outcome,
        "decision_type": case.decision_type,
        "decision_date": case.decision_date.isoformat() if case.decision_date else None,
        "appeal_of": case.appeal_of.case_number if case.appeal_of else None,
        "documents": sorted(doc_types),
        "missing": missing,
        "unverified": unverified,
    }


def _outbox(o: m.OutboxMessage) -> dict[str, Any]:
    return {
        "kind": o.kind,
        "to": o.to_addr,
        "subject": o.subject,
        "message_id": o.header_message_id,
        "in_reply_to": o.in_reply_to,
        "case_numbers": o.case_numbers,
        "due_date": o.due_date.isoformat() if o.due_date else None,
        "status": o.status,
    }


def _batches(s: Session, ids: Sequence[int], stmt: Any, key: Any) -> Iterator[list[Any]]:
    """The rows of `ids` (in that order) in batches; each batch leaves the session before the next
    loads, so memory does not grow with the store (the export only reads)."""
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        rows = {r.id: r for r in s.scalars(stmt.where(key.in_(chunk))).unique()}
        yield [rows[x] for x in chunk]
        s.expunge_all()


def _messages(s: Session) -> Iterator[dict[str, Any]]:
    ids = s.scalars(select(m.Message.id).order_by(m.Message.received_at, m.Message.id)).all()
    stmt = (
        select(m.Message)
        .options(
            joinedload(m.Message.agency),
            selectinload(m.Message.attachments).selectinload(m.Attachment.documents).selectinload(m.Document.candidates),
        )
    )
    for batch in _batches(s, ids, stmt, m.Message.id):
        att_ids = [a.id for msg in batch for a in msg.attachments]
        # Count pages in SQL: loading them would load every page's text.
        pages: dict[int, int] = {}
        if att_ids:
            rows = s.execute(
                select(m.Page.attachment_id, func.count())
                .where(m.Page.attachment_id.in_(att_ids))
                .group_by(m.Page.attachment_id)
            )
            pages = {a: n for a, n in rows}
        unreadable: dict[int, list[dict[str, Any]]] = {}
        if att_ids:
            for att_id, number, evidence in s.execute(
                select(m.Page.attachment_id, m.Page.number, m.Page.quality_evidence)
                .where(m.Page.attachment_id.in_(att_ids), m.Page.quality == PageQuality.unreadable)
                .order_by(m.Page.attachment_id, m.Page.number)
            ):
                unreadable.setdefault(att_id, []).append({"page": number, "evidence": evidence})
        waiting = [d for msg in batch for a in msg.attachments for d in a.documents
                   if d.match_status in REVIEW_MATCHES]
        cases = preload_suggestions(s, waiting)
        yield from (_message(x, pages, unreadable, cases) for x in batch)


def _cases(s: Session, as_of: date, missing_for: MissingFn) -> Iterator[dict[str, Any]]:
    ids = s.scalars(select(m.Case.id).order_by(m.Case.id)).all()
    stmt = select(m.Case).options(joinedload(m.Case.agency), joinedload(m.Case.appeal_of))
    for batch in _batches(s, ids, stmt, m.Case.id):
        ids = [c.id for c in batch]
        types: dict[int, set[str]] = {}
        for case_id, doc_type in s.execute(
            select(m.Document.case_id, m.Document.doc_type).where(
                m.Document.case_id.in_(ids), m.Document.match_status.in_(ACCEPTED_MATCHES)
            )
        ):
            if case_id is not None:
                types.setdefault(case_id, set()).add(doc_type)
        missing = missing_for(s, batch, as_of)
        waiting = open_facts_by_case(s, ids)
        rects = {r.case_id: r for r in s.scalars(select(m.Rectification).where(m.Rectification.case_id.in_(ids)))}
        comps = {c.case_id: c for c in s.scalars(select(m.Compliance).where(m.Compliance.case_id.in_(ids)))}
        for c in batch:
            out = _case(c, types.get(c.id, set()), missing[c.id], sorted({f for f, _, _ in waiting.get(c.id, [])}))
            out["rectification"] = _rectification(rects.get(c.id))
            out["compliance"] = _compliance(comps.get(c.id))
            yield out


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _rectification(r: m.Rectification | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"status": r.status, "requirement": r.requirement, "due_date": _day(r.due_date),
            "report_document_id": r.report_document_id, "done_on": _day(r.done_on)}


def _compliance(c: m.Compliance | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"status": c.status, "effective_on": _day(c.effective_on), "order": c.order_text,
            "due_date": _day(c.due_date), "done_on": _day(c.done_on)}


@dataclass(frozen=True)
class ReviewView:
    """What the review screen would offer for a document: ranked case ids and the new-case form's number."""

    cases: list[int]
    prefill: str | None  # the own number, prefilled only when read confidently


def review_rankings(s: Session, batch: int = 200) -> dict[int, ReviewView]:
    """For every document, what the review screen would offer, as if it had gone to review: the ranking
    never reads the document's own filing (its siblings' filings, its stored candidates and its own text do).
    For `filing eval`: review is measured on every document, not only the few sent there."""
    out: dict[int, ReviewView] = {}
    last = 0
    while True:
        docs = list(s.scalars(
            select(m.Document).where(m.Document.id > last).order_by(m.Document.id).limit(batch)
            .options(selectinload(m.Document.attachment).selectinload(m.Attachment.message),
                     selectinload(m.Document.candidates))))
        if not docs:
            return out
        cases = preload_suggestions(s, docs)  # a few queries per batch, not several per document
        for d in docs:
            out[d.id] = ReviewView([x.case_id for x in suggestions_for(s, d, preloaded=cases).items],
                                   d.case_number if case_number_doubt(d) is None else None)
        last = docs[-1].id
        s.expunge_all()  # bounded memory on a large store


def _outboxes(s: Session) -> Iterator[dict[str, Any]]:
    ids = s.scalars(select(m.OutboxMessage.id).order_by(m.OutboxMessage.id)).all()
    for batch in _batches(s, ids, select(m.OutboxMessage), m.OutboxMessage.id):
        yield from (_outbox(o) for o in batch)


def _parts(s: Session, as_of: date, missing_for: MissingFn) -> list[tuple[str, Any]]:
    """The export's keys in order; the lists as iterators that read the store batch by batch."""
    return [
        ("as_of", as_of.isoformat()),
        ("messages", _messages(s)),
        ("cases", _cases(s, as_of, missing_for)),
        ("outbox", _outboxes(s)),
    ]


def build_export(s: Session, as_of: date, missing_for: MissingFn) -> dict[str, Any]:
    return {k: v if isinstance(v, str) else list(v) for k, v in _parts(s, as_of, missing_for)}


def write_export(s: Session, as_of: date, missing_for: MissingFn, out: TextIO) -> None:
    """`build_export` as JSON (indent 2, the bytes `json.dump` would write) without holding it in memory:
    each message, case and outbox row is written as soon as its batch is read."""
    out.write("{")
    for n, (key, value) in enumerate(_parts(s, as_of, missing_for)):
        out.write(("," if n else "") + "\n  " + json.dumps(key) + ": ")
        if isinstance(value, str):
            out.write(json.dumps(value, ensure_ascii=False))
            continue
        first = True
        for item in value:
            out.write(("[" if first else ",") + "\n    ")
            out.write(json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    "))
            first = False
        out.write("[]" if first else "\n  ]")
    out.write("\n}")
