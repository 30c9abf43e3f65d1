"""Reminders take our own review queue into account: no "missing" mail for what the agency already sent."""

from __future__ import annotations

from datetime import date

from notify.reminders import DEFENSE_DUE, HEARING, MISSING, DueReminder, WaitingDoc, hold_for_queue, waiting_types

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
