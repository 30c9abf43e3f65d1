"""The quarterly report as a pure function of case snapshots, definitions and the working-day calendar.

Decisions (also printed in the report's definitions):
- Each Case row is one case at one instance (行初, 行终 …): new cases, hearings and concluded cases
  count per case per instance.
- Hearings held come from the history of the case's hearing time (CaseFact 'hearing_at', one row per
  summons that set it) plus appearance-record documents. A superseded hearing time counts as held only
  if the summons that replaced it is dated after it (a second hearing); otherwise it was postponed. The
  latest time counts once it has passed, unless the case was decided before it. A hearing named by an
  appearance record is held (the record is the evidence).
- Outcomes and the loss rate count effective results: a first-instance decision whose appeal is known
  by the end of the period is not counted on its own; the appeal's outcome governs once the appeal is
  decided, and until then the case is "under appeal". Everything is judged as of the period's end,
  so a past quarter's report does not change when later decisions arrive.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cases.facts import FACT_LABELS
from filing.report.assessment import Assessment, assess, year_before
from filing.report.followup import overdue_compliance, rectification_before, unperformed_in
from filing.report.settings import ReportContext, ReportRules
from filing.report.types import (
    AgencyRef,
    AgencyRow,
    CaseLine,
    CaseRef,
    Figure,
    Head,
    Hearing,
    Period,
    Rate,
    RepeatedLoss,
    Report,
    ReportInput,
    TrendPoint,
    UnverifiedCase,
    UnverifiedFact,
)
from terms.labels import DECISION_LABELS, cause_label, doc_label, outcome_label
from terms.rules import Lateness, MissingItem, assess_lateness, evaluate_missing
from terms.snapshot import AppearanceRecord, CaseSnapshot, HearingFact, ReceivedDoc
from terms.workdays import WorkCalendar

CONCLUDED = ("agency_won", "agency_lost", "withdrawn")
UNKNOWN_AGENCY = "未确定单位"


# ----------------------------------------------------------------- hearings


def head_of(present: bool | None, principal: bool | None) -> Head:
    if present is None:
        return Head.unknown
    if not present:
        return Head.absent
    if principal is None:
        return Head.head
    return Head.principal if principal else Head.deputy


def hearings_of(case: CaseSnapshot, as_of: date) -> list[Hearing]:
    """The hearings that took place by `as_of`, each with who appeared for the agency."""
    if not case.hearing_facts and case.hearing_at is None and not case.appearance_records:
        return []  # most cases of a report: nothing scheduled, nothing recorded
    facts = [f for f in case.hearing_facts if f.known_on is None or f.known_on <= as_of]
    if not facts and case.hearing_at is not None and not case.hearing_facts:
        facts = [HearingFact(case.hearing_at, None)]
    held: dict[date, tuple[datetime, str]] = {}
    for i, fact in enumerate(facts):
        day = fact.at.date()
        if i + 1 < len(facts):
            nxt = facts[i + 1]
            if nxt.at.date() == day:
                continue  # same day, time corrected: the later value stands for it
            if nxt.set_on is not None and day < nxt.set_on and day <= as_of:
                held[day] = (fact.at, f"hearing {fact.at:%Y-%m-%d %H:%M} held: the next summons is dated {nxt.set_on}")
            continue  # otherwise postponed before it took place
        if day > as_of:
            continue
        if case.decision_date is not None and case.decision_date < day:
            continue  # decided before the scheduled date: the hearing never took place
        held[day] = (fact.at, f"hearing {fact.at:%Y-%m-%d %H:%M} (latest scheduled) has passed")
    by_day: dict[date, AppearanceRecord] = {}
    undated: list[AppearanceRecord] = []
    for rec in case.appearance_records:
        if rec.received_on is not None and rec.received_on > as_of:
            continue  # not known yet on that day
        if rec.hearing_at is None:
            undated.append(rec)
            continue
        day = rec.hearing_at.date()
        by_day[day] = rec
        if day not in held and day <= as_of:
            held[day] = (rec.hearing_at, f"appearance record #{rec.document_id} names this hearing")
    out: list[Hearing] = []
    days = sorted(held)
    for idx, day in enumerate(days):
        at, evidence = held[day]
        last = idx == len(days) - 1
        found: AppearanceRecord | None = by_day.get(day) or (undated[-1] if undated and last else None)
        if found is not None:
            head = head_of(found.head_present, found.head_principal)
            evidence += f"; appearance from record #{found.document_id}"
        elif last and (case.head_received_on is None or case.head_received_on <= as_of):
            head = head_of(case.head_present, case.head_principal)
            evidence += "; appearance from the case facts (judgment or record)"
        else:
            head = Head.unknown
            evidence += "; no appearance evidence for this hearing"
        out.append(Hearing(case.case_id, at, head, evidence))
    return out


# ----------------------------------------------------------------- results (outcomes)


@dataclass(frozen=True)
class Result:
    """The effective result of a dispute, counted in the period of the governing decision."""

    case: CaseSnapshot  # the instance whose decision governs
    agency_id: int | None
    outcome: str
    decision_type: str | None
    note: str


@dataclass(frozen=True)
class ResultSet:
    counted: tuple[Result, ...]
    under_appeal: tuple[tuple[CaseSnapshot, CaseSnapshot], ...]  # (decided instance, pending appeal)
    superseded: tuple[tuple[CaseSnapshot, CaseSnapshot], ...]  # (decided instance, decided appeal)


def concluded_by(case: CaseSnapshot, day: date) -> bool:
    return (case.outcome in CONCLUDED and case.decision_date is not None and case.decision_date <= day
            and case.decided_known_by(day))


def decided_in(case: CaseSnapshot, period: Period) -> bool:
    """Concluded inside the period, by a decision whose document arrived by the period's end."""
    return case.outcome in CONCLUDED and period.contains(case.decision_date) and case.decided_known_by(period.end)


