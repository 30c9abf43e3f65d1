"""Compliance (履行) with lost decisions in effect: found by a sync over the cases (terms.followup decides
when a loss takes effect), what it orders read from the disposition (extract.understanding.orders), staff
set or correct the order and due date and record it performed. A person's values are never overwritten
by the sync; every change is audited on the case. The caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.facts import FactValueError, fact_of
from cases.rectification import audit, cancel_queued
from extract.understanding.orders import read_order
from store import models as m
from terms.dates import DEFAULT_TIMEZONE, local_date
from terms.errors import ErrorCode, FilingError
from terms.followup import Decision, Effect, lost_effect, order_due
from terms.status import ACCEPTED_MATCHES, ComplianceStatus, FactCheckStatus, OutboxKind, Outcome
from terms.workdays import WorkCalendar

COMPLIANCE_KINDS = (OutboxKind.reminder_compliance, OutboxKind.reminder_compliance_overdue)
DECISION_FACTS = frozenset({"decision_date", "decision_type", "outcome"})
UNIT_LABELS = {"days": "日", "workdays": "个工作日", "months": "个月"}


@dataclass(frozen=True)
class ComplianceRules:
    appeal_days_judgment: int = 15
    appeal_days_ruling: int = 10
    final_suffixes: tuple[str, ...] = ("终",)
    exclude_case_types: frozenset[str] = frozenset({"行审", "行审复"})


@dataclass
class SyncReport:
    opened: list[int] = field(default_factory=list)  # case ids
    voided: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)


def state_of(c: m.Compliance | None) -> dict[str, object] | None:
    if c is None:
        return None
    return {"effective_on": c.effective_on.isoformat(), "order_text": c.order_text,
            "due_date": c.due_date.isoformat() if c.due_date else None, "due_basis": c.due_basis,
            "status": c.status, "done_on": c.done_on.isoformat() if c.done_on else None, "note": c.note}


def compliance_of(s: Session, case_id: int) -> m.Compliance | None:
    return s.scalar(select(m.Compliance).where(m.Compliance.case_id == case_id))


def _decision_received(s: Session, case_ids: list[int], tz: str) -> dict[int, date]:
    """The day the bureau first received each case's judgment or ruling (filed to the case)."""
    out: dict[int, date] = {}
    for i in range(0, len(case_ids), 500):
        rows = s.execute(
            select(m.Document.case_id, m.Document.doc_type, func.min(m.Message.received_at))
            .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
            .join(m.Message, m.Attachment.message_id == m.Message.id)
            .where(m.Document.case_id.in_(case_ids[i : i + 500]), m.Document.match_status.in_(ACCEPTED_MATCHES),
                   m.Document.doc_type.in_(("judgment", "ruling")))
            .group_by(m.Document.case_id, m.Document.doc_type)
        )
        for case_id, _doc_type, at in rows:
            if case_id is None:
                continue
            day = local_date(at, tz)
            out[case_id] = min(day, out.get(case_id, day))
    return out


def _doubted_decisions(s: Session, case_ids: list[int]) -> set[int]:
    """Cases whose decision (type, date, outcome) waits for a person in a fact check, unless a person set it."""
    out: set[int] = set()
    for i in range(0, len(case_ids), 500):
        rows = s.execute(
            select(m.FactCheck.case_id, m.Case.human_fields)
            .join(m.Case, m.FactCheck.case_id == m.Case.id)
            .where(m.FactCheck.case_id.in_(case_ids[i : i + 500]), m.FactCheck.status == FactCheckStatus.open,
                   m.FactCheck.fact.in_(sorted(DECISION_FACTS)))
        )
        for case_id, human in rows:
            if not DECISION_FACTS & {fact_of(a) for a in (human or [])}:
                out.add(case_id)
    return out


def _decision(c: m.Case, received: dict[int, date], rules: ComplianceRules) -> Decision:
    return Decision(c.id, c.decision_type, c.decision_date, c.outcome or Outcome.pending,
                    any((c.case_type or "").endswith(x) for x in rules.final_suffixes), received.get(c.id))


