"""Releasing quarantined mail through the real pipeline: a release that repeats some files files only the new
ones, and a receipt goes to an unregistered address only when a person asked for it."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from sqlalchemy import func, select

from filing import quarantine as q
from filing.commands.core import import_files
from store import models as m
from terms.errors import FilingError
from tests.support.webdata import CST, STRANGER, WebData, notice, text_pdf

NUMBER_901 = "（2026）鲁0481行初901号"
NUMBER_905 = "（2026）鲁0481行初905号"


def _docs_of(data: WebData, number: str) -> int:
    with data.app.uow() as uow:
        return int(uow.session.scalar(
            select(func.count(m.Document.id)).join(m.Case, m.Document.case_id == m.Case.id)
            .where(m.Case.case_number == number)) or 0)


def _quarantine_mixed(data: WebData) -> int:
    """From an unregistered address: the notice of 901 the agency already sent, and a new notice."""
    with data.app.uow() as uow:
        att = uow.session.scalars(select(m.Attachment).where(m.Attachment.message_id == 1,
                                                             m.Attachment.filename == "应诉通知书.pdf")).one()
        old = data.app.blobs.get(att.sha256)
    msg = EmailMessage()
    msg["From"] = f"王律师 <{STRANGER}>"
    msg["To"] = "filing@example.invalid"
    msg["Subject"] = "转交应诉材料"
    msg["Date"] = format_datetime(datetime(2026, 3, 26, 10, 0, tzinfo=CST))
    msg["Message-ID"] = "<webtest-mixed@unregistered.example.org>"
    msg.set_content("受滕州市示例管理局委托转交。")
    msg.add_attachment(old, maintype="application", subtype="pdf", filename="旧通知书.pdf")
    msg.add_attachment(text_pdf([notice(NUMBER_905, "吴示例", "行政强制", "二〇二六年三月二十五日")]),
                       maintype="application", subtype="pdf", filename="新通知书.pdf")
    path = data.root / "mixed.eml"
    path.write_bytes(bytes(msg))
    import_files(data.app, [path], quiet=True)
    with data.app.uow() as uow:
        row = uow.session.scalar(select(m.Message).where(m.Message.message_id == msg["Message-ID"]))
        assert row is not None and row.status == "quarantined"
        return row.id


def test_release_once_files_only_the_new_file_and_sends_the_receipt_asked_for(web_data: WebData) -> None:
    mid = _quarantine_mixed(web_data)
    before_901 = _docs_of(web_data, NUMBER_901)
    with web_data.app.uow() as uow:
        msg = uow.session.get(m.Message, mid)
        assert msg is not None
        repeated = q.repeated_files(uow.session, msg)
        assert [r.filename for r in repeated] == ["旧通知书.pdf"] and repeated[0].earlier_message_id == 1
    done = q.release(web_data.app, mid, "slj", "admin", mode=q.ReleaseMode.once, send_receipt=True)
    assert done.status == "filed" and done.duplicate_of is None and done.receipt_to == STRANGER
    assert _docs_of(web_data, NUMBER_901) == before_901  # the repeated notice is not filed twice
    assert _docs_of(web_data, NUMBER_905) == 1
    with web_data.app.uow() as uow:
        s = uow.session
        atts = {a.filename: a for a in s.scalars(select(m.Attachment).where(m.Attachment.message_id == mid))}
        assert atts["旧通知书.pdf"].error_code == "repeated_file" and not atts["旧通知书.pdf"].documents
        assert s.scalar(select(m.AgencyAddress).where(m.AgencyAddress.address == STRANGER)) is None
        (receipt,) = s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.message_row_id == mid))
        assert receipt.to_addr == STRANGER and "未重复登记" in receipt.body_text
        assert "无法读取" not in receipt.body_text


def test_a_released_message_cannot_be_released_or_discarded_again(web_data: WebData) -> None:
    q.release(web_data.app, 5, "slj", "admin", mode=q.ReleaseMode.register, send_receipt=True)
    with pytest.raises(FilingError):
        q.release(web_data.app, 5, "slj", "admin", mode=q.ReleaseMode.once, send_receipt=False)
    with pytest.raises(FilingError):
        q.discard(web_data.app, 5, "admin")
    with pytest.raises(FilingError):
        q.undo_discard(web_data.app, 5, "admin")
