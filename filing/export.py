"""Everything the system decided, as one JSON-ready structure (`filing export --format json`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from cases.checks import open_facts_by_case
from cases.facts import head_role
from cases.review import case_number_doubt, preload_suggestions, suggestions_for
from cases.suggest_store import Preloaded
from filing.gc_scope import existing_objects_frozen
from filing.json_indent import dumps_indented
from store import models as m
from terms.status import ACCEPTED_MATCHES, REVIEW_MATCHES, PageQuality

# (session, cases, as_of) -> {case id: missing document types}
MissingFn = Callable[[Session, Sequence[m.Case], date], Mapping[int, list[str]]]
BATCH = 500  # rows per query: memory stays flat however large the store


def _doc(d: Row[Any], candidates: list[dict[str, Any]], suggestions: list[dict[str, Any]] | None) -> dict[str, Any]:
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
        "candidates": candidates,
        "fields": d.fields,
        "evidence": d.evidence or [],
        **({"suggestions": suggestions} if suggestions is not None else {}),
    }


def _suggestions(s: Session, d: m.Document, cases: Preloaded) -> list[dict[str, Any]]:
    """The review queue's ranking (what a person sees on top), for `filing eval`."""
    sug = suggestions_for(s, d, preloaded=cases)
    return [
        {"case_id": x.case_id, "score": x.score, "reasons": list(x.reasons),
         "default": x.case_id == sug.default_case_id}
        for x in sug.items
    ]


def _attachment(a: Row[Any], pages: Mapping[int, int], unreadable: Mapping[int, list[dict[str, Any]]],
                documents: list[dict[str, Any]]) -> dict[str, Any]:
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
        "documents": documents,
    }
    if a.parent_sha256:
        out["parent"] = a.parent_sha256
    return out


