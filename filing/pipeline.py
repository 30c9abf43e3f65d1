"""The recipe: receive → parse → extract → classify → match → notify.

Each step runs in its own unit of work and advances `Message.state`; a step that
crashes leaves the state where it was, so the next run repeats just that step.
Slow work (OCR) happens outside any transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.fields import fields_to_json
from cases.filing import file_documents
from cases.plans import record_reply_plan
from extract.reading.signature_reread import BlockReader, cached_block_reads
from extract.reading.text import extract_files
from extract.types import Document, PageSource
from extract.types import Page as PageText
from extract.understanding.analyze import needs_date_reread, reread_decision_dates, understand
from filing.adapters import (
    extract_settings,
    jurisdiction,
    ocr_cache,
    queue_receipt_for,
    sender_policy,
    sender_registry,
    unpack_limits,
)
from filing.bootstrap import App
from ingest.parse import parse_message
from ingest.senders import check_sender
from ingest.sniff import CONTAINERS
from ingest.types import MimePart, SenderStatus
from ingest.unpack import unpack
from store import models as m
from terms.dates import local_date
from terms.errors import ErrorCode, FilingError
from terms.status import (
    PENDING_STATES,
    READABLE_ATTACHMENTS,
    TERMINAL_STATES,
    AttachmentStatus,
    MessageState,
    MessageStatus,
    PageQuality,
)

log = logging.getLogger(__name__)

STEPS = PENDING_STATES


@dataclass(frozen=True)
class Received:
    message_row_id: int
    created: bool


def receive(app: App, raw: bytes, *, received_at: datetime, source: str, delivery: str | None = None) -> Received:
    """Make a raw message durable: blob first (fsynced), then its ledger row.

    Idempotent per delivery: `delivery` names where this copy came from (a file path, an IMAP
    UID); by default the bytes themselves. The same bytes delivered again under another name
    become a second row that the parse step records as a duplicate.
    """
    sha = app.blobs.put(raw)
    key = f"{source}:{delivery}" if delivery else f"sha256:{sha}"
    with app.uow() as uow:
        existing = uow.session.scalar(select(m.Message.id).where(m.Message.delivery_key == key))
        if existing is not None:
            return Received(existing, False)
        row = m.Message(
            delivery_key=key, raw_sha256=sha, size=len(raw), source=source, received_at=received_at,
            state=MessageState.received,
        )
        uow.session.add(row)
        try:
            uow.commit()
        except IntegrityError:
            # Another process received the same delivery at the same moment.
            uow.rollback()
            existing = uow.session.scalar(select(m.Message.id).where(m.Message.delivery_key == key))
            assert existing is not None
            return Received(existing, False)
        return Received(row.id, True)


def process(app: App, message_row_id: int, on_step: Callable[[str], None] | None = None) -> str:
    """Run every remaining step of one message; return its final status."""
    handlers: dict[str, Callable[[App, int], None]] = {
        MessageState.received: step_parse,
        MessageState.parsed: step_extract,
        MessageState.extracted: step_classify,
        MessageState.classified: step_match,
        MessageState.matched: step_notify,
    }
    while True:
        with app.uow() as uow:
            msg = uow.session.get(m.Message, message_row_id)
            assert msg is not None
            state, status = msg.state, msg.status
        if state in TERMINAL_STATES:
            return status
        if on_step:
            on_step(state)
        try:
            handlers[state](app, message_row_id)
        except FilingError as e:
            return _fail(app, message_row_id, e.code, e.message)
        except Exception as e:  # a bug must not lose the message: keep it with the error for staff
            log.exception("message %s failed in step %s", message_row_id, state)
            return _fail(app, message_row_id, ErrorCode.internal, f"{type(e).__name__}: {e}")


def reprocess(app: App, message_row_id: int, *, from_ocr: bool = False) -> str:
    """Run a filed message through the pipeline again: its documents are read, classified and filed anew
    from the stored page text (or from a new OCR pass). A person's decisions and facts stand: review
    documents are matched anew, and case facts a person set are never overwritten (cases.corrections)."""
    with app.uow() as uow:
        msg = _get(uow.session, message_row_id)
        if msg.status not in (MessageStatus.filed, MessageStatus.failed):
            raise FilingError(ErrorCode.internal, f"message {message_row_id} is {msg.status}: nothing to re-process")
        again = from_ocr or not any(a.pages for a in msg.attachments)
        msg.state = MessageState.parsed if again else MessageState.extracted
        msg.status = MessageStatus.pending
        uow.commit()
    return process(app, message_row_id)


def _fail(app: App, message_row_id: int, code: ErrorCode, error: str) -> str:
    """Count a failed attempt; after max_attempts the message is parked for staff. Returns "failed"."""
    with app.uow() as uow:
        msg = uow.session.get(m.Message, message_row_id)
        assert msg is not None
        msg.attempts += 1
        msg.error_code, msg.error = str(code), error
        if msg.attempts >= app.settings.scheduler.max_attempts:
            msg.state, msg.status = MessageState.parked, MessageStatus.failed
        uow.commit()
    return MessageStatus.failed


def _finish(msg: m.Message, status: str) -> None:
    msg.status, msg.state = status, MessageState.done


def step_parse(app: App, message_row_id: int) -> None:
    with app.uow() as uow:
        s = uow.session
        msg = _get(s, message_row_id)
        sub = parse_message(app.blobs.get(msg.raw_sha256))
        msg.message_id = sub.message_id
        msg.from_address = sub.from_address
        msg.from_display = sub.from_display[:400]
        msg.subject = sub.subject
        msg.body_text = sub.body_text
        msg.date_header = sub.date
        msg.in_reply_to = sub.in_reply_to
        msg.references = list(sub.references)
        msg.defects = list(sub.defects)
        if msg.source == "import" and sub.date is not None:
            msg.received_at = sub.date
        dup = _duplicate_of(s, msg)
        if dup is not None:
            msg.duplicate_of_id = dup
            _finish(msg, MessageStatus.duplicate)
            uow.commit()
            return
        check = check_sender(sub, sender_registry(s), sender_policy(app.settings))
        msg.sender_status = str(check.status)
        msg.sender_evidence = list(check.evidence)
        if check.agency_code:
            msg.agency_id = s.scalar(select(m.Agency.id).where(m.Agency.code == check.agency_code))
        if check.status != SenderStatus.registered:
            # Kept whole and visible to staff; never answered (a reply to a forged From is backscatter).
            _store_attachments(app, s, msg, sub.parts)
            _finish(msg, MessageStatus.quarantined)
            uow.commit()
            return
        _store_attachments(app, s, msg, sub.parts)
        msg.state = MessageState.parsed
        uow.commit()


def _duplicate_of(s: Session, msg: m.Message) -> int | None:
    """An earlier delivery with the same bytes or the same Message-ID."""
    same = m.Message.raw_sha256 == msg.raw_sha256
    if msg.message_id:
        same = or_(same, m.Message.message_id == msg.message_id)
    return s.scalar(
        select(m.Message.id)
        .where(same, m.Message.id < msg.id, m.Message.status != MessageStatus.duplicate)
        .order_by(m.Message.id)
        .limit(1)
    )


def _store_attachments(app: App, s: Session, msg: m.Message, parts: tuple[MimePart, ...]) -> None:
    msg.attachments.clear()
    s.flush()
    for seq, att in enumerate(unpack(list(parts), unpack_limits(app.settings))):
        app.blobs.put(att.data)
        msg.attachments.append(
            m.Attachment(
                seq=seq,
                parent_sha256=att.parent_sha256,
                filename=att.filename,
                content_type=att.content_type,
                sha256=att.sha256,
                size=len(att.data),
                status=AttachmentStatus.ok if att.ok else AttachmentStatus.error,
                error_code=str(att.error_code) if att.error_code else None,
                error=att.error,
            )
        )


def _get(s: Session, message_row_id: int) -> m.Message:
    msg = s.get(m.Message, message_row_id)
    if msg is None:
        raise FilingError(ErrorCode.internal, f"message row {message_row_id} vanished")
    return msg


def step_extract(app: App, message_row_id: int) -> None:
    with app.uow() as uow:
        msg = _get(uow.session, message_row_id)
        todo = [
            (a.id, a.sha256, a.content_type)
            for a in msg.attachments
            if a.status == AttachmentStatus.ok and not _is_archive(a)
        ]
    # One OCR pool for the whole message, so its short files share workers and tesseract start-ups.
    outcomes = extract_files(
        [(app.blobs.get(sha), ctype) for _id, sha, ctype in todo],
        extract_settings(app.settings),
        ocr_cache(app.settings),
    )
    results: dict[int, list[PageText] | FilingError] = {
        att_id: out for (att_id, _s, _c), out in zip(todo, outcomes, strict=True)
    }
    with app.uow() as uow:
        msg = _get(uow.session, message_row_id)
        for att in msg.attachments:
            res = results.get(att.id)
            if res is None:
                continue
            att.pages.clear()
            if isinstance(res, FilingError):
                att.status, att.error_code, att.error = AttachmentStatus.error, str(res.code), res.message
                continue
            failure = page_failures(res)
            if failure is not None:
                att.status, att.error_code, att.error = failure
            for page in res:
                preview = app.blobs.put(page.preview_png) if page.preview_png else None
                att.pages.append(
                    m.Page(
                        number=page.number,
                        text=page.text,
                        source=str(page.source),
                        confidence=page.confidence,
                        rotation=page.rotation,
                        preview_sha256=preview,
                        error=page.error,
                        seconds=page.seconds,
                        quality=str(page.quality),
                        quality_evidence=page.quality_evidence,
                    )
                )
        msg.state = MessageState.extracted
        uow.commit()


def page_failures(pages: list[PageText]) -> tuple[AttachmentStatus, str, str] | None:
    """(attachment status, error code, error) when pages failed: `error` when none was read,
    `partial` when some were; None when every page was read."""
    failed = [p for p in pages if p.source == PageSource.failed]
    if not failed:
        return None
    first = failed[0].error or "page could not be read"
    code, sep, _rest = first.partition(": ")
    code = code if sep and code in ErrorCode.__members__ else str(ErrorCode.ocr_failed)
    numbers = "、".join(str(p.number) for p in failed[:10]) + ("…" if len(failed) > 10 else "")
    if len(failed) == len(pages):
        return AttachmentStatus.error, code, f"no page of the file could be read (page {failed[0].number}: {first})"
    summary = f"{len(failed)} of {len(pages)} pages could not be read (pages {numbers})"
    return AttachmentStatus.partial, code, f"{summary}: {first}"


def _is_archive(att: m.Attachment) -> bool:
    return att.content_type in CONTAINERS


def step_classify(app: App, message_row_id: int) -> None:
    with app.uow() as uow:
        msg = _get(uow.session, message_row_id)
        # Understood before anything is written: a second OCR read of a signature block may take seconds.
        planned: dict[int, list[Document]] = {}
        # The local day the mail arrived: no document it carries was signed later.
        arrived = msg.received_at if msg.received_at.tzinfo else msg.received_at.replace(tzinfo=UTC)
        received_on = local_date(arrived, app.settings.calendar.timezone)
        for att in msg.attachments:
            if att.status not in READABLE_ATTACHMENTS or not att.pages:
                continue
            pages = [
                PageText(number=p.number, text=p.text, source=PageSource(p.source), confidence=p.confidence,
                         rotation=p.rotation, quality=PageQuality(p.quality))
                for p in att.pages
            ]
            found = understand(pages, att.filename, jurisdiction=jurisdiction(app.settings),
                               received_on=received_on)
            planned[att.id] = _reread_dates(app, att, pages, found, received_on)
        for att in msg.attachments:
            att.documents.clear()
            for doc in planned.get(att.id, []):
                att.documents.append(
                    m.Document(
                        first_page=doc.first_page,
                        last_page=doc.last_page,
                        doc_type=str(doc.doc_type),
                        type_confidence=doc.confidence,
                        title=doc.title,
                        case_number=doc.fields.case_number,
                        fields=fields_to_json(doc.fields),
                        evidence=list(doc.evidence),
                    )
                )
        msg.state = MessageState.classified
        uow.commit()


def _reread_dates(app: App, att: m.Attachment, pages: list[PageText], docs: list[Document],
                  received_on: date | None = None) -> list[Document]:
    """Judgments and rulings whose date is missing or doubtful: read their signature block again."""
    ocr_pages = {p.number: p for p in pages if p.source is PageSource.tesseract}
    if not any(needs_date_reread(d) and d.last_page in ocr_pages for d in docs):
        return docs
    data = app.blobs.get(att.sha256)
    settings = extract_settings(app.settings)

    # One reader for the attachment: its attempts share the decoded page and the prepared block.
    reader = BlockReader(data, att.content_type, settings)
    # Close reads are cached like pages (same image, settings and code give the same text), so filing the
    # same mail again with a warm cache runs no tesseract at all.
    cached = cached_block_reads(reader.read, ocr_cache(app.settings), att.sha256, settings.fingerprint())

    def read(page: int, attempt: int) -> str | None:
        if page not in ocr_pages:
            return None
        return cached(page, ocr_pages[page].rotation, attempt)

    return reread_decision_dates(docs, {p.number: p.text for p in pages}, read, received_on)


def step_match(app: App, message_row_id: int) -> None:
    with app.uow() as uow:
        msg = _get(uow.session, message_row_id)
        file_documents(uow.session, msg, app.settings.matching)
        record_reply_plan(uow.session, msg)
        msg.state = MessageState.matched
        uow.commit()


def step_notify(app: App, message_row_id: int) -> None:
    with app.uow() as uow:
        msg = _get(uow.session, message_row_id)
        status = MessageStatus.filed if msg.attachments else MessageStatus.no_attachments
        if any(a.status != AttachmentStatus.ok and a.error_code != ErrorCode.repeated_file for a in msg.attachments):
            # Filed as far as it could be read, but not cleanly: staff see it, the receipt asks for the file again.
            status = MessageStatus.incomplete
        _finish(msg, status)
        queue_receipt_for(uow.session, msg, app.settings)
        uow.commit()
