"""The report as an XLSX workbook: a summary sheet as the bureau publishes it, cases, drill-down, trend."""

from __future__ import annotations

from copy import copy
from io import BytesIO
from pathlib import Path
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCell, MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from filing.report.columns import COLUMNS, EXTRA_FIGURES, header_groups
from filing.report.types import AgencyRow, Figure, Rate, Report
from filing.report.xlsx_assessment import add_assessment_sheet

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
WARN_FILL = PatternFill("solid", fgColor="FCE4D6")


# Per workbook, the style of each kind of cell once set: openpyxl hashes every style object on every
# assignment, which made large sheets slow; a copied style array is the same style for a fraction.
# Keyed by the ids of the alignment and fill, which the entry keeps alive so no other object takes their id.
_STYLES: WeakKeyDictionary[Workbook, dict[tuple[object, ...], tuple[StyleArray, object, object]]] = \
    WeakKeyDictionary()


def _cell(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False, align: Alignment = CENTER,
          fill: PatternFill | None = None, fmt: str | None = None, size: int = 11) -> None:
    c = ws.cell(row=row, column=col, value=value)
    styles = _STYLES.setdefault(ws.parent, {})
    key = (bold, id(align), id(fill), fmt, size)
    known = styles.get(key)
    if known is not None:
        c._style = copy(known[0])
        return
    c.font = Font(name=FONT, bold=bold, size=size)
    c.alignment = align
    c.border = BOX
    if fill is not None:
        c.fill = fill
    if fmt is not None:
        c.number_format = fmt
    styles[key] = (copy(c._style), align, fill)


def _merge_row(ws: Worksheet, r: int, ncols: int) -> None:
    """Merge columns 1..ncols of row r, as `ws.merge_cells` does but in constant time: these rows never
    overlap an earlier merge, so openpyxl's check of each new range against all earlier ones (quadratic
    in the warning rows) is skipped, and so is copying the first cell's border (the rows have none)."""
    ws.merged_cells.ranges.add(MergedCellRange(ws, CellRange(min_col=1, min_row=r, max_col=ncols, max_row=r).coord))
    for col in range(2, ncols + 1):
        ws._cells[r, col] = MergedCell(ws, r, col)


def _value(v: Figure | Rate) -> tuple[object, str | None]:
    if isinstance(v, Rate):
        return ("—", None) if v.value is None else (v.value, "0.0%")
    return v.value, "0"


