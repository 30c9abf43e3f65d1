"""Follow-up of lost cases, pure parts: effect of a lost decision, what it orders and by when, reminder days,
the rectification report's classification, and the report's rectification / overdue / unperformed parts."""

from __future__ import annotations

from datetime import date

import pytest

from extract.understanding.classify import classify_text
from extract.understanding.orders import read_order
from filing.report.assessment import AssessmentRules, Rule
from filing.report.compute import compute_report
from filing.report.followup import overdue_compliance, rectification_before, unperformed_in
from filing.report.settings import ReportContext, ReportRules
from filing.report.types import AgencyRef, ComplianceSnap, Period, ReportInput
from notify.followups import FollowupDue, due_followups
from terms.followup import Decision, add_months, followup_reminder, lost_effect, order_due
from terms.snapshot import CaseSnapshot
from terms.status import DocType, OutboxKind
from terms.workdays import WorkCalendar

CAL = WorkCalendar()
A = AgencyRef(1, "zrj", "滕州市自然资源局", "自然资源局")


# ----------------------------------------------------------------- what the disposition orders


@pytest.mark.parametrize(("text", "count", "unit", "base"), [
    ("一、撤销被告作出的答复；二、责令被告于本判决生效之日起三十日内重新作出答复。", 30, "days", "effective"),
    ("县政府于判决生效之日起三十日内向袁某返还1273.2元污水处理费。", 30, "days", "effective"),
    ("三、某局应当在收到本判决之日起60日内重新作出决定。", 60, "days", "service"),
    ("被告于判决生效后十五个工作日内履行法定职责。", 15, "workdays", "effective"),
    ("判令被告在判决生效后2个月内作出处理。", 2, "months", "effective"),
    ("责令被告自本判决发生法律效力之日起二十日内对原告的申请予以答复。", 20, "days", "effective"),
])
def test_an_order_with_a_time_limit_is_read(text: str, count: int, unit: str, base: str) -> None:
    order = read_order(text)
    assert order.has_limit and (order.count, order.unit, order.base) == (count, unit, base)
    assert order.text and order.phrase and order.phrase in text


@pytest.mark.parametrize("text", [
    "驳回原告的诉讼请求。",
    "撤销被告滕州市农业农村局于2026年7月16日作出的《政府信息公开申请答复书》。",  # quashing orders nothing
    "确认被告不履行法定职责的行为违法。",  # a declaration, not an order
    "驳回上诉，维持原判。",
    "",
])
def test_a_disposition_that_orders_nothing_to_perform_gives_an_empty_order(text: str) -> None:
    order = read_order(text)
    assert order.text == "" and not order.has_limit


def test_an_order_without_a_time_limit_is_kept_for_staff_to_date() -> None:
    order = read_order("一、撤销被诉决定；二、责令被告重新作出处理决定。")
    assert order.text == "二、责令被告重新作出处理决定。" and not order.has_limit


@pytest.mark.parametrize(("text", "due", "phrase"), [
    ("一、撤销被诉答复；二、责令被告于2026年9月1日前重新作出答复。", date(2026, 9, 1), "于2026年9月1日前"),
    ("被告应在2026年9月1日之前向原告支付补偿款5000元。", date(2026, 9, 1), "应在2026年9月1日之前"),
    ("责令被告于二〇二六年十月八日以前履行法定职责。", date(2026, 10, 8), "于二〇二六年十月八日以前"),
    # 的 further on qualifies the object (所欠的补偿款), not the date.
    ("责令被告于2026年9月1日前支付所欠的补偿款。", date(2026, 9, 1), "于2026年9月1日前"),
    # The reasoning's dates come before 判决如下 and are not read; the ordering item's date is.
    ("本院认为，被告应于2026年5月1日前作出答复而未履行。判决如下：责令被告于2026年9月1日前重新作出答复。",
     date(2026, 9, 1), "于2026年9月1日前"),
])
def test_a_calendar_date_the_order_sets_is_its_due_date(text: str, due: date, phrase: str) -> None:
    order = read_order(text, decided_on=date(2026, 8, 3))
    assert order.due_on == due and order.phrase == phrase and not order.has_limit
    assert "前" in order.text


