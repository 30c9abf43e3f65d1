"""Missing-document and late-filing rules, as tables, plus the sample corpus' truth."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from terms.rules import (
    MissingRules,
    assess_lateness,
    compute_missing,
    evaluate_missing,
)
from terms.snapshot import CaseSnapshot, ReceivedDoc
from terms.workdays import WorkCalendar
from tests.support.corpus import SAMPLE

CAL = WorkCalendar()
RULES = MissingRules()
CORPUS = SAMPLE


def snap(*docs: tuple[str, str], **kw: Any) -> CaseSnapshot:
    received = tuple(ReceivedDoc(t, date.fromisoformat(d)) for t, d in docs)
    return CaseSnapshot(case_id=1, case_number="（2026）鲁0481行初1号", case_type=kw.pop("case_type", "行初"),
                        documents=received, **kw)


@pytest.mark.parametrize(
    ("snapshot", "as_of", "expected"),
    [
        # Nothing received: nothing can be inferred.
        (snap(), "2026-12-31", []),
        # Only the notice: the complaint is missing at once; the defense only after 15 days + 5 working days.
        (snap(("notice_to_respond", "2026-03-10"), notice_date=date(2026, 3, 6)), "2026-03-10", ["complaint"]),
        # notice 03-06 + 15 = 03-21 (Sat) + 5 working days = 03-27.
        (snap(("notice_to_respond", "2026-03-10"), notice_date=date(2026, 3, 6)), "2026-03-26", ["complaint"]),
        (snap(("notice_to_respond", "2026-03-10"), notice_date=date(2026, 3, 6)), "2026-03-27",
         ["complaint", "defense"]),
        # Only the complaint: the notice is missing.
        (snap(("complaint", "2026-03-10")), "2026-03-10", ["notice_to_respond"]),
        # An unclassified paper alone proves nothing.
        (snap(("other", "2026-03-10")), "2026-12-31", []),
        # A document received after as_of does not count yet.
        (snap(("judgment", "2026-06-10")), "2026-06-09", []),
        # Judgment alone: complaint, notice, summons and appearance record are all missing.
        (snap(("judgment", "2026-06-10")), "2026-06-10",
         ["complaint", "notice_to_respond", "summons", "appearance_record"]),
        # Appearance record without summons → summons missing.
        (snap(("complaint", "2026-03-10"), ("notice_to_respond", "2026-03-10"), ("defense", "2026-03-20"),
               ("appearance_record", "2026-05-10"), notice_date=date(2026, 3, 6)), "2026-12-31", ["summons"]),
        # Summons with hearing 2026-09-30: + 5 working days = 10-10 (make-up Saturday).
        (snap(("complaint", "2026-08-10"), ("notice_to_respond", "2026-08-10"), ("defense", "2026-08-20"),
               ("summons", "2026-09-20"), notice_date=date(2026, 8, 6), hearing_at=datetime(2026, 9, 28, 9)),
         "2026-10-09", []),
        (snap(("complaint", "2026-08-10"), ("notice_to_respond", "2026-08-10"), ("defense", "2026-08-20"),
               ("summons", "2026-09-20"), notice_date=date(2026, 8, 6), hearing_at=datetime(2026, 9, 28, 9)),
         "2026-10-10", ["appearance_record"]),
        # A judgment dated before the scheduled hearing: the hearing never took place.
        (snap(("complaint", "2026-02-12"), ("notice_to_respond", "2026-02-12"), ("summons", "2026-02-12"),
               ("defense", "2026-02-25"), ("judgment", "2026-03-20"), notice_date=date(2026, 2, 11),
               hearing_at=datetime(2026, 4, 3, 9, 30), decision_date=date(2026, 3, 18)), "2026-12-31", []),
        # A ruling (no hearing) does not imply a summons or an appearance.
        (snap(("complaint", "2026-01-25"), ("notice_to_respond", "2026-01-25"), ("defense", "2026-02-05"),
               ("ruling", "2026-04-15"), notice_date=date(2026, 1, 22)), "2026-12-31", []),
        # 行审: the agency is the applicant; only the ruling exists.
        (snap(("ruling", "2026-10-10"), case_type="行审"), "2026-12-31", []),
    ],
)
def test_missing_rules(snapshot: CaseSnapshot, as_of: str, expected: list[str]) -> None:
    assert compute_missing(snapshot, date.fromisoformat(as_of), CAL, RULES) == expected


def test_missing_items_carry_due_date_and_reason() -> None:
    s = snap(("notice_to_respond", "2026-03-10"), notice_date=date(2026, 3, 6))
    items = {i.doc_type: i for i in evaluate_missing(s, date(2026, 4, 30), CAL, RULES)}
    assert items["defense"].due == date(2026, 3, 27)
    assert "2026-03-06" in items["defense"].reason
    assert items["complaint"].due == date(2026, 3, 10)


def test_rules_are_configurable() -> None:
    s = snap(("notice_to_respond", "2026-03-10"), notice_date=date(2026, 3, 6))
    only_defense = MissingRules(enabled=frozenset({"defense"}), defense_days=10)
    # 03-06 + 10 = 03-16 + 5 working days = 03-23.
    assert compute_missing(s, date(2026, 3, 22), CAL, only_defense) == []
    assert compute_missing(s, date(2026, 3, 23), CAL, only_defense) == ["defense"]


@pytest.mark.parametrize(
    ("doc", "expected_late", "expected_days"),
    [
        # Judgment dated Fri 2026-09-25 (holiday) → due 5th working day after = 10-09; received 10-09 on time.
        (ReceivedDoc("judgment", date(2026, 10, 9), doc_date=date(2026, 9, 25)), False, 5),
        (ReceivedDoc("judgment", date(2026, 10, 10), doc_date=date(2026, 9, 25)), True, 6),
        # Complaint runs from the notice date 2026-10-12: received 10-22 is the 8th working day.
        (ReceivedDoc("complaint", date(2026, 10, 22)), True, 8),
        # Appearance record runs from the hearing.
        (ReceivedDoc("appearance_record", date(2026, 10, 26), doc_date=date(2026, 10, 20)), False, 5),
    ],
)
def test_lateness(doc: ReceivedDoc, expected_late: bool, expected_days: int) -> None:
    s = snap(notice_date=date(2026, 10, 12), hearing_at=datetime(2026, 10, 19, 9, 30))
    result = assess_lateness(doc, s, CAL, RULES)
    assert result is not None
    assert (result.late, result.working_days) == (expected_late, expected_days)


def test_lateness_not_claimed_without_a_usable_date() -> None:
    s = snap()
    assert assess_lateness(ReceivedDoc("defense", date(2026, 5, 1)), s, CAL, RULES) is None
    # A printed date after receipt is an OCR error, not a filing on time or late.
    assert assess_lateness(ReceivedDoc("defense", date(2026, 5, 1), doc_date=date(2026, 6, 1)), s, CAL, RULES) is None


def test_a_summons_without_its_date_is_late_only_when_late_after_its_hearing_too() -> None:
    s = snap(notice_date=date(2026, 3, 2))
    hearing = date(2026, 4, 8)  # a Wednesday; its 5th working day after is 2026-04-15
    late = assess_lateness(ReceivedDoc("summons", date(2026, 4, 16), hearing_on=hearing), s, CAL, RULES)
    assert late is not None and late.late and late.reference_date == hearing and late.due == date(2026, 4, 15)
    # Within 5 working days of the hearing it may have been on time or late: nobody is accused.
    assert assess_lateness(ReceivedDoc("summons", date(2026, 4, 15), hearing_on=hearing), s, CAL, RULES) is None
    # With its own date read, that date counts (and the hearing is no bound).
    read = ReceivedDoc("summons", date(2026, 4, 15), doc_date=date(2026, 3, 5), hearing_on=hearing)
    assert assess_lateness(read, s, CAL, RULES).reference_date == date(2026, 3, 5)  # type: ignore[union-attr]


def _truth_snapshots() -> tuple[dict[str, Any], dict[str, CaseSnapshot]]:
    truth = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    received: dict[str, list[ReceivedDoc]] = {}

    def walk(att: dict[str, Any], on: date) -> None:
        if att.get("anomalies"):
            return
        for doc in att.get("documents") or []:
            if doc.get("case"):
                received.setdefault(doc["case"], []).append(ReceivedDoc(doc["type"], on))
        for member in att.get("members") or []:
            walk(member, on)

    for msg in truth["messages"]:
        if msg["sender_status"] != "registered" or msg["kind"] == "duplicate":
            continue
        on = date.fromisoformat(msg["date"][:10])
        for att in msg["attachments"]:
            walk(att, on)
    snaps = {}
    for i, c in enumerate(truth["cases"], start=1):
        hearing = c["hearing_datetime"]
        snaps[c["case_number"]] = CaseSnapshot(
            case_id=i, case_number=c["case_number"], case_type=c["case_type"],
            documents=tuple(received.get(c["case_number"], [])),
            notice_date=date.fromisoformat(c["notice_date"]) if c["notice_date"] else None,
            hearing_at=datetime.fromisoformat(hearing) if hearing else None,
            decision_date=date.fromisoformat(c["decision_date"])
            if c["decision_date"] and {"judgment", "ruling"} & {d.doc_type for d in received.get(c["case_number"], [])}
            else None,
        )
    return truth, snaps


@pytest.mark.skipif(not (CORPUS / "truth.json").exists(), reason="sample corpus not present")
def test_rules_reproduce_the_corpus_missing_detectable() -> None:
    truth, snaps = _truth_snapshots()
    exp = truth["expectations"]
    as_of = date.fromisoformat(exp["as_of"])
    for row in exp["missing_documents"]:
        s = snaps[row["case"]]
        assert sorted({d.doc_type for d in s.documents}) == sorted(row["received"]), row["case"]
        assert sorted(compute_missing(s, as_of, CAL, RULES)) == sorted(row["missing_detectable"]), row["case"]


def _kinds(snapshot: CaseSnapshot, as_of: str) -> list[tuple[str, str, tuple[str, ...]]]:
    from notify.reminders import due_reminders
    from notify.settings import NotifySettings

    return [(r.kind, r.due.isoformat(), r.doc_types)
            for r in due_reminders(snapshot, date.fromisoformat(as_of), CAL, NotifySettings())]


def test_defense_deadline_window() -> None:
    # Notice 2026-09-16 + 15 days = Oct 1 (holiday) → due Oct 8; reminders from 5 calendar days before.
    s = snap(("complaint", "2026-09-18"), ("notice_to_respond", "2026-09-18"), notice_date=date(2026, 9, 16))
    assert _kinds(s, "2026-10-02") == []
    assert _kinds(s, "2026-10-03") == [("reminder_defense_due", "2026-10-08", ("defense",))]
    assert _kinds(s, "2026-10-08") == [("reminder_defense_due", "2026-10-08", ("defense",))]
    assert ("reminder_defense_due", "2026-10-08", ("defense",)) not in _kinds(s, "2026-10-09")


def test_hearing_window_in_working_days() -> None:
    # Hearing Thu 2026-10-08 right after National Day: the reminder window opens two working days before.
    s = snap(("complaint", "2026-09-01"), ("notice_to_respond", "2026-09-01"), ("defense", "2026-09-10"),
             ("summons", "2026-09-20"), notice_date=date(2026, 8, 28), hearing_at=datetime(2026, 10, 8, 9, 0))
    # Working days before 10-08: 09-30 (1st back), 09-29 (2nd back).
    assert _kinds(s, "2026-09-28") == []
    assert _kinds(s, "2026-09-29") == [("reminder_hearing", "2026-10-08", ())]
    assert _kinds(s, "2026-10-07") == [("reminder_hearing", "2026-10-08", ())]
    assert _kinds(s, "2026-10-08") == []


def test_appeal_window_only_where_the_agency_may_appeal() -> None:
    base = dict(decision_type="judgment", decision_date=date(2026, 5, 18))
    lost = snap(("judgment", "2026-05-20"), outcome="agency_lost", **base)
    assert ("reminder_appeal_window", "2026-06-02", ("judgment",)) in _kinds(lost, "2026-05-20")
    assert not [k for k in _kinds(lost, "2026-06-03") if k[0] == "reminder_appeal_window"]
    won = snap(("judgment", "2026-05-20"), outcome="agency_won", **base)
    assert not [k for k in _kinds(won, "2026-05-20") if k[0] == "reminder_appeal_window"]
    final = snap(("judgment", "2026-05-20"), outcome="agency_lost", case_type="行终", **base)
    assert not [k for k in _kinds(final, "2026-05-20") if k[0] == "reminder_appeal_window"]
    # A ruling: 10 days. 2026-09-21 + 10 = Oct 1 (holiday) → Oct 8.
    ruling = snap(("ruling", "2026-09-22"), outcome="agency_lost", decision_type="ruling",
                  decision_date=date(2026, 9, 21))
    assert ("reminder_appeal_window", "2026-10-08", ("ruling",)) in _kinds(ruling, "2026-09-22")


def test_missing_documents_grouped_by_due_date() -> None:
    s = snap(("judgment", "2026-06-10"))
    assert _kinds(s, "2026-06-10") == [
        ("reminder_missing", "2026-06-10", ("complaint", "notice_to_respond", "summons", "appearance_record"))
    ]


def test_defense_counted_from_receipt_when_notice_date_illegible() -> None:
    s = snap(("complaint", "2026-03-09"), ("notice_to_respond", "2026-03-09"))
    # 03-09 + 15 = 03-24, + 5 working days = 03-31.
    assert compute_missing(s, date(2026, 3, 30), CAL, RULES) == []
    items = evaluate_missing(s, date(2026, 3, 31), CAL, RULES)
    assert [(i.doc_type, i.due, i.basis) for i in items] == [("defense", date(2026, 3, 31), "notice_received")]
