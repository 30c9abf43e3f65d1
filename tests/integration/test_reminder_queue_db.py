"""A missing-document reminder is held while the agency's document waits in our own review queue."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from notify.reminders import planned_reminders, sweep_reminders
from store.models import MatchCandidate
from tests.integration.test_notify import SETTINGS, World, cst, engine, factory

__all__ = ["engine", "factory"]

pytestmark = pytest.mark.smtp


def test_no_missing_reminder_for_a_defense_waiting_in_review(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        w = World(s)
        c1 = w.case("（2026）鲁0481行初22号", notice_date=date(2026, 3, 6))
        c2 = w.case("（2026）鲁0481行初23号", notice_date=date(2026, 3, 6))
        w.message(cst(2026, 3, 10), "材料", [("complaint", c1, None), ("notice_to_respond", c1, "2026-03-06")])
        w.message(cst(2026, 3, 10), "材料", [("complaint", c2, None), ("notice_to_respond", c2, "2026-03-06")])
        # The agency sent a defense the matcher could not place; it offered c1 only.
        waiting = w.message(cst(2026, 3, 18), "答辩状", [("defense", None, "2026-03-18")])
        doc = waiting.attachments[0].documents[0]
        doc.match_status = "review"
        doc.candidates.append(MatchCandidate(case_id=c1.id, rank=1, score=0.55, evidence=["same agency"]))
        s.commit()
    with factory() as s:
        rep = sweep_reminders(s, date(2026, 3, 27), SETTINGS)
        s.commit()
        assert rep.held == [f"（2026）鲁0481行初22号: defense (document {doc.id} waits in review)"]
        # Only c2 (not offered for the waiting defense) is reminded.
        planned = [(p.case_number, p.doc_types) for p in planned_reminders(s, date(2026, 3, 27), SETTINGS)
                   if p.kind == "reminder_missing"]
        assert planned == [("（2026）鲁0481行初23号", ("defense",))]
        assert dict(rep.queued) == {"reminder_missing": 1}