def read_due(effect_on: date, served_on: date | None, disposition: str | None,
             calendar: WorkCalendar, decided_on: date | None = None) -> tuple[str, date | None, str | None]:
    """(order text, due date, due basis) read from a disposition; no due date when no limit is printed."""
    order = read_order(disposition, decided_on)
    if order.due_on is not None:
        # The court's own date stands as written: no period is counted, so nothing moves off a day off.
        return order.text, order.due_on, f"裁判文书载明“{order.phrase}”：履行期限为{order.due_on:%Y-%m-%d}"
    if not order.has_limit:
        return order.text, None, None
    assert order.count is not None and order.unit is not None
    if order.base == "service":
        if served_on is None:
            return order.text, None, None
        start, since = served_on, f"自送达之日（以本局收到裁判文书之日{served_on:%Y-%m-%d}计）起"
    else:
        # 民法典 第201条: the day the period starts from is not counted.
        start, since = effect_on, f"自生效之日（{effect_on:%Y-%m-%d}）起"
    due = order_due(start, order.count, order.unit, calendar)
    return order.text, due, f"裁判文书载明“{order.phrase}”：{since}{order.count}{UNIT_LABELS[order.unit]}"


def sync_compliance(s: Session, as_of: date, calendar: WorkCalendar, rules: ComplianceRules | None = None,
                    tz: str = DEFAULT_TIMEZONE) -> SyncReport:
    """Open a compliance for every lost decision in effect as of `as_of`; void open ones no longer in
    effect (an appeal arrived, the outcome changed). Idempotent; audited as `system`."""
    rules = rules or ComplianceRules()
    report = SyncReport()
    roots = list(s.scalars(select(m.Case).where(
        m.Case.appeal_of_id.is_(None), m.Case.decision_type.is_not(None),
    ).order_by(m.Case.id)))
    existing = {c.case_id: c for c in s.scalars(select(m.Compliance))}
    appeals: dict[int, list[m.Case]] = defaultdict(list)
    root_ids = [c.id for c in roots]
    for i in range(0, len(root_ids), 500):
        for a in s.scalars(select(m.Case).where(m.Case.appeal_of_id.in_(root_ids[i : i + 500])).order_by(m.Case.id)):
            assert a.appeal_of_id is not None
            appeals[a.appeal_of_id].append(a)
    chain_ids = root_ids + [a.id for xs in appeals.values() for a in xs]
    received = _decision_received(s, chain_ids, tz)
    doubted = _doubted_decisions(s, chain_ids)
    for root in roots:
        if root.case_type in rules.exclude_case_types or root.agency_role == "applicant":
            continue
        if any(c.id in doubted for c in [root, *appeals.get(root.id, [])]):
            continue  # a decision fact waits for a person: nothing is started or stopped on it
        appeal = appeals[root.id][-1] if appeals.get(root.id) else None
        first, second = _decision(root, received, rules), _decision(appeal, received, rules) if appeal else None
        effect = lost_effect(first, second, as_of, calendar, rules.appeal_days_judgment, rules.appeal_days_ruling)
        # What the facts put in effect at all, whatever the day: a sync run for an earlier day voids nothing.
        ever = lost_effect(first, second, date.max, calendar, rules.appeal_days_judgment, rules.appeal_days_ruling)
        chain = [root, *appeals.get(root.id, [])]
        for case in chain:
            row = existing.get(case.id)
            if row is None or row.status != ComplianceStatus.open:
                continue
            if ever is None or ever.case_id != case.id:
                before = state_of(row)
                row.status = ComplianceStatus.void
                cancel_queued(s, case.id, COMPLIANCE_KINDS, "裁判已不在执行跟踪范围")
                audit(s, "system", "void_compliance", case.id, {"compliance": before}, {"compliance": state_of(row)},
                      "上诉或裁判结果变化，生效裁判不再成立")
                report.voided.append(case.id)
        if effect is None:
            continue
        target = next(c for c in chain if c.id == effect.case_id)
        row = existing.get(target.id)
        if row is None:
            row = _open(s, target, root, effect, received, calendar)
            existing[target.id] = row
            report.opened.append(target.id)
        elif row.status == ComplianceStatus.void and "status" not in (row.human_fields or []):
            before = state_of(row)
            row.status = ComplianceStatus.open
            audit(s, "system", "reopen_compliance", target.id, {"compliance": before}, {"compliance": state_of(row)},
                  effect.basis)
            report.updated.append(target.id)
    return report


