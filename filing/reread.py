"""A person turned a page in the viewer: read it again that way, then classify and file its message anew
unless a person already decided one of its documents (a person's word is never overwritten)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from cases.review import audit
from extract.reading.page_reread import reread_page
from filing.adapters import extract_settings
from filing.bootstrap import App
from filing.pipeline import process
from store import models as m
from terms.errors import ErrorCode, FilingError
from terms.status import FILED_STATUSES, MatchStatus, MessageState, MessageStatus, PageQuality

# Documents a person decided: re-classifying would replace them with new, undecided ones.
PERSON_DECIDED = (MatchStatus.confirmed, MatchStatus.not_litigation)


@dataclass(frozen=True)
class Reread:
    page_number: int
    rotation: int
    chars_before: int
    chars_after: int
    refiled: bool  # the message was classified and filed again from the new text
    document_id: int | None  # the document that now holds the page


def reread_turned_page(app: App, page_id: int, turn_cw: int, actor: str) -> Reread:
    """Read page `page_id` again turned `turn_cw` degrees clockwise from how the viewer shows it."""
    with app.uow() as uow:
        page = uow.session.get(m.Page, page_id)
        if page is None:
            raise FilingError(ErrorCode.not_found, f"没有第 {page_id} 号页面")
        att = page.attachment
        number, old_rotation, content_type, sha = page.number, page.rotation, att.content_type, att.sha256
    rotation = (old_rotation + turn_cw) % 360
    # OCR runs outside any transaction: it takes seconds and SQLite's write lock must stay free.
    result = reread_page(app.blobs.get(sha), content_type, number, rotation, extract_settings(app.settings))
    with app.uow() as uow:
        s = uow.session
        page = s.get(m.Page, page_id)
        assert page is not None
        msg = page.attachment.message
        before = len(page.text or "")
        audit(s, actor, "reread_page", "page", page.id, {"rotation": page.rotation, "chars": before},
              {"rotation": rotation, "chars": len(result.text)})
        page.text, page.confidence, page.rotation = result.text, result.confidence, rotation
        page.source, page.error = "tesseract", None
        page.quality = PageQuality.reread
        page.quality_evidence = f"人工旋转至 {rotation}° 后重新识别（{actor}）"
        page.preview_sha256 = app.blobs.put(result.preview_png)
        attachment_id = page.attachment_id
        decided = s.scalar(
            select(m.Document.id)
            .join(m.Attachment, m.Document.attachment_id == m.Attachment.id)
            .where(m.Attachment.message_id == msg.id, m.Document.match_status.in_(PERSON_DECIDED)).limit(1))
        refile = decided is None and msg.status in FILED_STATUSES
        if refile:
            # From the stored page text: classify, file and (idempotently) answer as on arrival.
            msg.state, msg.status = MessageState.extracted, MessageStatus.pending
        message_id = msg.id
        uow.commit()
    if refile:
        process(app, message_id)
    with app.uow() as uow:
        doc_id = uow.session.scalar(
            select(m.Document.id).where(m.Document.attachment_id == attachment_id, m.Document.first_page <= number,
                                        m.Document.last_page >= number).order_by(m.Document.id).limit(1))
    return Reread(number, rotation, before, len(result.text), refile, doc_id)
