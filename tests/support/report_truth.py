"""Quarterly-report checks against the sample corpus's truth.json.

Two independent halves: `seed_from_truth` fills a database with the truth's cases and the documents
the bureau received (a fast path that needs no OCR); `expected_figures` counts the report's figures
straight from truth.json, by the definitions printed on the report, without any of filing.report.
`compare` lists every difference between the two.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from filing.report.types import AgencyRow, Report
from store import models as m
from tests.support.corpus import SAMPLE

TRUTH = SAMPLE / "truth.json"
CST = timezone(timedelta(hours=8))
EXCLUDED_TYPES = {"行审", "行审复"}


def load_truth(path: Path = TRUTH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _d(v: str | None) -> date | None:
    return date.fromisoformat(v[:10]) if v else None


def _walk(attachments: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for a in attachments:
        yield a
        yield from _walk(a.get("members") or [])


# ----------------------------------------------------------------- fast path: truth → database


def seed_from_truth(s: Session, truth: dict[str, Any]) -> dict[str, int]:
    """Agencies, cases with their facts, and every message/attachment/document as the pipeline would file them."""
    agencies: dict[str, m.Agency] = {}
    for a in truth["agencies"]:
        ag = m.Agency(code=a["code"], name=a["name"], short_name=a.get("short_name", ""))
        ag.addresses = [m.AgencyAddress(address=x.lower()) for x in a.get("addresses", [])]
        s.add(ag)
        agencies[a["code"]] = ag
    s.flush()
    cases: dict[str, m.Case] = {}
    for c in truth["cases"]:
        app = c.get("appearance") or {}
        case_row = m.Case(
            case_number=c["case_number"], court=c["court"], court_code=c["court_code"], case_type=c["case_type"],
            agency_id=agencies[c["agency_code"]].id, agency_role=c["agency_role"], plaintiffs=c["plaintiffs"],
            third_parties=[], cause=c.get("cause_label"), cause_category=c["cause"], notice_date=_d(c["notice_date"]),
            hearing_at=datetime.fromisoformat(c["hearing_datetime"]) if c["hearing_datetime"] else None,
            head_present=app.get("head_present"), head_principal=app.get("principal"),
            head_name=app.get("name"), head_title=app.get("title"), outcome=c["outcome"],
            decision_type=c["decision_type"], decision_date=_d(c["decision_date"]),
            disposition="".join(c["disposition"] or []) or None,
        )
        s.add(case_row)
        cases[c["case_number"]] = case_row
    s.flush()
    for c in truth["cases"]:
        if c.get("first_instance_case") in cases:
            cases[c["case_number"]].appeal_of_id = cases[c["first_instance_case"]].id
    by_number = {c["case_number"]: c for c in truth["cases"]}
    summons_doc: dict[str, int] = {}
    for msg in truth["messages"]:
        status = "filed"
        if msg["sender_status"] != "registered":
            status = "quarantined"
        elif msg["kind"] == "duplicate":
            status = "duplicate"
        received = datetime.fromisoformat(msg.get("delivered_at") or msg["date"]).astimezone(UTC)
        row = m.Message(
            raw_sha256=hashlib.sha256(msg["file"].encode()).hexdigest(), size=1, message_id=msg["message_id"],
            source="import", from_address=msg["from_address"], from_display=msg.get("from_display") or "",
            agency_id=agencies[msg["claimed_agency"]].id if msg.get("claimed_agency") in agencies else None,
            sender_status=msg["sender_status"], status=status, state="notified", subject=msg.get("subject") or "",
            received_at=received,
        )
        s.add(row)
        s.flush()
        for seq, att in enumerate(_walk(msg["attachments"]), start=1):
            ok = not att.get("anomalies")
            a = m.Attachment(message_id=row.id, seq=seq, filename=att["filename"],
                             content_type=att.get("content_type") or "application/octet-stream",
                             sha256=att.get("sha256") or "0" * 64, size=att.get("size") or 0,
                             status="ok" if ok else "error")
            s.add(a)
            s.flush()
            for i, doc in enumerate(att.get("documents") or [], start=1):
                case: m.Case | None = cases.get(doc.get("case") or "")
                fields: dict[str, Any] = {"doc_date": doc.get("doc_date")}
                if case is not None and doc["type"] in ("summons", "appearance_record"):
                    tc = by_number[case.case_number or ""]
                    fields["hearing_at"] = tc["hearing_datetime"]
                tc_heard = by_number.get(doc.get("case") or "", {}).get("hearing_datetime")
                if case is not None and (doc["type"] == "appearance_record" or (doc["type"] == "judgment"
                                                                                 and tc_heard)):
                    # A judgment after a hearing names who appeared for the agency (parties block).
                    app = by_number[case.case_number or ""].get("appearance") or {}
                    fields.update(head_present=app.get("head_present"), head_principal=app.get("principal"),
                                  head_title=app.get("title"))
                d = m.Document(attachment_id=a.id, first_page=i, last_page=i, doc_type=doc["type"],
                               title=doc.get("title"), case_number=doc.get("case"), fields=fields,
                               case_id=case.id if case else None, match_status="auto" if case else "none",
                               match_confidence=1.0 if case else 0.0)
                s.add(d)
                s.flush()
                if case is not None and doc["type"] == "summons" and status == "filed" and ok:
                    summons_doc.setdefault(case.case_number or "", d.id)
    # The summons is the authority on the hearing time (cases.filing): one fact per case whose summons
    # the bureau received (without it, the bureau knows a hearing only from an appearance record).
    for number, heard in cases.items():
        if heard.hearing_at is not None and number not in summons_doc:
            heard.hearing_at = None
        if heard.hearing_at is not None:
            s.add(m.CaseFact(case_id=heard.id, field="hearing_at", value=heard.hearing_at.isoformat(),
                             previous=None, document_id=summons_doc.get(number)))
    s.flush()
    return {number: case.id for number, case in cases.items()}


# ----------------------------------------------------------------- by hand: truth → expected figures


@dataclass
class Expected:
    """Per agency code (None = total): figure name → case numbers (a list: one entry per counted item)."""

    figures: dict[str | None, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    def add(self, agency: str, name: str, number: str) -> None:
        self.figures[agency][name].append(number)
        self.figures[None][name].append(number)

    def rate(self, agency: str | None, num: str, den: str) -> str:
        f = self.figures.get(agency, {})
        n, d = len(f.get(num, [])), len(f.get(den, []))
        return "—" if d == 0 else f"{n / d * 100:.1f}%"


def arrivals(truth: dict[str, Any]) -> dict[str, dict[str, date]]:
    """Per case number: the local day each document type first reached the bureau, counting only what
    the bureau files (registered senders, no duplicates, readable attachments)."""
    out: dict[str, dict[str, date]] = defaultdict(dict)
    for msg in truth["messages"]:
        if msg["sender_status"] != "registered" or msg["kind"] == "duplicate":
            continue
        day = datetime.fromisoformat(msg.get("delivered_at") or msg["date"]).astimezone(CST).date()
        for att in _walk(msg["attachments"]):
            if att.get("anomalies"):
                continue
            for doc in att.get("documents") or []:
                if doc.get("case"):
                    seen = out[doc["case"]]
                    seen[doc["type"]] = min(seen.get(doc["type"], day), day)
    return out


def expected_figures(truth: dict[str, Any], start: date, end: date, as_of: date) -> Expected:
    """The report's figures counted from truth.json with the report's printed definitions (default settings),
    as far as the bureau could know them: a fact counts in the period only if the document showing it
    arrived by the period's end (the notice for the day a case opened, the judgment or ruling for its
    result, the appearance record or judgment for who appeared, the summons or record for a hearing)."""
    e = Expected()
    cases = [c for c in truth["cases"] if c["case_type"] not in EXCLUDED_TYPES]
    agency_of = {c["case_number"]: c["agency_code"] for c in cases}
    arrived = arrivals(truth)
    cutoff = min(end, as_of)

    def inside(d: date | None) -> bool:
        return d is not None and start <= d <= end

    def by(n: str, *types: str, day: date = end) -> bool:
        return any(t in arrived[n] and arrived[n][t] <= day for t in types)

    def first(n: str) -> date | None:
        return min(arrived[n].values(), default=None)

    def known(n: str) -> bool:
        f = first(n)
        return f is not None and f <= end

    appealed_by_end = {c["first_instance_case"] for c in cases
                       if c.get("first_instance_case") and known(c["case_number"])}
    for c in cases:
        n, a = c["case_number"], c["agency_code"]
        decided = _d(c["decision_date"])
        opened = _d(c["notice_date"]) if by(n, "notice_to_respond") else first(n)
        if inside(opened):
            e.add(a, "new_cases", n)
        if c["outcome"] != "pending" and inside(decided) and by(n, c["decision_type"]):
            e.add(a, "concluded", n)
            if n not in appealed_by_end:  # an appeal known by the end of the period governs instead
                kind = c["decision_type"]
                if c["outcome"] == "withdrawn":
                    e.add(a, "withdrawn", n)
                else:
                    won = c["outcome"] == "agency_won"
                    e.add(a, f"{kind}_{'won' if won else 'lost'}", n)
                    e.add(a, "loss_base", n)
                    if not won:
                        e.add(a, "lost", n)
        if c["hearing_datetime"] and (by(n, "summons") or by(n, "appearance_record", day=cutoff)):
            day = _d(c["hearing_datetime"])
            held = day is not None and day <= cutoff and not (decided is not None and decided < day)
            if held and inside(day):
                e.add(a, "hearings", n)
                app = c.get("appearance") or {}
                if app.get("head_present") and by(n, "appearance_record", "judgment", day=cutoff):
                    e.add(a, "appeared", n)
                    e.add(a, "principal" if app.get("principal") else "deputy", n)
    for late in truth["expectations"]["late_filings"]:
        if late["case"] in agency_of and inside(_d(late["received"])):
            e.add(agency_of[late["case"]], "late_filings", late["case"])
    if end == as_of == _d(truth["expectations"]["as_of"]):
        for item in truth["expectations"]["missing_documents"]:
            if item["case"] in agency_of:
                for _t in item["missing_detectable"]:
                    e.add(agency_of[item["case"]], "missing_documents", item["case"])
    return e


FIGURES = ("new_cases", "concluded", "hearings", "appeared", "principal", "deputy", "judgment_won", "judgment_lost",
           "ruling_won", "ruling_lost", "withdrawn", "lost", "loss_base", "late_filings", "missing_documents")


def compare(report: Report, expected: Expected, check_missing: bool,
            waiting: frozenset[str] = frozenset()) -> list[str]:
    """Every difference between the report and the expected figures, as readable lines (empty: they match).
    Cases in `waiting` (the report's 待核实) are left out of both sides, and rates of agencies with such
    cases are not compared."""
    problems: list[str] = []
    rows: dict[str | None, AgencyRow] = {r.agency.code if r.agency else "?": r for r in report.rows}
    rows[None] = report.total
    codes = set(rows) | set(expected.figures)
    for code in sorted(codes, key=lambda x: x or ""):
        row = rows.get(code)
        want = expected.figures.get(code, {})
        for name in FIGURES:
            if name == "missing_documents" and not check_missing:
                continue
            got = sorted(ref.case_number or "" for ref in getattr(row, name).items
                         if ref.case_number not in waiting) if row else []
            exp = sorted(n for n in want.get(name, []) if n not in waiting)
            if got != exp:
                problems.append(f"{code or 'total'} {name}: report {got} != truth {exp}")
        # A case left out (listed by the report, or named by the caller) changes its agency's rates.
        excused = any(ref.case_number in waiting for ref in row.waiting.items) if row is not None else False
        excused = excused or any(n in waiting for numbers in want.values() for n in numbers)
        if row is not None and not excused:
            for rate, num, den in (("appearance_rate", "appeared", "hearings"), ("loss_rate", "lost", "loss_base")):
                shown = getattr(row, rate).display
                want_rate = expected.rate(code, num, den)
                if shown != want_rate:
                    problems.append(f"{code or 'total'} {rate}: report {shown} != truth {want_rate}")
    return problems
