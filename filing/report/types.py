"""Plain data for the quarterly report: what it is computed from (agencies and terms.snapshot's case
snapshots) and what it says (Report)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from terms.snapshot import CaseSnapshot

if TYPE_CHECKING:
    from filing.report.assessment import Assessment

QUARTER_NAMES = ("一", "二", "三", "四")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str  # 2026Q3, or 2026-07-01..2026-08-15
    label: str  # 2026年第三季度

    @classmethod
    def quarter(cls, spec: str) -> Period:
        m = re.fullmatch(r"\s*(\d{4})\s*[Qq]\s*([1-4])\s*", spec)
        if not m:
            raise ValueError(f"not a quarter: {spec!r} (expected e.g. 2026Q3)")
        return cls.of_quarter(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of_quarter(cls, year: int, q: int) -> Period:
        start = date(year, 3 * q - 2, 1)
        nxt = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
        return cls(start, nxt - timedelta(days=1), f"{year}Q{q}", f"{year}年第{QUARTER_NAMES[q - 1]}季度")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), str(year), f"{year}年度")

    @classmethod
    def parse(cls, spec: str) -> Period:
        """A quarter (2026Q3), a year (2026) or a range (2026-01-01..2026-06-30)."""
        s = spec.strip()
        if re.fullmatch(r"\d{4}", s):
            return cls.year(int(s))
        if ".." in s:
            a, _, b = s.partition("..")
            return cls.between(date.fromisoformat(a.strip()), date.fromisoformat(b.strip()))
        try:
            return cls.quarter(s)
        except ValueError:
            raise ValueError(f"not a period: {spec!r} (expected 2026Q3, 2026 or 2026-01-01..2026-06-30)") from None

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        if end < start:
            raise ValueError(f"period ends before it starts: {start}..{end}")
        label = f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
        return cls(start, end, f"{start.isoformat()}..{end.isoformat()}", label)

    def contains(self, d: date | None) -> bool:
        return d is not None and self.start <= d <= self.end

    def quarters_back(self, n: int) -> tuple[Period, ...]:
        """The n quarters ending with the one that holds this period's end, oldest first."""
        year, q = self.end.year, (self.end.month - 1) // 3 + 1
        out: list[Period] = []
        for _ in range(n):
            out.append(Period.of_quarter(year, q))
            year, q = (year - 1, 4) if q == 1 else (year, q - 1)
        return tuple(reversed(out))

    @property
    def range_text(self) -> str:
        s, e = self.start, self.end
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"


# ----------------------------------------------------------------- input (cases are terms.snapshot.CaseSnapshot)


@dataclass(frozen=True)
class AgencyRef:
    id: int
    code: str
    name: str
    short_name: str = ""

    @property
    def display(self) -> str:
        return self.name or self.short_name or self.code


@dataclass(frozen=True)
class ComplianceSnap:
    """Compliance (履行) with a lost decision in effect, as stored (cases/compliance.py)."""

    case_id: int
    case_number: str | None
    agency_id: int | None
    effective_on: date
    order_text: str
    due_date: date | None
    status: str  # terms.status.ComplianceStatus
    done_on: date | None = None


@dataclass(frozen=True)
class ReportInput:
    agencies: tuple[AgencyRef, ...]
    cases: tuple[CaseSnapshot, ...]
    as_of: date  # the day the report is made: nothing later is "missing" yet
    compliances: tuple[ComplianceSnap, ...] = ()


# ----------------------------------------------------------------- report (output)


class Head(StrEnum):
    principal = "principal"  # 正职
    deputy = "deputy"  # 副职
    head = "head"  # a head, rank not stated
    absent = "absent"  # staff or lawyer only
    unknown = "unknown"  # no evidence either way

    @property
    def appeared(self) -> bool:
        return self in (Head.principal, Head.deputy, Head.head)

    @property
    def label(self) -> str:
        return {"principal": "正职出庭", "deputy": "副职出庭", "head": "负责人出庭（职务未注明）",
                "absent": "负责人未出庭", "unknown": "出庭情况未报"}[self.value]


@dataclass(frozen=True)
class Hearing:
    case_id: int
    at: datetime
    head: Head
    evidence: str  # English: where the date and the appearance come from


