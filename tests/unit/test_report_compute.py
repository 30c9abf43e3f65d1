"""The quarterly report's pure computation, over hand-built snapshots."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from filing.report.compute import compute_report, hearings_of
from filing.report.settings import ReportContext, ReportRules
from filing.report.types import AgencyRef, Head, Period, Rate, ReportInput
from terms.snapshot import AppearanceRecord, CaseSnapshot, HearingFact, ReceivedDoc
from terms.workdays import WorkCalendar

A = AgencyRef(1, "zrj", "滕州市自然资源局", "自然资源局")
B = AgencyRef(2, "gaj", "滕州市公安局", "公安局")
Q3 = Period.quarter("2026Q3")
CAL = WorkCalendar()


def ctx(**rules: object) -> ReportContext:
    return ReportContext(ReportRules(**rules), CAL, "滕州市行政机关行政应诉情况季度通报", "滕州市司法局")  # type: ignore[arg-type]


def case(cid: int, **kw: object) -> CaseSnapshot:
    base: dict[str, object] = {"case_id": cid, "case_number": f"（2026）鲁0481行初{cid}号", "agency_id": A.id,
                               "case_type": "行初"}
    base.update(kw)
    return CaseSnapshot(**base)  # type: ignore[arg-type]


def report(*cases: CaseSnapshot, as_of: date = date(2026, 12, 31), period: Period = Q3, **rules: object):  # type: ignore[no-untyped-def]
    return compute_report(ReportInput((A, B), tuple(cases), as_of), period, ctx(**rules))


def row(rep, agency: AgencyRef):  # type: ignore[no-untyped-def]
    return next(r for r in rep.rows if r.agency == agency)


def numbers(fig) -> list[str]:  # type: ignore[no-untyped-def]
    return [ref.case_number for ref in fig.items]


def test_quarter_periods() -> None:
    assert (Q3.start, Q3.end, Q3.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度")
    assert Period.quarter("2026q4").end == date(2026, 12, 31)
    assert [p.key for p in Q3.quarters_back(4)] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    with pytest.raises(ValueError):
        Period.quarter("2026Q5")


def test_rate_without_denominator_is_a_dash_not_zero() -> None:
    assert Rate(0, 0).display == "—" and Rate(0, 0).value is None
    assert Rate(1, 3).display == "33.3%"
    rep = report(case(1, notice_date=date(2026, 7, 10)))  # sued, never heard
    r = row(rep, A)
    assert r.new_cases.value == 1 and r.hearings.value == 0
    assert r.appearance_rate.display == "—" and r.loss_rate.display == "—"


def test_appearance_counts_per_hearing_with_principal_and_deputy_apart() -> None:
    rep = report(
        case(1, hearing_at=datetime(2026, 7, 15, 9), head_present=True, head_principal=True),
        case(2, hearing_at=datetime(2026, 8, 3, 9), head_present=True, head_principal=False),
        case(3, hearing_at=datetime(2026, 9, 1, 9), head_present=False),
        case(4, hearing_at=datetime(2026, 10, 9, 9), head_present=True),  # next quarter
        case(5, agency_id=B.id, hearing_at=datetime(2026, 9, 2, 9)),  # nothing says who appeared
    )
    a, b = row(rep, A), row(rep, B)
    assert (a.hearings.value, a.appeared.value, a.principal.value, a.deputy.value, a.absent.value) == (3, 2, 1, 1, 1)
    assert a.appearance_rate.display == "66.7%"
    assert numbers(a.principal) == ["（2026）鲁0481行初1号"]
    assert (b.hearings.value, b.unknown.value, b.appearance_rate.display) == (1, 1, "0.0%")
    assert rep.total.hearings.value == 4 and rep.total.appearance_rate == Rate(2, 4)
    excl = report(case(5, agency_id=B.id, hearing_at=datetime(2026, 9, 2, 9)), unknown_appearance="exclude")
    assert row(excl, B).appearance_rate.display == "—"


def test_case_heard_twice_counts_two_hearings_and_a_postponement_one() -> None:
    twice = case(
        1,
        hearing_at=datetime(2026, 8, 20, 9),
        hearing_facts=(
            HearingFact(datetime(2026, 7, 15, 9), date(2026, 7, 1), 11),
            HearingFact(datetime(2026, 8, 20, 9), date(2026, 7, 28), 12),  # summons issued after the 1st hearing
        ),
        appearance_records=(
            AppearanceRecord(datetime(2026, 7, 15, 9), True, True, "局长", date(2026, 7, 16), 21),
            AppearanceRecord(datetime(2026, 8, 20, 9), False, None, None, date(2026, 8, 21), 22),
        ),
    )
    hs = hearings_of(twice, date(2026, 12, 31))
    assert [(h.at.date(), h.head) for h in hs] == [
        (date(2026, 7, 15), Head.principal), (date(2026, 8, 20), Head.absent)]
    postponed = replace(
        twice,
        case_id=2,
        case_number="（2026）鲁0481行初2号",
        hearing_facts=(
            HearingFact(datetime(2026, 7, 15, 9), date(2026, 7, 1), 13),
            HearingFact(datetime(2026, 8, 20, 9), date(2026, 7, 10), 14),  # moved before the first date came
        ),
        appearance_records=(AppearanceRecord(datetime(2026, 8, 20, 9), True, False, "副局长", None, 23),),
    )
    rep = report(twice, postponed)
    a = row(rep, A)
    assert numbers(a.hearings) == ["（2026）鲁0481行初1号", "（2026）鲁0481行初1号", "（2026）鲁0481行初2号"]
    assert (a.appeared.value, a.principal.value, a.deputy.value, a.absent.value) == (2, 1, 1, 1)
    by_case = report(twice, postponed, appearance_unit="case")
    assert row(by_case, A).hearings.value == 2 and row(by_case, A).appeared.value == 1  # case 1 missed one hearing


def test_no_hearing_counted_when_decided_before_the_scheduled_date_or_still_ahead() -> None:
    decided_first = case(1, hearing_at=datetime(2026, 9, 20, 9), decision_date=date(2026, 9, 1),
                         decision_type="ruling", outcome="withdrawn")
    future = case(2, hearing_at=datetime(2026, 9, 28, 9))
    rep = report(decided_first, future, as_of=date(2026, 9, 25))
    a = row(rep, A)
    assert a.hearings.value == 0 and a.appearance_rate.display == "—"
    assert a.concluded.value == 1 and a.withdrawn.value == 1
    assert rep.notes  # the period is not over yet


def test_loss_rate_default_excludes_withdrawals_and_is_configurable() -> None:
    cases = (
        case(1, outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 7, 10)),
        case(2, outcome="agency_won", decision_type="judgment", decision_date=date(2026, 7, 11)),
        case(3, outcome="agency_won", decision_type="ruling", decision_date=date(2026, 7, 12)),  # 驳回起诉
        case(4, outcome="withdrawn", decision_type="ruling", decision_date=date(2026, 7, 13)),
        case(5, outcome="pending", decision_type="ruling", decision_date=date(2026, 7, 14)),  # 中止
    )
    a = row(report(*cases), A)
    assert a.concluded.value == 4
    assert (a.judgment_won.value, a.judgment_lost.value, a.ruling_won.value, a.withdrawn.value) == (1, 1, 1, 1)
    assert a.loss_rate == Rate(1, 3) and numbers(a.lost) == ["（2026）鲁0481行初1号"]
    assert row(report(*cases, loss_denominator="concluded"), A).loss_rate == Rate(1, 4)
    assert row(report(*cases, withdrawal_counts_as_loss=True), A).loss_rate == Rate(2, 4)


def test_appeal_reversing_the_first_instance_governs_and_is_counted_once() -> None:
    first = case(1, outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 7, 10),
                 notice_date=date(2026, 5, 6), cause_category="info_disclosure")
    appeal = case(2, case_number="（2026）鲁04行终9号", case_type="行终", appeal_of_id=1, notice_date=date(2026, 8, 1),
                  outcome="agency_won", decision_type="judgment", decision_date=date(2026, 9, 20))
    a = row(report(first, appeal), A)
    assert a.concluded.value == 2  # two instances concluded
    assert (a.lost.value, a.judgment_won.value, a.loss_rate) == (0, 1, Rate(0, 1))
    assert numbers(a.judgment_won) == ["（2026）鲁04行终9号"]
    assert "上诉审" in a.judgment_won.items[0].note
    # Judged at the end of August the appeal is pending: no result yet, the first instance is under appeal.
    aug = Period.between(date(2026, 7, 1), date(2026, 8, 31))
    a = row(report(first, appeal, period=aug), A)
    assert (a.lost.value, a.loss_rate.display, numbers(a.under_appeal)) == (0, "—", ["（2026）鲁0481行初1号"])
    # Before the appeal was known the first-instance loss stood: a past quarter's report does not change.
    july = Period.between(date(2026, 7, 1), date(2026, 7, 31))
    assert numbers(row(report(first, appeal, period=july), A).lost) == ["（2026）鲁0481行初1号"]
    # An appeal the agency loses (维持 a first-instance loss) is one loss, not two.
    upheld = replace(appeal, outcome="agency_lost")
    a = row(report(first, upheld), A)
    assert (a.lost.value, numbers(a.lost)) == (1, ["（2026）鲁04行终9号"])


def test_late_and_missing_filings_use_working_days() -> None:
    c = case(
        1,
        notice_date=date(2026, 9, 28),
        documents=(
            # received Mon 9-28 → 5th working day is Sat 10-10 (make-up day): on time on 10-09
            ReceivedDoc("notice_to_respond", date(2026, 10, 9), date(2026, 9, 28), 1, 101),
            ReceivedDoc("complaint", date(2026, 10, 12), None, 1, 102),  # one working day late
        ),
    )
    rep = report(c, period=Period.quarter("2026Q4"))
    a = row(rep, A)
    assert numbers(a.late_filings) == ["（2026）鲁0481行初1号"]
    assert "起诉状" in a.late_filings.items[0].note and "2026-10-10" in a.late_filings.items[0].note
    # notice 9-28 + 15 days + 5 working days passed without a defense
    assert [ref.note.startswith("缺答辩状") for ref in a.missing_documents.items] == [True]
    q3 = row(report(c), A)  # nothing was received by the end of Q3: nothing is known missing yet
    assert q3.missing_documents.value == 0 and q3.late_filings.value == 0


def test_repeated_losses_in_the_same_cause_category() -> None:
    lost = {"outcome": "agency_lost", "decision_type": "judgment", "cause_category": "info_disclosure"}
    cases = (
        case(1, decision_date=date(2026, 2, 10), **lost),
        case(2, decision_date=date(2026, 8, 10), **lost),
        case(3, decision_date=date(2026, 8, 12), **{**lost, "cause_category": "admin_penalty"}),
        case(4, agency_id=B.id, decision_date=date(2026, 8, 12), **lost),
    )
    rep = report(*cases)
    assert [(r.agency, r.category, [c.case_number for c in r.cases]) for r in rep.repeated_losses] == [
        (A, "info_disclosure", ["（2026）鲁0481行初1号", "（2026）鲁0481行初2号"])
    ]
    assert rep.repeated_losses[0].category_label == "政府信息公开"
    assert report(*cases, repeat_window="period").repeated_losses == ()


def test_excluded_types_trend_and_definitions() -> None:
    review = case(9, case_type="行审", notice_date=date(2026, 7, 3), outcome="agency_won", decision_type="ruling",
                  decision_date=date(2026, 8, 1))
    q2 = case(1, hearing_at=datetime(2026, 5, 5, 9), head_present=True, head_principal=True,
              outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 6, 1))
    q3 = case(2, hearing_at=datetime(2026, 8, 5, 9), head_present=False,
              outcome="agency_won", decision_type="judgment", decision_date=date(2026, 9, 1))
    rep = report(review, q2, q3)
    assert [r.case_number for r in rep.excluded] == ["（2026）鲁0481行初9号"]
    assert rep.total.new_cases.value == 0 and rep.total.concluded.value == 1
    assert [(p.key, p.appearance_rate.display, p.loss_rate.display) for p in rep.trend] == [
        # From the first case's quarter (Q2) on; none before it (issue 19), empty ones after it are kept.
        ("2026Q2", "100.0%", "100.0%"), ("2026Q3", "0.0%", "0.0%")]
    assert any("败诉率" in d and "撤诉不计入分母" in d for d in rep.definitions)
    assert [line.case_number for line in rep.cases] == ["（2026）鲁0481行初2号"]


def test_charts_draw_no_bar_for_a_dash_and_break_the_trend_line() -> None:
    import re

    from filing.report.charts import agency_bars, trend_lines
    from filing.report.types import TrendPoint

    rep = report(case(1, hearing_at=datetime(2026, 7, 15, 9), head_present=True, head_principal=True),
                 case(2, agency_id=B.id, notice_date=date(2026, 7, 2)))
    svg = agency_bars(rep.rows)
    widths = [float(w) for w in re.findall(r'class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(widths) == 4 and widths[0] > 400 and widths[1:] == [0.0, 0.0, 0.0]  # 100%, then three "—"
    assert svg.count('class="no-value"') == 3 and "滕州市公安局" in svg
    points = (TrendPoint("a", "一", Rate(1, 1), Rate(0, 0)), TrendPoint("b", "二", Rate(0, 0), Rate(0, 1)),
              TrendPoint("c", "三", Rate(1, 2), Rate(1, 2)))
    line = trend_lines(points)
    assert line.count("<polyline") == 1  # the appearance series is broken by the gap; the loss series is drawn
    # A missing value is a grey word below the axis, never a coloured label or point inside the plot.
    assert sorted(re.findall(r'class="no-value"[^>]*>([^<]+)<', line)) == ["出庭应诉率无数据", "败诉率无数据"]
    assert line.count("<circle") == 4 and ">—<" not in line
    assert 'class="chart-title"' in line and "季度趋势</text>" in line
    assert 'class="chart-title"' in svg and "败诉率无数据" in svg
    assert "<script" not in line and "&lt;" not in line


def test_cases_without_a_known_agency_get_their_own_row() -> None:
    rep = report(case(1, notice_date=date(2026, 7, 2)), case(2, agency_id=None, notice_date=date(2026, 7, 3)))
    assert [r.label for r in rep.rows] == ["滕州市自然资源局", "未确定单位"]
    assert numbers(rep.rows[1].new_cases) == ["（2026）鲁0481行初2号"] and rep.total.new_cases.value == 2


def test_cases_waiting_for_a_person_are_listed_with_their_checks_and_counted_per_agency() -> None:
    # The snapshot withholds a fact waiting for a person (cases.checks): the case is listed, not counted.
    rep = report(
        case(1, notice_date=date(2026, 7, 1), first_received=date(2026, 7, 2),
             unverified=(("decision_date", 11, "已收到判决书，未读出裁判日期（落款处）"),)),
        case(2, notice_date=date(2026, 7, 1), outcome="agency_won", decision_type="judgment",
             decision_date=date(2026, 8, 1)),
        case(3, agency_id=B.id, first_received=date(2026, 10, 9),  # known only after Q3: not Q3's doubt
             unverified=(("head_present", 12, "出庭情况来源矛盾"),)),
    )
    assert [u.case_number for u in rep.unverified] == ["（2026）鲁0481行初1号"]
    fact = rep.unverified[0].facts[0]
    assert (fact.fact, fact.label, fact.link) == ("decision_date", "裁判日期", "/checks/11")
    assert numbers(row(rep, A).waiting) == ["（2026）鲁0481行初1号"]
    assert numbers(rep.total.concluded) == ["（2026）鲁0481行初2号"]
    assert rep.total.waiting.value == 1


def test_a_fact_counts_only_once_its_document_arrived_by_the_period_end() -> None:
    decided = dict(notice_date=date(2026, 6, 1), outcome="agency_lost", decision_type="judgment",
                   decision_date=date(2026, 9, 28))
    on_time = case(1, **decided, decision_received_on=date(2026, 9, 30))  # type: ignore[arg-type]
    late = case(2, **decided, decision_received_on=date(2026, 10, 8))  # type: ignore[arg-type]
    by_hand = case(3, **decided)  # type: ignore[arg-type]  # a person's value: no document to wait for
    rep = report(on_time, late, by_hand)
    assert numbers(rep.total.concluded) == ["（2026）鲁0481行初1号", "（2026）鲁0481行初3号"]
    assert rep.total.lost.value == 2
    # Appearance from a record that came after the quarter is not known in that quarter.
    heard = case(4, hearing_at=datetime(2026, 8, 18, 14, 30), appearance_records=(
        AppearanceRecord(datetime(2026, 8, 18, 14, 30), True, True, received_on=date(2026, 10, 21)),))
    assert hearings_of(heard, date(2026, 9, 30))[0].head == Head.unknown
    assert hearings_of(heard, date(2026, 12, 31))[0].head == Head.principal


def test_a_withdrawn_appeal_lets_the_first_instance_result_stand() -> None:
    first = case(1, outcome="agency_lost", decision_type="judgment", decision_date=date(2026, 7, 10),
                 notice_date=date(2026, 5, 6))
    appeal = case(2, case_number="（2026）鲁04行终9号", case_type="行终", appeal_of_id=1, notice_date=date(2026, 8, 1),
                  outcome="withdrawn", decision_type="ruling", decision_date=date(2026, 9, 20))
    a = row(report(first, appeal), A)
    assert (numbers(a.lost), a.withdrawn.value, a.judgment_lost.value) == (["（2026）鲁04行终9号"], 0, 1)
    assert "撤回上诉" in a.lost.items[0].note and a.loss_rate == Rate(1, 1)


def test_year_and_range_periods() -> None:
    y = Period.parse("2026")
    assert (y.start, y.end, y.key, y.label) == (date(2026, 1, 1), date(2026, 12, 31), "2026", "2026年度")
    assert Period.parse("2026Q3") == Q3
    assert Period.parse("2026-01-01..2026-06-30").end == date(2026, 6, 30)
    with pytest.raises(ValueError):
        Period.parse("26")
    rep = report(case(1, notice_date=date(2026, 2, 10)), case(2, notice_date=date(2026, 11, 3)), period=y)
    assert row(rep, A).new_cases.value == 2
    assert [p.key for p in rep.trend] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]


def test_trend_starts_with_the_first_case_even_with_a_misread_year() -> None:
    # A 2026 case whose notice date was read as 2025: no 2025 points.
    c = case(1, notice_date=date(2025, 8, 3), first_received=date(2026, 8, 5),
             hearing_at=datetime(2026, 8, 20, 9), head_present=True)
    assert [p.key for p in report(c).trend] == ["2026Q3"]


def test_no_late_filing_due_before_the_case_existed() -> None:
    misread = case(1, notice_date=date(2025, 9, 28), documents=(
        ReceivedDoc("notice_to_respond", date(2026, 10, 9), date(2025, 9, 28), 1, 101),
    ))
    assert row(report(misread, period=Period.quarter("2026Q4")), A).late_filings.value == 0
    real = case(2, notice_date=date(2026, 9, 28), documents=(
        ReceivedDoc("notice_to_respond", date(2026, 10, 20), date(2026, 9, 28), 1, 102),
    ))
    assert numbers(row(report(real, period=Period.quarter("2026Q4")), A).late_filings) == ["（2026）鲁0481行初2号"]
def test_a_quarters_report_is_about_that_quarters_cases() -> None:
    """Issue 23: a case decided years ago with a paper never filed is not listed in every later report."""
    # Notice and judgment in 2023, no defense ever: missing in 2023's reports, not in 2026's.
    old = case(1, case_number="（2023）鲁0481行初1号", notice_date=date(2023, 3, 1), outcome="agency_won",
               decision_type="judgment", decision_date=date(2023, 6, 1),
               documents=(ReceivedDoc("notice_to_respond", date(2023, 3, 2), date(2023, 3, 1), 1, 101),
                          ReceivedDoc("judgment", date(2023, 6, 5), date(2023, 6, 1), 2, 102)))
    # Opened in 2023 and still open: it is every quarter's business until it ends.
    still_open = replace(old, case_id=2, case_number="（2023）鲁0481行初2号", outcome="pending",
                         decision_type=None, decision_date=None, documents=old.documents[:1])
    # Decided in Q1 2026: the year up to the period's end still lists what it lacks.
    recent = replace(old, case_id=3, case_number="（2026）鲁0481行初3号", notice_date=date(2026, 1, 5),
                     decision_date=date(2026, 3, 2),
                     documents=(ReceivedDoc("notice_to_respond", date(2026, 1, 6), date(2026, 1, 5), 3, 103),
                                ReceivedDoc("judgment", date(2026, 3, 3), date(2026, 3, 2), 4, 104)))
    # A mistyped judgment date (2016 for 2026) is a fact check (cases.plausibility); the snapshot withholds
    # the decision, so the case is not left out of the period: it is listed under 待核实.
    misdated = case(4, notice_date=date(2016, 9, 10),
                    unverified=(("decision_date", 14, "裁判日期早于案号年度，不予采用"),))
    rep = report(old, still_open, recent, misdated)
    missing = set(numbers(row(rep, A).missing_documents))
    assert missing == {"（2023）鲁0481行初2号", "（2026）鲁0481行初3号"}
    assert {c.case_number for c in rep.cases} >= missing and "（2023）鲁0481行初1号" not in {
        c.case_number for c in rep.cases}
    waiting = {u.case_number for u in rep.unverified}
    assert "（2026）鲁0481行初4号" in waiting and "（2023）鲁0481行初1号" not in waiting
    # In its own year the old case is listed as before.
    then = report(old, period=Period.quarter("2023Q3"), as_of=date(2023, 9, 30))
    assert set(numbers(row(then, A).missing_documents)) == {"（2023）鲁0481行初1号"}
