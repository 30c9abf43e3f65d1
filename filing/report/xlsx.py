"""The report as an XLSX workbook: a summary sheet as the bureau publishes it, cases, drill-down, trend.

Written in one pass (openpyxl's write-only mode): each row goes to the file as it is made, so no sheet
is held as a grid of cell objects and then walked again to save it. Rows are appended in order, so a
sheet's column widths, row heights and merged ranges are set before (or, for merges, whenever) its rows
are written, and every cell's style is one of a few made once per workbook (`_Styles`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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


def data_cell(ws: WriteOnlyWorksheet, value: object) -> Cell:
    """A cell holding `value` as data: a name like `=HYPERLINK(…)` from an agency or a document is shown,
    never run (openpyxl makes any string starting with "=" a formula; the report itself writes none)."""
    c = WriteOnlyCell(ws, value=value)
    if c.data_type == "f":
        c.data_type = "s"
    return c


class _Sheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows are ready cells (or None). openpyxl's own first tries every cell
    as a value (an exception per cell) and makes a spare cell after each styled one: half the time of a
    large sheet. Here each cell is only placed."""

    def _values_to_row(self, values: Iterable[Cell | None], row_idx: int) -> Iterator[Cell]:
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column = col_idx
            cell.row = row_idx
            yield cell


def _sheet(wb: Workbook, title: str) -> _Sheet:
    ws = _Sheet(parent=wb, title=title)
    wb._add_sheet(ws)
    return ws


class _Styles:
    """The style of each kind of grid cell, made once per workbook: openpyxl hashes every style object on
    every assignment, which made large sheets slow; a copied style array is the same style for a fraction."""

    def __init__(self) -> None:
        self._known: dict[tuple[object, ...], StyleArray] = {}

    def cell(self, ws: WriteOnlyWorksheet, value: object, *, bold: bool = False, align: Alignment = CENTER,
             fill: PatternFill | None = None, fmt: str | None = None, size: int = 11) -> Cell:
        """A bordered cell in the report's font."""
        c = data_cell(ws, value)
        key = (bold, id(align), id(fill), fmt, size)  # the alignments and fills are module constants
        known = self._known.get(key)
        if known is None:
            c.font = Font(name=FONT, bold=bold, size=size)
            c.alignment = align
            c.border = BOX
            if fill is not None:
                c.fill = fill
            c.number_format = fmt or "General"
            known = self._known[key] = c._style
        c._style = known  # shared: a write-only cell is written as it is appended, and never changed after
        return c


def _text(ws: WriteOnlyWorksheet, value: str, *, bold: bool = False, size: int | None = 11,
          fill: PatternFill | None = None, align: Alignment | None = None, font: str = FONT) -> Cell:
    """A line of text across the sheet (no border): titles, headings, notes."""
    c = data_cell(ws, value)
    c.font = Font(name=font, bold=bold, size=size)
    if fill is not None:
        c.fill = fill
    if align is not None:
        c.alignment = align
    return c


def _value(v: Figure | Rate) -> tuple[object, str | None]:
    if isinstance(v, Rate):
        return ("—", None) if v.value is None else (v.value, "0.0%")
    return v.value, "0"