@pytest.mark.parametrize("text", [
    # The decision under review, named in the quashing item: not an ordering item.
    "一、撤销被告于2026年3月1日作出的决定；二、责令被告重新作出处理决定。",
    # A date not tied to 前/之前/以前 is a fact, even inside the ordering item.
    "责令被告对原告2026年3月1日提交的申请重新作出答复。",
    # 前 followed by 的: the date describes the application, not the deadline.
    "责令被告对原告于2026年3月1日前提交的申请重新作出答复。",
    # The judgment's own date (a signature block the disposition ran into) and dates on or before it.
    "责令被告重新作出答复。审判长张某二〇二六年八月三日",
    "责令被告对原告于2026年8月3日前的申请事项重新处理。",
    # A date with 前 in an item that orders nothing (驳回…) or in the reasoning before 判决如下.
    "驳回原告要求被告于2026年9月1日前作出答复的诉讼请求。",
    "本院认为，被告应于2026年9月1日前履行职责。判决如下：确认被告不履行法定职责的行为违法。",
])
def test_other_dates_are_not_read_as_the_deadline(text: str) -> None:
    order = read_order(text, decided_on=date(2026, 8, 3))
    assert order.due_on is None and not order.has_limit


def test_a_date_on_or_before_the_decision_date_is_never_a_deadline() -> None:
    text = "责令被告于2026年8月3日前重新作出答复。"
    assert read_order(text, decided_on=date(2026, 8, 3)).due_on is None
    assert read_order(text, decided_on=date(2026, 8, 2)).due_on == date(2026, 8, 3)


def test_a_relative_limit_and_a_date_in_one_order_take_the_first_item() -> None:
    order = read_order("一、责令被告于判决生效之日起三十日内重新作出答复；二、于2026年12月1日前支付赔偿金。",
                       decided_on=date(2026, 8, 3))
    assert order.has_limit and order.count == 30 and order.due_on is None


def test_compliance_due_date_from_a_calendar_date_stands_as_written() -> None:
    from cases.compliance import read_due

    # 2026-10-03 is in the National Day holiday: a court's date is not moved like a counted period.
    text, due, basis = read_due(date(2026, 8, 25), None, "责令被告于2026年10月3日前重新作出答复。", CAL,
                                decided_on=date(2026, 8, 3))
    assert due == date(2026, 10, 3) and basis is not None and "于2026年10月3日前" in basis and text


# ----------------------------------------------------------------- when a lost decision takes effect


def dec(case_id: int = 1, outcome: str = "agency_lost", decided: date | None = date(2026, 9, 10),
        received: date | None = date(2026, 9, 14), kind: str = "judgment", final: bool = False) -> Decision:
    return Decision(case_id, kind, decided, outcome, final, received)


def test_a_first_instance_loss_takes_effect_the_day_after_its_appeal_window_from_our_receipt() -> None:
    # Received Mon 2026-09-14: 15 days end Tue 09-29, a working day; in effect from 09-30.
    assert lost_effect(dec(), None, date(2026, 9, 29), CAL) is None
    effect = lost_effect(dec(), None, date(2026, 9, 30), CAL)
    assert effect is not None and (effect.case_id, effect.effective_on) == (1, date(2026, 9, 30))
    assert "上诉期15日" in effect.basis and "未收到上诉" in effect.basis


def test_a_window_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    # Received 2026-09-20 + 15 = Mon 10-05 (National Day holiday, 10-01..07): the window ends Thu 10-08.
    effect = lost_effect(dec(received=date(2026, 9, 20)), None, date(2026, 12, 1), CAL)
    assert effect is not None and effect.effective_on == date(2026, 10, 9)
    assert "于2026-10-08届满" in effect.basis


def test_a_ruling_has_a_ten_day_window_and_no_receipt_counts_from_the_decision_date() -> None:
    effect = lost_effect(dec(kind="ruling", decided=date(2026, 11, 12), received=None), None, date(2026, 12, 1), CAL)
    assert effect is not None and effect.effective_on == date(2026, 11, 24)  # 11-12 + 10 = Sun 11-22 → Mon 11-23
    # 09-10 + 10 = Sun 09-20, a make-up working day (调休): the window ends that day.
    effect = lost_effect(dec(kind="ruling", received=None), None, date(2026, 12, 1), CAL)
    assert effect is not None and effect.effective_on == date(2026, 9, 21)


