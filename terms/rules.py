"""Which documents a case is missing, and which filings were late: pure rules kept in one place.

The input is the case snapshot (terms/snapshot.py, built by `notify.reminders` and the report);
the answers carry the date they became due and the reason, so a reminder can cite its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from terms.snapshot import CaseSnapshot, ReceivedDoc
from terms.workdays import WorkCalendar

# The order documents appear in a case's life; lists shown to people follow it.
DOC_ORDER: tuple[str, ...] = (
    "complaint",
    "notice_to_respond",
    "evidence_notice",
    "defense",
    "summons",
    "appearance_record",
    "judgment",
    "ruling",
    "rectification_report",
    "other",
)

RULE_START_DOCUMENTS = "start_documents"
RULE_DEFENSE = "defense"
RULE_SUMMONS = "summons"
RULE_APPEARANCE = "appearance_record"


@dataclass(frozen=True)
class MissingRules:
    """The bureau's missing-document rules; defaults follow issue 7 (configurable per bureau)."""

    enabled: frozenset[str] = frozenset({RULE_START_DOCUMENTS, RULE_DEFENSE, RULE_SUMMONS, RULE_APPEARANCE})
    # 行审/行审复: the agency applied for enforcement; there is no complaint, notice, summons or defense.
    exempt_case_types: frozenset[str] = frozenset({"行审", "行审复"})
    # The complaint and the notice open a case; once anything else arrived they are due.
    start_doc_types: tuple[str, ...] = ("complaint", "notice_to_respond")
    # An unclassified paper ("other") alone is no proof that the case's documents exist.
    non_triggers: frozenset[str] = frozenset({"other"})
    defense_days: int = 15  # 行政诉讼法 第六十七条: defense within 15 days of service
    grace_workdays: int = 5  # the city notice: file within 5 working days of receiving
    summons_triggers: frozenset[str] = frozenset({"appearance_record", "judgment"})
    appearance_triggers: frozenset[str] = frozenset({"judgment"})
    hearing_grace_workdays: int = 5
    late_after_workdays: int = 5


@dataclass(frozen=True)
class MissingItem:
    doc_type: str
    due: date  # the day it became due, or the day the bureau could first tell it was missing
    reason: str  # English evidence, stored with the reminder
    basis: str = "documents"  # documents (others arrived without it) | notice (defense period) | hearing


@dataclass(frozen=True)
class Lateness:
    doc_type: str
    reference_date: date
    due: date
    received_on: date
    working_days: int  # working days from the reference date to receipt
    late: bool


@dataclass(frozen=True)
class _Seen:
    types: frozenset[str] = field(default_factory=frozenset)
    first: dict[str, date] = field(default_factory=dict)


def _seen(docs: tuple[ReceivedDoc, ...]) -> _Seen:
    first: dict[str, date] = {}
    for d in docs:
        if d.doc_type not in first or d.received_on < first[d.doc_type]:
            first[d.doc_type] = d.received_on
    return _Seen(frozenset(first), first)


def notice_date_of(snapshot: CaseSnapshot) -> date | None:
    if snapshot.notice_date is not None:
        return snapshot.notice_date
    dates = [d.doc_date for d in snapshot.documents if d.doc_type == "notice_to_respond" and d.doc_date]
    return min(dates) if dates else None


def defense_clock_start(snapshot: CaseSnapshot) -> tuple[date, bool] | None:
    """The date the defense period runs from, and whether it is the notice's own date.

    Without a legible notice date, the day the bureau received the notice is used: the agency
    had it by then at the latest, so the deadline computed from it is never too early.
    """
    notice = notice_date_of(snapshot)
    if notice is not None:
        return notice, True
    received = [d.received_on for d in snapshot.documents if d.doc_type == "notice_to_respond"]
    return (min(received), False) if received else None


