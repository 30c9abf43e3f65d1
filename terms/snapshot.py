"""The one case snapshot: what the bureau knows of a case, as plain data (no ORM objects).

The missing-document and lateness rules, the reminders, the receipts and the quarterly report all
read it. Each builder (notify.reminders, filing.report.snapshot) fills what its readers use; the
other fields keep their defaults. It lives in the kernel because the rules here read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from terms.dates import iso_date
from terms.status import Outcome


@dataclass(frozen=True)
class ReceivedDoc:
    """One accepted document of a case."""

    doc_type: str
    received_on: date  # local date the bureau received the message
    doc_date: date | None = None  # 落款 date printed on the document
    message_row_id: int | None = None
    document_id: int | None = None
    # A summons's own hearing day: its unread printed date lies before it (terms.rules.assess_lateness).
    hearing_on: date | None = None


def received_doc(doc_type: str, received_on: date, fields: Mapping[str, Any] | None,
                 message_row_id: int | None, document_id: int | None) -> ReceivedDoc:
    """The ReceivedDoc of a stored document and its `fields` (the extractor's JSON)."""
    f = fields or {}
    return ReceivedDoc(doc_type, received_on, iso_date(f.get("doc_date")), message_row_id, document_id,
                       iso_date(f.get("hearing_at")) if doc_type == "summons" else None)


@dataclass(frozen=True)
class HearingFact:
    """One value the case's hearing time took (CaseFact 'hearing_at'), in the order recorded."""

    at: datetime
    set_on: date | None  # the date of the document that set it (its printed date, else the day received)
    document_id: int | None = None
    known_on: date | None = None  # the day that document arrived (None: a person's value)


@dataclass(frozen=True)
class AppearanceRecord:
    """An appearance-record document of the case: the evidence for one hearing."""

    hearing_at: datetime | None
    head_present: bool | None
    head_principal: bool | None
    head_title: str | None = None
    received_on: date | None = None
    document_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CaseSnapshot:
    """One case at one instance; keyword-only, so a builder cannot put a value in the wrong field."""

    case_id: int
    case_number: str | None
    case_type: str | None = None
    agency_id: int | None = None
    agency_name: str | None = None
    agency_role: str | None = None
    court: str | None = None
    cause_category: str | None = None
    documents: tuple[ReceivedDoc, ...] = ()  # the accepted documents, as received
    first_received: date | None = None  # the day the bureau first received anything of it
    notice_date: date | None = None
    hearing_at: datetime | None = None  # the current (latest) hearing time
    hearing_place: str | None = None
    hearing_facts: tuple[HearingFact, ...] = ()
    appearance_records: tuple[AppearanceRecord, ...] = ()
    head_present: bool | None = None  # case level: latest appearance record or judgment
    head_principal: bool | None = None
    head_title: str | None = None
    outcome: str = Outcome.pending
    decision_type: str | None = None  # judgment | ruling
    decision_date: date | None = None
    appeal_of_id: int | None = None
    # When the document showing each fact first arrived (None: a person's value, or no document):
    # a fact counts in a report period only if it could be known by the period's end.
    notice_received_on: date | None = None
    decision_received_on: date | None = None
    head_received_on: date | None = None
    # Report facts waiting for a person (their values above are withheld): (fact, check id, reason).
    unverified: tuple[tuple[str, int, str], ...] = ()
    # Documents the agency sent that wait in our review queue and may be this case's: (type, day received).
    # The agency filed them; only the bureau has not yet said which case they are (not missing).
    queued: tuple[tuple[str, date], ...] = ()
    # Rectification (整改) staff asked for after a loss: its status, due date, the day staff say it was done.
    rectification_status: str | None = None
    rectification_due: date | None = None
    rectified_on: date | None = None

    def received_by(self, as_of: date) -> tuple[ReceivedDoc, ...]:
        return tuple(d for d in self.documents if d.received_on <= as_of)

    @property
    def opened_on(self) -> date | None:
        """The day the agency was sued as far as the bureau can tell: the notice, else first receipt."""
        return self.notice_date or self.first_received

    def decided_known_by(self, day: date) -> bool:
        return self.decision_received_on is None or self.decision_received_on <= day

    def notice_known_by(self, day: date) -> bool:
        return self.notice_date is not None and (self.notice_received_on is None or self.notice_received_on <= day)

    def opened_on_by(self, day: date) -> date | None:
        """The day the case opened as the bureau could tell at `day`: the notice once it arrived, else first receipt."""
        return self.notice_date if self.notice_known_by(day) else self.first_received

    def known_by(self, day: date) -> bool:
        dates = [d for d in (self.notice_date if self.notice_known_by(day) else None, self.first_received,
                             self.decision_date if self.decided_known_by(day) else None) if d is not None]
        return bool(dates) and min(dates) <= day
