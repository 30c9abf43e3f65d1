"""Everything the system decided, as one JSON-ready structure (`filing export --format json`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.checks import open_facts_by_case
from cases.facts import head_role
from store import models as m
from terms.status import ACCEPTED_MATCHES

MissingFn = Any  # (session, case, as_of) -> list[str]


def _doc(d: m.Document) -> dict[str, Any]:
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
    }


def _attachment(a: m.Attachment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filename": a.filename,
        "sha256": a.sha256,
        "content_type": a.content_type,
        "size": a.size,
        "status": a.status,
        "error": a.error,
        "error_code": a.error_code,
        "pages_extracted": len(a.pages),
        "documents": [_doc(d) for d in a.documents],
    }
    if a.parent_sha256:
        out["parent"] = a.parent_sha256
    return out


def _message(msg: m.Message) -> dict[str, Any]:
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
        "attachments": [_attachment(a) for a in msg.attachments],
    }


def _case(s: Session, case: m.Case, missing: list[str], unverified: list[str]) -> dict[str, Any]:
    docs = s.scalars(select(m.Document).where(m.Document.case_id == case.id).order_by(m.Document.id)).all()
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
        "documents": sorted({d.doc_type for d in docs if d.match_status in ACCEPTED_MATCHES}),
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


def build_export(s: Session, as_of: date, missing_for: MissingFn) -> dict[str, Any]:
    messages = s.scalars(select(m.Message).order_by(m.Message.received_at, m.Message.id)).all()
    cases = s.scalars(select(m.Case).order_by(m.Case.id)).all()
    waiting = open_facts_by_case(s)
    outbox = s.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)).all()
    return {
        "as_of": as_of.isoformat(),
        "messages": [_message(x) for x in messages],
        "cases": [_case(s, c, missing_for(s, c, as_of), sorted({f for f, _, _ in waiting.get(c.id, [])}))
                  for c in cases],
        "outbox": [_outbox(o) for o in outbox],
    }
