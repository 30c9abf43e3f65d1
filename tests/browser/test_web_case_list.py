"""The cases list in Chromium: every case reachable by paging, filters that combine, links that open in a tab.

(Named test_web_*: the browser modules sharing the session's Chromium run after test_report_page, which
starts its own Playwright.)"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from store import models as m
from tests.browser.test_web_ui import log_in
from tests.support.browser import BrowserPage
from tests.support.webdata import WebData

pytestmark = pytest.mark.browser


def _add_cases(data: WebData) -> int:
    with data.app.uow() as uow:
        s = uow.session
        agency = s.scalar(select(m.Agency.id).order_by(m.Agency.id))
        for i in range(1, 61):
            s.add(m.Case(case_number=f"（2025）鲁0481行初{i}号", case_type="行初", agency_id=agency,
                         plaintiffs=[f"列表原告{i}"], third_parties=[],
                         outcome="agency_lost" if i % 4 == 0 else "pending"))
        uow.commit()
        return len(s.scalars(select(m.Case.id)).all())


def test_page_through_filter_and_sort_the_cases(browser_page: BrowserPage, web_data: WebData) -> None:
    bp, page = browser_page, browser_page.page
    total = _add_cases(web_data)
    log_in(bp, "/cases")
    assert page.inner_text("#case-count") == f"{total} 件"
    rows = page.locator("#case-table tbody tr")
    assert rows.count() == 50
    seen = set(rows.locator("td:first-child").all_inner_texts())
    page.click("#next-page")
    page.wait_for_url(re.compile(r"page=2"))
    seen |= set(rows.locator("td:first-child").all_inner_texts())
    assert len(seen) == total  # every case reachable without searching

    # Case links are plain links: a new tab opens the case.
    href = rows.first.locator("a").first.get_attribute("href")
    assert href and re.fullmatch(r"/cases/\d+", href)
    tab = page.context.new_page()
    tab.goto(bp.base_url + href)
    assert "案件" in tab.title()
    tab.close()

    # Filters combine with sorting; the pager keeps them.
    page.goto(bp.base_url + "/cases")
    page.select_option("#filter-outcome", "agency_lost")
    page.select_option("#filter-sort", "number")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r"outcome=agency_lost"))
    assert page.inner_text("#case-count") == "15 件"
    texts = rows.locator("td:first-child").all_inner_texts()
    assert len(texts) == 15 and texts == sorted(texts)
    assert all("败诉" in r for r in rows.all_inner_texts())
    assert page.locator("#pager").count() == 0
    bp.screenshot("cases-filtered.png")
