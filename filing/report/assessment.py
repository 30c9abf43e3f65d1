"""Assessment points (考核扣分) as a pure function of the report's figures.

Every deduction names its agency, its case and its rule, so a total can be checked case by case.
The notice puts losses and non-appearance into the assessment without point values: the points come
from config.yaml (`assessment`), the bureau's own settings. The cap is per agency and calendar year: a
quarter's deductions count only up to what is left of the cap after the earlier quarters of that year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from filing.report.types import AgencyRef, AgencyRow, CaseRef, Figure, Head, Period, RepeatedLoss


class Rule(StrEnum):
    lost_case = "lost_case"
    hearing_without_head = "hearing_without_head"
    late_filing = "late_filing"
    missing_filing = "missing_filing"
    repeated_loss = "repeated_loss"
    unperformed_judgment = "unperformed_judgment"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    Rule.lost_case: "败诉案件",
    Rule.hearing_without_head: "负责人未出庭",
    Rule.late_filing: "逾期报备",
    Rule.missing_filing: "未报备材料",
    Rule.repeated_loss: "同类问题重复败诉",
    Rule.unperformed_judgment: "未履行生效裁判",
}


@dataclass(frozen=True)
class AssessmentRules:
    """Points per item; the defaults mirror config.yaml (the bureau's settings, not official figures)."""

    lost_case: float = 2.0
    hearing_without_head: float = 1.0
    late_filing: float = 0.5
    missing_filing: float = 0.5
    repeated_loss: float = 1.0
    unperformed_judgment: float = 2.0  # per compliance (履行) not performed by its due date
    cap_per_agency_year: float | None = 10.0

    def points(self, rule: Rule) -> float:
        value: float = getattr(self, rule.value)
        return value


@dataclass(frozen=True)
class Deduction:
    rule: Rule
    rule_label: str
    case: CaseRef
    points: float  # what the rule deducts for this item
    counted: float  # what counts after the yearly cap (0 once the cap is reached)
    note: str  # Chinese: the item, e.g. "2026-05-06开庭，负责人未出庭"


@dataclass(frozen=True)
class AgencyAssessment:
    agency: AgencyRef | None
    label: str
    deductions: tuple[Deduction, ...]
    earlier_in_year: float  # points already counted this year before the period
    cap: float | None

    @property
    def uncapped(self) -> float:
        return round(sum(d.points for d in self.deductions), 2)

    @property
    def total(self) -> float:
        return round(sum(d.counted for d in self.deductions), 2)

    @property
    def capped(self) -> bool:
        return self.total < self.uncapped

    def of_rule(self, rule: Rule) -> float:
        return round(sum(d.counted for d in self.deductions if d.rule == rule), 2)


@dataclass(frozen=True)
class Assessment:
    period_key: str
    rules: AssessmentRules
    agencies: tuple[AgencyAssessment, ...]
    notes: tuple[str, ...]

    @property
    def total(self) -> float:
        return round(sum(a.total for a in self.agencies), 2)


def _items(figure: Figure) -> Iterable[CaseRef]:
    return figure.items


def raw_deductions(row: AgencyRow | None, repeated: Iterable[RepeatedLoss],
                   count_unknown_as_absent: bool,
                   unperformed: Iterable[CaseRef] = ()) -> list[tuple[Rule, CaseRef, str]]:
    """What one agency's row of the period's report deducts for, in a stable order, before points."""
    out: list[tuple[Rule, CaseRef, str]] = []
    if row is None:  # an agency with nothing in the period's figures but an unperformed judgment
        return [(Rule.unperformed_judgment, ref, ref.note) for ref in unperformed]
    lost_ids = {ref.case_id for ref in row.lost.items}
    for ref in _items(row.lost):
        out.append((Rule.lost_case, ref, ref.note))
    for ref in _items(row.absent):
        out.append((Rule.hearing_without_head, ref, ref.note))
    if count_unknown_as_absent:
        for ref in _items(row.unknown):
            out.append((Rule.hearing_without_head, ref, f"{ref.note}（出庭情况未报，按未出庭计）"))
    for group in repeated:
        # The first loss of a kind is the lost-case deduction alone; later ones decided in this period
        # add the repeat deduction, so a repeat is never charged twice across quarters.
        for n, ref in enumerate(group.cases[1:], start=2):
            if ref.case_id in lost_ids:
                out.append((Rule.repeated_loss, ref, f"{group.category_label}：一年内第{n}次败诉"))
    for ref in _items(row.late_filings):
        out.append((Rule.late_filing, ref, ref.note))
    for ref in _items(row.missing_documents):
        out.append((Rule.missing_filing, ref, ref.note))
    for ref in unperformed:
        out.append((Rule.unperformed_judgment, ref, ref.note))
    return out


def year_before(period: Period) -> Period | None:
    """The part of the period's calendar year before it (None for a period that starts on 1 January)."""
    start = date(period.start.year, 1, 1)
    return None if period.start <= start else Period.between(start, period.start - timedelta(days=1))


def assess(rows: Iterable[AgencyRow], repeated: Iterable[RepeatedLoss], period: Period, rules: AssessmentRules,
           *, count_unknown_as_absent: bool, earlier: Assessment | None = None,
           unperformed: Iterable[tuple[AgencyRef | None, str, CaseRef]] = ()) -> Assessment:
    """Deductions per agency for a period's report rows. `earlier`: the assessment of the same year before
    the period (see year_before), so the yearly cap holds across quarters and a document still missing
    is charged once a year, not again in every quarter it stays missing. `unperformed`: effective
    decisions whose due date passed in the period without performance (filing/report/followup.py)."""
    before = {agency_key(a.agency, a.label): a for a in (earlier.agencies if earlier else ())}
    repeated = list(repeated)
    owed: dict[str, list[CaseRef]] = {}
    owners: dict[str, tuple[AgencyRef | None, str]] = {}
    for agency, label, ref in unperformed:
        owed.setdefault(agency_key(agency, label), []).append(ref)
        owners[agency_key(agency, label)] = (agency, label)
    listed: list[tuple[AgencyRow | None, AgencyRef | None, str]] = [(r, r.agency, r.label) for r in rows]
    seen = {agency_key(a, label) for _, a, label in listed}
    listed += [(None, a, label) for key, (a, label) in owners.items() if key not in seen]
    out: list[AgencyAssessment] = []
    for row, agency, label in listed:
        key = agency_key(agency, label)
        mine = [g for g in repeated if agency_key(g.agency, g.label) == key]
        prior = before.get(key)
        spent = prior.total if prior else 0.0
        charged = {(d.case.case_id, d.note) for d in prior.deductions if d.rule == Rule.missing_filing} \
            if prior else set()
        room = None if rules.cap_per_agency_year is None else max(rules.cap_per_agency_year - spent, 0.0)
        deductions: list[Deduction] = []
        for rule, ref, note in raw_deductions(row, mine, count_unknown_as_absent, owed.get(key, ())):
            pts = rules.points(rule)
            if pts <= 0 or (rule == Rule.missing_filing and (ref.case_id, note) in charged):
                continue
            counted = pts if room is None else min(pts, room)
            if room is not None:
                room = round(room - counted, 6)
            deductions.append(Deduction(rule, rule.label, ref, pts, round(counted, 2), note))
        if deductions:
            out.append(AgencyAssessment(agency, label, tuple(deductions), round(spent, 2),
                                        rules.cap_per_agency_year))
    notes = [
        "扣分标准为本局设定的可调整参数（config.yaml 的 assessment 部分）；通知规定败诉和负责人不出庭纳入考核，"
        "但未规定具体分值，以上分值并非官方标准。",
        "未履行生效裁判：败诉裁判生效后，按其载明的期限（或本局设定的期限）届满仍未履行的，在期限届满的当期扣分一次。",
    ]
    if rules.cap_per_agency_year is not None:
        notes.append(f"每个单位每年扣分上限{_num(rules.cap_per_agency_year)}分，季度扣分计入当年累计；"
                     "同一份材料缺报只在当年首次扣分。")
    if count_unknown_as_absent:
        notes.append(f"出庭情况未报的庭审按{Head.absent.label}计分。")
    return Assessment(period.key, rules, tuple(out), tuple(notes))


def agency_key(agency: AgencyRef | None, label: str) -> str:
    return str(agency.id) if agency is not None else f"?{label}"


def _num(x: float) -> str:
    return f"{x:g}"


def assessment_data(a: Assessment) -> dict[str, object]:
    """The JSON report's `assessment`: totals per agency and every deduction with its case and rule."""
    return {
        "period": a.period_key,
        "total": a.total,
        "rules": {r.value: a.rules.points(r) for r in Rule} | {"cap_per_agency_year": a.rules.cap_per_agency_year},
        "agencies": [
            {
                "agency_id": ag.agency.id if ag.agency else None,
                "label": ag.label,
                "total": ag.total,
                "uncapped": ag.uncapped,
                "earlier_in_year": ag.earlier_in_year,
                "cap": ag.cap,
                "deductions": [
                    {"rule": d.rule.value, "rule_label": d.rule_label, "case_id": d.case.case_id,
                     "case_number": d.case.case_number, "points": d.points, "counted": d.counted, "note": d.note}
                    for d in ag.deductions
                ],
            }
            for ag in a.agencies
        ],
        "notes": list(a.notes),
    }
