"""The report's follow-up parts over the small store of test_report_db, on SQLite and PostgreSQL: whether an
earlier loss was rectified before a repeat, which lost judgments took effect (an appeal that reversed one
starts nothing), and the overdue compliance in JSON, XLSX, HTML and the assessment."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from cases.compliance import set_compliance, sync_compliance
from cases.rectification import confirm_rectification, set_rectification
from filing.adapters import compliance_rules, work_calendar
from filing.bootstrap import App
from filing.report.build import build_report
from filing.report.html import render_html
from filing.report.jsonout import report_data
from filing.report.types import Period
from filing.report.xlsx import workbook_bytes
from store import models as m
from tests.integration.test_report_db import seeded  # noqa: F401  (the fixture)

AS_OF = date(2026, 12, 31)


def case_ids(app: App) -> dict[str, int]:
    with app.uow() as uow:
        return {str(n)[-4:-1]: i for i, n in uow.session.execute(select(m.Case.id, m.Case.case_number))}


def sheet_text(data: bytes, name: str) -> str:
    ws = load_workbook(BytesIO(data))[name]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_rectification_before_the_repeat_and_overdue_compliance(seeded: tuple[App, Path]) -> None:  # noqa: F811
    app, _ = seeded
    ids = case_ids(app)
    with app.uow() as uow:
        s = uow.session
        # 106 lost in February: rectified by May, before 101 was lost (September) for the same kind of problem.
        set_rectification(s, ids["106"], "规范信息公开答复", date(2026, 4, 30), "张三")
        confirm_rectification(s, ids["106"], "张三", date(2026, 5, 1), "已核查")
        report = sync_compliance(s, AS_OF, work_calendar(app.settings), compliance_rules(app.settings))
        uow.commit()
    # 103 was lost but reversed on appeal (104): nothing to perform; 106 and 101 took effect.
    assert sorted(report.opened) == sorted([ids["106"], ids["101"]])
    with app.uow() as uow:
        c101 = uow.session.scalar(select(m.Compliance).where(m.Compliance.case_id == ids["101"]))
        assert c101 is not None and c101.effective_on == date(2026, 9, 30)  # received 09-14, + 15 days
        assert c101.due_date is None  # nothing read: staff set it
        c106 = uow.session.scalar(select(m.Compliance).where(m.Compliance.case_id == ids["106"]))
        assert c106 is not None and c106.effective_on == date(2026, 2, 25)  # 02-17 is in the Spring Festival

    q3 = build_report(app, Period.quarter("2026Q3"), AS_OF)
    data = json.loads(json.dumps(report_data(q3), ensure_ascii=False))
    [group] = [g for g in data["repeated_losses"] if g["label"] == "滕州市自然资源局"]
    assert [c["case_number"][-4:-1] for c in group["cases"]] == ["106", "101"]
    assert group["rectified_before"] == [None, True]
    assert "已于2026-05-01整改完成" in group["rectification"][1]
    assert "已于2026-05-01整改完成" in sheet_text(workbook_bytes(q3), "通报汇总")
    assert "已于2026-05-01整改完成" in render_html(q3, standalone=True)
    assert data["overdue_compliance"] == []

    with app.uow() as uow:
        set_compliance(uow.session, ids["101"], "张三", "判决书载明", order_text="重新作出答复",
                       due_date=date(2026, 10, 30))
        uow.commit()
    q4 = build_report(app, Period.quarter("2026Q4"), AS_OF)
    data = json.loads(json.dumps(report_data(q4), ensure_ascii=False))
    assert [(c["case_number"][-4:-1], c["due_date"], c["days_overdue"]) for c in data["overdue_compliance"]] == [
        ("101", "2026-10-30", 62)]
    zrj = next(a for a in data["assessment"]["agencies"] if a["label"] == "滕州市自然资源局")
    assert [(d["case_number"][-4:-1], d["points"]) for d in zrj["deductions"] if d["rule"] == "unperformed_judgment"] \
        == [("101", 2.0)]
    text = sheet_text(workbook_bytes(q4), "通报汇总")
    assert "生效裁判逾期未履行" in text and "应于2026-10-30前履行（重新作出答复），已逾期62日" in text
    assert "未履行生效裁判" in sheet_text(workbook_bytes(q4), "考核扣分")
    page = render_html(q4, standalone=True)
    assert 'id="overdue-compliance"' in page and "重新作出答复" in page.split('id="overdue-compliance"')[1]
    # The year view charges it once, as the quarter does.
    year = json.loads(json.dumps(report_data(build_report(app, Period.parse("2026"), AS_OF)), ensure_ascii=False))
    assert sum(d["rule"] == "unperformed_judgment" for a in year["assessment"]["agencies"]
               for d in a["deductions"]) == 1
