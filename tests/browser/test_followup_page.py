"""Staff follow up a lost case on its page in a real browser (Debian Chromium via Playwright): they set the
rectification asked of the agency and confirm it done, start tracking the effective judgment's compliance,
see it overdue in the quarterly report, and record it performed; each step is in the case's timeline and
the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cases.corrections import correct_fact
from store import models as m
from tests.browser.test_web_ui import log_in
from tests.support.browser import BrowserPage
from tests.support.factdata import CASE_901
from tests.support.webdata import ADMIN, WebData

pytestmark = pytest.mark.browser


def lost_case(web_data: WebData) -> int:
    with web_data.app.uow() as uow:
        s = uow.session
        case_id = s.scalar(select(m.Case.id).where(m.Case.case_number == CASE_901))
        assert case_id is not None
        for fact, value in (("decision_type", "判决"), ("decision_date", "2026-10-20"), ("outcome", "败诉")):
            correct_fact(s, case_id, fact, value, "test", "判决书")
        uow.commit()
    return case_id


def submit(bp: BrowserPage, form: str, done: str) -> None:
    bp.page.click(f"#{form} button[type=submit]")
    bp.page.wait_for_load_state()
    assert done in bp.page.inner_text(".flash")


def test_staff_set_rectification_and_record_compliance(browser_page: BrowserPage, web_data: WebData) -> None:
    case_id = lost_case(web_data)
    bp, page = browser_page, browser_page.page
    log_in(bp)
    # The overview lists every lost case, those with nothing asked yet first; a row leads to the case.
    bp.goto("/followup")
    row = page.locator(f"#rectifications tr[data-case='{case_id}']")
    assert row.get_attribute("data-status") == "none" and "未布置整改" in row.inner_text()
    row.locator("a").click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}#rectification$"))
    assert page.inner_text("#rectification-status") == "未布置整改"
    assert "裁判尚未生效" in page.inner_text("#compliance")

    # Rectification: what is asked and by when.
    page.fill("#rectification-requirement-input", "规范政府信息公开答复程序，组织专题培训")
    page.fill("#rectification-due-input", "2026-12-10")
    submit(bp, "rectification-form", "已布置整改")
    assert re.search(rf"/cases/{case_id}#rectification$", page.url)
    assert page.inner_text("#rectification-status") == "整改中"
    assert page.inner_text("#rectification-requirement") == "规范政府信息公开答复程序，组织专题培训"
    assert page.inner_text("#rectification-due") == "2026-12-10"
    page.fill("#rectification-done-form input[name=done_on]", "2026-12-09")
    page.fill("#rectification-done-form input[name=note]", "已核查培训记录")
    submit(bp, "rectification-done-form", "已确认整改完成")
    assert page.inner_text("#rectification-status") == "整改完成"
    assert "2026-12-09" in page.inner_text("#rectification-done")
    assert page.locator("#rectification-form").count() == 0  # done: nothing left to set

    # Confirmed too early: reopened, with a reason (the browser refuses an empty one; the dialog is accepted).
    page.click("#rectification-reopen-form button[type=submit]")
    assert page.inner_text("#rectification-status") == "整改完成"
    page.fill("#rectification-reopen-reason", "培训记录不全，需补充")
    submit(bp, "rectification-reopen-form", "已重新打开整改")
    assert any("确定重新打开该案件的整改" in d for d in bp.dialogs)
    assert page.inner_text("#rectification-status") == "整改中"
    assert page.locator("#rectification-done").count() == 0 and page.locator("#rectification-form").count() == 1
    page.fill("#rectification-done-form input[name=done_on]", "2026-12-11")
    submit(bp, "rectification-done-form", "已确认整改完成")
    assert "2026-12-11" in page.inner_text("#rectification-done")

    # Compliance: no decision document here, so staff give the day it took effect, what it orders, by when.
    page.fill("#compliance-form input[name=effective_on]", "2026-11-05")
    page.fill("#compliance-order-input", "重新作出政府信息公开答复")
    page.fill("#compliance-due-input", "2026-12-04")
    page.fill("#compliance-reason-input", "判决书载明三十日内重新作出")
    submit(bp, "compliance-form", "已设定履行事项")
    assert page.inner_text("#compliance-order") == "重新作出政府信息公开答复"
    assert "2026-12-04" in page.inner_text("#compliance-due")
    bp.screenshot("followup-case.png", full_page=True)

    # The quarterly report lists it overdue (its due date has passed by the period's end).
    bp.goto("/reports?quarter=2026Q4")
    assert CASE_901 in page.inner_text("#overdue-compliance")
    bp.goto(f"/cases/{case_id}")

    page.fill("#compliance-done-input", "2026-12-06")
    page.fill("#compliance-note-input", "已重新答复")
    submit(bp, "compliance-done-form", "已记录履行完毕")
    assert page.inner_text("#compliance-status").startswith("已履行")
    assert "2026-12-06" in page.inner_text("#compliance-done")
    bp.goto("/followup")
    assert page.locator(f"#rectifications tr[data-case='{case_id}']").get_attribute("data-status") == "done"
    assert page.locator(f"#compliances tr[data-case='{case_id}']").get_attribute("data-status") == "done"
    bp.goto(f"/cases/{case_id}")
    timeline = page.inner_text("#timeline")
    for label in ("布置整改", "确认整改完成", "重新打开整改", "设定履行事项", "记录履行完毕"):
        assert label in timeline

    with web_data.app.uow() as uow:
        s = uow.session
        rect = s.scalar(select(m.Rectification).where(m.Rectification.case_id == case_id))
        comp = s.scalar(select(m.Compliance).where(m.Compliance.case_id == case_id))
        assert rect is not None and rect.status == "done" and rect.done_on is not None
        assert comp is not None and comp.status == "done" and comp.done_on is not None
        assert comp.human_fields and "due_date" in comp.human_fields
        actions = [(a.action, a.actor) for a in s.scalars(
            select(m.AuditEntry).where(m.AuditEntry.object_type == "case", m.AuditEntry.object_id == case_id,
                                       m.AuditEntry.actor == ADMIN).order_by(m.AuditEntry.id))]
        assert actions == [("set_rectification", ADMIN), ("confirm_rectification", ADMIN),
                           ("reopen_rectification", ADMIN), ("confirm_rectification", ADMIN),
                           ("set_compliance", ADMIN), ("record_compliance", ADMIN)]
        reopened = s.scalar(select(m.AuditEntry).where(m.AuditEntry.action == "reopen_rectification"))
        assert reopened is not None and reopened.note == "培训记录不全，需补充"
        assert reopened.before["rectification"]["done_on"] == "2026-12-09"
    assert not bp.console_errors, bp.console_errors


def test_a_case_not_lost_offers_no_follow_up(browser_page: BrowserPage, web_data: WebData) -> None:
    with web_data.app.uow() as uow:
        case_id = uow.session.scalar(select(m.Case.id).where(m.Case.case_number == CASE_901))
    log_in(browser_page)
    browser_page.goto(f"/cases/{case_id}")
    assert browser_page.page.locator("#rectification").count() == 0
    assert browser_page.page.locator("#compliance").count() == 0
