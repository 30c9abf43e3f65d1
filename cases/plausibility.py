"""Which case facts the report uses cannot be trusted as they stand: pure rules over a case's current
facts and the documents filed to it. Each finding names the fact, why, what was read and where the
fact should be printed, so a person can settle it from the page image."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cases.facts import CHECKED_FACTS, head_role
from cases.parties import agreed_court, agreed_plaintiffs
from extract.understanding.fields import UPHELD_ON_PLAINTIFF_APPEAL
from terms.dates import iso_date, iso_datetime
from terms.status import FactCheckKind

JUDGMENT, RULING, APPEARANCE, SUMMONS = "judgment", "ruling", "appearance_record", "summons"
NOTICE = "notice_to_respond"
DECISION_DOCS = (JUDGMENT, RULING)
CONCLUDED = ("agency_won", "agency_lost", "withdrawn")


CheckKind = FactCheckKind

KIND_LABELS = {"missing": "未读出", "implausible": "不合常理", "doubtful": "把握不足", "conflict": "来源矛盾",
               "contradicts": "与人工核实值不符"}


@dataclass(frozen=True)
class DocFacts:
    id: int
    doc_type: str
    received_at: datetime  # aware
    received_on: date  # local day the mail arrived
    fields: Mapping[str, Any]
    first_page: int
    last_page: int
    stored_at: datetime | None = None  # when this system took the mail in (aware): later than a person's word?


@dataclass(frozen=True)
class CaseFacts:
    case_number: str | None
    notice_date: date | None
    hearing_at: datetime | None
    head_present: bool | None
    head_principal: bool | None
    head_name: str | None
    head_title: str | None
    outcome: str
    decision_type: str | None
    decision_date: date | None
    human: frozenset[str] = frozenset()  # fact names a person entered or confirmed
    human_since: Mapping[str, datetime] = field(default_factory=dict)  # fact -> when (aware)
    first_instance_outcome: str | None = None  # the outcome of the case this one appeals
    court: str | None = None
    plaintiffs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    fact: str
    kind: CheckKind
    reason: str  # Chinese
    read_value: Any = None
    document_id: int | None = None
    page: int | None = None  # page of the document's file where the fact is printed


def _d(v: Any) -> date | None:
    return iso_date(v) if isinstance(v, str) else None


def _dt(v: Any) -> datetime | None:
    at = iso_datetime(v) if isinstance(v, str) else None
    return at.replace(tzinfo=None) if at else None


def _year(number: str | None) -> int | None:
    m = re.match(r"[（(](\d{4})[）)]", number or "")
    return int(m.group(1)) if m else None


def _label(doc: DocFacts) -> str:
    return {JUDGMENT: "判决书", RULING: "裁定书", APPEARANCE: "出庭情况", SUMMONS: "传票",
            NOTICE: "应诉通知书"}.get(doc.doc_type, "文书")


def decision_date_problem(value: date, case: CaseFacts, docs: Sequence[DocFacts],
                          carrier: DocFacts | None) -> str | None:
    """Why a decision date cannot be right (None: plausible). A court decides after the notice, after a
    hearing it held, and before the mail carrying the decision arrived."""
    if case.notice_date is not None and value < case.notice_date:
        return f"裁判日期{value}早于应诉通知日期{case.notice_date}"
    year = _year(case.case_number)
    if year is not None and value.year < year:
        return f"裁判日期{value}早于案号年度{year}"
    held = [h for d in docs if d.doc_type == APPEARANCE for h in [_dt(d.fields.get("hearing_at"))] if h is not None]
    if held and value < max(held).date():
        return f"裁判日期{value}早于已开庭日期{max(held).date()}"
    if carrier is not None and value > carrier.received_on:
        return f"裁判日期{value}晚于载有该文书的邮件收到日{carrier.received_on}"
    return None


def _doubt(doc: DocFacts, fact: str) -> str | None:
    """The extractor's doubt about a fact of this document, as staff read it (Chinese)."""
    doubts = doc.fields.get("doubts") or {}
    reason = doubts.get(fact) if isinstance(doubts, Mapping) else None
    if not reason:
        return None
    text = str(reason)
    # The extractor states its reason in English (for developers); staff get it in Chinese.
    detail = f"：{text}" if re.search(r"[\u4e00-\u9fff]", text) else ""
    return f"{_label(doc)}中此项自动读取把握不足{detail}，请对照文书核实"