class _Rows:
    """Rows appended in order, counted: merges and row heights name the row about to be written."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.n = 0

    def append(self, cells: Iterable[Cell], *, height: float | None = None, merge_to: int | None = None) -> None:
        r = self.n + 1
        if height is not None:
            self.ws.row_dimensions[r].height = height
        if merge_to is not None:
            self.ws.merged_cells.add(f"A{r}:{get_column_letter(merge_to)}{r}")
        self.ws.append(list(cells))
        self.n = r

    def blank(self) -> None:
        self.append([])


def _summary(ws: WriteOnlyWorksheet, report: Report, st: _Styles) -> None:
    ncols = 2 + len(COLUMNS)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 28
    for i, spec in enumerate(COLUMNS, start=3):
        ws.column_dimensions[get_column_letter(i)].width = 10 if spec.is_rate else 8
    ws.freeze_panes = "C6"
    ws.print_title_rows = "4:5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    rows = _Rows(ws)
    rows.append([_text(ws, report.title, bold=True, size=18, align=CENTER, font="方正小标宋简体")], height=36,
                merge_to=ncols)
    rows.append([_text(ws, f"（{report.period.label}）", size=12, align=CENTER)], merge_to=ncols)
    info = (f"统计期间：{report.period.range_text}    制表单位：{report.bureau}    "
            f"数据截至：{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日")
    rows.append([_text(ws, info, size=10, align=Alignment(horizontal="right"))], merge_to=ncols)
    # Two header rows: groups above, sub-columns below; single columns span both rows. A merged range
    # shows its first cell; the others keep the header's border and fill.
    head = {"bold": True, "fill": HEAD_FILL}
    upper = [st.cell(ws, "序号", **head), st.cell(ws, "单位", **head)]
    lower = [st.cell(ws, None, **head), st.cell(ws, None, **head)]
    ws.merged_cells.add("A4:A5")
    ws.merged_cells.add("B4:B5")
    col = 3
    for group, width in header_groups():
        for i in range(width):
            spec = COLUMNS[col - 3 + i]
            upper.append(st.cell(ws, (group or spec.header) if i == 0 else None, **head))
            lower.append(st.cell(ws, spec.header if group else None, **head))
        first, last = get_column_letter(col), get_column_letter(col + width - 1)
        ws.merged_cells.add(f"{first}4:{last}4" if group else f"{first}4:{first}5")
        col += width
    rows.append(upper, height=22)
    rows.append(lower, height=30)
    for n, row in enumerate(report.rows, start=1):
        rows.append(_row(ws, st, str(n), row, bold=False))
    rows.append(_row(ws, st, "", report.total, bold=True, fill=TOTAL_FILL))
    rows.blank()
    heading = "同类问题重复败诉单位" + ("" if report.repeated_losses else "：无")
    rows.append([_text(ws, heading, bold=True, size=12)], merge_to=ncols)
    for rep in report.repeated_losses:
        text = f"{rep.label}：{rep.category_label}类案件败诉{len(rep.cases)}件（" + \
            "、".join(c.display for c in rep.cases) + "）"
        rows.append([_text(ws, text, fill=WARN_FILL)], merge_to=ncols)
        for c, note in list(zip(rep.cases, rep.rectification, strict=False))[1:]:
            rows.append([_text(ws, f"　{c.display}：{note}", size=10)], merge_to=ncols)
    rows.blank()
    heading = "生效裁判逾期未履行" + ("" if report.overdue_compliance else "：无")
    rows.append([_text(ws, heading, bold=True, size=12)], merge_to=ncols)
    for ov in report.overdue_compliance:
        text = (f"{ov.agency}：{ov.display}，{ov.effective_on:%Y-%m-%d}生效，应于{ov.due_date:%Y-%m-%d}前履行"
                f"（{ov.order_text or '裁判内容见裁判文书'}），已逾期{ov.days_overdue}日")
        rows.append([_text(ws, text, fill=WARN_FILL)], merge_to=ncols)
    rows.blank()
    rows.append([_text(ws, "说明：", bold=True, size=None)], merge_to=ncols)
    for i, text in enumerate((*report.definitions, *report.notes), start=1):
        rows.append([_text(ws, f"{i}. {text}", size=10, align=LEFT)], height=15 * max(1, len(text) // 90 + 1),
                    merge_to=ncols)
    if report.unverified:
        rows.blank()
        rows.append([_text(ws, "待核实（相关数字暂未计入，核实后更新）：", bold=True, size=None)], merge_to=ncols)
        for u in report.unverified:
            what = "；".join(f"{f.label}——{f.reason}（核实事项 {f.link}）" for f in u.facts)
            rows.append([_text(ws, f"{u.display}（{u.agency}）：{what}", size=10, fill=WARN_FILL)], merge_to=ncols)


def _row(ws: WriteOnlyWorksheet, st: _Styles, number: str, row: AgencyRow, *, bold: bool,
         fill: PatternFill | None = None) -> list[Cell]:
    cells = [st.cell(ws, number, bold=bold, fill=fill), st.cell(ws, row.label, bold=bold, align=LEFT, fill=fill)]
    for spec in COLUMNS:
        value, fmt = _value(spec.of(row))
        cells.append(st.cell(ws, value, bold=bold, fill=fill, fmt=fmt))
    return cells


def _table(ws: WriteOnlyWorksheet, st: _Styles, headers: list[str], rows: list[list[object]], widths: list[int],
           formats: dict[int, str] | None = None) -> None:
    """A header row and data rows; `formats`: the number format of some columns (1-based)."""
    formats = formats or {}
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    ws.append([st.cell(ws, h, bold=True, fill=HEAD_FILL) for h in headers])
    for values in rows:
        ws.append([st.cell(ws, v, align=LEFT, fmt=formats.get(i)) for i, v in enumerate(values, start=1)])


def _cases(ws: WriteOnlyWorksheet, st: _Styles, report: Report) -> None:
    headers = ["案号", "单位", "审级", "案由类别", "收到应诉通知", "开庭", "本期开庭与出庭", "裁判结果", "裁判方式",
               "裁判日期", "本期计入结果", "逾期报备", "缺报文书"]
    rows: list[list[object]] = [
        [c.case_number or f"#{c.case_id}", c.agency, c.case_type, c.cause, c.opened_on, "\n".join(c.hearings),
         "\n".join(c.appearance), c.outcome, c.decision_type, c.decision_date, c.counted_result, "\n".join(c.late),
         "\n".join(c.missing)]
        for c in report.cases
    ]
    _table(ws, st, headers, rows, [24, 22, 7, 12, 12, 17, 26, 8, 8, 12, 26, 40, 28],
           {5: "yyyy-mm-dd", 10: "yyyy-mm-dd"})


def _sources(ws: WriteOnlyWorksheet, st: _Styles, report: Report) -> None:
    """Drill-down: for every figure of every row, the cases behind it (the total's cases are the rows')."""
    names = [(c.key, (f"{c.group}{c.header}" if c.group else c.header)) for c in COLUMNS if not c.is_rate]
    names += list(EXTRA_FIGURES)
    rows: list[list[object]] = []
    for row in report.rows:
        for key, label in names:
            fig: Figure = getattr(row, key)
            for ref in fig.items:
                rows.append([row.label, label, ref.display, ref.note])
    _table(ws, st, ["单位", "指标", "案号", "说明"], rows, [26, 16, 26, 60])


def _rate(v: float | None) -> object:
    return v if v is not None else "—"


def _trend(ws: WriteOnlyWorksheet, st: _Styles, report: Report) -> None:
    rows: list[list[object]] = [
        [p.label, _rate(p.appearance_rate.value), _rate(p.loss_rate.value),
         f"{p.appearance_rate.numerator}/{p.appearance_rate.denominator}",
         f"{p.loss_rate.numerator}/{p.loss_rate.denominator}"]
        for p in report.trend
    ]
    if rows:
        chart = LineChart()
        chart.title = "季度趋势"
        chart.y_axis.number_format = "0%"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
        ws.add_chart(chart, "G2")
    _table(ws, st, ["季度", "出庭应诉率", "败诉率", "出庭/开庭", "败诉/分母"], rows, [18, 12, 12, 12, 12],
           {2: "0.0%", 3: "0.0%"})


def _rates_chart(ws: WriteOnlyWorksheet, st: _Styles, report: Report) -> None:
    rows: list[list[object]] = [[r.label, _rate(r.appearance_rate.value), _rate(r.loss_rate.value)]
                                for r in report.rows]
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各单位出庭应诉率与败诉率"
        chart.x_axis.number_format = "0%"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(rows) + 1))
        chart.height = max(7.5, 0.8 * len(rows))
        ws.add_chart(chart, "E2")
    _table(ws, st, ["单位", "出庭应诉率", "败诉率"], rows, [28, 12, 12], {2: "0.0%", 3: "0.0%"})


def build_workbook(report: Report) -> Workbook:
    """The workbook, its sheets written (write-only: it can be saved once, not read back)."""
    wb = Workbook(write_only=True)
    st = _Styles()
    _summary(_sheet(wb, "通报汇总"), report, st)
    _cases(_sheet(wb, "案件明细"), st, report)
    _sources(_sheet(wb, "数据来源"), st, report)
    _rates_chart(_sheet(wb, "单位比率"), st, report)
    _trend(_sheet(wb, "季度趋势"), st, report)
    add_assessment_sheet(wb, report.assessment)
    wb.properties.title = f"{report.title}（{report.period.label}）"
    wb.properties.creator = report.bureau
    return wb


def workbook_bytes(report: Report) -> bytes:
    buf = BytesIO()
    build_workbook(report).save(buf)
    return buf.getvalue()


def write_workbook(report: Report, path: Path) -> None:
    path.write_bytes(workbook_bytes(report))
