"""Settings of the notify stage as small frozen dataclasses; filing/config.py maps config.yaml onto them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from notify.views import Letterhead
from terms.dates import DEFAULT_TIMEZONE, zone
from terms.rules import MissingRules
from terms.status import FILED_STATUSES
from terms.workdays import CalendarConfig, WorkCalendar


@dataclass(frozen=True)
class NotifySettings:
    bureau_name: str = "滕州市司法局"
    signature: str = "滕州市司法局\n行政应诉案件备案邮箱"
    staff_addresses: tuple[str, ...] = ()
    receipt_domain: str = "filing.tzsfj.local"  # right-hand side of every Message-ID we generate
    timezone: str = DEFAULT_TIMEZONE  # "today" and "received on" are local dates
    rules: MissingRules = field(default_factory=MissingRules)  # includes late_after_workdays
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    # Message statuses that get a receipt; quarantined and duplicate messages never do.
    receipt_statuses: frozenset[str] = frozenset(FILED_STATUSES)
    # Deadline reminders (行政诉讼法 第67条 defense, 第85条 appeal).
    defense_days: int = 15
    defense_lead_days: int = 5  # remind this many calendar days before the defense is due
    appeal_days_judgment: int = 15
    appeal_days_ruling: int = 10
    appeal_outcomes: frozenset[str] = frozenset({"agency_lost"})  # only where the agency may want to appeal
    final_case_type_suffixes: tuple[str, ...] = ("终",)  # appeal decisions are final: no appeal window
    hearing_lead_workdays: int = 2  # remind from this many working days before the hearing
    # A missing-document reminder without an answer: again after this many working days, then a note to
    # bureau staff after as many more. 0: no escalation.
    escalate_after_workdays: int = 3
    # A document waiting in our review queue this many working days is listed in the staff digest. 0: never.
    review_alert_after_workdays: int = 3
    # Rectification and compliance due dates: remind this many working days before, and once overdue.
    followup_lead_workdays: int = 3
    # Hearings within this many working days with no head planned to appear are in the staff digest. 0: never.
    head_plan_alert_workdays: int = 3
    web_url: str = ""  # where staff open the web UI; the digest links its pages from here
    templates_dir: Path | None = None

    @property
    def late_after_workdays(self) -> int:
        return self.rules.late_after_workdays

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def letterhead(self) -> Letterhead:
        return Letterhead(bureau_name=self.bureau_name, signature=self.signature)

    def work_calendar(self) -> WorkCalendar:
        return WorkCalendar(self.calendar)