def _summary(ws: Worksheet, report: Report) -> None:
    ncols = 2 + len(COLUMNS)
    last = get_column_letter(ncols)
    ws.merge_cells(f"A1:{last}1")
    title = ws.cell(row=1, column=1, value=report.title)
    title.font = Font(name="方正小标宋简体", size=18, bold=True)
    title.alignment = CENTER
    ws.row_dimensions[1].height = 36
    ws.merge_cells(f"A2:{last}2")
    sub = ws.cell(row=2, column=1, value=f"（{report.period.label}）")
    sub.font = Font(name=FONT, size=12)
    sub.alignment = CENTER
    ws.merge_cells(f"A3:{last}3")
    info = ws.cell(row=3, column=1, value=f"统计期间：{report.period.range_text}    制表单位：{report.bureau}    "
                                           f"数据截至：{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日")
    info.font = Font(name=FONT, size=10)
    info.alignment = Alignment(horizontal="right")
    # Two header rows: groups above, sub-columns below; single columns span both rows.
    _cell(ws, 4, 1, "序号", bold=True, fill=HEAD_FILL)
    _cell(ws, 4, 2, "单位", bold=True, fill=HEAD_FILL)
    ws.merge_cells("A4:A5")
    ws.merge_cells("B4:B5")
    col = 3
    for group, width in header_groups():
        for i in range(width):
            spec = COLUMNS[col - 3 + i]
            _cell(ws, 5, col + i, spec.header if group else None, bold=True, fill=HEAD_FILL)
            _cell(ws, 4, col + i, group or spec.header, bold=True, fill=HEAD_FILL)
        if group:
            ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + width - 1)
        else:
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
        col += width
    r = 6
    for n, row in enumerate(report.rows, start=1):
        _row(ws, r, str(n), row, bold=False)
        r += 1
    _row(ws, r, "", report.total, bold=True, fill=TOTAL_FILL)
    r += 2
    _merge_row(ws, r, ncols)
    heading = "同类问题重复败诉单位" + ("" if report.repeated_losses else "：无")
    ws.cell(row=r, column=1, value=heading).font = Font(name=FONT, bold=True, size=12)
    r += 1
    for rep in report.repeated_losses:
        _merge_row(ws, r, ncols)
        text = f"{rep.label}：{rep.category_label}类案件败诉{len(rep.cases)}件（" + \
            "、".join(c.display for c in rep.cases) + "）"
        cell = ws.cell(row=r, column=1, value=text)
        cell.font = Font(name=FONT, size=11)
        cell.fill = WARN_FILL
        r += 1
        for c, note in list(zip(rep.cases, rep.rectification, strict=False))[1:]:
            _merge_row(ws, r, ncols)
            ws.cell(row=r, column=1, value=f"　{c.display}：{note}").font = Font(name=FONT, size=10)
            r += 1
    r += 1
    _merge_row(ws, r, ncols)
    heading = "生效裁判逾期未履行" + ("" if report.overdue_compliance else "：无")
    ws.cell(row=r, column=1, value=heading).font = Font(name=FONT, bold=True, size=12)
    r += 1
    for ov in report.overdue_compliance:
        _merge_row(ws, r, ncols)
        text = (f"{ov.agency}：{ov.display}，{ov.effective_on:%Y-%m-%d}生效，应于{ov.due_date:%Y-%m-%d}前履行"
                f"（{ov.order_text or '裁判内容见裁判文书'}），已逾期{ov.days_overdue}日")
        cell = ws.cell(row=r, column=1, value=text)
        cell.font = Font(name=FONT, size=11)
        cell.fill = WARN_FILL
        r += 1
    r += 1
    _merge_row(ws, r, ncols)
    ws.cell(row=r, column=1, value="说明：").font = Font(name=FONT, bold=True)
    r += 1
    for i, text in enumerate((*report.definitions, *report.notes), start=1):
        _merge_row(ws, r, ncols)
        c = ws.cell(row=r, column=1, value=f"{i}. {text}")
        c.font = Font(name=FONT, size=10)
        c.alignment = LEFT
        ws.row_dimensions[r].height = 15 * max(1, len(text) // 90 + 1)
        r += 1
    if report.unverified:
        r += 1
        _merge_row(ws, r, ncols)
        ws.cell(row=r, column=1, value="待核实（相关数字暂未计入，核实后更新）：").font = Font(name=FONT, bold=True)
        r += 1
        for u in report.unverified:
            _merge_row(ws, r, ncols)
            what = "；".join(f"{f.label}——{f.reason}（核实事项 {f.link}）" for f in u.facts)
            c = ws.cell(row=r, column=1, value=f"{u.display}（{u.agency}）：{what}")
            c.font = Font(name=FONT, size=10)
            c.fill = WARN_FILL
            r += 1
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 28
    for i, spec in enumerate(COLUMNS, start=3):
        ws.column_dimensions[get_column_letter(i)].width = 10 if spec.is_rate else 8
    ws.row_dimensions[4].height = 22
    ws.row_dimensions[5].height = 30
    ws.freeze_panes = "C6"
    ws.print_title_rows = "4:5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _row(ws: Worksheet, r: int, number: str, row: AgencyRow, *, bold: bool, fill: PatternFill | None = None) -> None:
    _cell(ws, r, 1, number, bold=bold, fill=fill)
    _cell(ws, r, 2, row.label, bold=bold, align=LEFT, fill=fill)
    for i, spec in enumerate(COLUMNS, start=3):
        value, fmt = _value(spec.of(row))
        _cell(ws, r, i, value, bold=bold, fill=fill, fmt=fmt)


def _table(ws: Worksheet, headers: list[str], rows: list[list[object]], widths: list[int]) -> None:
    for i, h in enumerate(headers, start=1):
        _cell(ws, 1, i, h, bold=True, fill=HEAD_FILL)
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1]
    for r, values in enumerate(rows, start=2):
        for i, v in enumerate(values, start=1):
            _cell(ws, r, i, v, align=LEFT)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def _cases(ws: Worksheet, report: Report) -> None:
    headers = ["案号", "单位", "审级", "案由类别", "收到应诉通知", "开庭", "本期开庭与出庭", "裁判结果", "裁判方式",
               "裁判日期", "本期计入结果", "逾期报备", "缺报文书"]
    rows: list[list[object]] = [
        [c.case_number or f"#{c.case_id}", c.agency, c.case_type, c.cause, c.opened_on, "\n".join(c.hearings),
         "\n".join(c.appearance), c.outcome, c.decision_type, c.decision_date, c.counted_result, "\n".join(c.late),
         "\n".join(c.missing)]
        for c in report.cases
    ]
    _table(ws, headers, rows, [24, 22, 7, 12, 12, 17, 26, 8, 8, 12, 26, 40, 28])
    for r in range(2, len(rows) + 2):
        for col in (5, 10):
            ws.cell(row=r, column=col).number_format = "yyyy-mm-dd"


