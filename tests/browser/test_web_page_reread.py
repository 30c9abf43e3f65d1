"""Re-reading a page the person turned in the viewer (Chromium, real tesseract chi_sim).

The scan is a notice of a new case. Its page is left as if the automatic orientation had read it a quarter
turn wrong (nothing legible, the document in review as "other"); the person turns the preview upright
and asks for a new reading: the notice is read, its case is opened and the document is filed to it."""

from __future__ import annotations

import io
import re
import shutil
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from filing.pipeline import process, receive, step_extract, step_parse
from store import models as m
from tests.browser.test_web_ui import log_in
from tests.support.browser import BrowserPage
from tests.support.webdata import CST, NOTO_SERIF_CJK, SLJ, WebData, notice

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")]

NUMBER = "（2026）鲁0481行初904号"


def scan_png(lines: list[str]) -> bytes:
    """A 150-dpi A4 'scan' of the lines, as an agency's scanner would send it."""
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(NOTO_SERIF_CJK, 40, index=2)
    y = 160
    for line in lines:
        draw.text((120, y), line, fill=0, font=font)
        y += 72
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(150, 150))
    return buf.getvalue()


def _import_misturned_scan(data: WebData) -> int:
    msg = EmailMessage()
    msg["From"] = f"示例管理局法规科 <{SLJ}>"
    msg["To"] = "filing@example.invalid"
    msg["Subject"] = "应诉通知书扫描件"
    msg["Date"] = format_datetime(datetime(2026, 3, 25, 9, 0, tzinfo=CST))
    msg["Message-ID"] = "<webtest-scan@agency.example.invalid>"
    msg.set_content("现报送应诉通知书扫描件。")
    msg.add_attachment(scan_png(notice(NUMBER, "周示例", "行政登记", "二〇二六年三月二十四日")),
                       maintype="image", subtype="png", filename="扫描件.png")
    app = data.app
    row = receive(app, bytes(msg), received_at=datetime(2026, 3, 25, 1, 0, tzinfo=CST), source="import").message_row_id
    step_parse(app, row)
    step_extract(app, row)
    with app.uow() as uow:
        page = uow.session.scalars(select(m.Page).join(m.Attachment).where(m.Attachment.message_id == row)).one()
        # What a reading a quarter turn off gives: a few stray marks.
        page.rotation, page.text, page.confidence = 90, "一 丨 丶 ", 0.1
        uow.commit()
    process(app, row)
    with app.uow() as uow:
        doc = uow.session.scalars(select(m.Document).join(m.Attachment).where(m.Attachment.message_id == row)).one()
        assert doc.case_id is None and doc.match_status in ("none", "review")
        return doc.id


def test_turn_a_page_and_read_it_again(browser_page: BrowserPage, web_data: WebData) -> None:
    doc_id = _import_misturned_scan(web_data)
    bp, page = browser_page, browser_page.page
    log_in(bp, f"/queue/{doc_id}")
    assert NUMBER not in page.inner_text("pre.page-text")
    for _ in range(3):  # three quarter turns clockwise: back to the file's own orientation
        page.keyboard.press("r")
    page.locator("form.reread-page button.reread").first.click()
    page.wait_for_selector(".flash", timeout=120_000)
    flash = page.inner_text(".flash")
    assert "旋转至 0° 重新识别" in flash and "重新分类" in flash, flash
    with web_data.app.uow() as uow:
        s = uow.session
        pg = s.scalars(select(m.Page).join(m.Attachment).where(m.Attachment.filename == "扫描件.png")).one()
        assert pg.rotation == 0 and pg.quality == "reread" and "904" in pg.text
        case = s.scalar(select(m.Case).where(m.Case.case_number == NUMBER))
        assert case is not None  # the notice opened its case
        doc = s.scalars(select(m.Document).where(m.Document.attachment_id == pg.attachment_id)).one()
        assert doc.doc_type == "notice_to_respond" and doc.case_id == case.id
        assert s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "reread_page"))
        filed = doc.id
    # The page now shows the new reading and says it was read again.
    page.goto(f"{bp.base_url}/queue/{filed}")
    assert "已重新识别" in page.inner_text("#pages")
    assert re.search(r"904", page.inner_text("pre.page-text"))