def _open(s: Session, target: m.Case, root: m.Case, effect: Effect, received: dict[int, date],
          calendar: WorkCalendar) -> m.Compliance:
    served = received.get(target.id) or target.decision_date
    text, due, basis = read_due(effect.effective_on, served, target.disposition, calendar, target.decision_date)
    if not text and target.id != root.id:
        # 驳回上诉，维持原判: what is to be performed is what the first instance ordered.
        text, due, basis = read_due(effect.effective_on, served, root.disposition, calendar, root.decision_date)
    row = m.Compliance(case_id=target.id, effective_on=effect.effective_on, basis=effect.basis, order_text=text,
                       due_date=due, due_basis=basis, status=ComplianceStatus.open, human_fields=[])
    s.add(row)
    s.flush()
    audit(s, "system", "open_compliance", target.id, {"compliance": None}, {"compliance": state_of(row)}, effect.basis)
    return row


def _compliance(s: Session, case_id: int) -> m.Compliance:
    if s.get(m.Case, case_id) is None:
        raise FilingError(ErrorCode.not_found, f"案件 {case_id} 不存在")
    row = compliance_of(s, case_id)
    if row is None:
        raise FactValueError("该案件没有需要履行的生效裁判（可先填写生效日期以开始跟踪）")
    return row


def set_compliance(s: Session, case_id: int, actor: str, reason: str, *, order_text: str | None = None,
                   due_date: date | None = None, effective_on: date | None = None) -> m.Compliance:
    """Staff set what the decision orders and by when (a value given is a person's: the sync keeps it).
    With `effective_on`, a compliance the sync could not find (no decision document, say) is started."""
    if not reason.strip():
        raise FactValueError("请填写原因")
    case = s.get(m.Case, case_id)
    if case is None:
        raise FilingError(ErrorCode.not_found, f"案件 {case_id} 不存在")
    row = compliance_of(s, case_id)
    before = state_of(row)
    if row is None:
        if effective_on is None:
            raise FactValueError("该案件尚无生效裁判记录：请填写生效日期")
        if case.outcome != Outcome.agency_lost:
            raise FactValueError("该案件不是败诉案件，无需跟踪履行")
        row = m.Compliance(case_id=case_id, effective_on=effective_on, basis=f"人工录入：{reason.strip()}",
                           order_text="", status=ComplianceStatus.open, human_fields=[])
        s.add(row)
    human = set(row.human_fields or [])
    if effective_on is not None:
        row.effective_on = effective_on
        human.add("effective_on")
    if order_text is not None:
        row.order_text = order_text.strip()
        human.add("order_text")
    if due_date is not None:
        row.due_date, row.due_basis = due_date, f"人工设定：{reason.strip()}"
        human.add("due_date")
    if row.status == ComplianceStatus.void:
        row.status = ComplianceStatus.open
        human.add("status")
    row.human_fields = sorted(human)
    s.flush()
    cancel_queued(s, case_id, COMPLIANCE_KINDS, "履行期限已变更", keep_due=row.due_date)
    audit(s, actor, "set_compliance", case_id, {"compliance": before}, {"compliance": state_of(row)}, reason.strip())
    return row


def record_performed(s: Session, case_id: int, actor: str, done_on: date, note: str = "") -> m.Compliance:
    """Staff record that the agency performed what the decision ordered."""
    row = _compliance(s, case_id)
    if row.status == ComplianceStatus.done:
        raise FactValueError("该案件已记录履行完毕")
    before = state_of(row)
    row.status, row.done_on, row.note = ComplianceStatus.done, done_on, note.strip() or None
    row.human_fields = sorted(set(row.human_fields or []) | {"status", "done_on"})
    s.flush()
    cancel_queued(s, case_id, COMPLIANCE_KINDS, "已记录履行完毕")
    audit(s, actor, "record_compliance", case_id, {"compliance": before}, {"compliance": state_of(row)},
          note.strip() or None)
    return row


def open_compliances(s: Session) -> list[m.Compliance]:
    return list(s.scalars(select(m.Compliance).where(m.Compliance.status == ComplianceStatus.open)
                          .order_by(m.Compliance.id)))
