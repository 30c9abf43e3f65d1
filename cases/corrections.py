"""Staff correct any case fact, settle fact checks, add a case by hand and merge two cases that are one.

Every change is audited (who, when, before, after, reason) and recorded as a CaseFact with the person
as actor; a person's value is sticky (Case.human_fields): re-processing never overwrites it. The
caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.checks import CheckStatus, resolve_checks, sync_case_checks
from cases.facts import FACT_LABELS, FactValueError, attrs_of, jsonable, parse_value, role_attrs
from cases.review import audit, refresh_case
from extract.understanding.casenumber import parse_case_number
from store import models as m
from terms.errors import ErrorCode, FilingError
from terms.status import Outcome

EDITABLE = tuple(FACT_LABELS)


def _case(s: Session, case_id: int) -> m.Case:
    case = s.get(m.Case, case_id)
    if case is None:
        raise FilingError(ErrorCode.internal, f"case {case_id} does not exist")
    return case


def resolve_agency(s: Session, text: str) -> int | None:
    t = text.strip()
    if not t:
        return None
    ag = s.scalar(select(m.Agency).where((m.Agency.code == t) | (m.Agency.name == t) | (m.Agency.short_name == t)))
    if ag is None:
        raise FactValueError(f"未找到单位：{t}（填单位全称、简称或代码）")
    return ag.id


def resolve_case_number(s: Session, text: str, not_id: int | None = None) -> int | None:
    t = text.strip()
    if not t:
        return None
    parsed = parse_case_number(t)
    number = str(parsed) if parsed else t
    found = s.scalar(select(m.Case.id).where(m.Case.case_number == number))
    if found is None or found == not_id:
        raise FactValueError(f"未找到案件：{t}")
    return found


def typed_value(s: Session, case: m.Case, fact: str, raw: str) -> Any:
    """The stored value of a fact typed by a person (raises FactValueError with a Chinese message)."""
    if fact not in EDITABLE:
        raise FactValueError(f"不能修改的项目：{fact}")
    if fact == "agency":
        return resolve_agency(s, raw)
    if fact == "appeal_of":
        return resolve_case_number(s, raw, not_id=case.id)
    return parse_value(fact, raw)


def set_fact(s: Session, case: m.Case, fact: str, value: Any, actor: str, reason: str,
             document_id: int | None = None) -> None:
    """Set (or confirm, when unchanged) one fact: sticky, audited, its checks settled."""
    attrs = attrs_of(fact)
    values = role_attrs(value) if fact == "head_role" else (value,)
    before = {a: jsonable(getattr(case, a)) for a in attrs}
    if fact == "outcome" and value is None:
        values = (Outcome.pending.value,)
    for attr, v in zip(attrs, values, strict=True):
        previous = getattr(case, attr)
        setattr(case, attr, v)
        s.add(m.CaseFact(case_id=case.id, field=attr, value=jsonable(v), previous=jsonable(previous),
                         document_id=document_id, actor=actor, reason=reason or None))
    if fact == "head_role" and values[0] is False:
        for attr in ("head_name", "head_title"):  # nobody appeared: a name read earlier is not a head
            if getattr(case, attr):
                s.add(m.CaseFact(case_id=case.id, field=attr, value=None, previous=getattr(case, attr),
                                 document_id=document_id, actor=actor, reason=reason or None))
                setattr(case, attr, None)
    case.human_fields = sorted(set(case.human_fields or []) | set(attrs))
    after = {a: jsonable(getattr(case, a)) for a in attrs}
    audit(s, actor, "confirm_fact" if before == after else "correct_fact", "case", case.id, {fact: before},
          {fact: after}, reason or None)
    resolve_checks(s, case.id, [fact], actor, jsonable(value))
    sync_case_checks(s, [case])


def correct_fact(s: Session, case_id: int, fact: str, raw: str, actor: str, reason: str) -> None:
    case = _case(s, case_id)
    if not reason.strip():
        raise FactValueError("请填写修改原因")
    set_fact(s, case, fact, typed_value(s, case, fact, raw), actor, reason.strip())


def resolve_check(s: Session, check_id: int, raw: str | None, actor: str, reason: str = "") -> m.FactCheck:
    """Settle a fact check: `raw` is the value the person read on the page; None confirms what was read."""
    chk = s.get(m.FactCheck, check_id)
    if chk is None:
        raise FilingError(ErrorCode.internal, f"fact check {check_id} does not exist")
    if chk.status != CheckStatus.open:
        raise FactValueError("该核实事项已处理")
    case = _case(s, chk.case_id)
    if raw is None:
        if chk.read_value is None:
            raise FactValueError("未读出任何值，请填写文书上的值")
        value = typed_value(s, case, chk.fact, str(chk.read_value))
        why = reason or "核实：确认读出的值"
    else:
        value = typed_value(s, case, chk.fact, raw)
        why = reason or "核实：按文书录入"
    set_fact(s, case, chk.fact, value, actor, why, chk.document_id)
    return chk


def add_case(s: Session, actor: str, reason: str, case_number: str, agency: str, court: str = "",
             plaintiffs: str = "", cause: str = "") -> m.Case:
    """A case the bureau learned of otherwise (no document yet); its facts are a person's."""
    if not reason.strip():
        raise FactValueError("请填写新增原因")
    number = case_number.strip()
    parsed = parse_case_number(number) if number else None
    if number and parsed is None:
        raise FactValueError(f"案号格式不正确：{number}")
    number = str(parsed) if parsed else ""
    if number and s.scalar(select(m.Case.id).where(m.Case.case_number == number)) is not None:
        raise FactValueError(f"案件{number}已存在")
    case = m.Case(case_number=number or None, court_code=parsed.court_code if parsed else None,
                  case_type=parsed.type_code if parsed else None, agency_id=resolve_agency(s, agency),
                  agency_role="applicant" if parsed and parsed.type_code.startswith("行审") else "defendant",
                  plaintiffs=[], third_parties=[], outcome=Outcome.pending, human_fields=[])
    s.add(case)
    s.flush()
    audit(s, actor, "add_case", "case", case.id, None, {"case_number": number or None, "agency_id": case.agency_id},
          reason.strip())
    for fact, raw in (("court", court), ("plaintiffs", plaintiffs), ("cause", cause)):
        if raw.strip():
            set_fact(s, case, fact, parse_value(fact, raw), actor, reason.strip())
    if case.agency_id is not None:
        case.human_fields = sorted(set(case.human_fields or []) | {"agency_id"})
    return case


