"""Staff work in a real browser (Debian Chromium via Playwright) on a database filled by importing mail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from store import models as m
from tests.support.browser import BrowserPage
from tests.support.webdata import ADMIN, PASSWORD, XSS, WebData

pytestmark = pytest.mark.browser


def log_in(bp: BrowserPage, start: str = "/queue", name: str = ADMIN) -> None:
    bp.goto(start)
    # Every page but the login page needs a session: the browser lands on the login form.
    assert "/login" in bp.page.url
    bp.page.fill("input[name=name]", name)
    bp.page.fill("input[name=password]", PASSWORD)
    bp.page.click("#login-form button[type=submit]")
    bp.page.wait_for_url(re.compile(re.escape(start) + "$"))


def no_script_ran(bp: BrowserPage) -> None:
    assert bp.page.evaluate("typeof window.__xss") == "undefined"
    assert not [e for e in bp.console_errors if "Content Security Policy" in e], bp.console_errors


def doc(data: WebData, document_id: int) -> tuple[str, int | None]:
    with data.app.uow() as uow:
        d = uow.session.get(m.Document, document_id)
        assert d is not None
        return d.match_status, d.case_id


def case_id_of(data: WebData, number: str) -> int | None:
    with data.app.uow() as uow:
        return uow.session.scalar(select(m.Case.id).where(m.Case.case_number == number))


def test_clear_the_review_queue_by_confirming_and_reassigning(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp)
    rows = page.locator("#queue-table tbody tr")
    assert rows.count() == 2
    assert "答辩状" in rows.nth(0).inner_text()  # oldest first
    shot = bp.screenshot("queue.png")
    assert shot.stat().st_size > 10_000

    page.click("text=开始审核")
    page.wait_for_url(re.compile(r"/queue/\d+$"))
    first = int(page.url.rsplit("/", 1)[1])
    assert "第 1 / 2 件" in page.inner_text("h1")
    top = page.locator("li.candidate").first
    assert "（2026）鲁0481行初901号" in top.inner_text()
    assert page.locator("img.preview").first.evaluate("img => img.complete && img.naturalWidth > 100")
    bp.screenshot("review-item.png")

    # One key confirms the suggested case; the next item opens by itself.
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith(f"/queue/{first}"))
    flash = page.inner_text(".flash")
    # The flash names the document and its case, in Chinese (no row id, no English status).
    assert "已归入 （2026）鲁0481行初901号" in flash and "答辩状" in flash, flash
    assert not re.search(r"文书 \d+|[A-Za-z]{4,}", flash.replace(".pdf", "")), flash
    assert doc(web_data, first) == ("confirmed", case_id_of(web_data, "（2026）鲁0481行初901号"))

    # The second item: a subject, a filename and document text that carry a <script>: shown as text.
    second = int(page.url.rsplit("/", 1)[1])
    assert page.inner_text("#mail-subject").startswith(XSS)
    assert XSS in page.inner_text("#file-name")
    assert XSS in page.locator("pre.page-text").first.inner_text()
    no_script_ran(bp)
    bp.screenshot("review-item-hostile.png")

    # Search another case and reassign to it.
    page.keyboard.press("/")
    page.keyboard.type("李示例")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    page.click("text=改归此案")
    page.wait_for_url(re.compile(r"/queue$"))
    assert "队列已清空" in page.inner_text("main")
    assert doc(web_data, second) == ("confirmed", case_id_of(web_data, "（2026）鲁0481行初902号"))
    with web_data.app.uow() as uow:
        actions = {(a.action, a.object_id, a.actor) for a in uow.session.scalars(select(m.AuditEntry))}
    assert ("confirm", first, ADMIN) in actions and ("reassign", second, ADMIN) in actions
    no_script_ran(bp)


def test_search_a_case_and_open_its_timeline(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/cases")
    assert page.locator("#case-table tbody tr").count() == 2
    page.fill("#case-search", "王示例")
    page.press("#case-search", "Enter")
    page.wait_for_url(re.compile(r"/cases\?q="))
    rows = page.locator("#case-table tbody tr")
    assert rows.count() == 1
    assert "政府信息公开" in rows.first.inner_text()
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert "（2026）鲁0481行初901号" in page.inner_text("h1")
    timeline = page.inner_text("#timeline")
    assert "收到邮件：应诉材料报备（2026）鲁0481行初901号" in timeline
    assert "应诉通知书（第1–1页）" in timeline and "起诉状（第1–1页）" in timeline
    facts = page.inner_text("#facts")
    assert "原告" in facts and "王示例" in facts and "应诉通知书" in facts
    assert "系统" in facts and "system" not in facts  # the pipeline is named in Chinese
    bp.screenshot("case.png")
    no_script_ran(bp)


def test_release_a_quarantined_message_to_an_agency(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/quarantine")
    card = page.locator("section.quarantined")
    assert card.count() == 1
    assert card.locator("h2.subject").inner_text().startswith(XSS)
    no_script_ran(bp)
    card.locator("select[name=agency_code]").select_option("slj")
    card.locator("button.release-register").click()
    page.wait_for_selector(".flash")
    assert "已放行" in page.inner_text(".flash"), page.inner_text(".flash")
    assert any("放行这封邮件" in d for d in bp.dialogs)  # asked before acting
    assert "隔离区为空" in page.inner_text("main")
    with web_data.app.uow() as uow:
        s = uow.session
        msg = s.get(m.Message, 5)
        assert msg is not None and msg.status == "filed" and msg.agency is not None and msg.agency.code == "slj"
        addr = s.scalar(select(m.AgencyAddress).where(m.AgencyAddress.address == "clerk@unregistered.example.org"))
        assert addr is not None and addr.agency.code == "slj"
        assert s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "release", m.AuditEntry.actor == ADMIN))
    # The released notice started its case, and the case is on the agency's page.
    assert case_id_of(web_data, "（2026）鲁0481行初903号") is not None
    page.goto(bp.base_url + "/agencies")
    page.click("text=滕州市示例管理局")
    assert "（2026）鲁0481行初903号" in page.inner_text("main")


def test_previews_zoom_and_rotate(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/queue/4")
    img = page.locator("img.preview").first
    page.keyboard.press("r")
    assert img.evaluate("i => i.style.transform") == "rotate(90deg)"
    page.click("button[data-view=zoom-in]")
    assert img.evaluate("i => i.style.width") == "125%"
    page.keyboard.press("0")
    assert img.evaluate("i => i.style.transform") == "rotate(0deg)"
    no_script_ran(bp)


def test_other_pages_render_under_the_csp(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/agencies")
    assert page.locator("#agency-table tbody tr").count() == 2
    page.click("text=滕州市示例管理局")
    assert page.locator("#filing-record tbody tr").count() == 5
    bp.screenshot("agency.png")
    page.goto(bp.base_url + "/quarantine")
    bp.screenshot("quarantine.png")
    page.goto(bp.base_url + "/reports")
    assert page.locator("svg").count() >= 0 and "季" in page.inner_text("body")
    bp.screenshot("report.png")
    no_script_ran(bp)
    assert not bp.console_errors, bp.console_errors


def test_unknown_pages_and_wrong_methods_answer_in_chinese(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    log_in(bp, "/cases")
    resp = page.goto(bp.base_url + "/no-such-page")
    assert resp is not None and resp.status == 404
    body = page.inner_text("main")
    assert "未找到" in body and "Not Found" not in body, body
    resp = page.goto(bp.base_url + "/quarantine/5/discard")  # a button's address opened as a page
    assert resp is not None and resp.status == 405
    body = page.inner_text("main")
    assert "不支持" in body and "Method Not Allowed" not in body, body
