"""The litigation staff roster as an XLSX sheet: read an agency's filled-in sheet, write the roster out.

The first row names the columns (in any order, the export's own headers or their usual variants); every
later non-empty row is one person. The export reads back in unchanged.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from cases.roster_store import RosterRow
from store import models as m

HEADERS = ("单位", "姓名", "职务", "法律职业资格", "联系电话", "电子邮箱", "是否负责人")
_FIELDS = ("agency", "name", "post", "qualification", "phone", "email", "is_head")
_VARIANTS = {
    "agency": ("单位", "单位名称", "行政机关", "机关名称", "单位代码"),
    "name": ("姓名", "名字", "人员姓名"),
    "post": ("职务", "职务/岗位", "岗位", "职位", "职务职级"),
    "qualification": ("法律职业资格", "法律资格", "法律职业资格证", "资格"),
    "phone": ("联系电话", "电话", "手机", "手机号", "联系方式"),
    "email": ("电子邮箱", "邮箱", "email", "e-mail", "电子邮件"),
    "is_head": ("是否负责人", "负责人", "是否为负责人"),
}


class RosterSheetError(ValueError):
    """The file is not a roster sheet at all (Chinese message)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed as a number
    return str(value).strip()


def read_roster_xlsx(data: bytes) -> list[tuple[int, RosterRow]]:
    """(row number in the sheet, row) for every non-empty row of the first sheet."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise RosterSheetError(
            f"无法读取 XLSX 文件（{type(e).__name__}）：请上传 Excel 2007 及以上格式（.xlsx）") from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise RosterSheetError("XLSX 文件中没有工作表")
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    columns: dict[str, int] = {}
    for i, title in enumerate(header or ()):
        text = _cell(title).replace(" ", "").lower()
        for key, names in _VARIANTS.items():
            if key not in columns and text in names:
                columns[key] = i
    missing = [HEADERS[_FIELDS.index(k)] for k in ("agency", "name") if k not in columns]
    if missing:
        raise RosterSheetError(f"第1行应为表头，缺少列：{'、'.join(missing)}（表头：{'、'.join(HEADERS)}）")
    out: list[tuple[int, RosterRow]] = []
    for number, values in enumerate(rows, start=2):
        cells = {k: _cell(values[i]) if i < len(values) else "" for k, i in columns.items()}
        if not any(cells.values()):
            continue
        out.append((number, RosterRow(**{k: cells.get(k, "") for k in _FIELDS})))
    book.close()
    return out


def write_roster_xlsx(rows: Sequence[tuple[m.RosterEntry, m.Agency]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "应诉人员名单"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for e, a in rows:
        sheet.append([a.name, e.name, e.post, e.qualification, e.phone, e.email or "", "是" if e.is_head else "否"])
    for col, width in zip("ABCDEFG", (28, 10, 16, 20, 16, 28, 10), strict=True):
        sheet.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
