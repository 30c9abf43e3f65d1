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


def test_download_the_filtered_list_as_csv_and_xlsx(browser_page: BrowserPage, web_data: WebData) -> None:
    import csv
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    bp, page = browser_page, browser_page.page
    _add_cases(web_data)
    log_in(bp, "/cases")
    page.select_option("#filter-outcome", "agency_lost")
    page.select_option("#filter-sort", "number")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r"outcome=agency_lost"))
    assert "全部 15 件" in page.inner_text("#case-filters")
    with page.expect_download() as info:
        page.click("#export-csv")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["案号", "单位", "审级"]
    body = rows[1:]
    # The whole filtered list (not one page), in the page's order, with the page's labels.
    assert len(body) == 15 and [r[0] for r in body] == sorted(r[0] for r in body)
    assert all(r[5] == "败诉" and r[2] == "行初" for r in body)
    with page.expect_download() as info:
        page.click("#export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert ws is not None
    cells = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [c[0] for c in cells] == [r[0] for r in body]
