"""Reminders take our own review queue into account: no "missing" mail for what the agency already sent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from notify.reminders import (
    DEFENSE_DUE,
    HEARING,
    MISSING,
    AgencyWaiting,
    DueReminder,
    WaitingDoc,
    hold_for_queue,
    may_be_for,
    waiting_types,
)

N1, N2 = "（2026）鲁0481行初22号", "（2026）鲁0481行初23号"
DAY = date(2026, 3, 20)


def test_a_waiting_document_counts_for_its_number_its_candidates_or_when_unassigned() -> None:
    waiting = [
        WaitingDoc(1, "complaint", date(2026, 3, 10), N1, ()),
        WaitingDoc(2, "defense", date(2026, 3, 11), None, (7,)),
        WaitingDoc(3, "summons", date(2026, 3, 12), None, ()),
        WaitingDoc(4, "judgment", date(2026, 3, 12), N2, (8,)),
        WaitingDoc(5, "appearance_record", date(2026, 3, 25), None, ()),  # after the sweep date
    ]
    assert waiting_types(waiting, 7, N1, DAY) == {"complaint": 1, "defense": 2, "summons": 3}
    assert waiting_types(waiting, 8, N2, DAY) == {"judgment": 4, "summons": 3}


def test_the_agency_index_gives_what_walking_every_document_gives() -> None:
    """The sweep's index (by number, by offered case, the first unassigned of each type) finds the same
    types, evidence and order as the plain walk, for random stores, cases and days."""
    rng = random.Random(23)
    types = ["complaint", "defense", "summons", "judgment", "other"]
    numbers = [N1, N2, "（2025）鲁0481行初9号", None, None]
    for _ in range(300):
        docs = [WaitingDoc(i, rng.choice(types), DAY + timedelta(days=rng.randint(-20, 5)), rng.choice(numbers),
                           tuple(rng.sample(range(1, 6), rng.randint(0, 2)))) for i in range(rng.randint(0, 25))]
        index = AgencyWaiting(docs)
        for case_id in (None, 1, 3, 9):
            for number in [*numbers[:3], None]:
                for day in (DAY, DAY - timedelta(days=10)):
                    want = waiting_types(docs, case_id, number, day)
                    got = index.types(case_id, number, day)
                    assert list(got.items()) == list(want.items()), (docs, case_id, number, day)
                assert index.for_case(case_id, number) == [w for w in docs if may_be_for(w, case_id, number)]


def test_held_types_leave_the_reminder_and_are_reported() -> None:
    reminders = [
        DueReminder(MISSING, DAY, ("complaint", "defense"), ("r1", "r2"), ("documents", "notice")),
        DueReminder(DEFENSE_DUE, DAY, ("defense",), ("r",)),
        DueReminder(HEARING, DAY, (), ("h",)),
    ]
    kept, held = hold_for_queue(reminders, {"complaint": 5})
    assert kept[0] == DueReminder(MISSING, DAY, ("defense",), ("r2",), ("notice",))
    assert kept[1:] == reminders[1:]
    assert held == ["complaint (document 5 waits in review)"]
    kept, held = hold_for_queue(reminders, {"complaint": 5, "defense": 6})
    assert [r.kind for r in kept] == [HEARING] and len(held) == 3
    assert hold_for_queue(reminders, {}) == (reminders, [])
