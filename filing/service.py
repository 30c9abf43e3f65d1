"""Application services that need the whole app (pipeline + store + notify)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from filing.adapters import notify_settings, work_calendar
from filing.bootstrap import App
from notify.reminders import load_case_snapshot
from store import models as m
from terms.rules import compute_missing


def missing_for_case(app: App, s: Session, case: m.Case, as_of: date) -> list[str]:
    ns = notify_settings(app.settings)
    return compute_missing(load_case_snapshot(s, case, ns), as_of, work_calendar(app.settings), ns.rules)


def missing_for_cases(app: App, s: Session, cases: Sequence[m.Case], as_of: date) -> dict[int, list[str]]:
    """`missing_for_case` for many cases, reading their documents in a few queries."""
    from filing.adapters import notify_settings, work_calendar
    from notify.reminders import load_case_snapshots
    from terms.rules import compute_missing

    ns = notify_settings(app.settings)
    calendar = work_calendar(app.settings)
    snaps = load_case_snapshots(s, cases, ns)
    return {c.id: compute_missing(snaps[c.id], as_of, calendar, ns.rules) for c in cases}
