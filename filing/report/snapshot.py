"""Load the report's input from the database: plain snapshots, no ORM objects past this module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    case,
    column,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from cases.facts import REPORT_FACTS, fact_of
from filing.report.types import AgencyRef, ComplianceSnap, ReportInput
from notify.reminders import waiting_docs, waiting_index
from store import models as m
from terms.dates import DEFAULT_TIMEZONE, iso_date, iso_datetime
from terms.snapshot import AppearanceRecord, CaseSnapshot, HearingFact, received_doc
from terms.status import (
    ACCEPTED_MATCHES,
    FILED_STATUSES,
    READABLE_ATTACHMENTS,
    ComplianceStatus,
    FactCheckStatus,
    Outcome,
)

# A document counts as filed by the agency once it is matched to its case and its message was filed
# (not quarantined, not a duplicate) from a readable attachment.
DECISION_FACTS = frozenset({"decision_date", "decision_type", "outcome"})


def _datetime(v: Any) -> datetime | None:
    at = iso_datetime(v)
    return at.replace(tzinfo=None) if at else None


def _bool(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


class _Doc(NamedTuple):
    """The columns of a document the report reads (whole rows would decode their evidence too)."""

    id: int
    case_id: int | None
    doc_type: str
    fields: dict[str, Any]


# The keys of a document's fields the report reads (`_Doc.fields` holds only these). The database takes
# them out as one small JSON array: decoding each document's whole field dict (some 800 bytes of escaped
# JSON) was a fifth of a report's time at 100x the sample. SQLite's json_extract takes several paths in
# one call (true stays true, a missing key is null); PostgreSQL's json (not jsonb) is parsed once, by
# json_to_record (`->` per key would parse the text again for each key: measured slower than Python).
FIELD_KEYS = ("doc_date", "hearing_at", "head_present", "head_principal", "head_title")


def _doc_select(dialect: str, *extra: Any) -> Select[Any]:
    """Documents joined to their attachments and messages, selecting id, case id, type, the `FIELD_KEYS`
    values, then `extra` (read back with `_doc`)."""
    base = (m.Document.id, m.Document.case_id, m.Document.doc_type)
    record = None
    if dialect == "sqlite":
        keys: Any = type_coerce(func.json_extract(m.Document.fields, *(f"$.{k}" for k in FIELD_KEYS)), JSON)
    elif dialect == "postgresql":
        obj = case((func.json_typeof(m.Document.fields) == "object", m.Document.fields))  # else no keys
        record = (func.json_to_record(obj).table_valued(*(column(k, JSON) for k in FIELD_KEYS))
                  .render_derived(name="doc_fields", with_types=True))
        keys = type_coerce(func.json_build_array(*(record.c[k] for k in FIELD_KEYS)), JSON)
    else:
        keys = m.Document.fields
    stmt = (select(*base, keys, *extra)
            .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
            .join(m.Message, m.Attachment.message_id == m.Message.id))
    return stmt if record is None else stmt.join(record, true())


def _doc(row: Any) -> _Doc:
    """A row of `_doc_select` as a `_Doc`."""
    values = row[3]
    if isinstance(values, list):
        fields = {k: v for k, v in zip(FIELD_KEYS, values, strict=True) if v is not None}
    else:
        fields = {k: values[k] for k in FIELD_KEYS if values.get(k) is not None} if isinstance(values, dict) else {}
    return _Doc(row[0], row[1], row[2], fields)


class _CaseRow(NamedTuple):
    """The columns of a case the report reads (a whole row would decode its party lists too)."""

    id: int
    case_number: str | None
    agency_id: int | None
    case_type: str | None
    agency_role: str | None
    cause_category: str | None
    notice_date: date | None
    hearing_at: datetime | None
    head_present: bool | None
    head_principal: bool | None
    head_title: str | None
    outcome: str | None
    decision_type: str | None
    decision_date: date | None
    appeal_of_id: int | None
    human_fields: list[Any] | None


_CASE_COLUMNS = tuple(getattr(m.Case, name) for name in _CaseRow._fields)


def _first(docs: list[tuple[_Doc, date, int]], types: tuple[str, ...], has: str | None = None) -> date | None:
    """The first day a document of these types (that states `has`) arrived; date.max when none did, so a
    fact no document shows is never counted as known (a person's value is, see load_input)."""
    days = [day for d, day, _ in docs if d.doc_type in types and (has is None or d.fields.get(has) is not None)]
    return min(days, default=date.max)


# Outcomes that end a case: a case that ended before the report's window has no part in it.
class _Fact(NamedTuple):
    """The columns of a hearing-time fact the report reads."""

    case_id: int
    value: Any
    document_id: int | None
    actor: str
    at: datetime


_FACT_COLUMNS = (m.CaseFact.case_id, m.CaseFact.value, m.CaseFact.document_id, m.CaseFact.actor, m.CaseFact.at)
CONCLUDED = (Outcome.agency_won, Outcome.agency_lost, Outcome.withdrawn)
CHUNK = 500


def _chunks(dialect: str, ids: list[int]) -> Iterator[list[int]]:
    """The ids in lists one statement can take: all at once as one array parameter on PostgreSQL,
    CHUNK at a time on SQLite (a bound-parameter limit)."""
    if dialect == "postgresql":
        if ids:
            yield ids
        return
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _among(dialect: str, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL `= ANY(array)`: one parameter, where an IN list of thousands made
    the driver parse a long statement text for every query."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def relevant_case_ids(session: Session, since: date, until: date, tz: ZoneInfo) -> list[int]:
    """Cases a report looking at `since`..`until` may use: open ones, ones with a date or a received
    document in the window, ones whose number names a year of it, ones with a fact waiting for a person;
    then their first instances and appeals."""
    since_at = datetime.combine(since, time.min, tz)
    received = (
        select(m.Document.case_id)
        .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
        .join(m.Message, m.Attachment.message_id == m.Message.id)
        .where(m.Document.case_id.is_not(None), m.Message.received_at >= since_at)
    )
    # Only checks of facts a figure uses make a case the report's (a head's name is no figure).
    open_checks = select(m.FactCheck.case_id).where(m.FactCheck.status == FactCheckStatus.open,
                                                    m.FactCheck.fact.in_(sorted(REPORT_FACTS)))
    years = [
        cond
        for y in range(since.year, until.year + 1)
        for cond in (m.Case.case_number.like(f"（{y}）%"), m.Case.case_number.like(f"({y})%"))
    ]
    conn = session.connection()  # Core rows: the ORM's per-row work buys nothing for plain columns
    ids = set(
        conn.scalars(
            select(m.Case.id).where(
                or_(
                    m.Case.outcome.not_in(CONCLUDED),
                    m.Case.decision_date.is_(None),
                    m.Case.decision_date >= since,
                    m.Case.notice_date >= since,
                    m.Case.hearing_at >= datetime.combine(since, time.min),
                    m.Case.id.in_(received),
                    # A fact waiting for a person is withheld (its stored value may be the wrong one):
                    # such a case may belong to any period until the person decides.
                    m.Case.id.in_(open_checks),
                    *years,
                )
            )
        )
    )
    related: set[int] = set()
    listed = sorted(ids)
    dialect = session.get_bind().dialect.name
    for chunk in _chunks(dialect, listed):
        related.update(
            x for x in conn.scalars(select(m.Case.appeal_of_id).where(_among(dialect, m.Case.id, chunk))) if x)
        related.update(conn.scalars(select(m.Case.id).where(_among(dialect, m.Case.appeal_of_id, chunk))))
    return sorted(ids | related)


def load_input(
    session: Session, as_of: date, timezone: str = DEFAULT_TIMEZONE, window: tuple[date, date] | None = None
) -> ReportInput:
    """The agencies and cases, with the documents the bureau received, as of `as_of`: every case,
    or with `window` (first and last day a report looks at) only those `relevant_case_ids` names."""
    tz = ZoneInfo(timezone)
    # The statements below select plain columns: run on the connection, their rows skip the ORM's loading
    # (and its autoflush, done here once).
    session.flush()
    conn = session.connection()
    agencies = tuple(
        AgencyRef(a.id, a.code, a.name, a.short_name or "")
        for a in session.scalars(select(m.Agency).order_by(m.Agency.id))
    )
    if window is None:
        case_ids = list(conn.scalars(select(m.Case.id).order_by(m.Case.id)))
    else:
        case_ids = relevant_case_ids(session, window[0], window[1], tz)
    docs_by_case: dict[int, list[tuple[_Doc, date, int]]] = defaultdict(list)
    received_on: dict[int, date] = {}
    facts_by_case: dict[int, list[_Fact]] = defaultdict(list)
    case_rows: list[_CaseRow] = []
    dialect = session.get_bind().dialect.name
    for chunk in _chunks(dialect, case_ids):
        # Only the columns needed from messages and attachments: fewer rows loaded, less coupling.
        doc_rows = conn.execute(
            _doc_select(dialect, m.Message.id, m.Message.received_at, m.Message.status, m.Attachment.status)
            .where(_among(dialect, m.Document.case_id, chunk), m.Document.match_status.in_(ACCEPTED_MATCHES))
            .order_by(m.Document.id)
        )
        for row in doc_rows:
            d = _doc(row)
            message_id, received_at, msg_status, att_status = row[-4:]
            day = received_at.astimezone(tz).date()
            received_on[d.id] = day
            if msg_status in FILED_STATUSES and att_status in READABLE_ATTACHMENTS and d.case_id is not None:
                docs_by_case[d.case_id].append((d, day, message_id))
        for fact in conn.execute(
            select(*_FACT_COLUMNS)
            .where(m.CaseFact.field == "hearing_at", _among(dialect, m.CaseFact.case_id, chunk))
            .order_by(m.CaseFact.id)
        ):
            facts_by_case[fact.case_id].append(_Fact(*fact))
        case_rows.extend(_CaseRow(*c) for c in conn.execute(
            select(*_CASE_COLUMNS).where(_among(dialect, m.Case.id, chunk)).order_by(m.Case.id)))
    # A hearing fact may name a document filed to another case since: its dates are needed too.
    elsewhere = {
        f.document_id for fs in facts_by_case.values() for f in fs
        if f.document_id is not None and f.document_id not in received_on
    }
    doc_dates = {d.id: iso_date(d.fields.get("doc_date")) for docs in docs_by_case.values() for d, _, _ in docs}
    if elsewhere:
        for row in conn.execute(
            _doc_select(dialect, m.Message.received_at, m.Message.status, m.Attachment.status)
            .where(_among(dialect, m.Document.id, sorted(elsewhere)), m.Document.match_status.in_(ACCEPTED_MATCHES))
        ):
            d = _doc(row)
            received_at, msg_status, att_status = row[-3:]
            received_on[d.id] = received_at.astimezone(tz).date()
            if msg_status in FILED_STATUSES and att_status in READABLE_ATTACHMENTS and d.case_id is not None:
                doc_dates[d.id] = iso_date(d.fields.get("doc_date"))
    waiting: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for chunk in _chunks(dialect, case_ids):
        for chk in conn.execute(
            select(m.FactCheck.case_id, m.FactCheck.fact, m.FactCheck.id, m.FactCheck.reason)
            .where(m.FactCheck.status == FactCheckStatus.open, _among(dialect, m.FactCheck.case_id, chunk),
                   m.FactCheck.fact.in_(sorted(REPORT_FACTS)))
            .order_by(m.FactCheck.id)
        ):
            waiting[chk.case_id].append((chk.fact, chk.id, chk.reason))
    queue = waiting_index(
        waiting_docs(session, FILED_STATUSES, tz, {c.agency_id for c in case_rows if c.agency_id is not None}))
    rects: dict[int, Any] = {}  # case id → (case_id, status, due_date, done_on)
    for chunk in _chunks(dialect, case_ids):
        for r in conn.execute(
            select(m.Rectification.case_id, m.Rectification.status, m.Rectification.due_date, m.Rectification.done_on)
            .where(_among(dialect, m.Rectification.case_id, chunk))
        ):
            rects[r.case_id] = r

    cases = []
    for c in case_rows:
        docs = docs_by_case.get(c.id, [])
        # Only facts a figure uses: a doubtful plaintiff or court name waits for a person, not the report.
        unverified = tuple(w for w in waiting.get(c.id, ()) if w[0] in REPORT_FACTS)
        human = {fact_of(a) for a in (c.human_fields or [])}
        # A fact waiting for a person is not used (a person's own value is, even when a later document
        # disagrees); the case is listed under 待核实 instead.
        withheld = {f for f, _, _ in unverified if f not in human}
        no_decision = bool(withheld & DECISION_FACTS)
        no_head = bool(withheld & {"head_present", "head_role"})
        hearing_facts = []
        for f in facts_by_case.get(c.id, []):
            at = _datetime(f.value)
            if at is None:
                continue
            set_on = None
            if f.document_id is not None:
                set_on = doc_dates.get(f.document_id) or received_on.get(f.document_id)
            known_on = received_on.get(f.document_id, date.max) if f.document_id is not None else (
                None if f.actor != "system" else f.at.astimezone(tz).date())
            hearing_facts.append(HearingFact(at, set_on or f.at.astimezone(tz).date(), f.document_id, known_on))
        if "hearing_at" in withheld:
            hearing_facts = []
        records = tuple(
            AppearanceRecord(
                hearing_at=_datetime(d.fields.get("hearing_at")),
                head_present=None if no_head else _bool(d.fields.get("head_present")),
                head_principal=None if no_head else _bool(d.fields.get("head_principal")),
                head_title=d.fields.get("head_title"),
                received_on=day,
                document_id=d.id,
            )
            for d, day, _ in docs
            if d.doc_type == "appearance_record"
        )
        received = tuple(
            received_doc(d.doc_type, day, d.fields, message_id, d.id)
            for d, day, message_id in docs
        )

        decision_doc = {"judgment": ("judgment",), "ruling": ("ruling",)}.get(c.decision_type or "",
                                                                               ("judgment", "ruling"))
        cases.append(
            CaseSnapshot(
                case_id=c.id,
                case_number=c.case_number,
                agency_id=c.agency_id,
                case_type=c.case_type,
                agency_role=c.agency_role,
                cause_category=c.cause_category,
                notice_date=None if "notice_date" in withheld else c.notice_date,
                first_received=min((r.received_on for r in received), default=None),
                hearing_at=c.hearing_at.replace(tzinfo=None) if c.hearing_at and "hearing_at" not in withheld
                else None,
                hearing_facts=tuple(hearing_facts),
                appearance_records=records,
                head_present=None if no_head else c.head_present,
                head_principal=None if no_head else c.head_principal,
                head_title=c.head_title,
                outcome=Outcome.pending if no_decision else (c.outcome or Outcome.pending),
                decision_type=None if no_decision else c.decision_type,
                decision_date=None if no_decision else c.decision_date,
                appeal_of_id=c.appeal_of_id,
                documents=received,
                notice_received_on=None if "notice_date" in human else _first(docs, ("notice_to_respond",)),
                decision_received_on=None if human & DECISION_FACTS else _first(docs, decision_doc),
                head_received_on=None if human & {"head_present", "head_role"}
                else _first(docs, ("appearance_record", "judgment"), "head_present"),
                unverified=unverified,
                queued=tuple((w.doc_type, w.received_on)
                             for w in (queue[c.agency_id].for_case(c.id, c.case_number)
                                       if c.agency_id in queue else ())),
                rectification_status=rects[c.id].status if c.id in rects else None,
                rectification_due=rects[c.id].due_date if c.id in rects else None,
                rectified_on=rects[c.id].done_on if c.id in rects else None,
            )
        )
    return ReportInput(agencies, tuple(cases), as_of, load_compliances(session))


def load_compliances(session: Session) -> tuple[ComplianceSnap, ...]:
    """Every tracked compliance (few: one per effective loss), whatever the report's window: an old
    judgment still unperformed is overdue in every later report."""
    rows = session.execute(
        select(m.Compliance, m.Case.case_number, m.Case.agency_id)
        .join(m.Case, m.Compliance.case_id == m.Case.id)
        .where(m.Compliance.status != ComplianceStatus.void)
        .order_by(m.Compliance.id)
    )
    return tuple(ComplianceSnap(c.case_id, number, agency_id, c.effective_on, c.order_text, c.due_date, c.status,
                                c.done_on) for c, number, agency_id in rows)
