"""The 考核扣分 sheet of the report workbook: per agency its total, then every deduction with its case and rule."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from filing.report.assessment import Assessment

SHEET = "考核扣分"
HEADERS = ["单位", "扣分项", "案号", "事由", "分值", "计入扣分"]
WIDTHS = {"A": 24, "B": 18, "C": 26, "D": 60, "E": 8, "F": 10}


def add_assessment_sheet(wb: Workbook, assessment: Assessment | None) -> None:
    if assessment is None:
        return
    ws = wb.create_sheet(SHEET)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = bold
    for ag in assessment.agencies:
        for d in ag.deductions:
            ws.append([ag.label, d.rule_label, d.case.display, d.note, d.points, d.counted])
        note = "（已达年度上限）" if ag.capped else ""
        ws.append([ag.label, "小计" + note, "", f"本年此前已扣{ag.earlier_in_year:g}分", ag.uncapped, ag.total])
        for cell in ws[ws.max_row]:
            cell.font = bold
    ws.append(["合计", "", "", "", None, assessment.total])
    for cell in ws[ws.max_row]:
        cell.font = bold
    ws.append([])
    for note in assessment.notes:
        ws.append([note])
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
