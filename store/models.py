"""SQLAlchemy 2 typed models: the ledger of everything received and decided."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.clock import utcnow
from store.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    addresses: Mapped[list[AgencyAddress]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="AgencyAddress.id"
    )


class AgencyAddress(Base):
    __tablename__ = "agency_addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320), unique=True)  # lowercased addr-spec
    agency: Mapped[Agency] = relationship(back_populates="addresses")


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    court: Mapped[str | None] = mapped_column(String(200))
    court_code: Mapped[str | None] = mapped_column(String(16))
    case_type: Mapped[str | None] = mapped_column(String(8))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    agency_role: Mapped[str | None] = mapped_column(String(16))
    plaintiffs: Mapped[list[Any]] = mapped_column(default=list)
    third_parties: Mapped[list[Any]] = mapped_column(default=list)
    cause: Mapped[str | None] = mapped_column(String(200))
    cause_category: Mapped[str | None] = mapped_column(String(64))
    notice_date: Mapped[date | None] = mapped_column(Date)
    hearing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    hearing_place: Mapped[str | None] = mapped_column(String(200))
    head_present: Mapped[bool | None] = mapped_column(Boolean)
    head_principal: Mapped[bool | None] = mapped_column(Boolean)
    head_name: Mapped[str | None] = mapped_column(String(64))
    head_title: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    decision_type: Mapped[str | None] = mapped_column(String(16))
    decision_date: Mapped[date | None] = mapped_column(Date)
    disposition: Mapped[str | None] = mapped_column(Text)
    appeal_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # Case attributes a person entered or confirmed (cases.facts): extraction never overwrites them.
    human_fields: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency | None] = relationship()
    appeal_of: Mapped[Case | None] = relationship(remote_side="Case.id", foreign_keys="Case.appeal_of_id")
    documents: Mapped[list[Document]] = relationship(back_populates="case", order_by="Document.id")


class CaseFact(Base):
    """Every change of a case fact, traceable to the document (or person) that caused it."""

    __tablename__ = "case_facts"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    previous: Mapped[Any] = mapped_column(JSON, nullable=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)  # a person's reason for a change


class FactCheck(Base):
    """A case fact the report uses that waits for a person: missing, implausible, doubtful or contradicted."""

    __tablename__ = "fact_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    fact: Mapped[str] = mapped_column(String(32))  # the export's case field name (decision_date, head_role …)
    kind: Mapped[str] = mapped_column(String(16))  # cases.checks.CheckKind
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # cases.checks.CheckStatus
    reason: Mapped[str] = mapped_column(Text)  # Chinese, shown to the reviewer
    read_value: Mapped[Any] = mapped_column(JSON, nullable=True)  # what the machine read (None: nothing)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    page: Mapped[int | None] = mapped_column(Integer)  # page of the document's file where the fact should be
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_value: Mapped[Any] = mapped_column(JSON, nullable=True)

    case: Mapped[Case] = relationship()


class Rectification(Base):
    """Rectification (整改) of a lost case: what staff ask and by when, the agency's report, staff's confirmation."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    requirement: Mapped[str] = mapped_column(Text, default="")  # what is asked (Chinese, staff's words)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # terms.status.RectificationStatus
    report_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    received_at: Mapped[datetime | None] = mapped_column()  # when the agency's report arrived
    done_on: Mapped[date | None] = mapped_column(Date)  # the day staff say it was done
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()


class Compliance(Base):
    """Compliance (履行) with a lost decision in effect: what it orders, by when, and when it was performed."""

    __tablename__ = "compliances"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    effective_on: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(Text, default="")  # why it is in effect (Chinese)
    order_text: Mapped[str] = mapped_column(Text, default="")  # what it orders ("" : nothing read)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_basis: Mapped[str | None] = mapped_column(Text)  # the time phrase read, or a person's reason
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # terms.status.ComplianceStatus
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # Attributes a person entered (order_text, due_date, effective_on …): the sync never overwrites them.
    human_fields: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()


def _default_delivery_key(context: Any) -> str:
    return "sha256:" + str(context.get_current_parameters()["raw_sha256"])


