"""The reviewer's ranking read from the store, live for the queue and as probes for `filing eval`.

Only a few documents of a corpus reach the queue, too few to measure the ranking. `filing eval` therefore
also ranks every document as if it waited there: WITHHELD keeps what the matcher stored but files nothing
automatically (as when the sender is held); HIDDEN also hides the document's own case number and scores
the cases again without those only it made known, as for a document whose number could not be read (the
ones that really reach review): its case is then either known through other documents or needs a new one.
Probes only read: nothing is written to the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.fields import fields_from_json
from cases.filing import CasePool, _candidate_cases, document_context, message_documents
from cases.matching import rank, score_case
from cases.suggest import CaseFacts, DocFacts, Stored, Suggestions, suggest
from extract.types import COURT_DOC_TYPES
from extract.understanding.caselist import is_case_list
from store import models as m
from terms.status import ACCEPTED_MATCHES, DocType

WITHHELD, HIDDEN = "withheld", "hidden"
SCENARIOS = (WITHHELD, HIDDEN)
# The matcher stores this many candidates per document (cases.filing.match_document).
STORED = 5


def page_text(doc: m.Document) -> str:
    return "\n".join(p.text or "" for p in doc.attachment.pages if doc.first_page <= p.number <= doc.last_page)


def doc_facts(s: Session, doc: m.Document, hide_number: bool = False) -> DocFacts:
    fields = fields_from_json(doc.fields)
    own = None if hide_number else doc.case_number
    ctx = document_context(s, doc, doc.attachment.message)
    others = [d.case_number for d in message_documents(doc.attachment.message) if d.id != doc.id]
    named = {n for n in (own, *others, *ctx.file_numbers, *ctx.text_numbers, *ctx.reply_numbers) if n}
    text = page_text(doc)
    return DocFacts(
        own, fields.plaintiffs, fields.court, fields.cause, text,
        hearing_day=fields.hearing_at.strftime("%m-%d") if fields.hearing_at else None,
        appeal_of=fields.first_instance_case,
        cause_category=fields.cause_category,
        identified=bool(doc.title) or doc.doc_type != DocType.other,
        message_cases=len(named),
        prints_number=doc.doc_type in COURT_DOC_TYPES,
        lists_cases=doc.doc_type == DocType.other and is_case_list(doc.title, text),
    )


@dataclass(frozen=True)
class FiledTrace:
    """What the documents filed to a case add to it: the plaintiffs they name and when the latest arrived."""

    names: tuple[str, ...] = ()
    last: datetime | None = None


def filed_traces(s: Session, case_ids: set[int], leave_out: int | None = None) -> dict[int, FiledTrace]:
    """One query for all candidate cases; `leave_out` (a probed document) adds nothing of its own."""
    if not case_ids:
        return {}
    rows = s.execute(
        select(m.Document.case_id, m.Document.fields, m.Message.received_at)
        .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
        .join(m.Message, m.Attachment.message_id == m.Message.id)
        .where(m.Document.case_id.in_(case_ids), m.Document.match_status.in_(ACCEPTED_MATCHES),
               m.Document.id != (leave_out or 0))
    ).all()
    names: dict[int, list[str]] = {}
    last: dict[int, datetime] = {}
    for case_id, doc_fields, received in rows:
        if case_id is None:
            continue
        seen = names.setdefault(case_id, [])
        seen += [n for n in fields_from_json(doc_fields).plaintiffs if n not in seen]
        if case_id not in last or received > last[case_id]:
            last[case_id] = received
    return {cid: FiledTrace(tuple(names.get(cid, ())), last.get(cid)) for cid in case_ids}


def case_facts(c: m.Case, trace: FiledTrace | None = None) -> CaseFacts:
    """The case as its documents show it. Its plaintiffs include those its filed documents name:
    one OCR-misread name on the case (丁刀 for 丁娟) must not hide it from a document naming the party right."""
    trace = trace or FiledTrace()
    names = list(c.plaintiffs or ())
    names += [n for n in trace.names if n not in names]
    return CaseFacts(
        c.id, c.case_number, tuple(names), c.court, c.cause,
        hearing_day=c.hearing_at.strftime("%m-%d") if c.hearing_at else None,
        case_type=c.case_type,
        appeal_of=c.appeal_of.case_number if c.appeal_of else None,
        last_activity=trace.last.isoformat() if trace.last else None,
        cause_category=c.cause_category,
    )


def stored_candidates(doc: m.Document) -> list[Stored]:
    return [Stored(c.case_id, c.score, tuple(str(e) for e in c.evidence or ())) for c in doc.candidates
            if c.case_id is not None]


def filed_siblings(doc: m.Document) -> list[int]:
    """Cases the other documents of the same message were filed to."""
    return [d.case_id for d in message_documents(doc.attachment.message)
            if d.id != doc.id and d.case_id is not None and d.match_status in ACCEPTED_MATCHES]


def file_cases(doc: m.Document) -> list[int]:
    """The cases of the other filed documents in the document's own file, the nearest pages first."""
    def distance(d: m.Document) -> int:
        return max(d.first_page - doc.last_page, doc.first_page - d.last_page, 0)

    filed = [d for d in doc.attachment.documents
             if d.id != doc.id and d.case_id is not None and d.match_status in ACCEPTED_MATCHES]
    return [d.case_id for d in sorted(filed, key=lambda d: (distance(d), d.first_page)) if d.case_id is not None]


