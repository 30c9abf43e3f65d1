"""The report's definitions as plain values, and how they are read from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from filing.adapters import missing_rules, work_calendar
from filing.config import Settings
from terms.rules import MissingRules
from terms.workdays import WorkCalendar


@dataclass(frozen=True)
class ReportRules:
    loss_denominator: Literal["decided", "concluded"] = "decided"
    withdrawal_counts_as_loss: bool = False
    unknown_appearance: Literal["absent", "exclude"] = "absent"
    appearance_unit: Literal["hearing", "case"] = "hearing"
    exclude_case_types: frozenset[str] = frozenset({"行审", "行审复"})
    repeat_window: Literal["period", "trailing_year"] = "trailing_year"
    repeat_threshold: int = 2
    trend_quarters: int = 4
    late_after_workdays: int = 5
    missing: MissingRules = field(default_factory=MissingRules)


@dataclass(frozen=True)
class ReportContext:
    """Everything besides the facts that a report depends on."""

    rules: ReportRules
    calendar: WorkCalendar
    title: str
    bureau: str


def city_of(bureau: str) -> str:
    return bureau.removesuffix("司法局") or bureau


def rules_from(settings: Settings) -> ReportRules:
    r = settings.report
    late = settings.notify.late_after_workdays
    return ReportRules(
        loss_denominator=r.loss_denominator,
        withdrawal_counts_as_loss=r.withdrawal_counts_as_loss,
        unknown_appearance=r.unknown_appearance,
        appearance_unit=r.appearance_unit,
        exclude_case_types=frozenset(r.exclude_case_types),
        repeat_window=r.repeat_window,
        repeat_threshold=r.repeat_threshold,
        trend_quarters=r.trend_quarters,
        late_after_workdays=late,
        missing=missing_rules(settings),
    )


def calendar_from(settings: Settings) -> WorkCalendar:
    return work_calendar(settings)


def context_from(settings: Settings) -> ReportContext:
    bureau = settings.notify.bureau_name
    city = settings.report.city_name or city_of(bureau)
    return ReportContext(rules_from(settings), calendar_from(settings), settings.report.title.format(city=city), bureau)