def in_scope(case: CaseSnapshot, period: Period, cutoff: date) -> bool:
    """Whether a case is one of the period's cases: known by its end, and open, or concluded within
    the year up to the period's end, or opened, heard or sent documents within the period. A case
    decided years ago is not listed again in every later report."""
    if not case.known_by(cutoff):
        return False
    if not (case.outcome in CONCLUDED and case.decision_date is not None
            and case.decision_date < trailing_year(period).start):
        return True
    return (
        period.contains(case.opened_on)
        or (case.hearing_at is not None and period.contains(case.hearing_at.date()))
        or any(period.contains(d.received_on) for d in case.documents)
    )


def case_number_year(case: CaseSnapshot) -> int | None:
    m = re.match(r"[（(](\d{4})[）)]", case.case_number or "")
    return int(m.group(1)) if m else None


def trailing_year(period: Period) -> Period:
    """The year up to the period's end (and at least the period)."""
    end = period.end
    start = date(end.year - 1, end.month, end.day) + timedelta(days=1) \
        if not (end.month == 2 and end.day == 29) else date(end.year - 1, 3, 1)
    return Period.between(min(start, period.start), end)


def report_window(period: Period, rules: ReportRules) -> date:
    """The first day any part of a period's report looks at: the trend quarters and the year before each."""
    return min(trailing_year(q).start for q in (period, *period.quarters_back(rules.trend_quarters)))


def results_in(cases: Iterable[CaseSnapshot], period: Period, index: CaseIndex | None = None) -> ResultSet:
    """The effective results decided in the period. `index`: the same cases indexed (CaseIndex), so only
    those decided in the period and the appeals are visited."""
    if index is None:
        cases = list(cases)
        by_id, decided = {c.case_id: c for c in cases}, cases
        appeal_cases = [c for c in cases if c.appeal_of_id is not None]
    else:
        by_id, appeal_cases, decided = index.by_id, index.appeals, index.decided_between(period)
    appeals: dict[int, list[CaseSnapshot]] = defaultdict(list)
    for c in appeal_cases:
        if c.appeal_of_id is not None and c.known_by(period.end):
            appeals[c.appeal_of_id].append(c)
    counted: list[Result] = []
    under: list[tuple[CaseSnapshot, CaseSnapshot]] = []
    superseded: list[tuple[CaseSnapshot, CaseSnapshot]] = []
    for c in decided:
        if not decided_in(c, period):
            continue
        later = sorted(appeals.get(c.case_id, []), key=lambda a: (a.opened_on or date.max, a.case_id))
        if later:
            appeal = later[-1]
            (superseded if concluded_by(appeal, period.end) else under).append((c, appeal))
            continue
        parent = by_id.get(c.appeal_of_id) if c.appeal_of_id is not None else None
        agency = c.agency_id if c.agency_id is not None else (parent.agency_id if parent else None)
        outcome, decision_type = c.outcome, c.decision_type
        note = outcome_label(c.outcome)
        if parent is not None and c.outcome == "withdrawn" and parent.outcome in CONCLUDED:
            # The appeal was withdrawn: the first-instance decision takes effect as it was.
            outcome, decision_type = parent.outcome, parent.decision_type
            note = f"{outcome_label(outcome)}（撤回上诉，原审{parent.case_number or parent.case_id}结果生效）"
        elif parent is not None:
            note += f"（上诉审结果，原审{parent.case_number or parent.case_id}" + (
                f"{outcome_label(parent.outcome)}）" if parent.outcome in CONCLUDED else "）"
            )
        counted.append(Result(c, agency, outcome, decision_type, note))
    return ResultSet(tuple(counted), tuple(under), tuple(superseded))