class Message(Base):
    """One received email. The raw bytes live in blob storage under `raw_sha256`."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    # One row per delivery: the same bytes delivered twice are two rows, the second a duplicate.
    delivery_key: Mapped[str] = mapped_column(String(1200), unique=True, default=_default_delivery_key)
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    source: Mapped[str] = mapped_column(String(16))  # imap | import
    from_address: Mapped[str | None] = mapped_column(String(320))
    from_display: Mapped[str] = mapped_column(String(400), default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    sender_status: Mapped[str | None] = mapped_column(String(16))
    sender_evidence: Mapped[list[Any]] = mapped_column(default=list)
    # filed | quarantined | duplicate | failed | no_attachments | pending
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # received → parsed → extracted → classified → matched → notified (done) | parked
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    date_header: Mapped[datetime | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[Any]] = mapped_column(default=list)
    defects: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The process running this message's current step, and until when (store/claims.py); NULL: free.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claim_until: Mapped[datetime | None] = mapped_column()
    # A quarantined message a person released: "register" (sender now an agency address) or "once".
    release_mode: Mapped[str | None] = mapped_column(String(16))
    # A person decided this message gets no receipt (a release to a personal address, say).
    no_receipt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Discarded from quarantine (a person may undo it for 30 days; the message is never deleted).
    discarded_at: Mapped[datetime | None] = mapped_column()

    agency: Mapped[Agency | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.seq", cascade="all, delete-orphan"
    )


class MailboxFolder(Base):
    """Where polling stopped, per account and folder."""

    __tablename__ = "mailbox_folders"
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (UniqueConstraint("account", "folder"),)


class MailboxUid(Base):
    """One server copy we took: keyed by (account, folder, UIDVALIDITY, UID)."""

    __tablename__ = "mailbox_uids"
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    internaldate: Mapped[datetime | None] = mapped_column()
    # accepted | duplicate | oversized (see ingest.ledger.AcceptStatus)
    state: Mapped[str] = mapped_column(String(16), default="accepted")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))  # raw SHA-256 of the earlier message
    moved_at: Mapped[datetime | None] = mapped_column()  # server copy moved or flagged; NULL: move pending
    __table_args__ = (UniqueConstraint("account", "folder", "uidvalidity", "uid"),)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    parent_sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(8), default="ok")  # ok | error
    error_code: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)

    message: Mapped[Message] = relationship(back_populates="attachments")
    pages: Mapped[list[Page]] = relationship(
        back_populates="attachment", order_by="Page.number", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="attachment", order_by="Document.first_page", cascade="all, delete-orphan"
    )


class Page(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    preview_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # terms.status.PageQuality; "unreadable" pages keep what was read but are never taken as read.
    quality: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")
    quality_evidence: Mapped[str | None] = mapped_column(Text)

    attachment: Mapped[Attachment] = relationship(back_populates="pages")


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), index=True)
    first_page: Mapped[int] = mapped_column(Integer)
    last_page: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(32))
    type_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    title: Mapped[str | None] = mapped_column(String(200))
    case_number: Mapped[str | None] = mapped_column(String(64), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # auto | review | confirmed | none | not_litigation
    match_status: Mapped[str] = mapped_column(String(16), default="none")
    match_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attachment: Mapped[Attachment] = relationship(back_populates="documents")
    case: Mapped[Case | None] = relationship(back_populates="documents")
    candidates: Mapped[list[MatchCandidate]] = relationship(
        back_populates="document", order_by="MatchCandidate.rank", cascade="all, delete-orphan"
    )


class MatchCandidate(Base):
    """A scored candidate case for a document, with the evidence behind the score."""

    __tablename__ = "match_candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(default=list)

    document: Mapped[Document] = relationship(back_populates="candidates")
    case: Mapped[Case | None] = relationship()


class AuditEntry(Base):
    """Who decided what, when, with the state before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)


class RevokedSession(Base):
    """A web session ended by logout or login: its cookie must not work again, restarts included."""

    __tablename__ = "revoked_sessions"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RosterEntry(Base):
    """A registered litigation staff member of an agency (应诉人员报备)."""

    __tablename__ = "roster_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    post: Mapped[str] = mapped_column(String(64), default="")  # 职务, e.g. 副局长, 法制科科长
    qualification: Mapped[str] = mapped_column(String(100), default="")  # 法律职业资格
    phone: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str | None] = mapped_column(String(320), index=True)  # lowercased; a known sender
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)  # marked 负责人 whatever the post says
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    __table_args__ = (UniqueConstraint("agency_id", "name"),)


class AppearancePlan(Base):
    """Who an agency says will appear at a case's hearing (有庭必出): from a reply email or staff."""

    __tablename__ = "appearance_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    hearing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))  # the hearing it is for
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # terms.status.PlanRole
    source: Mapped[str] = mapped_column(String(16))  # reply | staff
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    roster_entry_id: Mapped[int | None] = mapped_column(ForeignKey("roster_entries.id", ondelete="SET NULL"))
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    actor: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(Base):
    """A user's secret calendar URL; only the token's SHA-256 is kept."""

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class OutboxMessage(Base):
    """An email to send. The row exists before any SMTP attempt; the Message-ID is fixed at insert."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # receipt | reminder_* | digest | report
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    header_message_id: Mapped[str] = mapped_column(String(300), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[Any]] = mapped_column(default=list)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    case_numbers: Mapped[list[Any]] = mapped_column(default=list)
    message_row_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    # queued | sending | sent | uncertain | dead | cancelled
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # reviewer | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lease(Base):
    """A named lease (scheduler, poller): one holder at a time across processes."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column()


class StepRun(Base):
    """One committed execution of a pipeline step: the evidence that no step ran twice."""

    __tablename__ = "step_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # the state the step started from
    attempt: Mapped[int] = mapped_column(Integer)  # Message.attempts when it started
    outcome: Mapped[str] = mapped_column(String(16))  # ok | failed
    to_state: Mapped[str] = mapped_column(String(16))
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column()
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # Two processes that both ran a step could not both commit it.
    __table_args__ = (UniqueConstraint("message_id", "step", "attempt"),)


class JobRun(Base):
    """The last run of each scheduled job, so a restart catches up a missed run exactly once."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_fire_at: Mapped[datetime | None] = mapped_column()  # the scheduled time of the last run
    last_started_at: Mapped[datetime | None] = mapped_column()
    last_finished_at: Mapped[datetime | None] = mapped_column()
    last_ok_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, default=0)


class DataVersion(Base):
    """One row: a number the database raises (by triggers, migration report_data_version) in every
    transaction that changes what a report reads. A report built after reading it is current for as long
    as it stays the same, so a kept report is never stale (filing.report.cache)."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


Index("ix_documents_status", Document.match_status)
# A case page finds its audit entries by object; re-matching finds an agency's recent messages and cases.
Index("ix_audit_log_object", AuditEntry.object_type, AuditEntry.object_id)
Index("ix_messages_agency_received", Message.agency_id, Message.received_at)
Index("ix_cases_agency_id", Case.agency_id)
# A case's filed documents, replies to our reminders, an agency's cases by time (scale_bounded_reads).
Index("ix_documents_case_status", Document.case_id, Document.match_status)
Index("ix_messages_in_reply_to", Message.in_reply_to)
Index("ix_cases_agency_created", Case.agency_id, Case.created_at)
