"""The filtered cases list as a CSV or XLSX download: the same filters and order as the page, every page."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from filing.web.views import CaseRow
from store import models as m
from terms.labels import OUTCOME_LABELS

HEADER = ("案号", "单位", "审级", "原告", "案由", "状态", "缺少材料", "下一期限", "应诉通知日期", "开庭时间", "文书数")
# A cell starting with one of these is a formula to Excel; case data comes from email and OCR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def table(cases: Sequence[m.Case], rows: Sequence[CaseRow]) -> list[tuple[str | int, ...]]:
    out: list[tuple[str | int, ...]] = []
    for case, r in zip(cases, rows, strict=True):
        missing = "—" if r.missing is None else ("、".join(r.missing) or "齐全")
        out.append((
            r.case_number or f"案件 #{r.id}（案号待核实）",
            r.agency or "",
            case.case_type or "",
            "" if r.plaintiffs == "—" else r.plaintiffs,
            r.cause or "",
            OUTCOME_LABELS.get(r.outcome, r.outcome),
            missing,
            r.next_deadline or "",
            case.notice_date.isoformat() if case.notice_date else "",
            case.hearing_at.strftime("%Y-%m-%d %H:%M") if case.hearing_at else "",
            r.documents,
        ))
    return out


def csv_bytes(data: list[tuple[str | int, ...]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    for row in data:
        w.writerow([_safe(v) if isinstance(v, str) else v for v in row])
    # The BOM makes Excel on Windows read the file as UTF-8 (else the Chinese is garbled).
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(data: list[tuple[str | int, ...]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "案件"
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append(list(HEADER))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in data:
        ws.append([_safe(v) if isinstance(v, str) else v for v in row])
    for i, width in enumerate((26, 16, 6, 18, 20, 8, 24, 22, 12, 16, 6), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def filename(today: date, ext: str) -> str:
    return f"cases-{today.isoformat()}.{ext}"