def is_loss(r: Result, rules: ReportRules) -> bool:
    return r.outcome == "agency_lost" or (rules.withdrawal_counts_as_loss and r.outcome == "withdrawn")


def in_loss_base(r: Result, rules: ReportRules) -> bool:
    if rules.loss_denominator == "concluded":
        return True
    return r.outcome in ("agency_won", "agency_lost") or (rules.withdrawal_counts_as_loss and r.outcome == "withdrawn")


# ----------------------------------------------------------------- filings


def first_receipts(docs: Iterable[ReceivedDoc]) -> list[ReceivedDoc]:
    first: dict[str, ReceivedDoc] = {}
    for d in docs:
        if d.doc_type == "other":
            continue
        if d.doc_type not in first or d.received_on < first[d.doc_type].received_on:
            first[d.doc_type] = d
    return list(first.values())


def case_existed_from(case: CaseSnapshot) -> date | None:
    """The earliest day the case can have existed: 1 January of its number's year (立案年度)."""
    year = case_number_year(case)
    return date(year, 1, 1) if year else None


def late_filings(case: CaseSnapshot, calendar: WorkCalendar, rules: ReportRules) -> list[Lateness]:
    """Documents whose first receipt came after the deadline (reference date + N working days).

    A deadline before the case existed comes from a misread date (2025 for 2026): nobody is accused.
    """
    existed = case_existed_from(case)
    out = []
    for doc in first_receipts(case.documents):
        lateness = assess_lateness(doc, case, calendar, rules.missing)
        if lateness is None or not lateness.late:
            continue
        if existed is not None and lateness.due < existed:
            continue
        out.append(lateness)
    return out


def first_known(data: ReportInput) -> date | None:
    """The first day any case was known (notice, first receipt, decision; never before the case's year):
    the trend starts with its quarter."""
    days = []
    for c in data.cases:
        existed = case_existed_from(c)
        dated = [d for d in (c.notice_date, c.first_received, c.decision_date) if d is not None]
        # A date before the case's own year is a misread one (2025 for 2026): the other dates count.
        known = [d for d in dated if existed is None or d >= existed]
        if known:
            days.append(min(known))
        elif dated and existed is not None:
            days.append(existed)
    return min(days) if days else None


def missing_documents(case: CaseSnapshot, day: date, calendar: WorkCalendar, rules: ReportRules) -> list[MissingItem]:
    return evaluate_missing(case, day, calendar, rules.missing)


# ----------------------------------------------------------------- tallies


class _DayIndex:
    """Positions of cases by a day each may have several of: the positions with a day in a period."""

    def __init__(self, pairs: list[tuple[date, int]]) -> None:
        pairs.sort()
        self.days = [d for d, _ in pairs]
        self.positions = [i for _, i in pairs]

    def within(self, period: Period) -> list[int]:
        """The positions with a day in the period, each once, in case order."""
        lo, hi = bisect_left(self.days, period.start), bisect_right(self.days, period.end)
        return sorted(set(self.positions[lo:hi]))