def _later_than_person(case: CaseFacts, fact: str, doc: DocFacts) -> bool:
    # The time the mail came into this system, not its Date: a re-sent copy imported later is later,
    # while the same mail read again (re-processing) is not.
    since = case.human_since.get(fact)
    return since is not None and (doc.stored_at or doc.received_at) > since


def findings(case: CaseFacts, docs: Sequence[DocFacts]) -> list[Finding]:
    """At most one finding per fact, the most serious first (contradiction, conflict, implausible, missing, doubt)."""
    out: dict[str, Finding] = {}

    def add(f: Finding) -> None:
        if f.fact in CHECKED_FACTS and f.fact not in out:
            out[f.fact] = f

    _contradictions(case, docs, add)
    _decision(case, docs, add)
    _appearance(case, docs, add)
    _hearing_and_notice(case, docs, add)
    _parties_and_court(case, docs, add)
    return [f for f in out.values() if f.fact not in case.human or f.kind == CheckKind.contradicts]


def _contradictions(case: CaseFacts, docs: Sequence[DocFacts], add: Any) -> None:
    """A document that arrived after a person settled a fact and reads it differently."""
    for doc in docs:
        f = doc.fields
        read: dict[str, Any] = {}
        if doc.doc_type in DECISION_DOCS:
            if f.get("doc_date") and (f.get("outcome") or doc.doc_type == JUDGMENT):
                read["decision_date"] = _d(f.get("doc_date"))
            if f.get("outcome"):
                read["outcome"] = f.get("outcome")
        if doc.doc_type in (APPEARANCE, JUDGMENT) and f.get("head_present") is not None:
            read["head_role"] = head_role(f.get("head_present"), f.get("head_principal"))
        if doc.doc_type == SUMMONS and f.get("hearing_at"):
            read["hearing_at"] = _dt(f.get("hearing_at"))
        if doc.doc_type == NOTICE and f.get("doc_date"):
            read["notice_date"] = _d(f.get("doc_date"))
        current = {"decision_date": case.decision_date, "outcome": case.outcome, "notice_date": case.notice_date,
                   "head_role": head_role(case.head_present, case.head_principal),
                   "hearing_at": case.hearing_at.replace(tzinfo=None) if case.hearing_at else None}
        for fact, value in read.items():
            human = fact in case.human or (fact == "head_role" and "head_present" in case.human)
            if human and value is not None and value != current[fact] and _later_than_person(
                    case, fact if fact in case.human_since else "head_present", doc):
                add(Finding(fact, CheckKind.contradicts,
                            f"后收到的{_label(doc)}读出的值与人工核实值不同，请再次核实", value, doc.id,
                            doc.last_page if fact == "decision_date" else doc.first_page))


