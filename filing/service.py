"""Application services that need the whole app (pipeline + store + notify)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from filing.adapters import notify_settings, work_calendar
from filing.bootstrap import App
from notify.reminders import AgencyWaiting, load_case_snapshots, not_waiting, waiting_by_agency, waiting_index
from store import models as m
from terms.rules import compute_missing


def missing_for_case(app: App, s: Session, case: m.Case, as_of: date) -> list[str]:
    return missing_for_cases(app, s, [case], as_of)[case.id]


def missing_for_cases(app: App, s: Session, cases: Sequence[m.Case], as_of: date,
                      waiting: Mapping[int, AgencyWaiting] | None = None) -> dict[int, list[str]]:
    """Document types each case is missing as of `as_of`, reading their documents in a few queries.

    A document the agency sent that waits in our own review queue for the case is not missing: the
    agency filed it, the bureau has not yet (the reminder sweep holds it the same way). `waiting`: the
    queue already read (`waiting_queue`), else it is read for these cases' agencies.
    """
    ns = notify_settings(app.settings)
    calendar = work_calendar(app.settings)
    snaps = load_case_snapshots(s, cases, ns)
    if waiting is None:
        agencies = {c.agency_id for c in cases if c.agency_id is not None}
        waiting = waiting_queue(app, s, agencies) if agencies else {}
    none = AgencyWaiting(())
    # Indexed by number and offered case: walking every waiting document of the agency for each case
    # grew with cases x documents, the square of the store (issue 23).
    return {
        c.id: not_waiting(compute_missing(snaps[c.id], as_of, calendar, ns.rules),
                          waiting.get(c.agency_id or -1, none).types(c.id, c.case_number, as_of))
        for c in cases
    }


def waiting_queue(app: App, s: Session, agency_ids: set[int] | None = None) -> dict[int, AgencyWaiting]:
    """The documents waiting in the review queue (of these agencies; of all when None), indexed by agency."""
    return waiting_index(waiting_by_agency(s, notify_settings(app.settings), agency_ids))


@dataclass
class MissingRules:
    """`missing_for_cases` for one reader that walks many cases batch by batch (an export, a list
    download), in one session: the review queue is read once, at the first batch, not once per batch
    (batches x waiting documents grew with the square of the store). A new one for each such read."""

    app: App
    _waiting: dict[int, AgencyWaiting] | None = field(default=None, init=False, repr=False)

    def __call__(self, s: Session, cases: Sequence[m.Case], as_of: date) -> dict[int, list[str]]:
        if self._waiting is None:
            self._waiting = waiting_queue(self.app, s)
        return missing_for_cases(self.app, s, cases, as_of, self._waiting)