def hearing_days(case: CaseSnapshot) -> set[date]:
    """Every day `hearings_of` can give a hearing of the case (as of any day): a superset."""
    days = {f.at.date() for f in case.hearing_facts}
    if case.hearing_at is not None:
        days.add(case.hearing_at.date())
    days.update(r.hearing_at.date() for r in case.appearance_records if r.hearing_at is not None)
    return days


class CaseIndex:
    """The counted cases of a report input (in input order) indexed by the days that can put them in a
    period's figures: hearing days, decision dates, document receipts. The quarter, the trend quarters and
    the earlier months of the year each visit only the cases that can count in them (issue 23), instead of
    every loaded case of the report's window."""

    def __init__(self, cases: list[CaseSnapshot]) -> None:
        self.cases = cases
        self.by_id = {c.case_id: c for c in cases}
        self.appeals = [c for c in cases if c.appeal_of_id is not None]
        self._heard = _DayIndex([(d, i) for i, c in enumerate(cases) for d in hearing_days(c)])
        self._decided = _DayIndex([(c.decision_date, i) for i, c in enumerate(cases) if c.decision_date is not None])
        self._received = [(min(days), max(days)) if days else None
                          for days in ([d.received_on for d in c.documents] for c in cases)]

    def heard_between(self, period: Period) -> list[int]:
        """Positions of the cases that may have a hearing in the period."""
        return self._heard.within(period)

    def decided_between(self, period: Period) -> list[CaseSnapshot]:
        """The cases with a decision date in the period, in case order."""
        return [self.cases[i] for i in self._decided.within(period)]

    def received_between(self, period: Period) -> list[int]:
        """Positions of the cases that may have a document received in the period (first to last receipt
        overlaps it)."""
        return [i for i, span in enumerate(self._received)
                if span is not None and span[0] <= period.end and span[1] >= period.start]


class Memo:
    """What one report computes per case more than once: its hearings as of a day (the period, each trend
    quarter, the case list) and its late filings (the same for every period). Keyed by the snapshot's id:
    a memo lives no longer than the report input whose cases it describes."""

    def __init__(self, ctx: ReportContext) -> None:
        self._ctx = ctx
        self._hearings: dict[tuple[int, date], list[Hearing]] = {}
        self._late: dict[int, list[Lateness]] = {}
        self._index: tuple[ReportInput, CaseIndex] | None = None

    def index(self, data: ReportInput) -> CaseIndex:
        """The input's counted cases (not of an excluded type), indexed once for every tally of the report."""
        if self._index is None or self._index[0] is not data:
            excluded = self._ctx.rules.exclude_case_types
            self._index = (data, CaseIndex([c for c in data.cases if c.case_type not in excluded]))
        return self._index[1]

    def hearings(self, case: CaseSnapshot, as_of: date) -> list[Hearing]:
        key = (id(case), as_of)
        known = self._hearings.get(key)
        if known is None:
            known = self._hearings[key] = hearings_of(case, as_of)
        return known

    def late(self, case: CaseSnapshot) -> list[Lateness]:
        known = self._late.get(id(case))
        if known is None:
            known = self._late[id(case)] = late_filings(case, self._ctx.calendar, self._ctx.rules)
        return known



Item = tuple[int | None, CaseRef]  # (agency id, the case behind one count)


@dataclass
class Tally:
    """Every counted item of every figure, keyed by figure name, before it is split by agency."""

    items: dict[str, list[Item]]

    def add(self, name: str, agency_id: int | None, case: CaseSnapshot, note: str = "") -> None:
        self.items.setdefault(name, []).append((agency_id, CaseRef(case.case_id, case.case_number, note)))

    def figure(self, name: str, agency: Callable[[int | None], bool]) -> Figure:
        return Figure(tuple(ref for a, ref in self.items.get(name, []) if agency(a)))

    def agencies(self) -> set[int | None]:
        return {a for items in self.items.values() for a, _ in items}


def _day(d: date | None) -> str:
    return "" if d is None else f"{d.year}-{d.month:02d}-{d.day:02d}"


