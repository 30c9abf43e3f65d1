"""The litigation staff roster (应诉人员报备): everyone reads it, admins edit and import it (its emails are
known senders, like the agency registry). Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.filing import recheck_roster
from cases.roster import ROLE_LABELS, RosterPerson, person_role
from cases.roster_store import RosterRow, import_rows, remove_entry, roster_rows, save_entry
from filing.roster_xlsx import RosterSheetError, read_roster_xlsx, write_roster_xlsx
from filing.web import deps
from filing.web.security import file_response
from store import models as m
from store.users import StaffUser

router = APIRouter()
MAX_UPLOAD = 5 * 1024 * 1024


@dataclass(frozen=True)
class RosterView:
    id: int
    agency_id: int
    agency: str
    name: str
    post: str
    role: str
    role_label: str
    qualification: str
    phone: str
    email: str
    is_head: bool


def _views(s: Session, agency_id: int | None) -> list[RosterView]:
    out = []
    for e, a in roster_rows(s, [agency_id] if agency_id else None):
        role = person_role(RosterPerson(e.id, e.name, e.post, e.is_head))
        out.append(RosterView(e.id, a.id, a.name, e.name, e.post, role.value, ROLE_LABELS[role], e.qualification,
                              e.phone, e.email or "", e.is_head))
    return out


def _agencies(s: Session) -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in s.scalars(select(m.Agency).order_by(m.Agency.name))]


def _page(request: Request, s: Session, agency: int | None, errors: tuple[str, ...] = (),
          status_code: int = 200) -> Response:
    return deps.render(request, "roster.html", status_code=status_code, rows=_views(s, agency),
                       agencies=_agencies(s), agency=agency, errors=errors)


def _agency_filter(raw: str) -> int | None:
    """The filter's agency id; empty (全部单位) or not a number: every agency."""
    return int(raw) if raw.strip().isdigit() and len(raw.strip()) < 19 else None


@router.get("/roster")
def roster_page(request: Request, agency: str = "", user: StaffUser = Depends(deps.current_user),
                s: Session = Depends(deps.db)) -> Response:
    return _page(request, s, _agency_filter(agency))


@router.get("/roster/export.xlsx")
def roster_export(request: Request, agency: str = "", user: StaffUser = Depends(deps.current_user),
                  s: Session = Depends(deps.db)) -> Response:
    chosen = _agency_filter(agency)
    data = write_roster_xlsx(roster_rows(s, [chosen] if chosen else None))
    return file_response(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "应诉人员名单.xlsx")


def _row(agency_ref: str, name: str, post: str, qualification: str, phone: str, email: str, is_head: str) -> RosterRow:
    return RosterRow(agency_ref, name, post, qualification, phone, email, is_head == "on")


@router.post("/roster")
def add_entry(request: Request, agency_id: int = Form(...), name: str = Form(""), post: str = Form(""),
              qualification: str = Form(""), phone: str = Form(""), email: str = Form(""),
              is_head: str = Form(""), user: StaffUser = Depends(deps.require_admin),
              s: Session = Depends(deps.db)) -> Response:
    agency = s.get(m.Agency, agency_id)
    if agency is None:
        raise HTTPException(404, "该单位不存在")
    try:
        if s.scalar(select(m.RosterEntry.id).where(m.RosterEntry.agency_id == agency.id,
                                                   m.RosterEntry.name == "".join(name.split()))) is not None:
            raise ValueError(f"{agency.name}已有名为{name.strip()}的应诉人员，请在列表中修改")
        entry, _ = save_entry(s, agency, _row("", name, post, qualification, phone, email, is_head), user.name)
        recheck_roster(s, [agency.id])
        s.commit()
    except ValueError as e:
        s.rollback()
        deps.flash(request, f"保存失败：{e}")
        return deps.redirect(f"/roster?agency={agency_id}")
    deps.flash(request, f"已添加应诉人员 {entry.name}（{agency.name}）")
    return deps.redirect(f"/roster?agency={agency_id}")


@router.get("/roster/{entry_id}")
def entry_page(request: Request, entry_id: int, user: StaffUser = Depends(deps.require_admin),
               s: Session = Depends(deps.db)) -> Response:
    entry = s.get(m.RosterEntry, entry_id)
    if entry is None:
        raise HTTPException(404, "该应诉人员不存在")
    view = next(v for v in _views(s, entry.agency_id) if v.id == entry_id)
    return deps.render(request, "roster_entry.html", e=view, agencies=_agencies(s))


@router.post("/roster/{entry_id}")
def edit_entry(request: Request, entry_id: int, agency_id: int = Form(...), name: str = Form(""),
               post: str = Form(""), qualification: str = Form(""), phone: str = Form(""), email: str = Form(""),
               is_head: str = Form(""), user: StaffUser = Depends(deps.require_admin),
               s: Session = Depends(deps.db)) -> Response:
    entry = s.get(m.RosterEntry, entry_id)
    agency = s.get(m.Agency, agency_id)
    if entry is None or agency is None:
        raise HTTPException(404, "该应诉人员或单位不存在")
    before = entry.agency_id
    try:
        save_entry(s, agency, _row("", name, post, qualification, phone, email, is_head), user.name, entry)
        recheck_roster(s, {before, agency.id})
        s.commit()
    except ValueError as e:
        s.rollback()
        deps.flash(request, f"保存失败：{e}")
        return deps.redirect(f"/roster/{entry_id}")
    deps.flash(request, f"已保存应诉人员 {entry.name}")
    return deps.redirect(f"/roster?agency={agency_id}")


@router.post("/roster/{entry_id}/remove")
def remove(request: Request, entry_id: int, user: StaffUser = Depends(deps.require_admin),
           s: Session = Depends(deps.db)) -> Response:
    entry = s.get(m.RosterEntry, entry_id)
    if entry is None:
        raise HTTPException(404, "该应诉人员不存在")
    name, agency_id = entry.name, entry.agency_id
    remove_entry(s, entry, user.name)
    recheck_roster(s, [agency_id])
    s.commit()
    deps.flash(request, f"已从名单中删除 {name}")
    return deps.redirect(f"/roster?agency={agency_id}")


@router.post("/roster-import")
async def upload(request: Request, file: UploadFile, user: StaffUser = Depends(deps.require_admin),
                 s: Session = Depends(deps.db)) -> Response:
    data = await file.read(MAX_UPLOAD + 1)
    try:
        if len(data) > MAX_UPLOAD:
            raise RosterSheetError("文件过大（不超过 5 MB）")
        rows = read_roster_xlsx(data)
    except RosterSheetError as e:
        deps.flash(request, f"导入失败：{e}")
        return deps.redirect("/roster")
    report = import_rows(s, rows, user.name)
    recheck_roster(s, report.agency_ids)
    s.commit()
    deps.flash(request, f"导入完成：新增 {report.added} 人，更新 {report.updated} 人，未变 {report.unchanged} 人，"
                        f"有误 {len(report.errors)} 行")
    if report.errors:
        return _page(request, s, None, tuple(report.errors), status_code=200)
    return deps.redirect("/roster")
