"""A two-case message and a meeting notice reviewed in Chromium: the right case on top, no wrong default."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from filing.bootstrap import bootstrap
from filing.commands.core import import_files, init_app
from filing.config import load_settings
from store import models as m
from store.users import add_user, cheap_hasher
from tests.browser.test_web_ui import case_id_of, doc, log_in
from tests.support.browser import BrowserPage
from tests.support.documents import docx_bytes
from tests.support.webdata import ADMIN, CST, PASSWORD, SLJ, WebData, complaint, defense, eml, notice, write_config

pytestmark = pytest.mark.browser

N1, N2 = "（2026）鲁0481行初911号", "（2026）鲁0481行初912号"


def _messages() -> list[bytes]:
    t0 = datetime(2026, 3, 2, 9, 30, tzinfo=CST)
    return [
        eml(11, SLJ, "示例管理局法规科", "应诉材料报备", t0, "现报送两起案件的应诉通知书及起诉状。",
            [("通知911.pdf", [notice(N1, "王大明", "政府信息公开", "二〇二六年三月二日")]),
             ("通知912.pdf", [notice(N2, "李小红", "行政处罚", "二〇二六年三月二日")]),
             ("起诉状一.pdf", [complaint("李小红")]),
             ("起诉状二.pdf", [complaint("王大明")])]),
        eml(12, SLJ, "示例管理局办公室", "会议通知", t0 + timedelta(days=1), "转发会议通知，请参会。",
            [("会议通知.pdf", [["关于召开全市法治政府建设工作会议的通知", "各单位：",
                                "定于三月十日上午九时召开工作会议，", "请各单位分管负责同志参加。",
                                "滕州市示例管理局办公室", "2026年3月3日"]])]),
        _docx_message(13, t0 + timedelta(days=2)),
    ]


def _docx_message(n: int, when: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"示例管理局法规科 <{SLJ}>"
    msg["To"] = "filing@example.invalid"
    msg["Subject"] = "答辩状（Word 版）"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<webtest-{n:04d}@agency.example.invalid>"
    msg.set_content("现报送答辩状电子版。")
    msg.add_attachment(docx_bytes(defense("赵晓明", "行政许可")), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="答辩状.docx")
    return bytes(msg)


@pytest.fixture(scope="session")
def review_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reviewdata")
    app = bootstrap(load_settings(write_config(root), environ={}))
    init_app(app)
    (root / "mail").mkdir()
    paths = []
    for i, raw in enumerate(_messages(), start=1):
        p = root / "mail" / f"{i:04d}.eml"
        p.write_bytes(raw)
        paths.append(p)
    import_files(app, paths, quiet=True)
    with app.uow() as uow:
        add_user(uow.session, ADMIN, PASSWORD, "admin", actor="test", hasher=cheap_hasher())
        uow.commit()
    app.engine.dispose()
    return root


@pytest.fixture
def web_data(review_template: Path, tmp_path: Path) -> Iterator[WebData]:
    root = tmp_path / "site"
    shutil.copytree(review_template, root)
    app = bootstrap(load_settings(root / "config.yaml", environ={}))
    yield WebData(root, app)
    app.engine.dispose()


def test_two_case_message_gets_the_right_defaults(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp)
    assert page.locator("#queue-table tbody tr").count() == 4
    page.click("text=开始审核")
    page.wait_for_url(re.compile(r"/queue/\d+$"))

    # Both complaints came with both notices: the plaintiff printed on each page decides the top case.
    for _ in range(2):
        current = int(page.url.rsplit("/", 1)[1])
        text = page.locator("pre.page-text").first.inner_text()
        want = N2 if "李小红" in text else N1
        top = page.locator("li.candidate").first
        assert want in top.inner_text() and "文书上写有本案原告" in top.inner_text()
        assert page.locator("#confirm-top").count() == 1
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url, cur=current: not url.endswith(f"/queue/{cur}"))
        assert doc(web_data, current) == ("confirmed", case_id_of(web_data, want))

    # The forwarded meeting notice: candidates at low confidence, a question, and Enter does nothing.
    meeting = int(page.url.rsplit("/", 1)[1])
    assert "会议" in page.locator("pre.page-text").first.inner_text()
    assert page.locator("#confirm-top").count() == 0
    assert "低于" in page.inner_text("#review-question")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/queue/{meeting}")
    assert doc(web_data, meeting) == ("review", None)
    with web_data.app.uow() as uow:
        assert uow.session.get(m.Document, meeting) is not None
    bp.screenshot("review-question.png")
    page.keyboard.press("x")
    page.wait_for_url(lambda url: not url.endswith(f"/queue/{meeting}"))
    assert doc(web_data, meeting) == ("not_litigation", None)


def test_a_word_file_shows_its_text_as_the_page(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    with web_data.app.uow() as uow:
        doc_id = uow.session.scalar(
            select(m.Document.id).join(m.Attachment).where(m.Attachment.filename == "答辩状.docx"))
    assert doc_id is not None
    log_in(bp, f"/queue/{doc_id}")
    preview = page.locator("#pages .text-page").first
    assert preview.is_visible()
    assert "答辩人：滕州市示例管理局" in preview.inner_text() and "赵晓明" in preview.inner_text()
    # The text is in the viewer, at the top of the page, not only far down the right-hand panel.
    box = preview.bounding_box()
    assert box is not None and box["y"] < 400
    assert page.locator("#pages").inner_text().count("此页无预览图") == 0
    bp.screenshot("review-docx.png")