def evaluate_missing(
    snapshot: CaseSnapshot, as_of: date, calendar: WorkCalendar, rules: MissingRules
) -> list[MissingItem]:
    """Missing documents as of `as_of`, each with the date it became due and why."""
    if snapshot.case_type in rules.exempt_case_types:
        return []
    seen = _seen(snapshot.received_by(as_of))
    items: dict[str, MissingItem] = {}

    def earliest(types: frozenset[str] | set[str]) -> date | None:
        dates = [seen.first[t] for t in types if t in seen.first]
        return min(dates) if dates else None

    if RULE_START_DOCUMENTS in rules.enabled:
        for doc_type in rules.start_doc_types:
            if doc_type in seen.types:
                continue
            triggers = set(seen.types) - {doc_type} - rules.non_triggers
            when = earliest(triggers)
            if when is not None:
                items[doc_type] = MissingItem(doc_type, when, f"{sorted(triggers)} received without {doc_type}")

    if RULE_DEFENSE in rules.enabled and "notice_to_respond" in seen.types and "defense" not in seen.types:
        start = defense_clock_start(snapshot)
        if start is not None:
            notice, dated = start
            due = calendar.add_workdays(notice + timedelta(days=rules.defense_days), rules.grace_workdays)
            if due <= as_of:
                what = "notice dated" if dated else "notice (date illegible) received on"
                items["defense"] = MissingItem(
                    "defense",
                    due,
                    f"{what} {notice} + {rules.defense_days} days + {rules.grace_workdays} working days = {due}",
                    "notice" if dated else "notice_received",
                )

    if RULE_SUMMONS in rules.enabled and "summons" not in seen.types:
        when = earliest(rules.summons_triggers)
        if when is not None:
            got = sorted(rules.summons_triggers & seen.types)
            items["summons"] = MissingItem("summons", when, f"{got} received without summons")

    appearance_expected = "appearance_record" not in seen.types and _hearing_may_have_happened(snapshot, as_of)
    if RULE_APPEARANCE in rules.enabled and appearance_expected:
        candidates: list[MissingItem] = []
        if "summons" in seen.types and snapshot.hearing_at is not None:
            hearing = snapshot.hearing_at.date()
            due = calendar.add_workdays(hearing, rules.hearing_grace_workdays)
            if due <= as_of:
                candidates.append(
                    MissingItem(
                        "appearance_record",
                        due,
                        f"hearing on {hearing} + {rules.hearing_grace_workdays} working days = {due}",
                        "hearing",
                    )
                )
        when = earliest(rules.appearance_triggers)
        if when is not None:
            got = sorted(rules.appearance_triggers & seen.types)
            candidates.append(MissingItem("appearance_record", when, f"{got} received without appearance record"))
        if candidates:
            items["appearance_record"] = min(candidates, key=lambda i: i.due)

    return sorted(items.values(), key=lambda i: DOC_ORDER.index(i.doc_type) if i.doc_type in DOC_ORDER else 99)


def _hearing_may_have_happened(snapshot: CaseSnapshot, as_of: date | None = None) -> bool:
    """A decision dated before the scheduled hearing means the hearing never took place. An undated one
    (its date unread) was made by the day its mail arrived at the latest: arriving before the hearing
    day, it was decided without that hearing too."""
    if snapshot.hearing_at is None:
        return True
    hearing = snapshot.hearing_at.date()
    decided = decision_date_of(snapshot)
    if decided is not None:
        return decided >= hearing
    docs = snapshot.received_by(as_of) if as_of is not None else snapshot.documents
    arrived = [d.received_on for d in docs if d.doc_type in ("judgment", "ruling")]
    return not arrived or min(arrived) >= hearing


def decision_date_of(snapshot: CaseSnapshot) -> date | None:
    if snapshot.decision_date is not None:
        return snapshot.decision_date
    dates = [d.doc_date for d in snapshot.documents if d.doc_type in ("judgment", "ruling") and d.doc_date]
    return min(dates) if dates else None


def compute_missing(snapshot: CaseSnapshot, as_of: date, calendar: WorkCalendar, rules: MissingRules) -> list[str]:
    """Document types the case is missing as of `as_of` (the export's and the UI's `missing`)."""
    return [i.doc_type for i in evaluate_missing(snapshot, as_of, calendar, rules)]


def reference_date(doc: ReceivedDoc, snapshot: CaseSnapshot) -> date | None:
    """The date a document's 5-working-day filing period runs from.

    Complaint, notice and evidence notice arrive together: the notice's date. The appearance
    record: the hearing. Everything else: its own printed date.
    """
    if doc.doc_type in ("complaint", "notice_to_respond", "evidence_notice"):
        return notice_date_of(snapshot) or (doc.doc_date if doc.doc_type != "complaint" else None)
    if doc.doc_type == "appearance_record":
        return snapshot.hearing_at.date() if snapshot.hearing_at else doc.doc_date
    if doc.doc_type in ("other", "rectification_report"):
        return None  # no filing duty of 5 working days: the rectification report has its own due date
    return doc.doc_date


def assess_lateness(
    doc: ReceivedDoc, snapshot: CaseSnapshot, calendar: WorkCalendar, rules: MissingRules
) -> Lateness | None:
    """Whether a document reached the bureau later than `late_after_workdays` after its reference date."""
    ref = reference_date(doc, snapshot)
    if ref is None and doc.doc_type == "summons" and doc.hearing_on is not None:
        # Its date under the seal is unread, but it was issued before its hearing: mail that came more than
        # the allowed working days after the hearing is late whatever the date (due counted from the
        # hearing, the agency's most lenient reading); anything less certain accuses no one.
        latest = min(doc.hearing_on, doc.received_on)
        due = calendar.add_workdays(latest, rules.late_after_workdays)
        if doc.received_on <= due:
            return None
        return Lateness(doc.doc_type, latest, due, doc.received_on,
                        calendar.workdays_between(latest, doc.received_on), late=True)
    if ref is None or ref > doc.received_on:
        return None  # no date, or a date after receipt (OCR error): do not accuse anyone
    due = calendar.add_workdays(ref, rules.late_after_workdays)
    return Lateness(
        doc_type=doc.doc_type,
        reference_date=ref,
        due=due,
        received_on=doc.received_on,
        working_days=calendar.workdays_between(ref, doc.received_on),
        late=doc.received_on > due,
    )
