"""The assessment points page (考核扣分) in a real browser, on the sample's truth.json store, reached from the
report page; served like the web UI (security headers, CSP) as in test_report_page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from filing.bootstrap import App
from filing.web import assessment_routes, report_routes
from tests.browser.test_report_page import TRUTH, page, report_app, serve_routers  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not TRUTH.is_file(), reason="sample corpus not present")]


@pytest.fixture(scope="module")
def report_server(report_app: App) -> Iterator[str]:  # noqa: F811
    with serve_routers(report_app, report_routes.router, assessment_routes.router) as url:
        yield url


def _num(text: str) -> float:
    return float(text.strip())


def test_assessment_page_lists_each_deduction_with_its_case(page: Any, report_server: str) -> None:  # noqa: F811
    assert page.goto(f"{report_server}/reports?quarter=2026Q3").status == 200
    page.locator('nav a[href^="/reports/assessment"]').click()
    page.wait_for_url("**/reports/assessment?quarter=2026Q3")
    assert "考核扣分" in page.title() and "2026年第三季度" in page.inner_text(".period")
    assert "并非官方标准" in page.inner_text("#assessment")
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
    # Q3 as the bureau could know it from the mail: no confirmed loss (truth.json's loss of （2026）鲁0481行初36号
    # is not known from the mail by the quarter's end, or waits for a person), so it is not charged; the
    # assessment, like the report's figures, never charges an unconfirmed fact.
    lost = page.locator("table.deductions tr[data-rule='lost_case']").all_inner_texts()
    assert not any("（2026）鲁0481行初36号" in t for t in lost), lost
    for href in page.locator("table.deductions tbody tr a.case").evaluate_all("els => els.map(e => e.href)"):
        assert "/cases/" in href
    # Each agency's total is the sum of what its deductions count.
    totals = page.locator("table.assessment-totals tbody tr:not(.sum)")
    assert totals.count() >= 1
    sums = []
    for i in range(totals.count()):
        sums.append(_num(totals.nth(i).locator("td.total").inner_text()))
        table = page.locator("table.deductions").nth(i)
        counted = [_num(t) for t in table.locator("tbody tr td:last-child").all_inner_texts()]
        assert sum(counted) == pytest.approx(sums[-1])
    grand = _num(page.locator("table.assessment-totals tr.sum td.total").inner_text())
    assert grand == pytest.approx(sum(sums))


def test_assessment_page_for_a_year(page: Any, report_server: str) -> None:  # noqa: F811
    page.goto(f"{report_server}/reports/assessment?quarter=2026Q3")
    page.fill("input[name=year]", "2026")
    page.locator("input[name=year] ~ button, form:has(input[name=year]) button").first.click()
    page.wait_for_url("**/reports/assessment?year=2026")
    assert "2026年度" in page.inner_text(".period")
    year_total = _num(page.locator("table.assessment-totals tr.sum td.total").inner_text())
    page.goto(f"{report_server}/reports/assessment?quarter=2026Q3")
    q3_total = _num(page.locator("table.assessment-totals tr.sum td.total").inner_text())
    assert year_total >= q3_total
    assert page.goto(f"{report_server}/reports/assessment?year=26x").status == 400
