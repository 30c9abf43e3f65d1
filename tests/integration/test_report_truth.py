"""The report over the sample corpus's cases matches figures counted by hand from truth.json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from filing.bootstrap import App, bootstrap
from filing.config import Settings
from filing.report.build import build_report
from filing.report.types import Period
from store.migrate import upgrade
from tests.support.databases import drop_pg_database, make_pg_database
from tests.support.postgres import PG_URL_PREFIX
from tests.support.report_truth import TRUTH, compare, expected_figures, load_truth, seed_from_truth

AS_OF = date(2026, 12, 31)
pytestmark = pytest.mark.skipif(not TRUTH.is_file(), reason="sample corpus not present")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def truth_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp = tmp_path_factory.mktemp("report-truth")
    pg_name = make_pg_database() if request.param == "postgresql" else None
    url = f"{PG_URL_PREFIX}{pg_name}" if pg_name else f"sqlite:///{tmp / 'filing.db'}"
    try:
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        settings = Settings.model_validate({"database": {"url": url}, "storage": {"path": str(tmp / "blobs")}})
        app = bootstrap(settings)
        with app.uow() as uow:
            seed_from_truth(uow.session, load_truth())
            uow.commit()
        yield app
        app.engine.dispose()
    finally:
        if pg_name:
            drop_pg_database(pg_name)


@pytest.mark.parametrize("spec", ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])
def test_quarter_matches_truth(truth_app: App, spec: str) -> None:
    period = Period.quarter(spec)
    report = build_report(truth_app, period, AS_OF)
    expected = expected_figures(load_truth(), period.start, period.end, AS_OF)
    assert compare(report, expected, check_missing=period.end == AS_OF) == []
    assert report.total.new_cases.value > 0  # the sample opens cases in every quarter: the check is not vacuous


def test_whole_year_matches_truth(truth_app: App) -> None:
    period = Period.between(date(2026, 1, 1), AS_OF)
    report = build_report(truth_app, period, AS_OF)
    expected = expected_figures(load_truth(), period.start, period.end, AS_OF)
    assert compare(report, expected, check_missing=True) == []
    t = report.total
    # Hand-checked headline figures of what the bureau could know of the sample year: 22 litigation cases
    # (the 行审 case is left out), one never reported by its agency; 20 were decided, but the bureau
    # received the judgment or ruling of only 12 of them, one of which it knows to be lost.
    assert (t.new_cases.value, t.concluded.value) == (21, 12)
    assert [r.case_number for r in report.excluded] == ["（2026）鲁0481行审38号"]
    assert t.lost.value == 1 and t.withdrawn.value == 3
    assert t.late_filings.value == len(load_truth()["expectations"]["late_filings"])


def test_a_decision_the_bureau_never_received_is_not_counted(truth_app: App) -> None:
    # （2026）鲁0481行初40号 was decided in Q2 and appealed; neither its judgment nor the appeal's
    # （2026）鲁04行终37号, decided in Q3, ever reached the bureau: nothing is counted as concluded,
    # while the appeal is a new case of Q2 (its notice arrived on 2026-06-29).
    q2 = build_report(truth_app, Period.quarter("2026Q2"), AS_OF)
    assert "（2026）鲁0481行初40号" not in [r.case_number for r in q2.total.concluded.items]
    assert "（2026）鲁04行终37号" in [r.case_number for r in q2.total.new_cases.items]
    q3 = build_report(truth_app, Period.quarter("2026Q3"), AS_OF)
    assert "（2026）鲁04行终37号" not in [r.case_number for r in q3.total.concluded.items]


def test_artifacts_render(truth_app: App) -> None:
    from filing.report.html import render_html
    from filing.report.xlsx import write_workbook

    report = build_report(truth_app, Period.quarter("2026Q3"), AS_OF)
    out = Path(__file__).resolve().parents[2] / "test-artifacts"
    out.mkdir(exist_ok=True)
    write_workbook(report, out / "report-truth-2026Q3.xlsx")
    (out / "report-truth-2026Q3.html").write_text(render_html(report), encoding="utf-8")
    from openpyxl import load_workbook

    ws = load_workbook(out / "report-truth-2026Q3.xlsx")["通报汇总"]
    headers = {ws.cell(row=4, column=c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(row=r, column=2).value: r for r in range(6, 6 + len(report.rows) + 1)}
    # Q3 as the bureau could know it: four hearings held, two decided cases known, neither lost.
    assert ws.cell(row=rows["合计"], column=headers["败诉率"]).value == 0.0
    assert ws.cell(row=rows["合计"], column=headers["开庭次数"]).value == 4
    assert ws.cell(row=rows["合计"], column=headers["待核实"]).value == 0