def tally(data: ReportInput, period: Period, ctx: ReportContext, rates_only: bool = False,
          memo: Memo | None = None) -> Tally:
    """Every figure of the period; with `rates_only` just those the appearance and loss rates are made of
    (the trend's points), which skips the per-document deadlines and missing-document rules."""
    rules = ctx.rules
    memo = memo or Memo(ctx)
    t = Tally({})
    index = memo.index(data)
    cases = index.cases
    cutoff = min(period.end, data.as_of)
    heard = index.heard_between(period)
    # Every figure but hearings and results needs every case; the trend's points visit only those heard.
    visit = heard if rates_only else range(len(cases))
    heard_set, received = set(heard), set(() if rates_only else index.received_between(period))
    for i in visit:
        c = cases[i]
        a = c.agency_id
        if not rates_only:
            _tally_filings(t, c, period)
        hearings = [h for h in memo.hearings(c, cutoff) if period.contains(h.at.date())] if i in heard_set else []
        if rules.appearance_unit == "case" and hearings:
            hearings = [_case_hearing(hearings)]
        for h in hearings:
            note = f"{h.at:%Y-%m-%d}开庭，{h.head.label}"
            t.add("hearings", a, c, note)
            t.add(h.head.value, a, c, note)
            if h.head.appeared:
                t.add("appeared", a, c, note)
            if not (h.head == Head.unknown and rules.unknown_appearance == "exclude"):
                t.add("appearance_base", a, c, note)
        if not rates_only:
            _tally_late_and_missing(t, c, period, cutoff, ctx, memo, i in received)
    results = results_in(cases, period, index)
    for r in results.counted:
        kind = "judgment" if r.decision_type == "judgment" else "ruling"
        if r.outcome == "withdrawn":
            t.add("withdrawn", r.agency_id, r.case, r.note)
        elif r.outcome == "agency_lost":
            t.add(f"{kind}_lost", r.agency_id, r.case, r.note)
        else:
            t.add(f"{kind}_won", r.agency_id, r.case, r.note)
        if is_loss(r, rules):
            t.add("lost", r.agency_id, r.case, r.note)
        if in_loss_base(r, rules):
            t.add("loss_base", r.agency_id, r.case, r.note)
    for first, appeal in results.under_appeal:
        t.add("under_appeal", first.agency_id, first, f"已上诉（{appeal.case_number or appeal.case_id}），待二审结果")
    return t


def _tally_filings(t: Tally, c: CaseSnapshot, period: Period) -> None:
    a = c.agency_id
    opened = c.opened_on_by(period.end)
    if period.contains(opened):
        how = "收到应诉通知" if c.notice_known_by(period.end) else "首次报备"
        t.add("new_cases", a, c, f"{c.case_type or ''}，{_day(opened)}{how}")
    if decided_in(c, period):
        kind = DECISION_LABELS.get(c.decision_type or "", "结案")
        t.add("concluded", a, c, f"{_day(c.decision_date)}{kind}{outcome_label(c.outcome)}")


def _tally_late_and_missing(t: Tally, c: CaseSnapshot, period: Period, cutoff: date, ctx: ReportContext,
                            memo: Memo, received: bool = True) -> None:
    """`received`: whether a document of the case was received in the period (False: none filed late in it)."""
    a = c.agency_id
    for late in (memo.late(c) if received else ()):
        if period.contains(late.received_on):
            t.add("late_filings", a, c, f"{doc_label(late.doc_type)}：应于{_day(late.due)}前报备，"
                  f"{_day(late.received_on)}收到（第{late.working_days}个工作日）")
    if in_scope(c, period, cutoff):
        queued = {doc_type for doc_type, day in c.queued if day <= cutoff}
        for item in missing_documents(c, cutoff, ctx.calendar, ctx.rules):
            if item.doc_type not in queued:  # sent, waiting in our review queue: the agency filed it
                t.add("missing_documents", a, c, f"缺{doc_label(item.doc_type)}（{_day(item.due)}起应报）")
    if waits_in(c, period):
        t.add("waiting", a, c, "；".join(f"{FACT_LABELS.get(f, f)}待核实" for f, _, _ in c.unverified))


def _case_hearing(hearings: list[Hearing]) -> Hearing:
    """appearance_unit=case: a case counts once; the head appeared only if at every hearing."""
    bad = [h for h in hearings if not h.head.appeared]
    if bad:
        return bad[0]
    principal = [h for h in hearings if h.head == Head.principal]
    return principal[0] if principal else hearings[-1]


