"""Filing decisions: create cases from court documents, match every document, keep case facts.

The only place that turns scores into stored decisions; scoring itself is pure (cases.matching).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from cases.checks import sync_case_checks
from cases.fields import fields_from_json
from cases.matching import Candidate, CandidateCase, DocContext, decide, rank, review_reasons, score_case
from cases.parties import agreed_court, agreed_plaintiffs
from cases.rectification import note_report
from cases.roster import RosterJudgement, Verdict, judge_head
from cases.roster_store import roster_people
from extract.types import COURT_DOC_TYPES, DocType, Fields
from extract.understanding.caselist import is_case_list
from extract.understanding.casenumber import find_case_numbers, near_miss, parse_case_number
from extract.understanding.fields import UPHELD_ON_PLAINTIFF_APPEAL, is_enforcement
from ingest.senders import HELD_FOR_REVIEW
from store import models as m
from terms.status import ACCEPTED_MATCHES, REVIEW_MATCHES, MatchStatus, Outcome, PageQuality

FACT_FIELDS = (
    "court",
    "plaintiffs",
    "third_parties",
    "cause",
    "cause_category",
    "hearing_at",
    "hearing_place",
    "head_present",
    "head_principal",
    "head_name",
    "head_title",
)
DECISION_TYPES = {DocType.judgment.value: "judgment", DocType.ruling.value: "ruling"}


class MatchingConfig:
    """Duck-typed view of the matching settings (threshold and margin)."""

    auto_threshold: float
    margin: float


def _snapshot(case: m.Case) -> CandidateCase:
    return CandidateCase(
        id=case.id,
        case_number=case.case_number,
        agency_code=case.agency.code if case.agency else None,
        plaintiffs=tuple(case.plaintiffs or ()),
        cause=case.cause,
        case_type=case.case_type,
        court=case.court,
        hearing_day=case.hearing_at.strftime("%m-%d") if case.hearing_at else None,
        cause_category=case.cause_category,
    )


def message_documents(msg: m.Message) -> list[m.Document]:
    return [d for a in msg.attachments for d in a.documents]


def _numbers_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(cn) for cn, _pos in find_case_numbers(text or "")))


def _reply_numbers(s: Session, msg: m.Message) -> tuple[str, ...]:
    ids = [x for x in [msg.in_reply_to, *(msg.references or [])] if x]
    if not ids:
        return ()
    rows = s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.header_message_id.in_(ids))).all()
    return tuple(dict.fromkeys(n for r in rows for n in (r.case_numbers or [])))


def get_or_create_case(s: Session, number: str, doc: m.Document, msg: m.Message) -> tuple[m.Case, bool]:
    case = s.scalar(select(m.Case).where(m.Case.case_number == number))
    if case is not None:
        return case, False
    parsed = parse_case_number(number)
    case = m.Case(
        case_number=number,
        court_code=parsed.court_code if parsed else None,
        case_type=parsed.case_type if parsed else None,
        agency_id=msg.agency_id,
        agency_role="applicant" if parsed and parsed.case_type.startswith("行审") else "defendant",
        plaintiffs=[],
        third_parties=[],
        outcome=Outcome.pending,
    )
    s.add(case)
    s.flush()
    record_fact(s, case, "case_number", number, None, doc.id)
    return case, True


def held_for_review(msg: m.Message) -> bool:
    """The sender check held this message (registered address, not authenticated): no case is started
    from it and none of its documents is filed automatically, now or when cases are rescored later."""
    return HELD_FOR_REVIEW in (msg.sender_evidence or [])


def file_documents(s: Session, msg: m.Message, cfg: Any) -> None:
    """Match every document of a message; court documents with a number may start a case."""
    hold_for_review = held_for_review(msg)
    docs = message_documents(msg)
    created: set[int] = set()
    text_numbers = _numbers_in(f"{msg.subject}\n{msg.body_text}")
    _confirm_own_numbers(docs, text_numbers)
    # Court documents first, so a complaint in the same message finds the case they start.
    for doc in docs:
        if doc.case_number and doc.doc_type in COURT_DOC_TYPES and msg.agency_id is not None and not hold_for_review:
            if _near_existing(s, doc.case_number):
                continue  # maybe an OCR-damaged number of a known case: a person decides
            case, new = get_or_create_case(s, doc.case_number, doc, msg)
            if new:
                created.add(case.id)
    # Documents that print their own number first, and their facts applied, so a document without
    # one is compared with the parties, court and cause the court's documents state.
    for batch in ([d for d in docs if d.case_number], [d for d in docs if not d.case_number]):
        for doc in batch:
            match_document(s, doc, document_context(s, doc, msg), cfg, created)
            if hold_for_review:
                _hold(doc)
        for doc in batch:
            if doc.case is not None and doc.match_status in ACCEPTED_MATCHES:
                apply_document_facts(s, doc.case, doc, msg)
    if created:
        link_waiting_appeals(s, created)
        rescore_waiting(s, msg, cfg, created)
    sync_case_checks(s, {doc.case.id: doc.case for doc in docs if doc.case is not None}.values())


def _hold(doc: m.Document) -> None:
    if doc.match_status == MatchStatus.auto:
        doc.case = None
        doc.match_status = MatchStatus.review
        doc.evidence = [*(doc.evidence or []), "sender not authenticated: held for review"]


def document_context(s: Session, doc: m.Document, msg: m.Message) -> DocContext:
    docs = message_documents(msg)
    fields = fields_from_json(doc.fields)
    return DocContext(
        own_number=doc.case_number,
        doc_type=doc.doc_type,
        agency_code=msg.agency.code if msg.agency else None,
        plaintiffs=fields.plaintiffs,
        cause=fields.cause,
        sibling_numbers=tuple(d.case_number for d in docs if d.case_number and d.case_number != doc.case_number),
        file_numbers=_file_numbers(doc),
        title=doc.title,
        court=fields.court,
        hearing_day=fields.hearing_at.strftime("%m-%d") if fields.hearing_at else None,
        text_numbers=_numbers_in(f"{msg.subject}\n{msg.body_text}"),
        reply_numbers=_reply_numbers(s, msg),
        cause_category=fields.cause_category,
        received_at=msg.received_at,
    )


def link_waiting_appeals(s: Session, created: set[int]) -> None:
    """Appeals and retrials filed before their first instance: link them once that case exists."""
    new_cases = {c.case_number: c for c in s.scalars(select(m.Case).where(m.Case.id.in_(created))) if c.case_number}
    if not new_cases:
        return
    # Only documents whose stored fields hold a new number (as written, or \u-escaped JSON) can name one
    # as their first instance: the database narrows, Python reads the field.
    stored = cast(m.Document.fields, String)
    names = {v for n in new_cases for v in (n, json.dumps(n)[1:-1])}
    docs = s.scalars(
        select(m.Document)
        .join(m.Case, m.Document.case_id == m.Case.id)
        .where(
            m.Case.appeal_of_id.is_(None),
            m.Case.id.not_in(created),
            or_(*(m.Case.case_type.like(f"%{kind}") for kind in ("终", "申", "再", "监", "提", "抗"))),
            m.Document.match_status.in_(ACCEPTED_MATCHES),
            or_(*(stored.like(f"%{_escape_like(v)}%", escape="!") for v in sorted(names))),
        )
        .order_by(m.Document.case_id, m.Document.id)
        .options(contains_eager(m.Document.case))
    ).all()
    linked: set[int] = set()
    for doc in docs:
        appeal = doc.case
        if appeal is None or appeal.id in linked:
            continue
        parent = new_cases.get(fields_from_json(doc.fields).first_instance_case or "")
        if parent is not None and parent.id != appeal.id:
            _set(s, appeal, "appeal_of_id", parent.id, doc)
            linked.add(appeal.id)


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


# A case is opened by the court's notice; the complaint and defense that may have waited for it
# arrive within weeks. Documents further away in time belong to other cases (and other years).
RESCORE_WINDOW = timedelta(days=366)


def rescore_waiting(s: Session, msg: m.Message, cfg: Any, created: set[int] | None = None) -> None:
    """New cases arrived: documents of the same agency still waiting in the queue, received within a
    year of this message, are scored again when a new case could be a candidate for them
    (a defense sent before the court's notice finds its case once the notice comes)."""
    new_numbers = tuple(
        n for n in s.scalars(select(m.Case.case_number).where(m.Case.id.in_(created or ()))) if n
    )
    at = msg.received_at
    waiting = s.scalars(
        select(m.Document)
        .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
        .join(m.Message, m.Attachment.message_id == m.Message.id)
        .where(
            m.Document.match_status.in_(REVIEW_MATCHES),
            m.Message.agency_id == msg.agency_id,
            m.Message.id != msg.id,
            m.Message.received_at >= at - RESCORE_WINDOW,
            m.Message.received_at <= at + RESCORE_WINDOW,
        )
        .order_by(m.Document.id)
        .options(
            # The context of a document reads its message's other documents and its file's: load them at once.
            selectinload(m.Document.attachment)
            .selectinload(m.Attachment.message)
            .selectinload(m.Message.attachments)
            .selectinload(m.Attachment.documents),
            selectinload(m.Document.candidates),
        )
    ).all()
    pool = CasePool()
    for doc in waiting:
        other = doc.attachment.message
        ctx = document_context(s, doc, other)
        if created is not None and not _may_match_new(ctx, new_numbers):
            continue  # none of the new cases can be its candidate: its scores stand
        match_document(s, doc, ctx, cfg, set(), pool)
        if held_for_review(other):
            _hold(doc)
        if doc.case is not None and doc.match_status == MatchStatus.auto:
            doc.evidence = [*(doc.evidence or []), f"filed when message {msg.id} started its case"]
            apply_document_facts(s, doc.case, doc, other)
            sync_case_checks(s, [doc.case])
            pool.changed(doc.case.id)


def _may_match_new(ctx: DocContext, new_numbers: tuple[str, ...]) -> bool:
    """Whether a new case with one of these numbers is among the candidates `_candidate_cases` finds."""
    if ctx.agency_code and not ctx.own_number:
        return True  # every case of the agency is a candidate
    named = {ctx.own_number, *ctx.sibling_numbers, *ctx.file_numbers, *ctx.text_numbers, *ctx.reply_numbers}
    if any(n in named for n in new_numbers):
        return True
    return bool(ctx.own_number) and any(near_miss(ctx.own_number or "", n) for n in new_numbers)


class CasePool:
    """Snapshots and agency case lists shared by the documents of one re-scoring pass."""

    def __init__(self) -> None:
        self._snapshots: dict[int, CandidateCase] = {}
        self._agency_cases: dict[str, list[m.Case]] = {}

    def snapshot(self, case: m.Case) -> CandidateCase:
        snap = self._snapshots.get(case.id)
        if snap is None:
            snap = self._snapshots[case.id] = _snapshot(case)
        return snap

    def agency_cases(self, s: Session, agency_code: str, at: datetime | None) -> list[m.Case]:
        key = f"{agency_code}@{at.date() if at else ''}"
        cases = self._agency_cases.get(key)
        if cases is None:
            cases = self._agency_cases[key] = list(_agency_cases(s, agency_code, at))
        return cases

    def changed(self, case_id: int) -> None:
        self._snapshots.pop(case_id, None)


def _agency_cases(s: Session, agency_code: str, at: datetime | None = None) -> Sequence[m.Case]:
    """The agency's cases; with `at`, those of that time: a document filed to them arrived (from the
    agency) within RESCORE_WINDOW of `at`, or they were opened within it. The index on the agency's
    messages by time bounds the search, however many years the store holds."""
    agency_id = s.scalar(select(m.Agency.id).where(m.Agency.code == agency_code))
    if agency_id is None:
        return []
    stmt = select(m.Case).where(m.Case.agency_id == agency_id)
    if at is not None:
        since, until = at - RESCORE_WINDOW, at + RESCORE_WINDOW
        # Two index ranges (the agency's messages, its cases by time), not a walk over its history.
        active = (
            select(m.Document.case_id)
            .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
            .join(m.Message, m.Attachment.message_id == m.Message.id)
            .where(m.Message.agency_id == agency_id, m.Message.received_at.between(since, until),
                   m.Document.case_id.is_not(None))
            .union(select(m.Case.id).where(m.Case.agency_id == agency_id, m.Case.created_at.between(since, until)))
        )
        stmt = stmt.where(m.Case.id.in_(active))
    return s.scalars(stmt.order_by(m.Case.id).options(joinedload(m.Case.agency))).all()


def _file_numbers(doc: m.Document) -> tuple[str, ...]:
    """Case numbers of the other documents in the same file, or else in the file's name."""
    att = doc.attachment
    inside = tuple(d.case_number for d in att.documents if d.id != doc.id and d.case_number)
    return inside or _numbers_in(att.filename)


def _confirm_own_numbers(docs: list[m.Document], context_numbers: tuple[str, ...]) -> None:
    """An own number one OCR-confusable character away from a number the message itself names
    (subject, body, file name, another document) is read as that number, with the evidence kept."""
    for doc in docs:
        own = doc.case_number
        if not own:
            continue
        names = set(context_numbers) | set(_numbers_in(doc.attachment.filename))
        names |= {d.case_number for d in docs if d.case_number and d is not doc}
        if own in names:
            continue
        close = sorted(n for n in names if near_miss(own, n) or _serial_digit_lost(own, n))
        if len(close) == 1:
            doc.case_number = close[0]
            doc.evidence = [
                *(doc.evidence or []),
                f"printed number {own} read as {close[0]}, named in the same message",
            ]


def _serial_digit_lost(a: str, b: str) -> bool:
    """Same year, court and type; the serials differ by one digit dropped or added (OCR lost a '1' to ']')."""
    pa, pb = parse_case_number(a), parse_case_number(b)
    if pa is None or pb is None or (pa.year, pa.court_code, pa.type_code) != (pb.year, pb.court_code, pb.type_code):
        return False
    x, y = sorted((str(pa.serial), str(pb.serial)), key=len)
    return len(y) == len(x) + 1 and any(y[:i] + y[i + 1 :] == x for i in range(len(y)))


def _near_existing(s: Session, number: str) -> bool:
    """Same serial as a known case but one confusable character off in year, court or type.

    Serial numbers one digit apart are everyday neighbours (行初12, 行初13), so they may start
    a case; a year or court misread (2020 for 2026) is far likelier an OCR error.
    """
    parsed = parse_case_number(number)
    if parsed is None or s.scalar(select(m.Case.id).where(m.Case.case_number == number)) is not None:
        return False
    # Only numbers holding the serial's digits can have the same serial.
    others = s.scalars(select(m.Case.case_number).where(m.Case.case_number.like(f"%{parsed.serial}%"))).all()
    for other in others:
        o = parse_case_number(other or "")
        if o is not None and o.serial == parsed.serial and other and near_miss(number, other):
            return True
    return False


def _candidate_cases(s: Session, ctx: DocContext, pool: CasePool | None = None) -> list[tuple[m.Case, bool]]:
    numbers = {
        n for n in (ctx.own_number, *ctx.sibling_numbers, *ctx.file_numbers, *ctx.text_numbers, *ctx.reply_numbers) if n
    }
    out: dict[int, tuple[m.Case, bool]] = {}
    if numbers:
        for case in s.scalars(select(m.Case).where(m.Case.case_number.in_(numbers))):
            out[case.id] = (case, False)
    if ctx.own_number and not any(c.case_number == ctx.own_number for c, _ in out.values()):
        parsed = parse_case_number(ctx.own_number)
        if parsed is not None:
            # Numbers only (no case rows) to find the few one confusable character away.
            like = s.execute(
                select(m.Case.id, m.Case.case_number)
                .where(m.Case.case_number.is_not(None), m.Case.case_type == parsed.type_code)
                .order_by(m.Case.id)
            )
            near = [cid for cid, number in like if number and near_miss(ctx.own_number, number)]
            if near:
                for case in s.scalars(select(m.Case).where(m.Case.id.in_(near)).order_by(m.Case.id)):
                    out[case.id] = (case, True)
    if ctx.agency_code and not ctx.own_number:
        agency_cases = (pool.agency_cases(s, ctx.agency_code, ctx.received_at) if pool
                        else _agency_cases(s, ctx.agency_code, ctx.received_at))
        for case in agency_cases:
            out.setdefault(case.id, (case, False))
    return list(out.values())


def unreadable_pages(doc: m.Document) -> list[int]:
    """Pages of the document that OCR marked unreadable."""
    return [p.number for p in doc.attachment.pages
            if doc.first_page <= p.number <= doc.last_page and p.quality == PageQuality.unreadable]


_OPERATIVE = re.compile(r"(?:判决|裁定)如下")
# What a court prints after the disposition is complete: costs, the appeal notice, finality.
_DISPOSITION_ENDED = re.compile(r"受理费|如不服本(?:判决|裁定)|本(?:判决|裁定)(?:为终审|送达后)")
_SIGNERS = re.compile(r"审判长|审判员|书记员")


def signature_pages_unread(doc: m.Document, unreadable: Sequence[int]) -> bool:
    """A judgment or ruling whose unreadable pages are only its last ones, after a disposition read to its
    end (costs, appeal notice) and holding the signature block the readable pages lack: what they carry
    is the decision date, which then waits for a person as a fact check; the rest was read."""
    if doc.doc_type not in DECISION_TYPES or not unreadable:
        return False
    first = min(unreadable)
    if sorted(unreadable) != list(range(first, doc.last_page + 1)) or first <= doc.first_page:
        return False
    read = re.sub(r"\s", "", "".join(p.text or "" for p in doc.attachment.pages
                                      if doc.first_page <= p.number < first))
    marks = list(_OPERATIVE.finditer(read))
    return bool(marks) and _DISPOSITION_ENDED.search(read, marks[-1].end()) is not None and not _SIGNERS.search(
        read, marks[-1].end())


def _text(doc: m.Document) -> str:
    return "\n".join(p.text or "" for p in doc.attachment.pages if doc.first_page <= p.number <= doc.last_page)


def match_document(
    s: Session, doc: m.Document, ctx: DocContext, cfg: Any, created: set[int], pool: CasePool | None = None
) -> None:
    doc.candidates.clear()
    s.flush()
    snap = pool.snapshot if pool else _snapshot
    scored: list[Candidate] = [score_case(ctx, snap(c), nm) for c, nm in _candidate_cases(s, ctx, pool)]
    ranked = rank(scored)[:5]
    status = decide(ranked, cfg.auto_threshold, cfg.margin)
    unreadable = unreadable_pages(doc)
    if status == MatchStatus.auto and doc.doc_type == DocType.other and is_case_list(doc.title, _text(doc)):
        status = MatchStatus.review
        note = "lists cases (a statistics table or ledger): it belongs to no one case, a person decides"
        if note not in (doc.evidence or []):
            doc.evidence = [*(doc.evidence or []), note]
    elif status == MatchStatus.auto and unreadable and not signature_pages_unread(doc, unreadable):
        # Part of the document could not be read: what it says (a date, the outcome) may be missing.
        status = MatchStatus.review
        note = f"page(s) {', '.join(map(str, unreadable))} unreadable: a person checks the scan before filing"
        if note not in (doc.evidence or []):
            doc.evidence = [*(doc.evidence or []), note]
    for i, cand in enumerate(ranked, start=1):
        doc.candidates.append(
            m.MatchCandidate(case_id=cand.case.id, rank=i, score=cand.score, evidence=list(cand.evidence))
        )
    if status == MatchStatus.auto:
        top = ranked[0]
        doc.case_id = top.case.id
        doc.match_status = MatchStatus.auto
        doc.match_confidence = top.score
        ev = list(doc.evidence or [])
        if top.case.id in created and doc.case_number == top.case.case_number:
            ev.append(f"started case {doc.case_number}")
        doc.evidence = ev
    else:
        doc.case_id = None
        doc.match_status = status  # review (ranked candidates) or none
        doc.match_confidence = ranked[0].score if ranked else 0.0
        if status == MatchStatus.review:
            # Scored again when new cases arrive: the latest reasons replace the earlier ones.
            kept = [e for e in (doc.evidence or []) if not e.startswith("review: ")]
            doc.evidence = kept + review_reasons(ranked, cfg.auto_threshold, cfg.margin)
    s.flush()


def record_fact(
    s: Session, case: m.Case, field: str, value: Any, previous: Any, document_id: int | None, actor: str = "system",
    reason: str | None = None,
) -> None:
    s.add(
        m.CaseFact(
            case_id=case.id,
            field=field,
            value=_jsonable(value),
            previous=_jsonable(previous),
            document_id=document_id,
            actor=actor,
            reason=reason,
        )
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def _set(s: Session, case: m.Case, field: str, value: Any, doc: m.Document, reason: str | None = None) -> None:
    if value is None or value == [] or value == "":
        return
    if field in (case.human_fields or ()):
        return  # a person's value stands; a later document that disagrees opens a fact check instead
    current = getattr(case, field)
    if current == value:
        return
    setattr(case, field, value)
    record_fact(s, case, field, value, current, doc.id, reason=reason)


ROSTER_NOTE = "roster: "


def _roster_judgement(s: Session, case: m.Case, doc: m.Document, f: Fields) -> RosterJudgement | None:
    """The agency roster's word on who this document says appeared, kept on the document as evidence."""
    judgement = judge_head(f.head_present, f.head_principal, f.head_name, roster_people(s, case.agency_id))
    fields = dict(doc.fields or {})
    fields.pop("roster", None)
    # Judged again after a roster change: the earlier word of the roster no longer holds.
    evidence = [e for e in (doc.evidence or []) if not e.startswith(ROSTER_NOTE)]
    if judgement is not None:
        fields["roster"] = judgement.as_json()
        evidence.append(f"{ROSTER_NOTE}{judgement.verdict.value} ({judgement.reason})")
    if evidence != (doc.evidence or []):
        doc.evidence = evidence
    if fields != (doc.fields or {}):
        doc.fields = fields
    return judgement


def _head_from_record(s: Session, case: m.Case) -> bool:
    """Whether an appearance record already gave this case its head appearance."""
    return (
        s.scalar(
            select(m.CaseFact.id)
            .join(m.Document, m.CaseFact.document_id == m.Document.id)
            .where(
                m.CaseFact.case_id == case.id,
                m.CaseFact.field.like("head_%"),
                m.Document.doc_type == DocType.appearance_record.value,
            )
            .limit(1)
        )
        is not None
    )


def agency_outcome(f: Fields, agency_names: Sequence[str]) -> Outcome | None:
    """A ruling on an enforcement application is a win or loss only for the body that applied (the
    document's `defendant` side): the court reviewing another body's application decides nothing
    about this agency."""
    applicant = f.defendant
    if f.outcome in (Outcome.agency_won, Outcome.agency_lost) and is_enforcement(f.disposition) and applicant:
        if not any(n in applicant or applicant in n for n in agency_names if len(n) >= 4):
            return Outcome.pending
    return f.outcome


def _agency_outcome(case: m.Case, f: Fields) -> Outcome | None:
    return agency_outcome(f, [n for n in ((case.agency.name, case.agency.short_name) if case.agency else ()) if n])


def _upheld_outcome(s: Session, case: m.Case, f: Fields) -> Outcome | None:
    """An appeal dismissed on the private party's appeal keeps the first instance's outcome: taken
    from the first-instance case when it is on file and decided."""
    if f.doubts.get("outcome") != UPHELD_ON_PLAINTIFF_APPEAL:
        return None
    parent = case.appeal_of
    if parent is None and f.first_instance_case and f.first_instance_case != case.case_number:
        parent = s.scalar(select(m.Case).where(m.Case.case_number == f.first_instance_case))
    if parent is not None and parent.outcome in (Outcome.agency_won, Outcome.agency_lost):
        return Outcome(parent.outcome)
    return None


HEAD_FIELDS = ("head_present", "head_principal", "head_name", "head_title")
HEAD_SOURCES = (DocType.appearance_record.value, DocType.judgment.value)


def _apply_head(s: Session, case: m.Case, doc: m.Document, f: Fields) -> None:
    """Who appeared, from an appearance record or (without one) the judgment, judged against the roster."""
    if doc.doc_type not in HEAD_SOURCES:
        return
    if doc.doc_type == DocType.judgment.value and _head_from_record(s, case):
        return  # the appearance record is the authority on who appeared
    earlier = (doc.fields or {}).get("roster")
    roster = _roster_judgement(s, case, doc, f)
    for name in HEAD_FIELDS:
        value = getattr(f, name)
        reason = roster.reason if roster is not None and name != "head_title" else None
        if name == "head_principal" and value is None and roster is not None and roster.verdict == Verdict.fills:
            value = roster.principal  # the document left the rank open; the roster tells it
        _set(s, case, name, value, doc, reason)
    if f.head_principal is None and (roster is None or roster.verdict != Verdict.fills):
        _unfill_rank(s, case, doc, earlier, roster)


def _unfill_rank(s: Session, case: m.Case, doc: m.Document, earlier: object,
                 roster: RosterJudgement | None) -> None:
    """The roster no longer tells the rank it once filled for this document (the entry was removed or its
    post changed): the rank goes back to unknown instead of standing on a roster that says otherwise."""
    if not isinstance(earlier, dict) or earlier.get("verdict") != Verdict.fills.value:
        return
    if "head_principal" in (case.human_fields or ()) or case.head_principal != earlier.get("principal"):
        return  # a person's value, or another document's, is not the roster's to take back
    was = f"{earlier.get('name') or ''}（{earlier.get('post') or '职务未填'}）"
    now = roster.reason if roster is not None else "本单位应诉人员名单已无人员"
    previous = case.head_principal
    case.head_principal = None
    record_fact(s, case, "head_principal", None, previous, doc.id,
                reason=f"原按应诉人员名单认定{was}的正职/副职，名单已变更：{now}；文书未写明正职/副职")


def recheck_roster(s: Session, agency_ids: Iterable[int]) -> int:
    """The roster of these agencies changed: judge again who appeared in their cases, from the document each
    case took its head appearance from (the last appearance record, else the last judgment). Returns how many
    cases were looked at."""
    ids = list(agency_ids)
    if not ids:
        return 0
    docs = s.scalars(
        select(m.Document).join(m.Case, m.Document.case_id == m.Case.id)
        .where(m.Case.agency_id.in_(ids), m.Document.doc_type.in_(HEAD_SOURCES),
               m.Document.match_status.in_(ACCEPTED_MATCHES))
        .order_by(m.Document.id)
    ).all()
    source: dict[int, m.Document] = {}
    for doc in docs:
        assert doc.case_id is not None
        have = source.get(doc.case_id)
        if have is None or have.doc_type != DocType.appearance_record.value or doc.doc_type == have.doc_type:
            source[doc.case_id] = doc
    cases = []
    for doc in source.values():
        assert doc.case is not None
        _apply_head(s, doc.case, doc, fields_from_json(doc.fields))
        cases.append(doc.case)
    sync_case_checks(s, cases)
    return len(cases)


def _agreed(earlier: Sequence[Any], doc: m.Document, name: str) -> Any:
    """What the case's documents (this one last) agree on for its plaintiffs or court (cases.parties)."""
    readings = [(f or {}).get(name) for f in [*earlier, doc.fields]]
    if name == "court":
        return next(iter(agreed_court([str(r) for r in readings if r]).names), None)
    return list(agreed_plaintiffs([tuple(r) for r in readings if r]).names)


def _earlier_fields(s: Session, case: m.Case, doc: m.Document) -> Sequence[Any]:
    """The fields of the case's other filed documents, oldest first (one query)."""
    return s.scalars(
        select(m.Document.fields).where(m.Document.case_id == case.id, m.Document.id != doc.id,
                                        m.Document.match_status.in_(ACCEPTED_MATCHES))
        .order_by(m.Document.id)
    ).all()


_DOC_CN = {"judgment": "判决书", "ruling": "裁定书"}


def _notice_read(s: Session, case: m.Case) -> bool:
    """Whether a notice to respond filed to the case had its own date read (the case's notice date is
    then the notice's, which a decision's recital never replaces)."""
    for doc in case.documents:
        if doc.doc_type == DocType.notice_to_respond.value and doc.match_status in ACCEPTED_MATCHES:
            if (doc.fields or {}).get("doc_date"):
                return True
    return False


def apply_document_facts(s: Session, case: m.Case, doc: m.Document, msg: m.Message) -> None:
    """Later documents update earlier facts; each change is recorded with its document."""
    if doc.doc_type == DocType.rectification_report.value:
        note_report(s, case, doc, msg.received_at)
        return  # the agency's own report states no court fact
    f = fields_from_json(doc.fields)
    if case.agency_id is None and msg.agency_id is not None:
        _set(s, case, "agency_id", msg.agency_id, doc)
    earlier: Sequence[Any] | None = None
    for name in FACT_FIELDS:
        if name in HEAD_FIELDS:
            continue
        value = getattr(f, name)
        if name == "hearing_at":
            if doc.doc_type != DocType.summons.value and case.hearing_at is not None:
                continue  # the summons is the authority on the hearing time
        if name in ("plaintiffs", "court") and value:
            if earlier is None:
                earlier = _earlier_fields(s, case, doc)
            value = _agreed(earlier, doc, name)
        if name in ("plaintiffs", "third_parties"):
            value = list(value or [])
        _set(s, case, name, value, doc)
    _apply_head(s, case, doc, f)
    if doc.doc_type == DocType.notice_to_respond.value:
        _set(s, case, "notice_date", f.doc_date, doc)
    elif doc.doc_type in DECISION_TYPES and f.notice_served and not _notice_read(s, case):
        # The notice's own date is unreadable (under the seal) or the notice has not come: the court's
        # recital of when it served the notice gives the day the agency's deadlines ran from.
        label = _DOC_CN.get(doc.doc_type, "裁判文书")
        _set(s, case, "notice_date", f.notice_served, doc,
             reason=f"应诉通知书日期未能读出，按{label}所载送达起诉状副本及应诉通知书的日期")
    # A judgment always decides the case, so its date is the decision date even when its disposition
    # could not be read (the outcome then waits for a person); a ruling only when it concluded the case
    # (many rulings are procedural: jurisdiction, suspension, preservation).
    if doc.doc_type in DECISION_TYPES and (f.outcome or doc.doc_type == DocType.judgment.value):
        if f.outcome:
            _set(s, case, "outcome", _upheld_outcome(s, case, f) or _agency_outcome(case, f), doc)
        _set(s, case, "decision_type", DECISION_TYPES[doc.doc_type], doc)
        _set(s, case, "decision_date", f.doc_date, doc)
        _set(s, case, "disposition", f.disposition, doc)
    first = f.first_instance_case
    if first and case.appeal_of_id is None and first != case.case_number:
        parent = s.scalar(select(m.Case).where(m.Case.case_number == first))
        if parent is not None:
            _set(s, case, "appeal_of_id", parent.id, doc)
