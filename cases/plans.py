"""Who is expected to appear at a hearing (有庭必出): the plan an agency's reply names, or staff enter.

A plan belongs to one hearing (the case's hearing time when it was made): a rescheduled hearing needs a
new one. Staff's plan stands over any reply; among plans of one source the newest counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.roster import HEAD_ROLES, ROLE_LABELS, PersonRole, find_person, plan_role
from cases.roster_store import roster_people
from extract.understanding.casenumber import find_case_numbers
from extract.understanding.plan_reply import parse_head_plan
from ingest.senders import HELD_FOR_REVIEW
from store import models as m
from terms.status import OutboxKind, SenderStatus


class PlanSource(StrEnum):
    reply = "reply"  # the agency's email naming who will appear
    staff = "staff"  # entered by bureau staff


REPLY, STAFF = PlanSource.reply, PlanSource.staff


@dataclass(frozen=True)
class PlanView:
    name: str
    title: str | None
    role: str
    role_label: str
    source: str  # reply | staff
    message_id: int | None
    evidence: tuple[str, ...]
    is_head: bool


def plan_warning(plan: PlanView | None) -> str | None:
    """Why the watch page warns about a hearing (None: a head is planned)."""
    if plan is None:
        return "单位尚未报告出庭负责人"
    if plan.role == PersonRole.staff:
        return f"拟出庭的{plan.name}为工作人员，不是负责人"
    if not plan.is_head:
        return f"无法确认拟出庭的{plan.name}为负责人（职务未注明且不在应诉人员名单中）"
    return None


def _view(p: m.AppearancePlan) -> PlanView:
    return PlanView(p.name, p.title, p.role, ROLE_LABELS.get(p.role, p.role), p.source, p.message_id,
                    tuple(p.evidence or ()), p.role in HEAD_ROLES)


def current_plans(s: Session, cases: Iterable[m.Case]) -> dict[int, PlanView]:
    """The plan for each case's current hearing (cases without one are left out)."""
    by_id = {c.id: c for c in cases}
    if not by_id:
        return {}
    out: dict[int, m.AppearancePlan] = {}
    rows = s.scalars(select(m.AppearancePlan).where(m.AppearancePlan.case_id.in_(list(by_id)))
                     .order_by(m.AppearancePlan.id))
    for p in rows:
        case = by_id[p.case_id]
        if p.hearing_at is not None and case.hearing_at is not None and p.hearing_at != case.hearing_at:
            continue  # made for an earlier hearing time
        have = out.get(p.case_id)
        if have is None or not (have.source == STAFF and p.source == REPLY):
            out[p.case_id] = p
    return {cid: _view(p) for cid, p in out.items()}


def _role_and_evidence(s: Session, case: m.Case, name: str, title: str | None) -> tuple[str, int | None, list[str]]:
    person = find_person(name, roster_people(s, case.agency_id))
    role = plan_role(title, person)
    if person is not None:
        note = f"应诉人员名单：{person.name}，{person.post or '职务未填'}（{ROLE_LABELS[role]}）"
    else:
        note = f"{name}不在应诉人员名单中，按所报职务“{title or '未注明'}”认定为{ROLE_LABELS[role]}"
    return role.value, person.id if person else None, [note]


def _reply_case(s: Session, msg: m.Message) -> m.Case | None:
    """The one case of the sender's agency with a hearing this reply is about: the case of the hearing reminder
    it answers, else the one case number it names. None when that is not one case."""
    ids = [x for x in [msg.in_reply_to, *(msg.references or [])] if x]
    reminded: set[int] = set()
    if ids:
        reminded = {cid for cid in s.scalars(select(m.OutboxMessage.case_id).where(
            m.OutboxMessage.header_message_id.in_(ids), m.OutboxMessage.kind == OutboxKind.reminder_hearing.value))
            if cid is not None}
    if not reminded:
        numbers = {str(cn) for cn, _pos in find_case_numbers(f"{msg.subject}\n{msg.body_text}")}
        if numbers:
            reminded = set(s.scalars(select(m.Case.id).where(m.Case.case_number.in_(numbers))))
    cases = [c for c in (s.get(m.Case, cid) for cid in reminded)
             if c is not None and c.agency_id == msg.agency_id and c.hearing_at is not None]
    return cases[0] if len(cases) == 1 else None


def record_reply_plan(s: Session, msg: m.Message) -> m.AppearancePlan | None:
    """A registered agency's reply naming the head who will appear becomes the plan of that hearing, with the
    message as evidence. Once per message (re-processing does not add another)."""
    if msg.agency_id is None or msg.sender_status != SenderStatus.registered.value:
        return None
    planned = parse_head_plan(msg.body_text or "")
    if planned is None:
        return None
    case = _reply_case(s, msg)
    if case is None:
        return None
    existing = s.scalar(select(m.AppearancePlan).where(m.AppearancePlan.message_id == msg.id,
                                                       m.AppearancePlan.case_id == case.id))
    if existing is not None:
        return existing
    role, entry_id, notes = _role_and_evidence(s, case, planned.name, planned.title)
    evidence = [f"来信 #{msg.id}（{msg.from_address or '—'}）：{planned.line}", *notes]
    if HELD_FOR_REVIEW in (msg.sender_evidence or []):
        evidence.append("发件人未经认证，请核实")
    plan = m.AppearancePlan(case_id=case.id, hearing_at=case.hearing_at, name=planned.name, title=planned.title,
                            role=role, source=REPLY.value, message_id=msg.id, roster_entry_id=entry_id,
                            evidence=evidence, actor="system")
    s.add(plan)
    s.flush()
    return plan


def set_staff_plan(s: Session, case: m.Case, name: str, title: str, actor: str) -> m.AppearancePlan:
    """Staff enter who will appear (a phone call, a paper notice); audited."""
    clean = "".join(name.split())
    if len(clean) < 2 or len(clean) > 64:
        raise ValueError("请填写拟出庭人员姓名")
    role, entry_id, notes = _role_and_evidence(s, case, clean, title.strip() or None)
    plan = m.AppearancePlan(case_id=case.id, hearing_at=case.hearing_at, name=clean, title=title.strip() or None,
                            role=role, source=STAFF.value, roster_entry_id=entry_id, evidence=[f"{actor} 录入", *notes],
                            actor=actor)
    s.add(plan)
    s.flush()
    s.add(m.AuditEntry(actor=actor, action="plan.set", object_type="case", object_id=case.id, before=None,
                       after={"name": plan.name, "title": plan.title, "role": role,
                              "hearing_at": case.hearing_at.isoformat() if case.hearing_at else None}))
    return plan