def row_of(t: Tally, agency: AgencyRef | None, label: str, match: Callable[[int | None], bool],
           rules: ReportRules) -> AgencyRow:
    f = lambda name: t.figure(name, match)  # noqa: E731
    appeared, base = f("appeared"), f("appearance_base")
    lost, loss_base = f("lost"), f("loss_base")
    return AgencyRow(
        agency=agency,
        label=label,
        new_cases=f("new_cases"),
        concluded=f("concluded"),
        hearings=f("hearings"),
        appeared=appeared,
        principal=f(Head.principal.value),
        deputy=f(Head.deputy.value),
        absent=f(Head.absent.value),
        unknown=f(Head.unknown.value),
        appearance_rate=Rate(appeared.value, base.value),
        judgment_won=f("judgment_won"),
        judgment_lost=f("judgment_lost"),
        ruling_won=f("ruling_won"),
        ruling_lost=f("ruling_lost"),
        withdrawn=f("withdrawn"),
        lost=lost,
        loss_base=loss_base,
        under_appeal=f("under_appeal"),
        loss_rate=Rate(lost.value, loss_base.value),
        late_filings=f("late_filings"),
        missing_documents=f("missing_documents"),
        waiting=f("waiting"),
    )


def rows_of(data: ReportInput, t: Tally, rules: ReportRules) -> tuple[tuple[AgencyRow, ...], AgencyRow]:
    present = t.agencies()
    rows = [
        row_of(t, ag, ag.display, lambda a, i=ag.id: a == i, rules)  # type: ignore[misc]
        for ag in sorted(data.agencies, key=lambda x: x.id)
        if ag.id in present
    ]
    if None in present or any(a not in {ag.id for ag in data.agencies} for a in present):
        known = {ag.id for ag in data.agencies}
        rows.append(row_of(t, None, UNKNOWN_AGENCY, lambda a: a is None or a not in known, rules))
    total = row_of(t, None, "合计", lambda a: True, rules)
    return tuple(rows), total


# ----------------------------------------------------------------- repeated losses, trend, cases


def repeat_window(period: Period, rules: ReportRules) -> Period:
    return trailing_year(period) if rules.repeat_window == "trailing_year" else period


