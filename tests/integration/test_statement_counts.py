"""Pages and commands that walk many rows read them set-based: their SQL statement count does not grow
with the store (issue 23). Counted at N and 3N rows on SQLite and PostgreSQL — statements, not seconds."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cases.review import pending_items, search_cases
from filing.export import write_export
from filing.web.case_list import CaseFilter, list_page
from filing.web.queries import case_rows
from notify.reminders import load_case_snapshots, sweep_reminders
from notify.settings import NotifySettings
from store import models as m
from terms.rules import compute_missing
from tests.integration.test_matching import D, message, session

__all__ = ["session"]
AS_OF = date(2026, 6, 30)
SETTINGS = NotifySettings()
_serial = iter(range(1, 10_000))


class Missing:
    """The missing-document rules as the web and the export apply them (per case, or a list at once)."""

    def __call__(self, s: Session, case: m.Case, day: date) -> list[str]:
        return self.many(s, [case], day)[case.id]

    def many(self, s: Session, cases: Sequence[m.Case], day: date) -> Mapping[int, list[str]]:
        snaps = load_case_snapshots(s, cases, SETTINGS)
        cal = SETTINGS.work_calendar()
        return {c.id: compute_missing(snaps[c.id], day, cal, SETTINGS.rules) for c in cases}


def grow(s: Session, cases: int) -> None:
    """`cases` new cases, each with a message that started it (notice and complaint, with page text), a
    defense of the same agency waiting for a person (no number: every case of the agency is a candidate),
    and a receipt in the outbox; then the reminder sweep of the day queues what is due (the sweep counted
    later finds it queued, as a daily sweep does)."""
    if s.scalar(select(m.AgencyAddress.id).limit(1)) is None:
        zrj = s.scalar(select(m.Agency).where(m.Agency.code == "zrj"))
        assert zrj is not None
        s.add(m.AgencyAddress(agency_id=zrj.id, address="zrj@example.invalid"))
    for _ in range(cases):
        n = next(_serial)
        number = f"（2026）鲁0481行初{n}号"
        day = datetime(2026, 1 + n % 5, 1 + n % 27, 9, tzinfo=UTC)
        started = message(s, [[D("notice_to_respond", number)], [D("complaint", fields={"plaintiffs": [f"原告{n}"]})]],
                          received_at=day)
        waiting = message(s, [[D("defense", fields={"plaintiffs": [f"某人{n}"]})]], received_at=day)
        for msg in (started, waiting):
            msg.status = "filed"
            for att in msg.attachments:
                att.pages.append(m.Page(number=1, text=f"第{n}页 {number}", source="text", confidence=1.0))
        s.add(m.OutboxMessage(idempotency_key=f"receipt:{n}", kind="receipt", to_addr="a@example.invalid",
                              subject="回执", header_message_id=f"<r{n}@x>", body_text="回执",
                              message_row_id=started.id))
    s.flush()
    queued = [sum(sweep_reminders(s, AS_OF, SETTINGS).queued.values()) for _ in range(3)]
    assert queued[0] > 0 and queued[-1] == 0  # reminders, then the next step of each, then nothing new
    s.commit()


@contextmanager
def counting(s: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)

    engine = s.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


OPERATIONS: dict[str, Callable[[Session], object]] = {
    "export": lambda s: write_export(s, AS_OF, Missing().many, io.StringIO()),
    "queue": lambda s: pending_items(s, 0, 100),
    "case list": lambda s: case_rows(s, list_page(s, CaseFilter(), AS_OF, Missing(), search_cases).cases,
                                     AS_OF, Missing()),
    "case list, missing filter": lambda s: list_page(s, CaseFilter(missing="yes"), AS_OF, Missing(), search_cases),
    "reminder sweep": lambda s: sweep_reminders(s, AS_OF, SETTINGS),
}


def statements(s: Session) -> dict[str, int]:
    """Statements each operation runs, each in a fresh session (nothing cached from an earlier one)."""
    out = {}
    for name, op in OPERATIONS.items():
        with Session(s.get_bind()) as fresh, counting(fresh) as seen:
            op(fresh)
            fresh.rollback()  # the sweep enqueues: leave the store as it was
        out[name] = len(seen)
    return out


def test_statement_counts_do_not_grow_with_the_store(session: Session) -> None:
    grow(session, 8)
    small = statements(session)
    grow(session, 16)
    large = statements(session)
    assert large == small, {k: (small[k], large[k]) for k in small}
    # The lists are not empty: a waiting defense per case, every case on the list.
    assert len(pending_items(session, 0, 100)) >= 24
    assert list_page(session, CaseFilter(), AS_OF, Missing(), search_cases).total == 24