@dataclass(frozen=True)
class CaseRef:
    case_id: int
    case_number: str | None
    note: str = ""  # Chinese, shown next to the case in the drill-down

    @property
    def display(self) -> str:
        return self.case_number or f"案件#{self.case_id}"


@dataclass(frozen=True)
class Figure:
    """A count and the cases behind it (one entry per counted item: a case heard twice appears twice)."""

    items: tuple[CaseRef, ...] = ()

    @property
    def value(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def display(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"


@dataclass(frozen=True)
class AgencyRow:
    agency: AgencyRef | None  # None: cases whose agency is not known yet, or the total row
    label: str
    new_cases: Figure
    concluded: Figure
    hearings: Figure
    appeared: Figure
    principal: Figure
    deputy: Figure
    absent: Figure
    unknown: Figure
    appearance_rate: Rate
    judgment_won: Figure
    judgment_lost: Figure
    ruling_won: Figure
    ruling_lost: Figure
    withdrawn: Figure
    lost: Figure
    loss_base: Figure  # the loss-rate denominator's cases
    under_appeal: Figure
    loss_rate: Rate
    late_filings: Figure
    missing_documents: Figure
    waiting: Figure = field(default_factory=Figure)  # cases with a report fact waiting for a person (待核实)


@dataclass(frozen=True)
class RepeatedLoss:
    agency: AgencyRef | None
    label: str
    category: str
    category_label: str
    cases: tuple[CaseRef, ...]
    # Per case (same order): whether the earlier losses of the kind were rectified before this one (Chinese).
    rectification: tuple[str, ...] = ()
    # Per case: True when every earlier loss of the kind was rectified before it was decided (None: the first).
    rectified_before: tuple[bool | None, ...] = ()


@dataclass(frozen=True)
class TrendPoint:
    key: str
    label: str
    appearance_rate: Rate
    loss_rate: Rate


@dataclass(frozen=True)
class CaseLine:
    """One row of the cases sheet: a case and what the report made of it in this period."""

    case_id: int
    case_number: str | None
    agency: str
    case_type: str | None
    cause: str
    opened_on: date | None
    hearings: tuple[str, ...]
    appearance: tuple[str, ...]
    outcome: str
    decision_type: str | None
    decision_date: date | None
    counted_result: str  # what the loss figures made of it (effective result, under appeal, superseded …)
    late: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class UnverifiedFact:
    fact: str  # the export's case field name
    label: str  # Chinese
    reason: str  # Chinese: what is missing or doubtful
    check_id: int
    link: str = ""  # the fact check in the web UI

    def __post_init__(self) -> None:
        if not self.link:
            object.__setattr__(self, "link", f"/checks/{self.check_id}")


@dataclass(frozen=True)
class UnverifiedCase:
    """A case whose figures may change once a person settles its fact checks (待核实)."""

    case_id: int
    case_number: str | None
    agency: str
    facts: tuple[UnverifiedFact, ...]

    @property
    def display(self) -> str:
        return self.case_number or f"案件#{self.case_id}"


@dataclass(frozen=True)
class ComplianceLine:
    """An effective decision the agency lost and had not performed by its due date (履行逾期)."""

    case_id: int
    case_number: str | None
    agency: str
    effective_on: date
    order_text: str
    due_date: date
    days_overdue: int  # as of the report's cut-off
    done_on: date | None  # performed late, after the cut-off (None: not yet)

    @property
    def display(self) -> str:
        return self.case_number or f"案件#{self.case_id}"


@dataclass(frozen=True)
class Report:
    title: str
    bureau: str
    period: Period
    as_of: date
    rows: tuple[AgencyRow, ...]
    total: AgencyRow
    repeated_losses: tuple[RepeatedLoss, ...]
    trend: tuple[TrendPoint, ...]
    cases: tuple[CaseLine, ...]
    excluded: tuple[CaseRef, ...]
    definitions: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Cases with an unverified fact that could change a figure (待核实), each fact linked to its check.
    unverified: tuple[UnverifiedCase, ...] = field(default_factory=tuple)
    assessment: Assessment | None = None  # 考核扣分 (filing/report/assessment.py); None when switched off
    # Effective decisions not performed by their due date as of the period's end (or the report day).
    overdue_compliance: tuple[ComplianceLine, ...] = field(default_factory=tuple)