def repeated_losses(data: ReportInput, period: Period, rules: ReportRules,
                    memo: Memo | None = None) -> tuple[RepeatedLoss, ...]:
    window = repeat_window(period, rules)
    groups: dict[tuple[int | None, str], list[Result]] = defaultdict(list)
    if memo is not None:
        found = results_in((), window, memo.index(data))
    else:
        found = results_in((c for c in data.cases if c.case_type not in rules.exclude_case_types), window)
    for r in found.counted:
        if is_loss(r, rules) and r.case.cause_category:
            groups[(r.agency_id, r.case.cause_category)].append(r)
    agencies = {a.id: a for a in data.agencies}
    out = []
    for (agency_id, category), results in sorted(groups.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
        if len(results) < rules.repeat_threshold:
            continue
        ag = agencies.get(agency_id) if agency_id is not None else None
        ordered = sorted(results, key=lambda r: r.case.decision_date or date.min)
        refs = tuple(CaseRef(r.case.case_id, r.case.case_number, f"{_day(r.case.decision_date)}{r.note}")
                     for r in ordered)
        notes, flags = rectification_before([r.case for r in ordered])
        out.append(RepeatedLoss(ag, ag.display if ag else UNKNOWN_AGENCY, category, cause_label(category), refs,
                                notes, flags))
    return tuple(out)


def trend_of(data: ReportInput, period: Period, ctx: ReportContext, memo: Memo | None = None) -> tuple[TrendPoint, ...]:
    points: list[TrendPoint] = []
    first = first_known(data)
    for q in period.quarters_back(ctx.rules.trend_quarters):
        if q.start > data.as_of or first is None or q.end < first:
            continue  # nothing before the first case was known (nor after today)
        # From the first case on, every quarter is shown, empty ones too: the chart marks them "无数据".
        t = tally(data, q, ctx, rates_only=True, memo=memo)
        total = row_of(t, None, "合计", lambda a: True, ctx.rules)
        points.append(TrendPoint(q.key, q.label, total.appearance_rate, total.loss_rate))
    return tuple(points)


def case_lines(data: ReportInput, t: Tally, period: Period, ctx: ReportContext,
               memo: Memo | None = None) -> tuple[CaseLine, ...]:
    memo = memo or Memo(ctx)
    notes: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, items in t.items.items():
        for _a, ref in items:
            notes[ref.case_id][name].append(ref.note)
    agencies = {a.id: a.display for a in data.agencies}
    cutoff = min(period.end, data.as_of)
    lines = []
    for c in sorted(data.cases, key=lambda c: (c.agency_id or 0, c.case_number or "", c.case_id)):
        n = notes.get(c.case_id)
        if not n:
            continue
        if n.get("under_appeal"):
            counted = "；".join(n["under_appeal"])
        else:
            counted = next((v[0] for k in ("withdrawn", "judgment_won", "judgment_lost", "ruling_won", "ruling_lost")
                            for v in [n.get(k)] if v), "")
        lines.append(CaseLine(
            case_id=c.case_id,
            case_number=c.case_number,
            agency=agencies.get(c.agency_id, UNKNOWN_AGENCY) if c.agency_id is not None else UNKNOWN_AGENCY,
            case_type=c.case_type,
            cause=cause_label(c.cause_category),
            opened_on=c.opened_on,
            hearings=tuple(f"{h.at:%Y-%m-%d %H:%M}" for h in memo.hearings(c, cutoff)),
            appearance=tuple(n.get("hearings", [])),
            outcome=outcome_label(c.outcome),
            decision_type=DECISION_LABELS.get(c.decision_type or ""),
            decision_date=c.decision_date,
            counted_result=counted,
            late=tuple(n.get("late_filings", [])),
            missing=tuple(n.get("missing_documents", [])),
        ))
    return tuple(lines)


def definitions(rules: ReportRules) -> tuple[str, ...]:
    if rules.loss_denominator == "decided":
        base = "以判决或裁定审结且有胜败结果的案件数（驳回起诉、不予立案计为胜诉；撤诉不计入分母）"
    else:
        base = "全部审结案件数（含撤诉）"
    if rules.withdrawal_counts_as_loss:
        base += "；撤诉案件按败诉计算"
    unknown = ("出庭情况未报的庭次计入分母、按未出庭计算" if rules.unknown_appearance == "absent"
               else "出庭情况未报的庭次不计入分母")
    unit = "按庭次计算" if rules.appearance_unit == "hearing" else (
        "按案件计算（同一案件同一审级多次开庭的，每次均有负责人出庭方计为出庭）")
    window = "本统计期间" if rules.repeat_window == "period" else "截至本期末的近一年内"
    excluded = "、".join(sorted(rules.exclude_case_types)) or "无"
    return (
        "统计口径：每个案号为一个审级的一件案件（一审、二审分别计算）；"
        f"非诉执行审查案件（{excluded}）不属于行政应诉案件，不纳入统计。",
        "新收案件：本期收到法院应诉通知书的案件（无应诉通知书日期的，以首次报备日期为准）。",
        "审结案件：本期作出判决或裁定且已结案的案件（撤诉、驳回起诉计入；中止诉讼、发回重审不计入）。",
        f"开庭次数：本期实际开庭的庭次。同一案件同一审级多次开庭的，每次开庭分别计算；改期的不计算；"
        f"裁判先于排期作出的视为未开庭；未经开庭结案的案件不计入。出庭应诉率 = 负责人出庭庭次 ÷ 开庭次数（{unit}），"
        f"正职、副职分别列示；{unknown}；本期无开庭的显示为“—”。",
        f"败诉率 = 败诉案件数 ÷ {base}。判决/裁定结果按生效结果统计：已上诉的案件以二审结果为准，"
        "二审改判的按改判结果计，一审不重复计算；撤回上诉的，一审结果自准许撤回上诉之日起生效计入；"
        "二审尚未审结的列为“上诉中”，不计入本期结果。",
        f"逾期报备：文书在其起算日（应诉通知书、起诉状、举证通知书以应诉通知书日期为准；出庭情况以开庭日为准；"
        f"其他文书以落款日期为准）后{rules.late_after_workdays}个工作日内未报备的，以首次收到日期计入收到当期。",
        "缺报文书：截至本期末（或制表日）应报而未报的文书件数，根据已收到的文书推定；"
        "统计本期末尚未审结、近一年内审结或本期有开庭、收文的案件。",
        f"同类问题重复败诉：同一单位在{window}因同一类案由败诉{rules.repeat_threshold}件以上的，予以单独列出。",
        "数据依据：各项事实以本期末前收到的文书为准（裁判结果以收到的判决书、裁定书为准，出庭情况以收到的出庭情况材料或"
        "判决书为准），人工核实的事实同样计入；事实缺失、不合常理或来源矛盾而待人工核实的，暂不计入相关数字，"
        "案件列于“待核实”，各单位“待核实”栏为其待核实案件数。",
    )


def waits_in(c: CaseSnapshot, period: Period) -> bool:
    """A case with a report fact waiting for a person, known to the bureau by the period's end: settling
    the fact could change this period's figures (the value is unknown, so any period it may fall in)."""
    if not c.unverified:
        return False
    known = [d for d in (c.first_received, c.notice_date) if d is not None]
    return not known or min(known) <= period.end


def unverified_cases(data: ReportInput, period: Period, rules: ReportRules) -> tuple[UnverifiedCase, ...]:
    """待核实: every case whose figures wait for a person, with what is missing and a link to each check."""
    agencies = {a.id: a.display for a in data.agencies}
    out = []
    for c in sorted(data.cases, key=lambda c: (c.agency_id or 0, c.case_number or "", c.case_id)):
        if c.case_type in rules.exclude_case_types or not waits_in(c, period):
            continue
        out.append(UnverifiedCase(
            case_id=c.case_id, case_number=c.case_number,
            agency=agencies.get(c.agency_id, UNKNOWN_AGENCY) if c.agency_id is not None else UNKNOWN_AGENCY,
            facts=tuple(UnverifiedFact(f, FACT_LABELS.get(f, f), reason, check_id)
                        for f, check_id, reason in c.unverified),
        ))
    return tuple(out)


def assessment_of(data: ReportInput, period: Period, ctx: ReportContext,
                  rows: tuple[AgencyRow, ...], repeated: tuple[RepeatedLoss, ...],
                  memo: Memo | None = None) -> Assessment | None:
    """Assessment points for the period's rows, after what the same year's earlier months already counted."""
    if ctx.assessment is None:
        return None
    unknown_absent = ctx.rules.unknown_appearance == "absent"
    earlier = None
    before = year_before(period)
    if before is not None:
        t0 = tally(data, before, ctx, memo=memo)
        rows0, _ = rows_of(data, t0, ctx.rules)
        earlier = assess(rows0, repeated_losses(data, before, ctx.rules, memo), before, ctx.assessment,
                         count_unknown_as_absent=unknown_absent, unperformed=unperformed_in(data, before))
    return assess(rows, repeated, period, ctx.assessment, count_unknown_as_absent=unknown_absent, earlier=earlier,
                  unperformed=unperformed_in(data, period))


def compute_report(data: ReportInput, period: Period, ctx: ReportContext) -> Report:
    """The whole report for one period. Pure: the same input gives the same report."""
    memo = Memo(ctx)
    t = tally(data, period, ctx, memo=memo)
    rows, total = rows_of(data, t, ctx.rules)
    excluded = tuple(
        CaseRef(c.case_id, c.case_number, f"{c.case_type}：非诉执行审查，不纳入应诉统计")
        for c in data.cases
        if c.case_type in ctx.rules.exclude_case_types
        and (period.contains(c.opened_on) or period.contains(c.decision_date))
    )
    repeated = repeated_losses(data, period, ctx.rules, memo)
    notes: list[str] = []
    if data.as_of < period.end:
        notes.append(f"统计期间尚未结束，数据截至{_day(data.as_of)}。")
    return Report(
        title=ctx.title,
        bureau=ctx.bureau,
        period=period,
        as_of=data.as_of,
        rows=rows,
        total=total,
        repeated_losses=repeated,
        trend=trend_of(data, period, ctx, memo),
        cases=case_lines(data, t, period, ctx, memo),
        excluded=excluded,
        definitions=definitions(ctx.rules),
        notes=tuple(notes),
        assessment=assessment_of(data, period, ctx, rows, repeated, memo),
        unverified=unverified_cases(data, period, ctx.rules),
        overdue_compliance=overdue_compliance(data, period),
    )