def test_appeals_decide_what_is_in_effect() -> None:
    first = dec()
    assert lost_effect(first, dec(2, "pending", None, None), date(2027, 1, 1), CAL) is None  # under appeal
    assert lost_effect(first, dec(2, "agency_won", date(2026, 11, 2)), date(2027, 1, 1), CAL) is None  # reversed
    upheld = lost_effect(first, dec(2, "agency_lost", date(2026, 11, 2), date(2026, 11, 5), final=True),
                         date(2027, 1, 1), CAL)
    assert upheld is not None and (upheld.case_id, upheld.effective_on) == (2, date(2026, 11, 5))
    withdrawn = lost_effect(first, dec(2, "withdrawn", date(2026, 11, 2), date(2026, 11, 4)), date(2027, 1, 1), CAL)
    assert withdrawn is not None and (withdrawn.case_id, withdrawn.effective_on) == (1, date(2026, 11, 4))
    assert lost_effect(dec(outcome="agency_won"), None, date(2027, 1, 1), CAL) is None
    final = lost_effect(dec(final=True), None, date(2026, 9, 14), CAL)
    assert final is not None and final.effective_on == date(2026, 9, 14)


# ----------------------------------------------------------------- due dates on working days


def test_due_dates_count_days_workdays_and_months_and_never_end_on_a_day_off() -> None:
    assert order_due(date(2026, 9, 30), 30, "days", CAL) == date(2026, 10, 30)
    assert order_due(date(2026, 9, 1), 30, "days", CAL) == date(2026, 10, 8)  # 10-01 is a holiday → 10-08
    assert order_due(date(2026, 9, 30), 5, "workdays", CAL) == date(2026, 10, 13)  # 10-10 is a make-up day
    assert order_due(date(2026, 4, 30), 1, "months", CAL) == date(2026, 6, 1)  # 05-30 is a Saturday
    assert order_due(date(2026, 1, 31), 1, "months", CAL) == date(2026, 2, 28)  # a make-up working Saturday
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_followup_reminders_fall_on_working_days_only() -> None:
    due = date(2026, 10, 13)  # Tuesday, after the National Day week
    assert followup_reminder(due, date(2026, 10, 7), CAL, 3) is None  # a holiday: nothing
    assert followup_reminder(due, date(2026, 10, 8), CAL, 3) is None  # 4 working days before
    assert followup_reminder(due, date(2026, 10, 9), CAL, 3) == "upcoming"  # 3 before: 10-09, 10-10 (调休), 10-12
    assert followup_reminder(due, date(2026, 10, 13), CAL, 3) == "upcoming"
    assert followup_reminder(due, date(2026, 10, 14), CAL, 3) == "overdue"
    assert followup_reminder(due, date(2026, 10, 17), CAL, 3) is None  # a Saturday
    assert followup_reminder(due, date(2026, 10, 1), CAL, 3) is None  # too early
    assert followup_reminder(due, date(2026, 10, 12), CAL, 0) is None  # lead 0: only once overdue


def test_due_followups_name_the_reminder_kind() -> None:
    items = [FollowupDue("rectification", 1, date(2026, 10, 13)), FollowupDue("compliance", 2, date(2026, 10, 9))]
    got = due_followups(items, date(2026, 10, 12), CAL, 3)
    assert [(i.case_id, k) for i, k in got] == [(1, OutboxKind.reminder_rectification),
                                                (2, OutboxKind.reminder_compliance_overdue)]
    assert due_followups(items, date(2026, 10, 10), CAL, 3) != []  # Sat 10-10 is a make-up working day
    assert due_followups(items, date(2026, 10, 11), CAL, 3) == []  # a Sunday


# ----------------------------------------------------------------- the rectification report


RECT = ("滕州市自然资源局\n关于（2026）鲁0481行初88号案件败诉问题的整改情况报告\n滕州市司法局：\n"
        "我局在该案中败诉。现将败诉原因及整改措施报告如下：\n一、败诉原因\n二、整改措施\n举一反三，完善程序。")


def test_a_rectification_report_is_recognised_by_title_and_by_body() -> None:
    assert classify_text([RECT]).doc_type is DocType.rectification_report
    assert classify_text(["整改报告\n……"]).doc_type is DocType.rectification_report
    body_only = "滕州市司法局：\n现将败诉原因分析及整改措施、整改落实情况报告如下。"
    assert classify_text([body_only]).doc_type is DocType.rectification_report