def _decision(case: CaseFacts, docs: Sequence[DocFacts], add: Any) -> None:
    decisions = [d for d in docs if d.doc_type in DECISION_DOCS]
    if not decisions:
        return
    latest = decisions[-1]
    concluded = case.outcome in CONCLUDED
    # The date sits in the signature block at the end of the decision.
    if case.decision_date is None:
        if concluded or any(d.doc_type == JUDGMENT for d in decisions):
            add(Finding("decision_date", CheckKind.missing,
                        f"已收到{_label(latest)}，未读出裁判日期（落款处）", None, latest.id, latest.last_page))
    else:
        carrier = next((d for d in reversed(decisions) if _d(d.fields.get("doc_date")) == case.decision_date), latest)
        problem = decision_date_problem(case.decision_date, case, docs, carrier)
        if problem:
            add(Finding("decision_date", CheckKind.implausible, problem + "，不予采用", case.decision_date.isoformat(),
                        carrier.id, carrier.last_page))
        dates = {x for d in decisions if d.doc_type == carrier.doc_type for x in [_d(d.fields.get("doc_date"))] if x}
        if len(dates) > 1:
            add(Finding("decision_date", CheckKind.conflict,
                        "同一案件的裁判文书读出不同日期：" + "、".join(sorted(str(x) for x in dates)),
                        case.decision_date.isoformat(), carrier.id, carrier.last_page))
    if not concluded and any(d.doc_type == JUDGMENT for d in decisions):
        judgment = next(d for d in reversed(decisions) if d.doc_type == JUDGMENT)
        add(Finding("outcome", CheckKind.missing, "已收到判决书，未读出裁判结果（判决主文）", None, judgment.id,
                    judgment.first_page))
    for d in reversed(decisions):
        for fact in ("decision_date", "outcome", "decision_type"):
            reason = _doubt(d, fact)
            if fact == "outcome" and _upheld_settled(case, d):
                continue
            if reason:
                value = case.decision_date.isoformat() if fact == "decision_date" and case.decision_date else (
                    case.outcome if fact == "outcome" else case.decision_type)
                add(Finding(fact, CheckKind.doubtful, reason, value, d.id,
                            d.last_page if fact == "decision_date" else d.first_page))


def _upheld_settled(case: CaseFacts, doc: DocFacts) -> bool:
    """A dismissed appeal whose outcome the first-instance case on file decides."""
    doubts = doc.fields.get("doubts") or {}
    return (isinstance(doubts, Mapping) and doubts.get("outcome") == UPHELD_ON_PLAINTIFF_APPEAL
            and case.first_instance_outcome in CONCLUDED[:2] and case.outcome == case.first_instance_outcome)