def _message(msg: Row[Any], attachments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": msg.id,
        "message_id": msg.message_id,
        "raw_sha256": msg.raw_sha256,
        "from": msg.from_address,
        "from_display": msg.from_display,
        "agency": msg.agency,
        "sender_status": msg.sender_status,
        "sender_evidence": msg.sender_evidence,
        "status": msg.status,
        "state": msg.state,
        "error": msg.error,
        "subject": msg.subject,
        "received_at": msg.received_at.isoformat() if msg.received_at else None,
        "in_reply_to": msg.in_reply_to,
        "attachments": attachments,
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


# Columns, not ORM objects: a message row would carry its body, references and defects, and every
# mapped object its identity-map and change-tracking state; the export reads a few columns of each.
_MESSAGE = select(
    m.Message.id, m.Message.message_id, m.Message.raw_sha256, m.Message.from_address, m.Message.from_display,
    m.Agency.code.label("agency"), m.Message.sender_status, m.Message.sender_evidence, m.Message.status,
    m.Message.state, m.Message.error, m.Message.subject, m.Message.received_at, m.Message.in_reply_to,
).outerjoin(m.Agency, m.Agency.id == m.Message.agency_id)
_ATTACHMENT = select(
    m.Attachment.id, m.Attachment.message_id, m.Attachment.filename, m.Attachment.sha256,
    m.Attachment.content_type, m.Attachment.size, m.Attachment.status, m.Attachment.error,
    m.Attachment.error_code, m.Attachment.parent_sha256,
)
_DOCUMENT = select(
    m.Document.id, m.Document.attachment_id, m.Document.doc_type, m.Document.title, m.Document.first_page,
    m.Document.last_page, m.Document.case_number, m.Document.case_id, m.Document.match_status,
    m.Document.match_confidence, m.Document.type_confidence, m.Document.fields, m.Document.evidence,
)
_CANDIDATE = select(
    m.MatchCandidate.document_id, m.MatchCandidate.case_id, m.MatchCandidate.score, m.MatchCandidate.evidence
)


def _grouped(rows: Iterable[Row[Any]], key: str) -> dict[int, list[Row[Any]]]:
    out: dict[int, list[Row[Any]]] = {}
    for r in rows:
        out.setdefault(getattr(r, key), []).append(r)
    return out


def _waiting_suggestions(s: Session, doc_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The suggestions of the documents waiting for a person: only these are read as ORM objects, since the
    ranking walks their pages, siblings and candidate cases (a few queries for the whole batch)."""
    if not doc_ids:
        return {}
    docs = list(s.scalars(
        select(m.Document).where(m.Document.id.in_(doc_ids))
        .options(selectinload(m.Document.attachment).selectinload(m.Attachment.message),
                 selectinload(m.Document.candidates))))
    cases = preload_suggestions(s, docs)
    out = {d.id: _suggestions(s, d, cases) for d in docs}
    s.expunge_all()
    return out


def _message_batch(s: Session, chunk: list[int]) -> Iterator[dict[str, Any]]:
    """A batch of messages in one query per table: the children are selected by their message (a join),
    not by an IN list of their own ids, so the round trips do not grow with attachments per message."""
    msgs = {r.id: r for r in s.execute(_MESSAGE.where(m.Message.id.in_(chunk)))}
    of_batch = m.Attachment.message_id.in_(chunk)
    atts = _grouped(s.execute(_ATTACHMENT.where(of_batch).order_by(m.Attachment.seq, m.Attachment.id)), "message_id")
    # Count pages in SQL: loading them would load every page's text.
    pages: dict[int, int] = {a: n for a, n in s.execute(
        select(m.Page.attachment_id, func.count()).join(m.Attachment, m.Attachment.id == m.Page.attachment_id)
        .where(of_batch).group_by(m.Page.attachment_id))}
    unreadable: dict[int, list[dict[str, Any]]] = {}
    for att_id, number, evidence in s.execute(
        select(m.Page.attachment_id, m.Page.number, m.Page.quality_evidence)
        .join(m.Attachment, m.Attachment.id == m.Page.attachment_id)
        .where(of_batch, m.Page.quality == PageQuality.unreadable)
        .order_by(m.Page.attachment_id, m.Page.number)
    ):
        unreadable.setdefault(att_id, []).append({"page": number, "evidence": evidence})
    docs = _grouped(s.execute(_DOCUMENT.join(m.Attachment, m.Attachment.id == m.Document.attachment_id)
                              .where(of_batch).order_by(m.Document.first_page, m.Document.id)), "attachment_id")
    candidates: dict[int, list[dict[str, Any]]] = {}
    for c in s.execute(_CANDIDATE.join(m.Document, m.Document.id == m.MatchCandidate.document_id)
                       .join(m.Attachment, m.Attachment.id == m.Document.attachment_id)
                       .where(of_batch).order_by(m.MatchCandidate.rank, m.MatchCandidate.id)):
        candidates.setdefault(c.document_id, []).append({"case_id": c.case_id, "score": c.score,
                                                         "evidence": c.evidence})
    waiting = [d.id for rows in docs.values() for d in rows if d.match_status in REVIEW_MATCHES]
    suggestions = _waiting_suggestions(s, waiting)
    for msg_id in chunk:
        yield _message(msgs[msg_id], [
            _attachment(a, pages, unreadable, [
                _doc(d, candidates.get(d.id, []), suggestions.get(d.id) if d.match_status in REVIEW_MATCHES else None)
                for d in docs.get(a.id, [])
            ])
            for a in atts.get(msg_id, [])
        ])


def _messages(s: Session) -> Iterator[dict[str, Any]]:
    ids = s.scalars(select(m.Message.id).order_by(m.Message.received_at, m.Message.id)).all()
    for i in range(0, len(ids), BATCH):
        yield from _message_batch(s, list(ids[i : i + BATCH]))


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
    with existing_objects_frozen():
        return {k: v if isinstance(v, str) else list(v) for k, v in _parts(s, as_of, missing_for)}


def write_export(s: Session, as_of: date, missing_for: MissingFn, out: TextIO) -> None:
    """`build_export` as JSON (indent 2, the bytes `json.dump` would write) without holding it in memory:
    each message, case and outbox row is written as soon as its batch is read."""
    with existing_objects_frozen():
        out.write("{")
        for n, (key, value) in enumerate(_parts(s, as_of, missing_for)):
            out.write(("," if n else "") + "\n  " + json.dumps(key) + ": ")
            if isinstance(value, str):
                out.write(json.dumps(value, ensure_ascii=False))
                continue
            first = True
            for item in value:
                out.write(("[" if first else ",") + "\n    ")
                out.write(dumps_indented(item, depth=4))
                first = False
            out.write("[]" if first else "\n  ]")
        out.write("\n}")
