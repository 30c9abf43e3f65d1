"""Reminders: a sweep as of a date computes what is due (pure) and enqueues it once.

One reminder per (kind, case, document type, due date) — the idempotency key — so a re-run,
or a daily run that overlaps the previous one, never repeats an email. A new due date (a
rescheduled hearing, a new missing document) is a new reminder.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from notify.outbox import NewEmail, enqueue_rows, new_row
from notify.render import EmailRenderer, stable_message_id
from notify.settings import NotifySettings
from notify.views import (
    AppealWindowView,
    DefenseDueView,
    EscalationView,
    HearingView,
    MissingReminderView,
    cn_date,
    cn_datetime,
)
from store.clock import utcnow
from store.models import Agency, Attachment, Case, Document, MatchCandidate, Message, OutboxMessage
from terms import dates
from terms.labels import DECISION_DOC_LABELS
from terms.labels import formal_doc_label as doc_label
from terms.rules import (
    DOC_ORDER,
    MissingItem,
    decision_date_of,
    defense_clock_start,
    evaluate_missing,
    notice_date_of,
)
from terms.snapshot import CaseSnapshot, ReceivedDoc, received_doc
from terms.status import ACCEPTED_MATCHES, READABLE_ATTACHMENTS, REVIEW_MATCHES, OutboxKind
from terms.workdays import WorkCalendar

log = logging.getLogger(__name__)

MISSING = OutboxKind.reminder_missing
DEFENSE_DUE = OutboxKind.reminder_defense_due
APPEAL_WINDOW = OutboxKind.reminder_appeal_window
HEARING = OutboxKind.reminder_hearing
MISSING_AGAIN = OutboxKind.reminder_missing_again
ESCALATION = OutboxKind.escalation_staff
# Each escalation step follows the one before it, once that one has been queued long enough.
ESCALATES: dict[str, OutboxKind] = {MISSING_AGAIN: MISSING, ESCALATION: MISSING_AGAIN}

OUTCOME_LABELS = {
    "agency_lost": "贵单位败诉",
    "agency_won": "贵单位胜诉",
    "withdrawn": "原告撤回起诉",
    "pending": "裁判结果待确认",
}


@dataclass(frozen=True)
class DueReminder:
    """One email to write: for missing documents, every type that became due on the same day."""

    kind: str
    due: date
    doc_types: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # evidence, English
    bases: tuple[str, ...] = ()  # per doc type, for missing documents: documents | notice | hearing

    def key(self, case_id: int | None, case_number: str | None) -> str:
        """The idempotency key: one reminder per kind, case and due date."""
        case = case_id if case_id is not None else case_number
        return f"{self.kind}:{case}:{self.due.isoformat()}"


@dataclass(frozen=True)
class PlannedReminder:
    """A reminder due as of the sweep date, whether or not it is already in the outbox."""

    key: str
    kind: str
    case_id: int | None
    case_number: str | None
    due: date
    doc_types: tuple[str, ...]


@dataclass
class SweepReport:
    as_of: date
    cases: int = 0
    queued: Counter[str] = field(default_factory=Counter)
    already_queued: int = 0
    no_address: list[str] = field(default_factory=list)  # case numbers we could not write to
    keys: list[str] = field(default_factory=list)  # every reminder due as of the date (new or not)
    doc_types: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key → the documents it is about
    held: list[str] = field(default_factory=list)  # "case: type" not reminded: it waits in our review queue


def local_date(moment: datetime, settings: NotifySettings) -> date:
    return dates.local_date(moment, settings.timezone)


def _received_docs(session: Session, case_id: int, settings: NotifySettings) -> list[tuple[ReceivedDoc, Message]]:
    return _received_docs_of(session, [case_id], settings).get(case_id, [])


def _received_docs_of(
    session: Session, case_ids: Sequence[int], settings: NotifySettings
) -> dict[int, list[tuple[ReceivedDoc, Message]]]:
    """The accepted documents of many cases in one query, per case in the order they were received."""
    out: dict[int, list[tuple[ReceivedDoc, Message]]] = {}
    if not case_ids:
        return out
    rows = session.execute(
        select(Document, Message)
        .join(Attachment, Document.attachment_id == Attachment.id)
        .join(Message, Attachment.message_id == Message.id)
        .where(
            Document.case_id.in_(case_ids) if len(case_ids) > 1 else Document.case_id == case_ids[0],
            Document.match_status.in_(ACCEPTED_MATCHES),
            Attachment.status.in_(READABLE_ATTACHMENTS),
            Message.status.in_(sorted(settings.receipt_statuses)),
        )
        .order_by(Message.received_at, Document.id)
    ).all()
    for doc, msg in rows:
        received = received_doc(doc.doc_type, local_date(msg.received_at, settings), doc.fields, msg.id, doc.id)
        if doc.case_id is not None:
            out.setdefault(doc.case_id, []).append((received, msg))
    return out


@dataclass(frozen=True)
class WaitingDoc:
    """A document of an agency waiting in our review queue: the agency has sent it, we have not filed it."""

    document_id: int
    doc_type: str
    received_on: date
    case_number: str | None  # its own number, if read
    candidate_case_ids: tuple[int, ...]  # the cases the matcher offered


def waiting_by_agency(session: Session, settings: NotifySettings,
                      agency_ids: set[int] | None = None) -> dict[int, list[WaitingDoc]]:
    """Every document waiting in the review queue, by the agency that sent it (one query for a sweep;
    only those of `agency_ids` when given)."""
    return waiting_docs(session, settings.receipt_statuses, settings.tz, agency_ids)


def waiting_docs(session: Session, statuses: Iterable[str], tz: tzinfo,
                 agency_ids: set[int] | None = None) -> dict[int, list[WaitingDoc]]:
    """The documents waiting in the review queue from messages in `statuses` (readable attachments), by
    agency, with the cases the matcher offered: the reminders and the report hold them alike."""
    if agency_ids is not None and not agency_ids:
        return {}
    agency = Message.agency_id.is_not(None) if agency_ids is None else Message.agency_id.in_(sorted(agency_ids))
    conditions = (
        Document.match_status.in_(REVIEW_MATCHES),
        Attachment.status.in_(READABLE_ATTACHMENTS),
        Message.status.in_(sorted(statuses)),
        agency,
    )
    waiting = (
        select(Document.id)
        .join(Attachment, Document.attachment_id == Attachment.id)
        .join(Message, Attachment.message_id == Message.id)
        .where(*conditions)
    )
    # Plain columns on the connection (no ORM row loading), the candidates in one statement by the same
    # conditions (not in chunks of ids sent back): the report reads this for every build.
    session.flush()
    conn = session.connection()
    rows = conn.execute(
        select(Document.id, Document.doc_type, Document.case_number, Message.agency_id, Message.received_at)
        .join(Attachment, Document.attachment_id == Attachment.id)
        .join(Message, Attachment.message_id == Message.id)
        .where(*conditions)
        .order_by(Document.id)
    ).all()
    cands: dict[int, list[int]] = {}
    for doc_id, case_id in conn.execute(
        select(MatchCandidate.document_id, MatchCandidate.case_id)
        .where(MatchCandidate.document_id.in_(waiting))
        .order_by(MatchCandidate.document_id, MatchCandidate.id)
    ):
        if case_id is not None:
            cands.setdefault(doc_id, []).append(case_id)
    out: dict[int, list[WaitingDoc]] = {}
    for doc_id, doc_type, case_number, agency_id, received_at in rows:
        assert agency_id is not None
        out.setdefault(agency_id, []).append(WaitingDoc(
            doc_id, doc_type, received_at.astimezone(tz).date(), case_number, tuple(cands.get(doc_id, ())),
        ))
    return out


class AgencyWaiting:
    """One agency's waiting documents, indexed by number and offered case: a case's share is found without
    walking every document the agency ever left waiting (cases × documents grew with the square of the store)."""

    def __init__(self, docs: Sequence[WaitingDoc]) -> None:
        self.docs = list(docs)
        self.by_number: dict[str, list[int]] = {}
        self.by_case: dict[int, list[int]] = {}
        self.unassigned: list[int] = []
        for pos, w in enumerate(self.docs):
            if w.case_number is not None:
                self.by_number.setdefault(w.case_number, []).append(pos)
            for case_id in dict.fromkeys(w.candidate_case_ids):
                self.by_case.setdefault(case_id, []).append(pos)
            if w.case_number is None and not w.candidate_case_ids:
                self.unassigned.append(pos)
        self._first_unassigned: dict[date, list[int]] = {}

    def _unassigned_by(self, as_of: date) -> list[int]:
        """Of the documents that point nowhere, the first of each type received by `as_of`: a later one of
        the same type can never be the evidence `waiting_types` gives."""
        if as_of not in self._first_unassigned:
            first: dict[str, int] = {}
            for pos in self.unassigned:
                if self.docs[pos].received_on <= as_of:
                    first.setdefault(self.docs[pos].doc_type, pos)
            self._first_unassigned[as_of] = list(first.values())
        return self._first_unassigned[as_of]

    def for_case(self, case_id: int | None, case_number: str | None) -> list[WaitingDoc]:
        """The documents that `may_be_for` the case, in document order."""
        found = set(self.unassigned)
        if case_number is not None:
            found.update(self.by_number.get(case_number, ()))
        if case_id is not None:
            found.update(self.by_case.get(case_id, ()))
        return [self.docs[pos] for pos in sorted(found)]

    def types(self, case_id: int | None, case_number: str | None, as_of: date) -> dict[str, int]:
        """`waiting_types` of these documents for a case, the same dict in the same order."""
        found = set(self._unassigned_by(as_of))
        if case_number is not None:
            found.update(self.by_number.get(case_number, ()))
        if case_id is not None:
            found.update(self.by_case.get(case_id, ()))
        out: dict[str, int] = {}
        for pos in sorted(found):
            w = self.docs[pos]
            if w.received_on <= as_of:
                out.setdefault(w.doc_type, w.document_id)
        return out


def waiting_index(waiting: Mapping[int, list[WaitingDoc]]) -> dict[int, AgencyWaiting]:
    return {agency_id: AgencyWaiting(docs) for agency_id, docs in waiting.items()}


def waiting_types(waiting: list[WaitingDoc], case_id: int | None, case_number: str | None,
                  as_of: date) -> dict[str, int]:
    """Document types (with a document id as evidence) that wait in our queue for this case.

    A waiting document counts for the case when it carries the case's number, when the matcher offered
    the case, or when nothing points anywhere (no number, no candidate: it may be this case's). Pure.
    """
    out: dict[str, int] = {}
    for w in waiting:
        if w.received_on <= as_of and may_be_for(w, case_id, case_number):
            out.setdefault(w.doc_type, w.document_id)
    return out


def may_be_for(w: WaitingDoc, case_id: int | None, case_number: str | None) -> bool:
    """A waiting document may be the case's: it carries the case's number, the matcher offered the case,
    or nothing points anywhere (no number, no candidate). Pure."""
    own = case_number is not None and w.case_number == case_number
    offered = case_id is not None and case_id in w.candidate_case_ids
    return own or offered or (w.case_number is None and not w.candidate_case_ids)


def not_waiting(missing: list[str], waiting: dict[str, int]) -> list[str]:
    """Missing document types less those waiting in our review queue (the case's `missing`). Pure."""
    return [t for t in missing if t not in waiting]


def hold_for_queue(reminders: list[DueReminder], waiting: dict[str, int]) -> tuple[list[DueReminder], list[str]]:
    """Drop missing-document and defense reminders for types that wait in our own review queue.

    Returns the reminders still due and the held types with their evidence. Pure.
    """
    kept: list[DueReminder] = []
    held: list[str] = []
    for r in reminders:
        if r.kind not in (MISSING, DEFENSE_DUE):
            kept.append(r)
            continue
        keep = [i for i, t in enumerate(r.doc_types) if t not in waiting]
        held += [f"{t} (document {waiting[t]} waits in review)" for t in r.doc_types if t in waiting]
        if len(keep) == len(r.doc_types):
            kept.append(r)
        elif keep:
            kept.append(DueReminder(
                r.kind, r.due, tuple(r.doc_types[i] for i in keep),
                tuple(r.reasons[i] for i in keep) if len(r.reasons) == len(r.doc_types) else r.reasons,
                tuple(r.bases[i] for i in keep) if len(r.bases) == len(r.doc_types) else r.bases,
            ))
    return kept, held


def load_case_snapshot(session: Session, case: Case, settings: NotifySettings) -> CaseSnapshot:
    """Everything the rules need about one case, as plain data."""
    return _case_snapshot(case, [d for d, _ in _received_docs(session, case.id, settings)])


def load_case_snapshots(session: Session, cases: Sequence[Case], settings: NotifySettings) -> dict[int, CaseSnapshot]:
    """`load_case_snapshot` for many cases, with one query per 500 cases."""
    out: dict[int, CaseSnapshot] = {}
    for i in range(0, len(cases), 500):
        chunk = cases[i : i + 500]
        received: dict[int, list[ReceivedDoc]] = {}
        # Columns, not documents and messages: the rules need five values of each. Of the document's
        # fields only the dates, read by the database: decoding every document's fields cost more than the rest.
        rows = session.execute(
            select(Document.case_id, Document.doc_type, Document.fields["doc_date"].as_string(),
                   Document.fields["hearing_at"].as_string(), Document.id, Message.id, Message.received_at)
            .join(Attachment, Document.attachment_id == Attachment.id)
            .join(Message, Attachment.message_id == Message.id)
            .where(
                Document.case_id.in_([c.id for c in chunk]),
                Document.match_status.in_(ACCEPTED_MATCHES),
                Attachment.status.in_(READABLE_ATTACHMENTS),
                Message.status.in_(sorted(settings.receipt_statuses)),
            )
            .order_by(Message.received_at, Document.id)
        )
        for case_id, doc_type, doc_date, hearing_at, doc_id, msg_id, received_at in rows:
            fields = {"doc_date": doc_date, "hearing_at": hearing_at}
            received.setdefault(case_id, []).append(
                received_doc(doc_type, local_date(received_at, settings), fields, msg_id, doc_id))
        for case in chunk:
            out[case.id] = _case_snapshot(case, received.get(case.id, []))
    return out


def _case_snapshot(case: Case, docs: list[ReceivedDoc]) -> CaseSnapshot:
    agency = case.agency
    return CaseSnapshot(
        case_id=case.id,
        case_number=case.case_number,
        case_type=case.case_type,
        documents=tuple(docs),
        notice_date=case.notice_date,
        hearing_at=case.hearing_at,
        hearing_place=case.hearing_place,
        decision_type=case.decision_type,
        decision_date=case.decision_date,
        outcome=case.outcome,
        agency_id=case.agency_id,
        agency_name=agency.name if agency else None,
        agency_role=case.agency_role,
        court=case.court,
    )


def due_reminders(
    snapshot: CaseSnapshot, as_of: date, calendar: WorkCalendar, settings: NotifySettings
) -> list[DueReminder]:
    """Reminders due for one case as of `as_of`. Pure."""
    out: list[DueReminder] = []
    received = {d.doc_type for d in snapshot.received_by(as_of)}

    by_due: dict[date, list[MissingItem]] = {}
    for item in evaluate_missing(snapshot, as_of, calendar, settings.rules):
        by_due.setdefault(item.due, []).append(item)
    for due, items in sorted(by_due.items()):
        out.append(
            DueReminder(
                MISSING,
                due,
                tuple(i.doc_type for i in items),
                tuple(i.reason for i in items),
                tuple(i.basis for i in items),
            )
        )

    # Documents still missing N working days after their reminder became due: remind again, then tell staff.
    # (The sweep also checks that the step before was actually queued N working days earlier.)
    n = settings.escalate_after_workdays
    for due, items in sorted(by_due.items()) if n > 0 else ():
        for kind, steps in ((MISSING_AGAIN, 1), (ESCALATION, 2)):
            if as_of >= calendar.add_workdays(due, n * steps):
                out.append(DueReminder(kind, due, tuple(i.doc_type for i in items), tuple(i.reason for i in items),
                                       tuple(i.basis for i in items)))

    exempt = snapshot.case_type in settings.rules.exempt_case_types
    notice = notice_date_of(snapshot)
    if not exempt and notice is not None and "notice_to_respond" in received and "defense" not in received:
        due = calendar.deadline_after_days(notice, settings.defense_days)
        if (due - as_of).days in range(0, settings.defense_lead_days + 1):
            reason = f"notice dated {notice} + {settings.defense_days} days"
            out.append(DueReminder(DEFENSE_DUE, due, ("defense",), (reason,)))

    decided = decision_date_of(snapshot)
    final = any((snapshot.case_type or "").endswith(s) for s in settings.final_case_type_suffixes)
    decision_received = snapshot.decision_type is not None and snapshot.decision_type in received
    appealable = not final and not exempt and snapshot.outcome in settings.appeal_outcomes
    if decided is not None and decision_received and appealable:
        days = settings.appeal_days_judgment if snapshot.decision_type == "judgment" else settings.appeal_days_ruling
        due = calendar.deadline_after_days(decided, days)
        if as_of <= due:
            reason = f"{snapshot.decision_type} dated {decided}"
            out.append(DueReminder(APPEAL_WINDOW, due, (snapshot.decision_type or "judgment",), (reason,)))

    if snapshot.hearing_at is not None and "summons" in received:
        hearing = snapshot.hearing_at.date()
        start = calendar.add_workdays(hearing, -settings.hearing_lead_workdays)
        if start <= as_of < hearing:
            out.append(DueReminder(HEARING, hearing, (), (f"hearing at {snapshot.hearing_at.isoformat()}",)))
    return out


def _recipient(session: Session, case: Case, settings: NotifySettings) -> str | None:
    """Where the agency last filed this case from; else its first registered address."""
    return _last_senders(session, [case.id], settings).get(case.id) or _first_address(case)


def _first_address(case: Case) -> str | None:
    agency: Agency | None = case.agency
    if agency is not None and agency.addresses:
        return agency.addresses[0].address
    return None


def _render(
    renderer: EmailRenderer, reminder: DueReminder, snapshot: CaseSnapshot, as_of: date, settings: NotifySettings,
    sent: dict[str, str] | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) for one reminder."""
    lh = settings.letterhead()
    agency = snapshot.agency_name or "贵单位"
    number = snapshot.case_number or "（案号待核实）"
    court = snapshot.court or "人民法院"
    today = cn_date(as_of)
    sent = sent or {}
    if reminder.kind in (MISSING, MISSING_AGAIN):
        labels = tuple(doc_label(t) for t in reminder.doc_types)
        received = tuple(doc_label(t) for t in _ordered_types(snapshot, as_of))
        what = "、".join(labels) if len(labels) <= 2 else f"{labels[0]}、{labels[1]}等{len(labels)}份材料"
        prefix = "【再次催报】" if reminder.kind == MISSING_AGAIN else "【材料催报】"
        subject = f"{prefix}{number}案件{what}尚未报送"
        view: Any = MissingReminderView(
            lh, agency, number, labels, cn_date(reminder.due), _missing_basis(reminder, snapshot, settings),
            received, today,
        )
    elif reminder.kind == ESCALATION:
        labels = tuple(doc_label(t) for t in reminder.doc_types)
        subject = f"【催报未果】{agency}{number}案件{'、'.join(labels)}经两次催报仍未报送"
        view = EscalationView(lh, agency, number, labels, cn_date(reminder.due), sent.get(MISSING, "—"),
                              sent.get(MISSING_AGAIN, "—"), today)
    elif reminder.kind == DEFENSE_DUE:
        notice = notice_date_of(snapshot)
        assert notice is not None
        subject = f"【期限提醒】{number}案件答辩期限将于{cn_date(reminder.due)}届满"
        view = DefenseDueView(lh, agency, number, court, cn_date(notice), cn_date(reminder.due),
                              (reminder.due - as_of).days, today)
    elif reminder.kind == APPEAL_WINDOW:
        decided = decision_date_of(snapshot)
        assert decided is not None and snapshot.decision_type is not None
        label = DECISION_DOC_LABELS.get(snapshot.decision_type, "裁判文书")
        days = settings.appeal_days_judgment if snapshot.decision_type == "judgment" else settings.appeal_days_ruling
        subject = f"【上诉期提醒】{number}案件上诉期限最早将于{cn_date(reminder.due)}届满"
        view = AppealWindowView(lh, agency, number, court, label, cn_date(decided), days, cn_date(reminder.due),
                                "上一级人民法院", OUTCOME_LABELS.get(snapshot.outcome, "裁判结果待确认"), today)
    elif reminder.kind == HEARING:
        assert snapshot.hearing_at is not None
        subject = f"【有庭必出】{number}案件将于{cn_date(reminder.due)}开庭，请负责人出庭应诉"
        view = HearingView(lh, agency, number, court, cn_datetime(snapshot.hearing_at),
                           snapshot.hearing_place or "法院指定地点（详见传票）", (reminder.due - as_of).days, today)
    else:  # pragma: no cover
        raise ValueError(f"unknown reminder kind {reminder.kind}")
    rendered = renderer.render(reminder.kind, subject, view)
    return rendered.subject, rendered.text, rendered.html


def _ordered_types(snapshot: CaseSnapshot, as_of: date) -> list[str]:
    types = {d.doc_type for d in snapshot.received_by(as_of)}
    return [t for t in DOC_ORDER if t in types]


def _missing_basis(reminder: DueReminder, snapshot: CaseSnapshot, settings: NotifySettings) -> str:
    """Why the bureau says so, in Chinese, from the same facts the rules used."""
    rules = settings.rules
    parts: list[str] = []
    by_basis = dict(zip(reminder.doc_types, reminder.bases, strict=True))
    start = defense_clock_start(snapshot)
    if by_basis.get("defense") in ("notice", "notice_received") and start is not None:
        notice, dated = start
        since = f"该案应诉通知书落款日期为{cn_date(notice)}" if dated else f"我局于{cn_date(notice)}收到该案应诉通知书"
        parts.append(
            f"{since}，按{rules.defense_days}日答辩期及提交后"
            f"{rules.grace_workdays}个工作日内报送的要求，答辩状最迟应于{cn_date(reminder.due)}报送。"
        )
    if by_basis.get("appearance_record") == "hearing" and snapshot.hearing_at is not None:
        parts.append(
            f"该案已于{cn_date(snapshot.hearing_at.date())}开庭审理，负责人出庭应诉情况材料应于庭审后"
            f"{rules.hearing_grace_workdays}个工作日内（最迟{cn_date(reminder.due)}）报送。"
        )
    inferred = [t for t, b in by_basis.items() if b == "documents"]
    got = [doc_label(t) for t in _ordered_types(snapshot, reminder.due)]
    if inferred and got:
        missing = "、".join(doc_label(t) for t in inferred)
        parts.append(f"截至{cn_date(reminder.due)}，我局已收到该案的{'、'.join(got)}，但未收到{missing}。")
    return "".join(parts)


CHUNK = 500  # cases per round of queries: a sweep's queries grow with the store by chunks, not cases


def _cases_due(
    session: Session, as_of: date, settings: NotifySettings, calendar: WorkCalendar
) -> Iterator[list[tuple[Case, CaseSnapshot, list[DueReminder], list[str]]]]:
    """Every case with its snapshot, the reminders due and those held for the queue, a chunk at a time
    (each chunk's cases and documents read in a few queries)."""
    waiting = waiting_index(waiting_by_agency(session, settings))
    none = AgencyWaiting(())
    ids = session.scalars(select(Case.id).order_by(Case.id)).all()
    for i in range(0, len(ids), CHUNK):
        cases = session.scalars(
            select(Case).where(Case.id.in_(ids[i : i + CHUNK])).order_by(Case.id).options(joinedload(Case.agency))
        ).all()
        snapshots = load_case_snapshots(session, cases, settings)
        out = []
        for case in cases:
            snapshot = snapshots[case.id]
            queued = waiting.get(case.agency_id or -1, none).types(case.id, case.case_number, as_of)
            due, held = hold_for_queue(due_reminders(snapshot, as_of, calendar, settings), queued)
            out.append((case, snapshot, due, held))
        yield out


def planned_reminders(session: Session, as_of: date, settings: NotifySettings) -> list[PlannedReminder]:
    """Every reminder due as of `as_of` (for `filing eval` and dry runs); reads only."""
    out: list[PlannedReminder] = []
    for chunk in _cases_due(session, as_of, settings, settings.work_calendar()):
        for case, _snapshot, due, _held in chunk:
            for r in due:
                key = r.key(case.id, case.case_number)
                out.append(PlannedReminder(key, r.kind, case.id, case.case_number, r.due, r.doc_types))
    return out


def _last_senders(session: Session, case_ids: Sequence[int], settings: NotifySettings) -> dict[int, str]:
    """Per case, the address the agency last filed it from (a reminder goes there; else to the agency's
    first registered address), in one query."""
    out: dict[int, str] = {}
    if not case_ids:
        return out
    rows = session.execute(
        select(Document.case_id, Message.from_address)
        .join(Attachment, Document.attachment_id == Attachment.id)
        .join(Message, Attachment.message_id == Message.id)
        .where(
            Document.case_id.in_(case_ids),
            Document.match_status.in_(ACCEPTED_MATCHES),
            Attachment.status.in_(READABLE_ATTACHMENTS),
            Message.status.in_(sorted(settings.receipt_statuses)),
        )
        .order_by(Message.received_at, Document.id)
    )
    for case_id, address in rows:
        if address and case_id is not None:
            out[case_id] = address  # the last one wins
    return out


def sweep_reminders(
    session: Session, as_of: date, settings: NotifySettings, renderer: EmailRenderer | None = None
) -> SweepReport:
    """Enqueue every reminder due as of `as_of` that is not already in the outbox. The caller commits."""
    calendar = settings.work_calendar()
    renderer = renderer or EmailRenderer(settings.templates_dir)
    report = SweepReport(as_of=as_of)
    queued_now: set[str] = set()
    for chunk in _cases_due(session, as_of, settings, calendar):
        keys = [r.key(case.id, case.case_number) for case, snap, due, _ in chunk if snap.documents for r in due]
        existing = set(session.scalars(select(OutboxMessage.idempotency_key)
                                       .where(OutboxMessage.idempotency_key.in_(keys)))) if keys else set()
        senders: dict[int, str] | None = None  # read once per chunk, when a reminder needs an address
        steps = _EarlierSteps(session, chunk)
        pending: list[OutboxMessage] = []
        for case, snapshot, due, held in chunk:
            if not snapshot.documents:
                continue
            report.cases += 1
            if held:
                report.held += [f"{case.case_number or case.id}: {h}" for h in held]
                log.info("reminders held for %s: %s", case.case_number, "; ".join(held))
            for reminder in due:
                key = reminder.key(case.id, case.case_number)
                report.keys.append(key)
                report.doc_types[key] = reminder.doc_types
                if key in existing:
                    report.already_queued += 1
                    continue
                sent: dict[str, str] = {}
                if reminder.kind in ESCALATES and not _escalation_ready(steps, case, reminder, settings, sent,
                                                                          queued_now):
                    continue
                if reminder.kind == ESCALATION:
                    to_addrs = list(settings.staff_addresses)
                else:
                    if senders is None:
                        senders = _last_senders(session, [c.id for c, *_ in chunk], settings)
                    to_addrs = [a for a in [senders.get(case.id) or _first_address(case)] if a]
                if not to_addrs:
                    report.no_address.append(case.case_number or f"case {case.id}")
                    log.warning("no address for %s: reminder %s not queued", case.case_number, key)
                    continue
                subject, text, html = _render(renderer, reminder, snapshot, as_of, settings, sent)
                for i, to_addr in enumerate(to_addrs):
                    # One row per staff address; the first keeps the plain key the next step looks for.
                    row_key = key if i == 0 else f"{key}:{to_addr}"
                    row = new_row(
                        NewEmail(
                            idempotency_key=row_key,
                            kind=reminder.kind,
                            to_addr=to_addr,
                            subject=subject,
                            header_message_id=stable_message_id(reminder.kind.replace("_", "-"), row_key,
                                                                settings.receipt_domain),
                            body_text=text,
                            body_html=html,
                            case_numbers=(case.case_number,) if case.case_number else (),
                            case_id=case.id,
                            due_date=reminder.due,
                        ),
                    )
                    # Inserted with the chunk's other rows below; later steps of this sweep see it now.
                    steps.add(row)
                    queued_now.add(row_key)
                    pending.append(row)
        for row, created in zip(pending, enqueue_rows(session, pending), strict=True):
            if created:
                report.queued[row.kind] += 1
            else:
                report.already_queued += 1
    return report


class _EarlierSteps:
    """The outbox rows of the steps a chunk's escalating reminders follow, and which of them were
    answered: two queries per chunk of cases, not two per reminder."""

    def __init__(self, session: Session, chunk: Sequence[tuple[Case, CaseSnapshot, list[DueReminder], list[str]]]):
        keys = sorted({DueReminder(kind, r.due).key(case.id, case.case_number)
                       for case, snapshot, due, _ in chunk if snapshot.documents
                       for r in due if r.kind in ESCALATES for kind in (MISSING, MISSING_AGAIN)})
        self.rows: dict[str, OutboxMessage] = {}
        if keys:
            self.rows = {r.idempotency_key: r for r in session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.in_(keys)))}
        ids = sorted(r.header_message_id for r in self.rows.values())
        self.answered: set[str | None] = set()
        if ids:
            self.answered = set(session.scalars(select(Message.in_reply_to).where(Message.in_reply_to.in_(ids))))

    def add(self, row: OutboxMessage) -> None:
        """A row this sweep queued (it is no earlier step, but its date is known)."""
        self.rows.setdefault(row.idempotency_key, row)


def _escalation_ready(
    steps: _EarlierSteps, case: Case, reminder: DueReminder, settings: NotifySettings, sent: dict[str, str],
    queued_now: set[str],
) -> bool:
    """The step before went out in an earlier sweep and nobody answered it (no reply to that email).

    The timing (N working days per step) is due_reminders'; a sweep catching up after a pause therefore
    sends one step per day, never both at once. Fills `sent` with the local dates the earlier steps were queued.
    """
    before = ESCALATES[reminder.kind]
    for kind in (MISSING, MISSING_AGAIN):
        row = steps.rows.get(DueReminder(kind, reminder.due).key(case.id, case.case_number))
        if row is not None:
            sent[kind] = cn_date(local_date(row.created_at or utcnow(), settings))  # not flushed yet: today
        if kind != before:
            continue
        if row is None or row.status == "cancelled" or row.idempotency_key in queued_now:
            return False
        return row.header_message_id not in steps.answered
    return False  # pragma: no cover
