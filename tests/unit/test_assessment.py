"""Assessment points (考核扣分): a pure function of the report's figures, over hand-built snapshots."""

from __future__ import annotations

from datetime import date, datetime

from filing.report.assessment import Assessment, AssessmentRules, Rule, year_before
from filing.report.compute import compute_report
from filing.report.settings import ReportContext, ReportRules
from filing.report.types import AgencyRef, Period, ReportInput
from terms.snapshot import CaseSnapshot, ReceivedDoc
from terms.workdays import WorkCalendar

A = AgencyRef(1, "zrj", "滕州市自然资源局", "自然资源局")
B = AgencyRef(2, "gaj", "滕州市公安局", "公安局")
YEAR = Period.between(date(2026, 1, 1), date(2026, 12, 31))


def assessment(*cases: CaseSnapshot, period: Period, rules: AssessmentRules | None = None,
               as_of: date = date(2026, 12, 31), **report_rules: object) -> Assessment:
    ctx = ReportContext(ReportRules(**report_rules), WorkCalendar(), "通报", "滕州市司法局",  # type: ignore[arg-type]
                        rules or AssessmentRules())
    rep = compute_report(ReportInput((A, B), tuple(cases), as_of), period, ctx)
    assert rep.assessment is not None
    return rep.assessment


def case(cid: int, **kw: object) -> CaseSnapshot:
    base: dict[str, object] = {"case_id": cid, "case_number": f"（2026）鲁0481行初{cid}号", "agency_id": A.id,
                               "case_type": "行初", "notice_date": date(2026, 1, 5)}
    base.update(kw)
    return CaseSnapshot(**base)  # type: ignore[arg-type]


def lost(cid: int, day: date, **kw: object) -> CaseSnapshot:
    return case(cid, outcome="agency_lost", decision_type="judgment", decision_date=day, **kw)


def of(a: Assessment, agency: AgencyRef):  # type: ignore[no-untyped-def]
    return next(x for x in a.agencies if x.agency == agency)


def test_each_deduction_names_its_case_and_rule() -> None:
    a = assessment(
        lost(1, date(2026, 8, 10), cause_category="expropriation"),
        case(2, hearing_at=datetime(2026, 8, 3, 9), head_present=False),
        case(3, agency_id=B.id, hearing_at=datetime(2026, 9, 2, 9), head_present=True, head_principal=True),
        period=Period.quarter("2026Q3"),
    )
    ag = of(a, A)
    assert [(d.rule, d.case.case_id, d.points) for d in ag.deductions] == [
        (Rule.lost_case, 1, 2.0), (Rule.hearing_without_head, 2, 1.0)]
    assert ag.total == 3.0 and a.total == 3.0
    assert "负责人未出庭" in ag.deductions[1].note
    assert all(x.agency != B for x in a.agencies)  # a head appeared, nothing lost: no deduction


def test_unknown_appearance_follows_the_report_rule() -> None:
    heard = case(2, hearing_at=datetime(2026, 8, 3, 9))  # nothing says who appeared
    q3 = Period.quarter("2026Q3")
    counted = assessment(heard, period=q3)
    assert [d.rule for d in of(counted, A).deductions] == [Rule.hearing_without_head]
    assert "按未出庭计" in of(counted, A).deductions[0].note
    assert assessment(heard, period=q3, unknown_appearance="exclude").agencies == ()


def test_repeat_of_one_kind_adds_a_deduction_to_the_second_loss_only() -> None:
    cases = (lost(1, date(2026, 2, 10), cause_category="disclosure"),
             lost(2, date(2026, 8, 10), cause_category="disclosure"),
             lost(3, date(2026, 8, 20), cause_category="expropriation"))
    q3 = assessment(*cases, period=Period.quarter("2026Q3"))
    rules = [(d.rule, d.case.case_id) for d in of(q3, A).deductions]
    assert (Rule.repeated_loss, 2) in rules and (Rule.repeated_loss, 1) not in rules
    assert (Rule.repeated_loss, 3) not in rules
    q1 = assessment(*cases, period=Period.quarter("2026Q1"))
    assert [d.rule for d in of(q1, A).deductions] == [Rule.lost_case]