@dataclass(frozen=True)
class Preloaded:
    """Cases (with their first instances) and their traces read at once for a list of documents."""

    cases: dict[int, m.Case]
    traces: dict[int, FiledTrace]


def ranking(s: Session, doc: m.Document, stored: list[Stored], threshold: float,
            hide_number: bool = False, preloaded: Preloaded | None = None) -> Suggestions:
    siblings = filed_siblings(doc)
    ids = {x.case_id for x in stored} | set(siblings)
    if preloaded is not None and doc.match_status not in ACCEPTED_MATCHES:
        # A document not filed adds nothing to any case's trace: the list's traces are its own.
        rows: Sequence[m.Case] = [preloaded.cases[i] for i in sorted(ids) if i in preloaded.cases]
        traces = {i: preloaded.traces.get(i, FiledTrace()) for i in ids}
    else:
        rows = s.scalars(select(m.Case).where(m.Case.id.in_(ids))).all() if ids else []
        traces = filed_traces(s, ids, leave_out=doc.id)
    cases = [case_facts(c, traces.get(c.id)) for c in rows]
    return suggest(doc_facts(s, doc, hide_number), cases, stored, siblings, threshold, file_cases(doc))


def _known_otherwise(c: m.Case, doc: m.Document) -> bool:
    """Another document was filed to the case: it would exist had `doc` waited for review."""
    return any(d.id != doc.id and d.match_status in ACCEPTED_MATCHES for d in c.documents)


def _hidden_candidates(s: Session, doc: m.Document, pool: CasePool) -> list[Stored]:
    msg = doc.attachment.message
    others = [d for d in message_documents(msg) if d.id != doc.id]
    ctx = replace(
        document_context(s, doc, msg),
        own_number=None,
        # Without its own number, documents printing the same number are ordinary siblings.
        sibling_numbers=tuple(d.case_number for d in others if d.case_number),
    )
    # A case only this document names would not exist: its number was unreadable.
    scored = [score_case(ctx, pool.snapshot(c), False) for c, _near in _candidate_cases(s, ctx, pool)
              if _known_otherwise(c, doc)]
    return [Stored(c.case.id, c.score, c.evidence) for c in rank(scored)[:STORED] if c.case.id is not None]


def probe(s: Session, doc: m.Document, scenario: str, threshold: float, pool: CasePool | None = None) -> Suggestions:
    """The reviewer's ranking for `doc` under `scenario` (WITHHELD or HIDDEN)."""
    if scenario == HIDDEN:
        return ranking(s, doc, _hidden_candidates(s, doc, pool or CasePool()), threshold, hide_number=True)
    return ranking(s, doc, stored_candidates(doc), threshold)


def probe_all(s: Session, threshold: float) -> dict[int, dict[str, list[dict[str, object]]]]:
    """Every document's ranking under each scenario:
    {document id: {scenario: [{case_id, score, reasons, default}]}}."""
    pool = CasePool()
    out: dict[int, dict[str, list[dict[str, object]]]] = {}
    for doc in s.scalars(select(m.Document).order_by(m.Document.id)):
        out[doc.id] = {}
        for sc in SCENARIOS:
            sug = probe(s, doc, sc, threshold, pool)
            out[doc.id][sc] = [
                {"case_id": x.case_id, "score": x.score, "reasons": list(x.reasons),
                 "default": x.case_id == sug.default_case_id}
                for x in sug.items
            ]
    return out
