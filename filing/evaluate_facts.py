"""Case facts against the truth: right, unverified (waiting for a person) or silently wrong.

A fact is scored for a case only once the document that evidences it arrived (a decision date needs
the judgment or ruling, a hearing time the summons or the appearance record ...). "Unverified" is a
fact the export names in the case's `unverified` list, or one it has no value for: the report does
not count it as known, so it is not silently wrong. Pure functions over the export and truth dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cases.fields import fields_from_json
from cases.filing import agency_outcome
from extract.understanding.court import same_court
from filing.evaluate import EvalSection, Metric, Table, _accepted_docs, _export_documents, _norm_number, _walk
from terms.status import ACCEPTED_MATCHES, COURT_DOC_TYPES, DECISION_TYPES, DocType, Outcome

__all__ = ["FACTS", "Verdict", "evaluate_facts", "score_fact"]

DECISION_DOCS = frozenset(DECISION_TYPES)
HEARING_DOCS = frozenset({DocType.summons, DocType.appearance_record})
APPEARANCE_DOCS = frozenset({DocType.appearance_record, DocType.judgment})
COURT_DOCS = COURT_DOC_TYPES


class Verdict(StrEnum):
    right = "right"
    unverified = "unverified"
    wrong = "wrong"


@dataclass(frozen=True)
class Fact:
    name: str  # the export's case field name
    evidence: frozenset[str]  # document types whose arrival makes the fact knowable
    truth: Callable[[dict[str, Any]], Any]  # None: the truth has no value, the fact is not scored
    system: Callable[[dict[str, Any]], Any]  # None: the system has no value (unverified)
    same: Callable[[Any, Any], bool] = lambda a, b: a == b


def _appearance(case: dict[str, Any], key: str) -> Any:
    return (case.get("appearance") or {}).get(key)


def _role(principal: Any) -> str | None:
    return None if principal is None else ("principal" if principal else "deputy")


def _system_role(got: dict[str, Any]) -> str | None:
    return got.get("head_role") or _role(got.get("head_principal"))


def _truth_outcome(case: dict[str, Any]) -> str | None:
    return case.get("outcome") if case.get("decision_type") else None


def _system_outcome(got: dict[str, Any]) -> str | None:
    # `pending` with a decision read is the system's "neither won nor lost" (发回重审, 执行 rulings).
    outcome = got.get("outcome")
    if outcome == Outcome.pending:
        return "other" if got.get("decision_type") else None
    return outcome


def _same_outcome(truth: Any, got: Any) -> bool:
    return truth == got or {truth, got} == {"other", Outcome.pending}


def _day(v: Any) -> str | None:
    return str(v)[:10] if v else None


def _minute(v: Any) -> str | None:
    return str(v)[:16] if v else None


def _names(v: Any) -> frozenset[str] | None:
    return frozenset(v) if v else None


FACTS: tuple[Fact, ...] = (
    Fact("decision_type", DECISION_DOCS, lambda c: c.get("decision_type"), lambda g: g.get("decision_type")),
    Fact("decision_date", DECISION_DOCS, lambda c: _day(c.get("decision_date")),
         lambda g: _day(g.get("decision_date"))),
    Fact("outcome", DECISION_DOCS, _truth_outcome, _system_outcome, _same_outcome),
    Fact("hearing_at", HEARING_DOCS, lambda c: _minute(c.get("hearing_datetime")),
         lambda g: _minute(g.get("hearing_at"))),
    Fact("head_present", APPEARANCE_DOCS, lambda c: _appearance(c, "head_present"), lambda g: g.get("head_present")),
    Fact("head_role", APPEARANCE_DOCS, lambda c: _role(_appearance(c, "principal")), _system_role),
    Fact("head_name", APPEARANCE_DOCS, lambda c: _appearance(c, "name"), lambda g: g.get("head_name")),
    Fact("head_title", APPEARANCE_DOCS, lambda c: _appearance(c, "title"), lambda g: g.get("head_title")),
    Fact("plaintiffs", frozenset({DocType.complaint, *COURT_DOCS}), lambda c: _names(c.get("plaintiffs")),
         lambda g: _names(g.get("plaintiffs"))),
    # One court, whether or not its name is printed with the province (山东省滕州市人民法院, 滕州市人民法院);
    # every other part of the name must agree (a district without its city is not the court).
    Fact("court", COURT_DOCS, lambda c: c.get("court"), lambda g: g.get("court"), same_court),
    Fact("notice_date", frozenset({DocType.notice_to_respond}), lambda c: _day(c.get("notice_date")),
         lambda g: _day(g.get("notice_date"))),
)
# Unverified names a person sees for the appearance; head_role is read from head_principal.
_ALIASES = {"head_role": ("head_role", "head_principal")}


def score_fact(fact: Fact, truth_case: dict[str, Any], got: dict[str, Any] | None) -> tuple[Verdict, Any, Any] | None:
    """Verdict for one fact of one case, with the truth and the system's value; None = not scored."""
    want = fact.truth(truth_case)
    if want is None:
        return None
    if got is None:
        return Verdict.unverified, want, None
    value = fact.system(got)
    waiting = set(got.get("unverified") or [])
    if value is None or waiting & set(_ALIASES.get(fact.name, (fact.name,))):
        return Verdict.unverified, want, value
    return (Verdict.right if fact.same(want, value) else Verdict.wrong), want, value


