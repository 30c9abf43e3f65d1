"""Follow-up of lost cases, pure: when a lost decision takes effect, when what it orders falls due, and
on which working days the agency is reminded of a rectification or a compliance due date.

Effect (行政诉讼法 第85条): a first-instance judgment may be appealed within 15 days of service, a ruling
within 10; with no appeal it takes effect when that window has passed. The service date is not on the
judgment: we count from the day the bureau received it (the agency received it on that day or before), so
the computed effect is never earlier than the true one and a due date never falls before the court's.
An appeal decision (终) takes effect on service, bounded the same way.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from terms.workdays import WorkCalendar

LOST = "agency_lost"
WON = "agency_won"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Decision:
    """One instance's decision as the follow-up needs it."""

    case_id: int
    decision_type: str | None  # judgment | ruling
    decision_date: date | None
    outcome: str  # terms.status.Outcome value
    final: bool  # an appeal decision (终): no further appeal
    received_on: date | None  # the day the bureau received the decision document (None: not received)


@dataclass(frozen=True)
class Effect:
    """A lost decision in effect: the case it belongs to, since when, and why (Chinese, shown to staff)."""

    case_id: int
    effective_on: date
    basis: str


def _served_bound(d: Decision) -> date | None:
    """The latest day the agency can have been served: the bureau's receipt, else the decision date."""
    if d.received_on is not None:
        return d.received_on
    return d.decision_date


def appeal_window_end(d: Decision, calendar: WorkCalendar, days_judgment: int = 15,
                      days_ruling: int = 10) -> date | None:
    """The last day an appeal can be lodged, counted from the latest possible service; None when unknown."""
    served = _served_bound(d)
    if served is None:
        return None
    days = days_judgment if d.decision_type == "judgment" else days_ruling
    return calendar.deadline_after_days(served, days)


def lost_effect(first: Decision, appeal: Decision | None, as_of: date, calendar: WorkCalendar,
                days_judgment: int = 15, days_ruling: int = 10) -> Effect | None:
    """The lost decision in effect as of `as_of` for a case and its appeal (if any), or None.

    - An appeal decision that the agency lost takes effect when served (bounded by our receipt).
    - An appeal withdrawn (准许撤回上诉) makes the first instance's loss effective from the withdrawal.
    - An appeal pending, won or sent back (发回重审: pending) means nothing is in effect against the agency.
    - A first instance lost with no appeal takes effect the day after its appeal window (from service).
    - A final decision (终) the agency lost takes effect when served.
    """
    if appeal is not None:
        if appeal.decision_date is None or appeal.outcome not in (LOST, WITHDRAWN):
            return None
        served = _served_bound(appeal)
        assert served is not None
        if served > as_of:
            return None
        if appeal.outcome == LOST:
            return Effect(appeal.case_id, served, f"二审裁判（{appeal.decision_date:%Y-%m-%d}）败诉，送达即生效"
                                                  f"（以本局收到之日{served:%Y-%m-%d}计）")
        if first.outcome != LOST or first.decision_date is None:
            return None
        return Effect(first.case_id, served, f"上诉已撤回（{appeal.decision_date:%Y-%m-%d}），一审败诉裁判生效"
                                             f"（以本局收到之日{served:%Y-%m-%d}计）")
    if first.outcome != LOST or first.decision_date is None:
        return None
    if first.final:
        served = _served_bound(first)
        assert served is not None
        if served > as_of:
            return None
        return Effect(first.case_id, served, f"终审裁判（{first.decision_date:%Y-%m-%d}）败诉，送达即生效"
                                             f"（以本局收到之日{served:%Y-%m-%d}计）")
    end = appeal_window_end(first, calendar, days_judgment, days_ruling)
    assert end is not None
    effective = end + timedelta(days=1)
    if effective > as_of:
        return None
    days = days_judgment if first.decision_type == "judgment" else days_ruling
    label = "判决" if first.decision_type == "judgment" else "裁定"
    served = _served_bound(first)
    return Effect(first.case_id, effective,
                  f"一审{label}（{first.decision_date:%Y-%m-%d}）败诉，上诉期{days}日（自{served:%Y-%m-%d}起算）"
                  f"于{end:%Y-%m-%d}届满，未收到上诉")


def add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def order_due(start: date, count: int, unit: Literal["days", "workdays", "months"], calendar: WorkCalendar) -> date:
    """The last day of a period of `count` units after `start` (the start day not counted); a period in
    days or months that ends on a day off moves to the next working day (民法典 第201/203条)."""
    if unit == "workdays":
        return calendar.add_workdays(start, count)
    if unit == "months":
        return calendar.roll_forward(add_months(start, count))
    return calendar.deadline_after_days(start, count)


ReminderStage = Literal["upcoming", "overdue"]


def followup_reminder(due: date, as_of: date, calendar: WorkCalendar, lead_workdays: int) -> ReminderStage | None:
    """Which reminder of a matter due on `due` is due on `as_of`, if any.

    Only on working days: `upcoming` from `lead_workdays` working days before the due date up to it,
    `overdue` once the due date has passed. The sweep sends each (stage, due date) once.
    """
    if not calendar.is_workday(as_of):
        return None
    if as_of > due:
        return "overdue"
    if lead_workdays > 0 and as_of >= calendar.add_workdays(due, -lead_workdays):
        return "upcoming"
    return None