def merge_cases(s: Session, keep_id: int, other_id: int, actor: str, reason: str) -> m.Case:
    """`other` is the same case as `keep`: its documents, history and checks move over, then it is removed.
    Facts `keep` lacks are taken from `other`; a person's values on either side stay a person's."""
    if keep_id == other_id:
        raise FactValueError("不能与本案合并")
    if not reason.strip():
        raise FactValueError("请填写合并原因")
    keep, other = _case(s, keep_id), _case(s, other_id)
    before = {"keep": keep.case_number, "other": other.case_number, "other_id": other.id}
    taken: list[str] = []
    if keep.case_number is None and other.case_number:
        number = other.case_number
        other.case_number = None
        s.flush()
        keep.case_number, keep.court_code, keep.case_type = number, other.court_code, other.case_type
        taken.append("case_number")
    for attr in ("court", "agency_id", "cause", "cause_category", "notice_date", "hearing_at", "hearing_place",
                 "head_present", "head_principal", "head_name", "head_title", "decision_type", "decision_date",
                 "disposition", "appeal_of_id"):
        if attr == "appeal_of_id" and other.appeal_of_id == keep.id:
            continue
        if getattr(keep, attr) is None and getattr(other, attr) is not None:
            setattr(keep, attr, getattr(other, attr))
            taken.append(attr)
    if (keep.outcome or Outcome.pending) == Outcome.pending and other.outcome not in (None, Outcome.pending):
        keep.outcome = other.outcome
        taken.append("outcome")
    if not keep.plaintiffs and other.plaintiffs:
        keep.plaintiffs = list(other.plaintiffs)
        taken.append("plaintiffs")
    keep.human_fields = sorted(set(keep.human_fields or []) | set(other.human_fields or []))
    for model, col in ((m.Document, m.Document.case_id), (m.CaseFact, m.CaseFact.case_id),
                       (m.FactCheck, m.FactCheck.case_id), (m.OutboxMessage, m.OutboxMessage.case_id),
                       (m.MatchCandidate, m.MatchCandidate.case_id)):
        s.execute(update(model).where(col == other.id).values({col.key: keep.id}))
    s.execute(update(m.Case).where(m.Case.appeal_of_id == other.id, m.Case.id != keep.id).values(appeal_of_id=keep.id))
    if keep.appeal_of_id == other.id:
        keep.appeal_of_id = None
    for attr in taken:
        s.add(m.CaseFact(case_id=keep.id, field=attr, value=jsonable(getattr(keep, attr)), previous=None,
                         actor=actor, reason=f"合并案件#{other.id}：{reason.strip()}"))
    s.flush()
    s.expire_all()
    other = _case(s, other_id)
    s.delete(other)
    audit(s, actor, "merge_cases", "case", keep_id, before, {"keep": keep_id, "taken": taken}, reason.strip())
    s.flush()
    keep = _case(s, keep_id)
    refresh_case(s, keep)
    sync_case_checks(s, [keep])
    return keep