def _arrived_types(truth: dict[str, Any]) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for doc in _accepted_docs(truth):
        if doc.get("case"):
            seen.setdefault(doc["case"], set()).add(doc["type"])
    return seen


def _truth_docs_by_case(truth: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for msg in truth.get("messages", []):
        if msg.get("expected_action") != "accept":
            continue
        for att in _walk(msg.get("attachments") or []):
            for doc in att.get("documents") or []:
                if doc.get("case") and att.get("sha256"):
                    yield doc["case"], att["sha256"], doc


def _case_lookup(export: dict[str, Any], truth: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Export case record per truth case number: by number, else the case its documents were filed to."""
    by_number = {_norm_number(c.get("case_number")): c for c in export.get("cases", []) if c.get("case_number")}
    by_id = {c.get("id"): c for c in export.get("cases", [])}
    found = _export_documents(export)
    out: dict[str, dict[str, Any]] = {}
    votes: dict[str, dict[Any, int]] = {}
    for number, sha, doc in _truth_docs_by_case(truth):
        for got in found.get(sha, []):
            pages = doc.get("pages")
            if pages and got.get("pages") and (got["pages"][1] < pages[0] or got["pages"][0] > pages[1]):
                continue
            if got.get("case_id") is not None and got.get("match") in ACCEPTED_MATCHES:
                votes.setdefault(number, {})
                votes[number][got["case_id"]] = votes[number].get(got["case_id"], 0) + 1
    for case in truth.get("cases", []):
        number = case["case_number"]
        record: dict[str, Any] | None = by_number.get(_norm_number(number))
        if record is None and votes.get(number):
            best = max(votes[number].items(), key=lambda kv: kv[1])[0]
            record = by_id.get(best)
        if record is not None:
            out[number] = record
    return out


def _document_reads(export: dict[str, Any], truth: dict[str, Any]) -> tuple[dict[Verdict, int], dict[Verdict, int]]:
    """Decision date and outcome as each received judgment or ruling reads them, before any filing to
    a case: what extraction got right, independent of matching. Counts per document."""
    found = _export_documents(export)
    cases = {c["case_number"]: c for c in truth.get("cases", [])}
    dates: dict[Verdict, int] = {v: 0 for v in Verdict}
    outcomes: dict[Verdict, int] = {v: 0 for v in Verdict}
    seen: set[str] = set()
    for number, sha, doc in _truth_docs_by_case(truth):
        if doc.get("type") not in DECISION_DOCS or doc.get("doc_id") in seen or number not in cases:
            continue
        seen.add(doc.get("doc_id") or "")
        case = cases[number]
        pages = doc.get("pages")
        got = next(
            (g for g in found.get(sha, []) if not pages or not g.get("pages")
             or not (g["pages"][1] < pages[0] or g["pages"][0] > pages[1])),
            None,
        )
        fields = (got or {}).get("fields") or {}
        doubts = fields.get("doubts") or {}
        if case.get("decision_date"):
            value = _day(fields.get("doc_date"))
            verdict = (Verdict.unverified if value is None or "decision_date" in doubts
                       else Verdict.right if value == case["decision_date"] else Verdict.wrong)
            dates[verdict] += 1
        if case.get("outcome") and (_raw_document(case) or not case.get("source")):
            # As the case will count it: an enforcement ruling is this agency's only if it applied.
            read = agency_outcome(fields_from_json(fields), [case.get("defendant_agency") or ""]) if got else None
            outcome = "other" if read is Outcome.pending else (str(read) if read else None)
            verdict = (Verdict.unverified if outcome is None or "outcome" in doubts
                       else Verdict.right if _same_outcome(case["outcome"], outcome) else Verdict.wrong)
            outcomes[verdict] += 1
    return dates, outcomes


def _raw_document(case: dict[str, Any]) -> bool:
    return (case.get("source") or {}).get("text_form") == "raw_document"


def evaluate_facts(export: dict[str, Any], truth: dict[str, Any]) -> EvalSection:
    """Per fact: right / unverified / silently wrong over cases whose evidencing document arrived."""
    arrived = _arrived_types(truth)
    cases = _case_lookup(export, truth)
    counts: dict[str, dict[Verdict, int]] = {f.name: {v: 0 for v in Verdict} for f in FACTS}
    raw: dict[Verdict, int] = {v: 0 for v in Verdict}
    # Decision dates of cases known from a court's own text: a case report (an edited retelling) may
    # wait in review for its number, and often prints no date for it at all.
    raw_dates: dict[Verdict, int] = {v: 0 for v in Verdict}
    has_raw = any(_raw_document(c) for c in truth.get("cases", []))
    details: list[tuple[str, ...]] = []
    for case in truth.get("cases", []):
        number = case["case_number"]
        types = arrived.get(number, set())
        got = cases.get(number)
        for fact in FACTS:
            if not types & fact.evidence:
                continue
            scored = score_fact(fact, case, got)
            if scored is None:
                continue
            verdict, want, value = scored
            counts[fact.name][verdict] += 1
            if fact.name == "outcome" and _raw_document(case):
                raw[verdict] += 1
            if fact.name == "decision_date" and _raw_document(case):
                raw_dates[verdict] += 1
            if verdict is not Verdict.right:
                details.append((number, fact.name, str(verdict), _show(want), _show(value)))
    rows = []
    for fact in FACTS:
        c = counts[fact.name]
        n = sum(c.values())
        if n:
            rows.append((fact.name, str(n), *(_share(c[v], n) for v in Verdict)))
    metrics = [
        Metric("decision date right", counts["decision_date"][Verdict.right], _n(counts["decision_date"]), 0.95),
        Metric("decision date not silently wrong", _n(counts["decision_date"]) - counts["decision_date"][Verdict.wrong],
               _n(counts["decision_date"]), 0.99),
        *([Metric("decision date right (court's own text)", raw_dates[Verdict.right], _n(raw_dates), None)]
          if has_raw else []),
        Metric("outcome right", counts["outcome"][Verdict.right], _n(counts["outcome"]), None if has_raw else 0.98),
        Metric("outcome not silently wrong", _n(counts["outcome"]) - counts["outcome"][Verdict.wrong],
               _n(counts["outcome"]), 0.98),
    ]
    if has_raw:
        metrics.append(Metric("outcome right (court's own text)", raw[Verdict.right], _n(raw), 0.90))
    appearance = {v: counts["head_present"][v] + counts["head_role"][v] for v in Verdict}
    metrics += [
        Metric("head appearance right (present, principal/deputy)", appearance[Verdict.right], _n(appearance), 0.97),
        Metric("hearing time right", counts["hearing_at"][Verdict.right], _n(counts["hearing_at"]), 0.98),
    ]
    doc_dates, doc_outcomes = _document_reads(export, truth)
    metrics += [
        Metric("document: decision date read right", doc_dates[Verdict.right], _n(doc_dates), None),
        Metric("document: decision date not silently wrong", _n(doc_dates) - doc_dates[Verdict.wrong],
               _n(doc_dates), None),
        Metric("document: outcome read right" + (" (court's own text)" if has_raw else ""),
               doc_outcomes[Verdict.right], _n(doc_outcomes), None),
        Metric("document: outcome not silently wrong", _n(doc_outcomes) - doc_outcomes[Verdict.wrong],
               _n(doc_outcomes), None),
    ]
    return EvalSection(
        name="Case facts (cases whose evidencing document arrived)",
        metrics=tuple(metrics),
        tables=(
            Table("Facts: right / unverified / silently wrong", ("fact", "cases", *map(str, Verdict)), tuple(rows)),
            *([Table("Facts not right", ("case", "fact", "verdict", "truth", "system"), tuple(details))]
              if details else []),
        ),
    )


def _n(c: dict[Verdict, int]) -> int:
    return sum(c.values())


def _share(k: int, n: int) -> str:
    return f"{k} ({k * 100 / n:.0f}%)"


def _show(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, frozenset):
        return "、".join(sorted(v))
    return str(v)