def test_yearly_cap_holds_across_quarters() -> None:
    rules = AssessmentRules(lost_case=2, cap_per_agency_year=5)
    cases = (lost(1, date(2026, 2, 10)), lost(2, date(2026, 3, 10)),  # Q1: 4 points
             lost(3, date(2026, 8, 10)), lost(4, date(2026, 9, 10)))  # Q3: 4 more, 1 left under the cap
    q1 = of(assessment(*cases, period=Period.quarter("2026Q1"), rules=rules), A)
    assert (q1.total, q1.earlier_in_year, q1.capped) == (4.0, 0.0, False)
    q3 = of(assessment(*cases, period=Period.quarter("2026Q3"), rules=rules), A)
    assert q3.earlier_in_year == 4.0 and q3.uncapped == 4.0 and q3.total == 1.0 and q3.capped
    assert [d.counted for d in q3.deductions] == [1.0, 0.0]  # the capped item is still listed
    year = of(assessment(*cases, period=YEAR, rules=rules), A)
    assert (year.earlier_in_year, year.uncapped, year.total) == (0.0, 8.0, 5.0)
    uncapped = of(assessment(*cases, period=YEAR, rules=AssessmentRules(cap_per_agency_year=None)), A)
    assert uncapped.total == 8.0


def test_year_and_quarters_agree_and_the_next_year_starts_afresh() -> None:
    cases = (lost(1, date(2026, 2, 10)), case(2, hearing_at=datetime(2026, 5, 6, 9), head_present=False),
             lost(3, date(2026, 11, 10)), lost(4, date(2027, 1, 20), notice_date=date(2027, 1, 4)))
    quarters = [assessment(*cases, period=Period.of_quarter(2026, q), as_of=date(2027, 3, 31)) for q in (1, 2, 3, 4)]
    year = assessment(*cases, period=YEAR, as_of=date(2027, 3, 31))
    assert sum(q.total for q in quarters) == year.total == 5.0
    next_q1 = of(assessment(*cases, period=Period.quarter("2027Q1"), as_of=date(2027, 3, 31)), A)
    assert next_q1.earlier_in_year == 0.0 and [d.case.case_id for d in next_q1.deductions] == [4]


def test_zero_points_drop_a_rule_and_the_notes_say_how_unperformed_judgments_count() -> None:
    a = assessment(lost(1, date(2026, 8, 10)), period=Period.quarter("2026Q3"),
                   rules=AssessmentRules(lost_case=0))
    assert a.agencies == ()
    assert any("未履行生效裁判" in n and "期限届满的当期扣分一次" in n for n in a.notes)
    assert any("并非官方标准" in n for n in a.notes)


def test_year_before() -> None:
    assert year_before(YEAR) is None
    assert year_before(Period.quarter("2026Q1")) is None
    before = year_before(Period.quarter("2026Q3"))
    assert before is not None and (before.start, before.end) == (date(2026, 1, 1), date(2026, 6, 30))


def test_a_document_still_missing_is_charged_once_a_year() -> None:
    # Sued in May, notice received: the defense is due and never comes, so Q2 and Q3 both list it missing.
    sued = case(1, notice_date=date(2026, 5, 4),
                documents=(ReceivedDoc("notice_to_respond", date(2026, 5, 6), date(2026, 5, 4), 1, 101),))
    q2 = of(assessment(sued, period=Period.quarter("2026Q2"), as_of=date(2026, 9, 30)), A)
    missing = [d for d in q2.deductions if d.rule == Rule.missing_filing]
    assert missing and all(d.case.case_id == 1 for d in missing)
    assert any("答辩状" in d.note for d in missing)
    q3 = assessment(sued, period=Period.quarter("2026Q3"), as_of=date(2026, 9, 30))
    assert not [d for a in q3.agencies for d in a.deductions if (d.rule, d.note) in {(m.rule, m.note) for m in missing}]
    next_year = assessment(sued, period=Period.quarter("2027Q1"), as_of=date(2027, 3, 31))
    assert [d.note for d in of(next_year, A).deductions if d.rule == Rule.missing_filing] == [d.note for d in missing]
