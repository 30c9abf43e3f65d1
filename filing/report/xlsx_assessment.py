"""The 考核扣分 sheet of the report workbook: per agency its total, then every deduction with its case and rule."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font

from filing.report.assessment import Assessment

SHEET = "考核扣分"
HEADERS = ["单位", "扣分项", "案号", "事由", "分值", "计入扣分"]
WIDTHS = {"A": 24, "B": 18, "C": 26, "D": 60, "E": 8, "F": 10}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def add_assessment_sheet(wb: Workbook, assessment: Assessment | None) -> None:
    """Rows written in order (the workbook is write-only): the header bold, every later row wrapped
    across the sheet's columns, subtotals and the total bold."""
    if assessment is None:
        return
    ws = wb.create_sheet(SHEET)
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"

    def row(values: Sequence[object], *, bold: bool = False, wrap: bool = True) -> list[Cell]:
        cells = []
        for v in [*values, *[None] * (len(HEADERS) - len(values))]:
            c = WriteOnlyCell(ws, value=v)
            if c.data_type == "f":  # data, never a formula (see filing.report.xlsx.data_cell)
                c.data_type = "s"
            if bold:
                c.font = BOLD
            if wrap:
                c.alignment = WRAP
            cells.append(c)
        return cells

    ws.append(row(HEADERS, bold=True, wrap=False))
    for ag in assessment.agencies:
        for d in ag.deductions:
            ws.append(row([ag.label, d.rule_label, d.case.display, d.note, d.points, d.counted]))
        note = "（已达年度上限）" if ag.capped else ""
        ws.append(row([ag.label, "小计" + note, "", f"本年此前已扣{ag.earlier_in_year:g}分", ag.uncapped, ag.total],
                      bold=True))
    ws.append(row(["合计", "", "", "", None, assessment.total], bold=True))
    ws.append(row([]))
    for note in assessment.notes:
        ws.append(row([note]))