def _appearance(case: CaseFacts, docs: Sequence[DocFacts], add: Any) -> None:
    sources = [d for d in docs if d.doc_type in (APPEARANCE, JUDGMENT)]
    records = [d for d in sources if d.doc_type == APPEARANCE]
    for d in sources:
        f = d.fields
        if f.get("head_present") is False and (f.get("head_name") or f.get("head_title")):
            add(Finding("head_present", CheckKind.implausible,
                        f"{_label(d)}读出负责人未出庭，却又读出出庭负责人 {f.get('head_name') or ''}"
                        f"{f.get('head_title') or ''}", False, d.id, d.first_page))
    for d in reversed(sources):
        # The agency's roster disagrees with the document about who appeared (cases.roster).
        roster = d.fields.get("roster")
        if isinstance(roster, Mapping) and roster.get("verdict") == "conflict" and roster.get("fact"):
            add(Finding(str(roster["fact"]), CheckKind.conflict, str(roster.get("reason") or ""),
                        head_role(d.fields.get("head_present"), d.fields.get("head_principal")), d.id, d.first_page))
    # A head the roster does not list is only evidence while the document tells the rank; with the rank
    # unknown too, nothing about who appeared can be confirmed and a person checks it.
    if case.head_present and case.head_principal is None:
        for d in reversed(sources):
            roster = d.fields.get("roster")
            if (isinstance(roster, Mapping) and roster.get("verdict") == "not_listed"
                    and d.fields.get("head_principal") is None):
                add(Finding("head_role", CheckKind.doubtful,
                            f"{roster.get('reason') or ''}，文书亦未写明正职/副职，请核实出庭负责人的职务",
                            head_role(case.head_present, case.head_principal), d.id, d.first_page))
                break
    # Sources about the same hearing must agree: records of one day, and the judgment with the last record.
    by_day: dict[date | None, list[DocFacts]] = {}
    for d in records:
        h = _dt(d.fields.get("hearing_at"))
        by_day.setdefault(h.date() if h else None, []).append(d)
    groups = list(by_day.values())
    # A judgment whose head reading the extractor doubts (the parties block names a head, the unreadable
    # hearing paragraph does not say so) is no source against an appearance record read cleanly: the
    # record is that hearing's own evidence. Without such a record the doubt goes to a person below.
    clean_record = any(r.fields.get("head_present") is not None and _doubt(r, "head_present") is None
                       for r in records)

    def outweighed(d: DocFacts) -> bool:
        return clean_record and d.doc_type == JUDGMENT and _doubt(d, "head_present") is not None

    judgments = [d for d in sources if d.doc_type == JUDGMENT and d.fields.get("head_present") is not None
                 and not outweighed(d)]
    if judgments and records:
        groups.append([records[-1], judgments[-1]])
    for group in groups:
        said = [(d, r) for d in group
                for r in [head_role(d.fields.get("head_present"), d.fields.get("head_principal"))] if r is not None]
        roles = {r for _, r in said}
        present = {r != "absent" for r in roles}
        if len(present) > 1:
            add(Finding("head_present", CheckKind.conflict,
                        "出庭情况来源矛盾：" + "；".join(f"{_label(d)}#{d.id}读作{_role_cn(r)}" for d, r in said),
                        None, said[-1][0].id, said[-1][0].first_page))
        elif {"principal", "deputy"} <= roles:
            add(Finding("head_role", CheckKind.conflict,
                        "出庭负责人正职/副职来源矛盾："
                        + "；".join(f"{_label(d)}#{d.id}读作{_role_cn(r)}" for d, r in said),
                        None, said[-1][0].id, said[-1][0].first_page))
    if records and case.head_present is None:
        add(Finding("head_present", CheckKind.missing, "已收到负责人出庭情况，未读出是否出庭", None,
                    records[-1].id, records[-1].first_page))
    _head_name(case, sources, add)
    for d in reversed(sources):
        if outweighed(d):
            continue
        for fact in ("head_present", "head_role"):
            reason = _doubt(d, fact) or (_doubt(d, "head_principal") if fact == "head_role" else None)
            if reason:
                add(Finding(fact, CheckKind.doubtful, reason, head_role(case.head_present, case.head_principal),
                            d.id, d.first_page))


_ROSTER_CONFIRMS = ("agrees", "fills")


def _head_name(case: CaseFacts, sources: Sequence[DocFacts], add: Any) -> None:
    """The head's name as OCR read it is taken when nothing doubts it: two sources naming different
    people is a conflict; a read the extractor doubts (no known surname, another spelling in the same
    judgment) waits for a person unless the agency's roster lists that very name."""
    if not case.head_present or not case.head_name:
        return
    named = [(d, str(d.fields.get("head_name"))) for d in sources
             if d.fields.get("head_present") and d.fields.get("head_name")]
    names = {n for _, n in named}
    if len(names) > 1:
        add(Finding("head_name", CheckKind.conflict,
                    "出庭负责人姓名来源不一：" + "；".join(f"{_label(d)}#{d.id}读作{n}" for d, n in named),
                    case.head_name, named[-1][0].id, named[-1][0].first_page))
        return
    if len(named) > 1:
        return  # two documents read the same name: a misread is not made twice the same way
    for d, name in reversed(named):
        roster = d.fields.get("roster")
        listed = isinstance(roster, Mapping) and roster.get("verdict") in _ROSTER_CONFIRMS and roster.get(
            "name") == name
        if _doubt(d, "head_name") and not listed and name == case.head_name:
            # The extractor's reason is for developers; staff read what to look at.
            add(Finding("head_name", CheckKind.doubtful,
                        f"{_label(d)}读出出庭负责人姓名 {name}，把握不足（首字不是常见姓氏，或文书中另有写法），"
                        "请对照文书核实", case.head_name, d.id, d.first_page))
            return


