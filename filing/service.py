"""Application services that need the whole app (pipeline + store + notify)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from filing.adapters import notify_settings, work_calendar
from filing.bootstrap import App
from notify.reminders import load_case_snapshots, not_waiting, waiting_by_agency, waiting_types
from store import models as m
from terms.rules import compute_missing


def missing_for_case(app: App, s: Session, case: m.Case, as_of: date) -> list[str]:
    return missing_for_cases(app, s, [case], as_of)[case.id]


def missing_for_cases(app: App, s: Session, cases: Sequence[m.Case], as_of: date) -> dict[int, list[str]]:
    """Document types each case is missing as of `as_of`, reading their documents in a few queries.

    A document the agency sent that waits in our own review queue for the case is not missing: the
    agency filed it, the bureau has not yet (the reminder sweep holds it the same way).
    """
    ns = notify_settings(app.settings)
    calendar = work_calendar(app.settings)
    snaps = load_case_snapshots(s, cases, ns)
    agencies = {c.agency_id for c in cases if c.agency_id is not None}
    waiting = waiting_by_agency(s, ns, agencies) if agencies else {}
    return {
        c.id: not_waiting(compute_missing(snaps[c.id], as_of, calendar, ns.rules),
                          waiting_types(waiting.get(c.agency_id or -1, []), c.id, c.case_number, as_of))
        for c in cases
    }