@pytest.mark.parametrize("text", [
    "关于落实整改工作的通知\n各单位：……",  # a notice about rectification, not a report of one
    "行政判决书\n判决如下：责令被告整改。",
    "情况报告\n关于出庭应诉工作的情况",
    "行政答辩状\n答辩人：某局\n现提出答辩如下",
])
def test_other_documents_mentioning_rectification_keep_their_type(text: str) -> None:
    assert classify_text([text]).doc_type is not DocType.rectification_report


# ----------------------------------------------------------------- the report's follow-up parts


def snap(cid: int, decided: date, status: str | None = None, done: date | None = None) -> CaseSnapshot:
    return CaseSnapshot(case_id=cid, case_number=f"（2026）鲁0481行初{cid}号", agency_id=A.id, case_type="行初",
                        notice_date=date(2026, 1, 5),
                    outcome="agency_lost", decision_type="judgment", decision_date=decided,
                    cause_category="info_disclosure", rectification_status=status, rectified_on=done)


def test_the_repeated_loss_says_whether_the_earlier_loss_was_rectified_before() -> None:
    before = [snap(1, date(2026, 3, 1), "done", date(2026, 4, 1)), snap(2, date(2026, 8, 1))]
    notes, flags = rectification_before(before)
    assert flags == (None, True) and "已于2026-04-01整改完成" in notes[1]
    late = [snap(1, date(2026, 3, 1), "done", date(2026, 9, 1)), snap(2, date(2026, 8, 1))]
    notes, flags = rectification_before(late)
    assert flags == (None, False) and "晚于本次败诉" in notes[1]
    never = [snap(1, date(2026, 3, 1)), snap(2, date(2026, 8, 1))]
    assert rectification_before(never)[1] == (None, False) and "未布置整改" in rectification_before(never)[0][1]
    pending = [snap(1, date(2026, 3, 1), "received"), snap(2, date(2026, 8, 1))]
    assert "整改未完成" in rectification_before(pending)[0][1]


def comp(cid: int, due: date | None, status: str = "open", done: date | None = None) -> ComplianceSnap:
    return ComplianceSnap(cid, f"（2026）鲁0481行初{cid}号", A.id, date(2026, 6, 1), "重新作出答复", due, status, done)


def test_overdue_compliance_and_the_unperformed_rule() -> None:
    q3 = Period.quarter("2026Q3")
    data = ReportInput((A,), (), date(2026, 12, 31), (
        comp(1, date(2026, 7, 15)),  # overdue all along
        comp(2, date(2026, 7, 15), "done", date(2026, 7, 10)),  # performed in time
        comp(3, date(2026, 8, 1), "done", date(2026, 8, 20)),  # performed late
        comp(4, None),  # no due date: staff must set one; not overdue
        comp(5, date(2026, 8, 1), "void"),  # appealed since: not tracked
        comp(6, date(2026, 9, 30)),  # due on the period's last day: not yet overdue in Q3
    ))
    assert [x.case_id for x in overdue_compliance(data, q3)] == [1]
    assert overdue_compliance(data, q3)[0].days_overdue == 77
    charged = unperformed_in(data, q3)
    assert [ref.case_id for _, _, ref in charged] == [1, 3]
    assert "2026-08-20方履行" in charged[1][2].note
    assert [ref.case_id for _, _, ref in unperformed_in(data, Period.quarter("2026Q4"))] == [6]  # charged once


def test_unperformed_judgments_are_deducted_even_for_an_agency_without_other_figures() -> None:
    ctx = ReportContext(ReportRules(), CAL, "通报", "滕州市司法局", AssessmentRules(unperformed_judgment=2.0))
    data = ReportInput((A,), (), date(2026, 12, 31), (comp(1, date(2026, 7, 15)),))
    rep = compute_report(data, Period.quarter("2026Q3"), ctx)
    assert rep.assessment is not None
    [ag] = rep.assessment.agencies
    assert [(d.rule, d.case.case_id, d.points) for d in ag.deductions] == [(Rule.unperformed_judgment, 1, 2.0)]
    assert [x.case_id for x in rep.overdue_compliance] == [1]
