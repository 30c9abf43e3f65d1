"""The assessment sheet over the sample corpus equals a hand count from truth.json under the default rules."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from filing.bootstrap import App
from filing.config import AssessmentSettings
from filing.report.build import build_report
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes
from tests.integration.test_report_truth import truth_app  # noqa: F401  (the fixture)
from tests.support.report_truth import TRUTH, expected_figures, load_truth

AS_OF = date(2026, 12, 31)
pytestmark = pytest.mark.skipif(not TRUTH.is_file(), reason="sample corpus not present")


def hand_count(year: Period) -> dict[str, float]:
    """Per agency code: the default points for the year's figures counted from truth.json, capped."""
    rules = AssessmentSettings()
    truth = load_truth()
    e = expected_figures(truth, year.start, year.end, AS_OF)
    cause = {c["case_number"]: c["cause"] for c in truth["cases"]}
    out: dict[str, float] = {}
    for code, f in e.figures.items():
        if code is None:
            continue
        lost = f.get("lost", [])
        # The 2nd and later loss of one cause category in the year (the repeat window is the trailing year).
        repeats = sum(n - 1 for n in Counter(cause[x] for x in lost).values() if n > 1)
        raw = (len(lost) * rules.lost_case
               + (len(f.get("hearings", [])) - len(f.get("appeared", []))) * rules.hearing_without_head
               + len(f.get("late_filings", [])) * rules.late_filing
               + len(f.get("missing_documents", [])) * rules.missing_filing
               + repeats * rules.repeated_loss)
        if raw:
            out[code] = min(raw, rules.cap_per_agency_year or raw)
    return out


def test_year_sheet_equals_the_hand_count(truth_app: App) -> None:  # noqa: F811
    year = Period.between(date(2026, 1, 1), AS_OF)
    report = build_report(truth_app, year, AS_OF)
    assert report.assessment is not None
    expected = hand_count(year)
    assert expected and sum(expected.values()) > 0  # not vacuous
    got = {a.agency.code if a.agency else "?": a.total for a in report.assessment.agencies}
    assert got == pytest.approx(expected)
    wb = load_workbook(BytesIO(workbook_bytes(report)))
    names = {a.label: (a.agency.code if a.agency else "?") for a in report.assessment.agencies}
    sheet = {names[r[0]]: r[5] for r in wb["考核扣分"].iter_rows(min_row=2, values_only=True)
             if r[0] in names and str(r[1]).startswith("小计")}
    assert sheet == pytest.approx(expected)
