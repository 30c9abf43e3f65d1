"""A reviewer settles a fact check in a real browser (Debian Chromium via Playwright): the decision date is
read from the page image, entered with the keyboard, the report changes, the value survives re-processing
of its message, and the case page shows the audit row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from filing.pipeline import reprocess
from store import models as m
from tests.browser.test_web_ui import log_in
from tests.support.browser import BrowserPage
from tests.support.factdata import CASE_901, import_judgment
from tests.support.webdata import ADMIN, WebData

pytestmark = pytest.mark.browser


def total(bp: BrowserPage, column: str) -> str:
    return str(bp.page.inner_text(f"#summary tr.total td[data-col={column}]")).strip()


def test_reviewer_enters_a_decision_date_from_the_page_image(browser_page: BrowserPage, web_data: WebData,
                                                             tmp_path: object) -> None:
    from pathlib import Path

    message = import_judgment(web_data.app, Path(str(tmp_path)))
    bp, page = browser_page, browser_page.page
    log_in(bp)

    # Before: the case waits under 待核实 and is not counted as concluded.
    bp.goto("/reports?quarter=2026Q2")
    assert CASE_901 in page.inner_text("#unverified")
    assert total(bp, "concluded") == "0" and total(bp, "waiting") == "1"
    check_link = page.locator("#unverified a.check").first.get_attribute("href")
    assert check_link and re.fullmatch(r"/checks/\d+", check_link)

    # The queue lists the check; one key opens it on the page where the date should be.
    bp.goto("/queue")
    assert "裁判日期" in page.inner_text("#checks-table")
    page.keyboard.press("f")
    page.wait_for_url(re.compile(re.escape(check_link) + "$"))
    assert "未读出裁判日期" in page.inner_text("#check-reason")
    region = page.locator("#target-region img")  # the signature block, where the date is printed
    assert region.evaluate("img => img.complete && img.naturalWidth > 100 && img.naturalHeight < img.naturalWidth")
    image = page.locator("#target-page img.preview").last
    assert image.evaluate("img => img.complete && img.naturalWidth > 100")
    bp.screenshot("fact-check.png")

    # Keyboard only: the value field has the focus; type what the image shows and press Enter.
    assert page.evaluate("document.activeElement.id") == "fact-value"
    page.keyboard.type("二〇二六年五月二十日")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/queue$"))
    assert "已核实" in page.inner_text(".flash")
    assert "没有待核实的事实" in page.inner_text("#fact-checks")

    # After: the report counts the case as concluded in Q2 and lists nothing to check.
    bp.goto("/reports?quarter=2026Q2")
    assert total(bp, "concluded") == "1" and total(bp, "waiting") == "0"
    assert page.inner_text("#unverified").strip() == "无。"

    # Re-processing the message reads the judgment again; the person's date stands.
    assert reprocess(web_data.app, message) == "filed"
    with web_data.app.uow() as uow:
        case = uow.session.scalar(select(m.Case).where(m.Case.case_number == CASE_901))
        assert case is not None and case.decision_date is not None
        assert case.decision_date.isoformat() == "2026-05-20"
        case_id = case.id
        assert not list(uow.session.scalars(select(m.FactCheck).where(m.FactCheck.status == "open")))
    bp.goto("/reports?quarter=2026Q2")
    assert total(bp, "concluded") == "1"

    # The case page shows the audit row in its facts table.
    bp.goto(f"/cases/{case_id}")
    rows = [r for r in page.locator("#facts tbody tr").all_inner_texts() if "裁判日期" in r]
    assert any("2026-05-20" in r and ADMIN in r and "核实：按文书录入" in r for r in rows), rows
    assert "核实确认案件事实" in page.inner_text("#timeline") or "更正案件事实" in page.inner_text("#timeline")
    bp.screenshot("case-audit.png", full_page=True)
    assert not bp.console_errors, bp.console_errors