def _sources(ws: Worksheet, report: Report) -> None:
    """Drill-down: for every figure of every row, the cases behind it."""
    names = [(c.key, (f"{c.group}{c.header}" if c.group else c.header)) for c in COLUMNS if not c.is_rate]
    names += list(EXTRA_FIGURES)
    rows: list[list[object]] = []
    for row in (*report.rows, report.total):
        if row is report.total:
            continue  # the total's cases are the rows' cases
        for key, label in names:
            fig: Figure = getattr(row, key)
            for ref in fig.items:
                rows.append([row.label, label, ref.display, ref.note])
    _table(ws, ["单位", "指标", "案号", "说明"], rows, [26, 16, 26, 60])


def _trend(ws: Worksheet, report: Report) -> None:
    rows: list[list[object]] = [
        [p.label, p.appearance_rate.value if p.appearance_rate.value is not None else "—",
         p.loss_rate.value if p.loss_rate.value is not None else "—",
         f"{p.appearance_rate.numerator}/{p.appearance_rate.denominator}",
         f"{p.loss_rate.numerator}/{p.loss_rate.denominator}"]
        for p in report.trend
    ]
    _table(ws, ["季度", "出庭应诉率", "败诉率", "出庭/开庭", "败诉/分母"], rows, [18, 12, 12, 12, 12])
    for r in range(2, len(rows) + 2):
        for col in (2, 3):
            ws.cell(row=r, column=col).number_format = "0.0%"
    if rows:
        chart = LineChart()
        chart.title = "季度趋势"
        chart.y_axis.number_format = "0%"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
        ws.add_chart(chart, "G2")


def _rates_chart(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet("单位比率")
    rows: list[list[object]] = [
        [r.label, r.appearance_rate.value if r.appearance_rate.value is not None else "—",
         r.loss_rate.value if r.loss_rate.value is not None else "—"]
        for r in report.rows
    ]
    _table(ws, ["单位", "出庭应诉率", "败诉率"], rows, [28, 12, 12])
    for r in range(2, len(rows) + 2):
        for col in (2, 3):
            ws.cell(row=r, column=col).number_format = "0.0%"
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各单位出庭应诉率与败诉率"
        chart.x_axis.number_format = "0%"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
        chart.height = max(7.5, 0.8 * len(rows))
        ws.add_chart(chart, "E2")


def build_workbook(report: Report) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "通报汇总"
    _summary(ws, report)
    _cases(wb.create_sheet("案件明细"), report)
    _sources(wb.create_sheet("数据来源"), report)
    _rates_chart(wb, report)
    _trend(wb.create_sheet("季度趋势"), report)
    add_assessment_sheet(wb, report.assessment)
    wb.properties.title = f"{report.title}（{report.period.label}）"
    wb.properties.creator = report.bureau
    _no_formulas(wb)
    return wb


def _no_formulas(wb: Workbook) -> None:
    """Every cell is data: a name like `=HYPERLINK(…)` from an agency or a document is shown, never run.
    (openpyxl makes any string starting with "=" a formula; the report itself writes none.)"""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def workbook_bytes(report: Report) -> bytes:
    buf = BytesIO()
    build_workbook(report).save(buf)
    return buf.getvalue()


def write_workbook(report: Report, path: Path) -> None:
    path.write_bytes(workbook_bytes(report))