def _role_cn(role: str) -> str:
    return {"principal": "正职出庭", "deputy": "副职出庭", "present": "负责人出庭", "absent": "未出庭"}.get(role, role)


def _hearing_and_notice(case: CaseFacts, docs: Sequence[DocFacts], add: Any) -> None:
    summons = [d for d in docs if d.doc_type == SUMMONS]
    if summons and case.hearing_at is None:
        add(Finding("hearing_at", CheckKind.missing, "已收到传票，未读出开庭时间", None, summons[-1].id,
                    summons[-1].first_page))
    notices = [d for d in docs if d.doc_type == NOTICE]
    if notices and case.notice_date is None:
        add(Finding("notice_date", CheckKind.missing, "已收到应诉通知书，未读出通知日期（落款处）", None,
                    notices[-1].id, notices[-1].last_page))
    year = _year(case.case_number)
    if case.notice_date is not None and year is not None and not (year - 1 <= case.notice_date.year <= year + 1):
        carrier = notices[-1] if notices else None
        add(Finding("notice_date", CheckKind.implausible,
                    f"应诉通知日期{case.notice_date}与案号年度{year}不符，不予采用", case.notice_date.isoformat(),
                    carrier.id if carrier else None, carrier.last_page if carrier else None))
    # The court's recital in a decision of the day it served the notice agrees with a doubtful read.
    served = {_d(d.fields.get("notice_served")) for d in docs if d.doc_type in DECISION_DOCS}
    recital_agrees = case.notice_date is not None and case.notice_date in served
    for d in reversed(docs):
        for fact in ("hearing_at", "notice_date"):
            reason = _doubt(d, fact)
            if fact == "notice_date" and recital_agrees:
                continue
            if reason and ((fact == "hearing_at" and d.doc_type in (SUMMONS, APPEARANCE))
                           or (fact == "notice_date" and d.doc_type == NOTICE)):
                value = case.hearing_at if fact == "hearing_at" else case.notice_date
                add(Finding(fact, CheckKind.doubtful, reason, value.isoformat() if value else None, d.id,
                            d.first_page if fact == "hearing_at" else d.last_page))


def _parties_and_court(case: CaseFacts, docs: Sequence[DocFacts], add: Any) -> None:
    """Plaintiffs and court the documents do not agree on, or that one document reads with doubt."""
    listing = [d for d in docs if d.fields.get("plaintiffs")]
    agreement = agreed_plaintiffs([tuple(d.fields.get("plaintiffs") or ()) for d in listing])
    doubt = agreement.doubt
    if doubt is None and listing and set(case.plaintiffs) != set(agreement.names):
        doubt = f"案件原告与多数文书读出的（{'、'.join(agreement.names)}）不一致"
    if doubt and listing:
        add(Finding("plaintiffs", CheckKind.conflict, doubt + "，请对照文书核实",
                    "、".join(case.plaintiffs) or None, listing[-1].id, listing[-1].first_page))
    for d in reversed(listing):
        reason = _doubt(d, "plaintiffs")
        if reason:
            add(Finding("plaintiffs", CheckKind.doubtful, reason, "、".join(case.plaintiffs) or None, d.id,
                        d.first_page))
    naming = [d for d in docs if d.fields.get("court")]
    court = agreed_court([str(d.fields.get("court")) for d in naming])
    if court.doubt and naming:
        add(Finding("court", CheckKind.conflict, court.doubt + "，请核实", case.court, naming[-1].id,
                    naming[-1].first_page))
    if case.court is None:
        # A name read that the case number contradicts is not used: a person reads the header.
        for d in reversed(docs):
            reason = _doubt(d, "court")
            if reason:
                add(Finding("court", CheckKind.doubtful, reason, None, d.id, d.first_page))
                break
