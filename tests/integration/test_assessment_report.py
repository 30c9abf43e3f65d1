"""Assessment points (考核扣分) in the XLSX, HTML and JSON reports, on the small store of test_report_db."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from filing.bootstrap import App
from filing.report.build import build_report
from filing.report.html import render_html
from filing.report.jsonout import report_data
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes
from tests.integration.test_report_db import seeded  # noqa: F401  (the fixture)

AS_OF = date(2026, 12, 31)


def deductions(report_json: dict, code_label: str) -> list[tuple[str, str, float]]:  # type: ignore[type-arg]
    ag = next(a for a in report_json["assessment"]["agencies"] if a["label"] == code_label)
    return [(d["rule"], d["case_number"], d["counted"]) for d in ag["deductions"]]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_assessment_in_json_xlsx_and_html(seeded: tuple[App, Path]) -> None:  # noqa: F811
    app, _ = seeded
    report = build_report(app, Period.quarter("2026Q3"), AS_OF)
    data = json.loads(json.dumps(report_data(report), ensure_ascii=False))
    zrj = deductions(data, "滕州市自然资源局")
    # Hand count under the default rules: 101 lost (2) and a repeat of 106's 信息公开 loss (1); 102 heard
    # without a head (1); 101's defense filed late (0.5).
    assert ("lost_case", "（2026）鲁0481行初101号", 2.0) in zrj
    assert ("repeated_loss", "（2026）鲁0481行初101号", 1.0) in zrj
    assert ("hearing_without_head", "（2026）鲁0481行初102号", 1.0) in zrj
    assert ("late_filing", "（2026）鲁0481行初101号", 0.5) in zrj
    assert not any(rule == "lost_case" and num == "（2026）鲁0402行初103号"  # reversed on appeal: no loss
                   for a in data["assessment"]["agencies"] for rule, num, _ in deductions(data, a["label"]))
    z = next(a for a in data["assessment"]["agencies"] if a["label"] == "滕州市自然资源局")
    assert z["total"] == sum(c for _, _, c in zrj)
    assert z["earlier_in_year"] >= 2.0  # 106, lost in Q1, counts against the yearly cap
    assert data["assessment"]["rules"]["unperformed_judgment"] == 2
    assert not any(rule == "unperformed_judgment" for a in data["assessment"]["agencies"]
                   for rule, _, _ in deductions(data, a["label"]))  # nothing tracked in this store

    wb = load_workbook(BytesIO(workbook_bytes(report)))
    assert "考核扣分" in wb.sheetnames
    rows = [[c.value for c in r] for r in wb["考核扣分"].iter_rows(min_row=2)]
    assert ["滕州市自然资源局", "败诉案件", "（2026）鲁0481行初101号"] in [r[:3] for r in rows]
    subtotal = next(r for r in rows if r[0] == "滕州市自然资源局" and str(r[1]).startswith("小计"))
    assert subtotal[5] == z["total"]
    total = next(r for r in rows if r[0] == "合计")
    assert total[5] == data["assessment"]["total"]
    assert any("并非官方标准" in str(r[0]) for r in rows)

    page = render_html(report, standalone=True)
    assert 'id="assessment"' in page and "同类问题重复败诉" in page and "本局设定分值" in page
    assert 'href="/cases/' not in page.split('id="assessment"')[1]  # a standalone file links nowhere
    web = render_html(report, standalone=False)
    assert 'href="/reports/assessment?quarter=2026Q3"' in web


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_year_assessment_has_no_earlier_points(seeded: tuple[App, Path]) -> None:  # noqa: F811
    app, _ = seeded
    year = build_report(app, Period.between(date(2026, 1, 1), date(2026, 12, 31)), AS_OF).assessment
    assert year is not None
    z = next(a for a in year.agencies if a.label == "滕州市自然资源局")
    assert z.earlier_in_year == 0.0
    numbers = [d.case.case_number for d in z.deductions if d.rule == "lost_case"]
    assert sorted(numbers) == ["（2026）鲁0481行初101号", "（2026）鲁0481行初106号"]
