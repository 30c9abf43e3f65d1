"""Every status vocabulary the system stores, as StrEnums.

The values are the strings in the database and in the export, so a member compares equal to the
stored string and serializes as it; renaming a value is a schema change.
"""

from __future__ import annotations

from enum import StrEnum


class MessageState(StrEnum):
    """Where a message is in the pipeline; a restart resumes it from its state."""

    received = "received"
    parsed = "parsed"
    extracted = "extracted"
    classified = "classified"
    matched = "matched"
    done = "done"
    parked = "parked"  # a step kept failing; waits for a person


# The states a worker still has to move forward, in pipeline order.
PENDING_STATES: tuple[MessageState, ...] = (
    MessageState.received,
    MessageState.parsed,
    MessageState.extracted,
    MessageState.classified,
    MessageState.matched,
)
TERMINAL_STATES: frozenset[MessageState] = frozenset({MessageState.done, MessageState.parked})


class MessageStatus(StrEnum):
    """What became of a message (the export's `status`)."""

    pending = "pending"
    filed = "filed"
    incomplete = "incomplete"  # filed as far as it could be read; an attachment failed in part or whole
    quarantined = "quarantined"
    duplicate = "duplicate"
    failed = "failed"
    no_attachments = "no_attachments"
    discarded = "discarded"


class SenderStatus(StrEnum):
    registered = "registered"
    unregistered = "unregistered"
    spoofed = "spoofed"


class PageQuality(StrEnum):
    """How well a scanned page could be read (extract/reading/quality.py judges each reading)."""

    ok = "ok"  # the first reading looked right (or the page is blank)
    reread = "reread"  # the first reading looked poor; another strategy read it well
    unreadable = "unreadable"  # no strategy gave a plausible reading: a person must look, the sender rescan


class AttachmentStatus(StrEnum):
    ok = "ok"
    partial = "partial"  # some pages could not be read; the others are filed
    error = "error"


# Messages whose documents count (received, reminded, reported) and that get a receipt.
FILED_STATUSES: tuple[MessageStatus, ...] = (MessageStatus.filed, MessageStatus.incomplete)
# Attachments whose read pages are classified and filed.
READABLE_ATTACHMENTS: tuple[AttachmentStatus, ...] = (AttachmentStatus.ok, AttachmentStatus.partial)


class MatchStatus(StrEnum):
    """How a document came to its case."""

    none = "none"  # no candidate case
    auto = "auto"  # filed automatically: nothing pointed elsewhere
    review = "review"  # waits for a person
    confirmed = "confirmed"  # a person filed it
    not_litigation = "not_litigation"  # a person said it is no litigation document


# A document counts for its case only when filed automatically or by a person.
ACCEPTED_MATCHES: frozenset[MatchStatus] = frozenset({MatchStatus.auto, MatchStatus.confirmed})
# Documents in the review queue.
REVIEW_MATCHES: tuple[MatchStatus, ...] = (MatchStatus.review, MatchStatus.none)


class OutboxKind(StrEnum):
    receipt = "receipt"
    digest_quarantine = "digest_quarantine"
    reminder_missing = "reminder_missing"
    reminder_defense_due = "reminder_defense_due"
    reminder_appeal_window = "reminder_appeal_window"
    reminder_hearing = "reminder_hearing"
    reminder_missing_again = "reminder_missing_again"  # still missing N working days after the first reminder
    escalation_staff = "escalation_staff"  # still missing after the second: bureau staff take it up
    reply = "reply"  # a staff answer to a received message (a question), in its thread
    # Follow-up of lost cases (issue 17): rectification (整改) and compliance with effective judgments (履行).
    reminder_rectification = "reminder_rectification"  # the rectification report falls due soon
    reminder_rectification_overdue = "reminder_rectification_overdue"  # due date passed, no report
    reminder_compliance = "reminder_compliance"  # what an effective judgment orders falls due soon
    reminder_compliance_overdue = "reminder_compliance_overdue"  # due date passed, not recorded done


REMINDER_KINDS: tuple[OutboxKind, ...] = (
    OutboxKind.reminder_missing,
    OutboxKind.reminder_missing_again,
    OutboxKind.escalation_staff,
    OutboxKind.reminder_defense_due,
    OutboxKind.reminder_appeal_window,
    OutboxKind.reminder_hearing,
)
# Follow-up reminders are about a matter staff set, not about documents: a review decision on a case's
# documents leaves them queued (they stop when the matter is recorded done).
FOLLOWUP_REMINDER_KINDS: tuple[OutboxKind, ...] = (
    OutboxKind.reminder_rectification,
    OutboxKind.reminder_rectification_overdue,
    OutboxKind.reminder_compliance,
    OutboxKind.reminder_compliance_overdue,
)


class OutboxStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    uncertain = "uncertain"  # the server may or may not have taken it
    dead = "dead"
    cancelled = "cancelled"


class DocType(StrEnum):
    complaint = "complaint"
    notice_to_respond = "notice_to_respond"
    evidence_notice = "evidence_notice"
    summons = "summons"
    defense = "defense"
    appearance_record = "appearance_record"
    judgment = "judgment"
    ruling = "ruling"
    # The agency's report on how it rectified what a lost case showed (整改报告 / 整改情况); not a court document.
    rectification_report = "rectification_report"
    other = "other"


# Court documents that carry the case number and may start a case.
COURT_DOC_TYPES = frozenset(
    {DocType.notice_to_respond, DocType.evidence_notice, DocType.summons, DocType.judgment, DocType.ruling}
)
DECISION_TYPES: tuple[DocType, ...] = (DocType.judgment, DocType.ruling)


class Outcome(StrEnum):
    agency_won = "agency_won"
    agency_lost = "agency_lost"
    withdrawn = "withdrawn"
    pending = "pending"


class StepOutcome(StrEnum):
    """How one pipeline step run ended (step_runs.outcome)."""

    ok = "ok"
    failed = "failed"
    lost = "lost"  # the worker died or lost its claim mid-step


class FactCheckStatus(StrEnum):
    """A case fact the report uses, waiting for a person or settled (cases.checks)."""

    open = "open"  # waits for a person; the report withholds the fact and lists the case under 待核实
    resolved = "resolved"  # a person entered or confirmed the value
    cleared = "cleared"  # the doubt went away (e.g. a later document supplied the fact)


class FactCheckKind(StrEnum):
    """Why a fact waits for a person."""

    missing = "missing"  # its evidencing document arrived, the fact was not read
    implausible = "implausible"  # read, but cannot be right: not used
    doubtful = "doubtful"  # read with low confidence (the extractor said why)
    conflict = "conflict"  # two sources disagree
    contradicts = "contradicts"  # a later document disagrees with a person's value


class RectificationStatus(StrEnum):
    """Rectification (整改) of a lost case: staff set what is asked and by when; the agency reports; staff confirm."""

    open = "open"  # asked, no report yet: the agency is reminded
    received = "received"  # the agency's rectification report arrived (filed to the case): staff check it
    done = "done"  # staff confirmed the rectification done


class ComplianceStatus(StrEnum):
    """Compliance (履行) with an effective judgment or ruling the agency lost."""

    open = "open"  # in effect, not recorded performed: the agency is reminded
    done = "done"  # staff recorded it performed
    void = "void"  # no longer in effect as tracked (an appeal arrived, the outcome changed)
