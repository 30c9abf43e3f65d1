"""The quarantine in Chromium: release one message without registering its sender, a release that repeats
what the agency already sent, discard and undo, and answering a question by email (through the outbox)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from sqlalchemy import func, select

from filing.commands.core import import_files
from notify.outbox import send_pending
from notify.smtp import SmtpSettings
from store import models as m
from tests.browser.test_web_ui import log_in
from tests.support.browser import BrowserPage
from tests.support.smtp import SmtpSink
from tests.support.webdata import CST, SLJ, STRANGER, WebData

pytestmark = pytest.mark.browser

QUARANTINED = 5  # the notice of （2026）鲁0481行初903号 from an unregistered address (tests/support/webdata.py)
QUESTION = 6  # "请问答辩状需要盖章吗？" from the agency's registered address, no attachment
NUMBER_903 = "（2026）鲁0481行初903号"


def _docs_for(data: WebData, number: str) -> int:
    with data.app.uow() as uow:
        s = uow.session
        return int(s.scalar(select(func.count(m.Document.id)).join(m.Case, m.Document.case_id == m.Case.id)
                            .where(m.Case.case_number == number)) or 0)


def _outbox_for(data: WebData, message_id: int) -> list[tuple[str, str, str]]:
    """(kind, status, Message-ID) of the emails about one received message."""
    with data.app.uow() as uow:
        rows = uow.session.scalars(select(m.OutboxMessage).where(m.OutboxMessage.message_row_id == message_id))
        return [(r.kind, r.status, r.header_message_id) for r in rows]


def _resend_from_registered_address(data: WebData) -> None:
    """The agency sends the same notice again, this time from its registered address."""
    with data.app.uow() as uow:
        att = uow.session.scalars(select(m.Attachment).where(m.Attachment.message_id == QUARANTINED)).one()
        pdf, name = data.app.blobs.get(att.sha256), att.filename
    msg = EmailMessage()
    msg["From"] = f"示例管理局法规科 <{SLJ}>"
    msg["To"] = "filing@example.invalid"
    msg["Subject"] = "应诉通知书转报（重发）"
    msg["Date"] = format_datetime(datetime(2026, 3, 21, 9, 0, tzinfo=CST))
    msg["Message-ID"] = "<webtest-resend@agency.example.invalid>"
    msg.set_content("此前从个人邮箱发送，现从单位邮箱重发。")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    path = data.root / "resend.eml"
    path.write_bytes(bytes(msg))
    import_files(data.app, [path], quiet=True)


def test_release_once_files_the_message_and_leaves_the_sender_unregistered(
        browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/quarantine")
    card = page.locator(f"#q-{QUARANTINED}")
    # The sender calls itself 滕州市示例管理局: that agency is preselected.
    assert card.locator("select[name=agency_code]").input_value() == "slj"
    assert card.locator(".repeated").count() == 0
    card.locator("button.release-once").click()
    page.wait_for_selector(".flash")
    flash = page.inner_text(".flash")
    assert "仅放行本封" in flash and "未发送回执" in flash, flash
    assert "filed" not in flash and "已归档" in flash
    with web_data.app.uow() as uow:
        s = uow.session
        msg = s.get(m.Message, QUARANTINED)
        assert msg is not None and msg.status == "filed" and msg.release_mode == "once"
        assert msg.agency is not None and msg.agency.code == "slj"
        assert s.scalar(select(m.AgencyAddress).where(m.AgencyAddress.address == STRANGER)) is None
    assert _docs_for(web_data, NUMBER_903) == 1
    assert _outbox_for(web_data, QUARANTINED) == []  # no receipt to an address nobody registered
    bp.screenshot("quarantine-released-once.png")


def test_release_after_the_agency_resent_warns_and_files_nothing_twice(
        browser_page: BrowserPage, web_data: WebData) -> None:
    _resend_from_registered_address(web_data)
    assert _docs_for(web_data, NUMBER_903) == 1
    bp, page = browser_page, browser_page.page
    log_in(bp, "/quarantine")
    card = page.locator(f"#q-{QUARANTINED}")
    warning = card.locator(".repeated").inner_text()
    assert SLJ in warning and "不会重复登记" in warning and "不发送回执" in warning, warning
    card.locator("input[name=send_receipt]").check()  # even when asked for a receipt
    card.locator("button.release-once").click()
    page.wait_for_selector(".flash")
    flash = page.inner_text(".flash")
    assert "未重复登记" in flash and "未发送回执" in flash, flash
    assert _docs_for(web_data, NUMBER_903) == 1
    assert _outbox_for(web_data, QUARANTINED) == []
    with web_data.app.uow() as uow:
        msg = uow.session.get(m.Message, QUARANTINED)
        assert msg is not None and msg.status == "duplicate" and msg.duplicate_of_id is not None


def test_discard_then_undo_brings_the_message_back(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/quarantine")
    page.locator(f"#q-{QUARANTINED} button.danger").click()
    page.wait_for_selector(".flash")
    assert "已丢弃" in page.inner_text(".flash") and "撤销" in page.inner_text(".flash")
    assert page.locator("section.quarantined").count() == 0
    row = page.locator(f'#discarded-table tr[data-message="{QUARANTINED}"]')
    assert row.count() == 1
    with web_data.app.uow() as uow:
        msg = uow.session.get(m.Message, QUARANTINED)
        assert msg is not None and msg.status == "discarded" and msg.discarded_at is not None
        assert msg.attachments  # nothing deleted
    row.locator("button.undo-discard").click()
    page.wait_for_selector(".flash")
    assert "已撤销丢弃" in page.inner_text(".flash")
    assert page.locator(f"#q-{QUARANTINED}").count() == 1
    assert page.locator("#discarded").count() == 0
    with web_data.app.uow() as uow:
        s = uow.session
        msg = s.get(m.Message, QUARANTINED)
        assert msg is not None and msg.status == "quarantined" and msg.discarded_at is None
        assert s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "undo_discard"))


def test_a_discard_older_than_the_undo_window_is_not_offered(browser_page: BrowserPage, web_data: WebData) -> None:
    with web_data.app.uow() as uow:
        msg = uow.session.get(m.Message, QUARANTINED)
        assert msg is not None
        msg.status, msg.discarded_at = "discarded", datetime.now(CST) - timedelta(days=31)
        uow.commit()
    bp, page = browser_page, browser_page.page
    log_in(bp, "/quarantine")
    assert page.locator("#discarded").count() == 0


def test_answer_a_question_email_in_its_thread(browser_page: BrowserPage, web_data: WebData,
                                               smtp_sink: SmtpSink) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/quarantine")
    reply = page.locator(f"#reply-{QUESTION}")
    reply.locator("summary").click()
    reply.locator("textarea[name=body]").fill("答辩状需加盖单位公章后扫描报送。")
    reply.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/quarantine"))
    flash = page.inner_text(".flash")
    assert "发件队列" in flash and SLJ in flash, flash

    report = send_pending(web_data.app.session_factory,
                          SmtpSettings(host=smtp_sink.host, port=smtp_sink.port, timeout_s=5,
                                       from_address="filing@bureau.example.invalid"))
    assert report.sent >= 1 and not report.dead, report  # the receipts of the imported mail go out too
    rows = _outbox_for(web_data, QUESTION)
    assert [(kind, status) for kind, status, _ in rows] == [("reply", "sent")]
    [sent] = smtp_sink.by_message_id(rows[0][2])
    assert sent.rcpt_tos == [SLJ]
    mail = sent.message
    original = "<webtest-0006@agency.example.invalid>"
    assert mail["In-Reply-To"] == original
    assert original in mail["References"]
    assert mail["Subject"].startswith("Re: ") and "咨询" in mail["Subject"]
    assert "答辩状需加盖单位公章后扫描报送。" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
