"""Fact checks: open, keep current and settle the checks of a case's report facts.

`sync_case_checks` runs after every change to a case (filing, review decisions, corrections): findings
of cases.plausibility open checks; an open check whose finding went away (a later document supplied
the fact) is cleared; a check a person settled stays settled. The caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.facts import FACT_LABELS, display, fact_of
from cases.plausibility import KIND_LABELS, CaseFacts, DocFacts, Finding, findings
from store import models as m
from store.clock import utcnow
from terms.dates import local_date
from terms.status import ACCEPTED_MATCHES, FactCheckStatus, MessageStatus

CheckStatus = FactCheckStatus


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=ZoneInfo("UTC"))


def case_documents(s: Session, case_ids: Iterable[int]) -> dict[int, list[DocFacts]]:
    """The documents filed to each case from filed mail, oldest message first (one query)."""
    ids = list(case_ids)
    out: dict[int, list[DocFacts]] = defaultdict(list)
    if not ids:
        return out
    rows = s.execute(
        select(m.Document, m.Message.received_at, m.Message.created_at)
        .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
        .join(m.Message, m.Attachment.message_id == m.Message.id)
        # "pending": the message being filed right now (its status is set after matching).
        .where(m.Document.case_id.in_(ids), m.Document.match_status.in_(ACCEPTED_MATCHES),
               m.Message.status.in_((MessageStatus.filed, MessageStatus.pending)),
               m.Attachment.status == "ok")
        .order_by(m.Message.received_at, m.Document.id)
    )
    for d, received_at, created_at in rows:
        if d.case_id is None:
            continue
        at = _aware(received_at)
        out[d.case_id].append(DocFacts(d.id, d.doc_type, at, local_date(at), d.fields or {},
                                       d.first_page, d.last_page, _aware(created_at)))
    return out


def human_since(s: Session, case_ids: Iterable[int]) -> dict[int, dict[str, datetime]]:
    """When a person last set or confirmed each fact of each case."""
    ids = list(case_ids)
    out: dict[int, dict[str, datetime]] = defaultdict(dict)
    if not ids:
        return out
    for f in s.scalars(select(m.CaseFact).where(m.CaseFact.case_id.in_(ids), m.CaseFact.actor != "system")):
        fact = fact_of(f.field)
        at = _aware(f.at)
        if at > out[f.case_id].get(fact, at.replace(year=1)):
            out[f.case_id][fact] = at
            if fact == "head_role":
                out[f.case_id]["head_present"] = at
    return out


def case_facts(case: m.Case, since: dict[str, datetime], first_instance_outcome: str | None = None) -> CaseFacts:
    human = {fact_of(a) for a in (case.human_fields or [])}
    if "head_present" in (case.human_fields or []):
        human.add("head_role")
    return CaseFacts(
        case_number=case.case_number, notice_date=case.notice_date,
        hearing_at=case.hearing_at.replace(tzinfo=None) if case.hearing_at else None,
        head_present=case.head_present, head_principal=case.head_principal, head_name=case.head_name,
        head_title=case.head_title, outcome=case.outcome or "pending", decision_type=case.decision_type,
        decision_date=case.decision_date, human=frozenset(human), human_since=since,
        first_instance_outcome=first_instance_outcome, court=case.court, plaintiffs=tuple(case.plaintiffs or ()),
    )


def _same(check: m.FactCheck, f: Finding) -> bool:
    return (check.kind, check.read_value, check.document_id) == (f.kind.value, f.read_value, f.document_id)


def sync_case_checks(s: Session, cases: Iterable[m.Case]) -> None:
    """Bring the fact checks of these cases in line with their current facts and documents."""
    cases = [c for c in cases if c.id is not None]
    if not cases:
        return
    s.flush()
    ids = [c.id for c in cases]
    docs = case_documents(s, ids)
    since = human_since(s, ids)
    existing: dict[int, list[m.FactCheck]] = defaultdict(list)
    for chk in s.scalars(select(m.FactCheck).where(m.FactCheck.case_id.in_(ids)).order_by(m.FactCheck.id)):
        existing[chk.case_id].append(chk)
    for case in cases:
        # By id: the relationship is not refreshed before a flush when filing has just set the link.
        parent = s.get(m.Case, case.appeal_of_id) if case.appeal_of_id is not None else None
        facts = case_facts(case, since.get(case.id, {}), parent.outcome if parent is not None else None)
        found = {f.fact: f for f in findings(facts, docs.get(case.id, []))}
        checks = existing.get(case.id, [])
        for chk in checks:
            if chk.status != CheckStatus.open:
                continue
            f = found.get(chk.fact)
            if f is None:
                chk.status = CheckStatus.cleared.value
                chk.resolved_at = utcnow()
                chk.resolved_by = "system"
            else:
                chk.kind, chk.reason, chk.read_value = f.kind.value, f.reason, f.read_value
                chk.document_id, chk.page = f.document_id, f.page
                found.pop(chk.fact)
        for f in found.values():
            # A person already settled exactly this doubt: do not ask again.
            if any(c.fact == f.fact and c.status == CheckStatus.resolved and _same(c, f) for c in checks):
                continue
            s.add(m.FactCheck(case_id=case.id, fact=f.fact, kind=f.kind.value, status=CheckStatus.open.value,
                              reason=f.reason, read_value=f.read_value, document_id=f.document_id, page=f.page))
    s.flush()


def resolve_checks(s: Session, case_id: int, facts: Iterable[str], actor: str, value: Any) -> None:
    """A person set or confirmed these facts: their open checks are settled."""
    wanted = set(facts)
    if "head_role" in wanted or "head_present" in wanted:
        wanted |= {"head_role", "head_present"}
    for chk in s.scalars(select(m.FactCheck).where(m.FactCheck.case_id == case_id,
                                                   m.FactCheck.status == CheckStatus.open.value)):
        if chk.fact in wanted:
            chk.status = CheckStatus.resolved.value
            chk.resolved_at = utcnow()
            chk.resolved_by = actor
            chk.resolved_value = value


# ----------------------------------------------------------------- reading checks


@dataclass(frozen=True)
class CheckView:
    id: int
    case_id: int
    case_number: str | None
    agency: str | None
    fact: str
    fact_label: str
    kind: str
    kind_label: str
    status: str
    reason: str
    read_value: Any
    read_text: str
    current_text: str
    document_id: int | None
    attachment_id: int | None
    filename: str | None
    page: int | None  # page number in the attachment
    page_id: int | None  # Page row, for its preview image
    page_text: str
    created_at: datetime
    resolved_by: str | None
    resolved_value: Any


def _current(case: m.Case, fact: str) -> Any:
    if fact == "head_role":
        from cases.facts import head_role

        return head_role(case.head_present, case.head_principal)
    return getattr(case, fact, None)


def check_views(s: Session, checks: list[m.FactCheck]) -> list[CheckView]:
    """Views of checks with their case, document and page (a fixed number of queries)."""
    if not checks:
        return []
    case_ids = {c.case_id for c in checks}
    cases = {c.id: c for c in s.scalars(select(m.Case).where(m.Case.id.in_(case_ids)))}
    agencies = {a.id: a.name for a in s.scalars(select(m.Agency))}
    doc_ids = {c.document_id for c in checks if c.document_id}
    docs = {d.id: d for d in s.scalars(select(m.Document).where(m.Document.id.in_(doc_ids)))} if doc_ids else {}
    att_ids = {d.attachment_id for d in docs.values()}
    atts = {a.id: a for a in s.scalars(select(m.Attachment).where(m.Attachment.id.in_(att_ids)))} if att_ids else {}
    pages = {(p.attachment_id, p.number): p for p in
             s.scalars(select(m.Page).where(m.Page.attachment_id.in_(att_ids)))} if att_ids else {}
    out = []
    for c in checks:
        case = cases[c.case_id]
        doc = docs.get(c.document_id) if c.document_id else None
        att = atts.get(doc.attachment_id) if doc else None
        page = pages.get((doc.attachment_id, c.page)) if doc and c.page else None
        out.append(CheckView(
            id=c.id, case_id=c.case_id, case_number=case.case_number,
            agency=agencies.get(case.agency_id) if case.agency_id else None, fact=c.fact,
            fact_label=FACT_LABELS.get(c.fact, c.fact), kind=c.kind, kind_label=KIND_LABELS.get(c.kind, c.kind),
            status=c.status, reason=c.reason, read_value=c.read_value, read_text=display(c.fact, c.read_value),
            current_text=display(c.fact, _current(case, c.fact)), document_id=c.document_id,
            attachment_id=doc.attachment_id if doc else None, filename=att.filename if att else None,
            page=c.page, page_id=page.id if page and page.preview_sha256 else None,
            page_text=page.text if page else "", created_at=c.created_at, resolved_by=c.resolved_by,
            resolved_value=c.resolved_value,
        ))
    return out


def open_checks(s: Session, limit: int | None = None) -> list[m.FactCheck]:
    """Waiting checks, oldest first (the first `limit` of them, when given)."""
    return list(s.scalars(select(m.FactCheck).where(m.FactCheck.status == CheckStatus.open.value)
                          .order_by(m.FactCheck.created_at, m.FactCheck.id).limit(limit)))


def open_check_count(s: Session) -> int:
    stmt = select(func.count()).select_from(m.FactCheck).where(m.FactCheck.status == CheckStatus.open.value)
    return s.scalar(stmt) or 0


def open_facts_by_case(s: Session, case_ids: Iterable[int] | None = None) -> dict[int, list[tuple[str, int, str]]]:
    """case id -> [(fact, check id, reason)] of its waiting checks (of `case_ids` only, when given)."""
    stmt = (select(m.FactCheck.case_id, m.FactCheck.fact, m.FactCheck.id, m.FactCheck.reason)
            .where(m.FactCheck.status == CheckStatus.open.value)
            .order_by(m.FactCheck.created_at, m.FactCheck.id))
    if case_ids is not None:
        stmt = stmt.where(m.FactCheck.case_id.in_(list(case_ids)))
    out: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for case_id, fact, check_id, reason in s.execute(stmt):
        out[case_id].append((fact, check_id, reason))
    return out


