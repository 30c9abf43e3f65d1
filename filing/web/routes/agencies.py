"""The agency registry: everyone reads it, admins edit it. Every edit is audited."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from filing.web import deps
from filing.web.queries import agency_cases, agency_rows, filing_record, missing_fn, today_local
from store import models as m
from store.users import StaffUser

router = APIRouter()
CODE_RE = re.compile(r"^[a-z0-9_-]{1,32}$")
ADDRESS_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def _state(a: m.Agency) -> dict[str, object]:
    return {"code": a.code, "name": a.name, "short_name": a.short_name, "active": a.active,
            "addresses": [x.address for x in a.addresses]}


def _parse_addresses(raw: str) -> list[str]:
    out = []
    for token in re.split(r"[\s,;，；]+", raw):
        addr = token.strip().lower()
        if not addr:
            continue
        if not ADDRESS_RE.match(addr):
            raise ValueError(f"不是有效的邮箱地址：{addr}")
        if addr not in out:
            out.append(addr)
    return out


@router.get("/agencies")
def agencies_page(request: Request, user: StaffUser = Depends(deps.current_user),
                  s: Session = Depends(deps.db)) -> Response:
    return deps.render(request, "agencies.html", rows=agency_rows(s))


@router.get("/agencies/{agency_id}")
def agency_page(request: Request, agency_id: int, user: StaffUser = Depends(deps.current_user),
                s: Session = Depends(deps.db)) -> Response:
    agency = s.get(m.Agency, agency_id)
    if agency is None:
        raise HTTPException(404, "该单位不存在")
    row = next(r for r in agency_rows(s) if r.id == agency_id)
    app = deps.state(request).app
    return deps.render(request, "agency.html", agency=row,
                       cases=agency_cases(s, agency_id, today_local(app), missing_fn(app)),
                       record=filing_record(s, agency_id))


def _apply(s: Session, agency: m.Agency, name: str, short_name: str, active: bool, addresses: list[str]) -> None:
    agency.name, agency.short_name, agency.active = name, short_name, active
    for row in list(agency.addresses):
        if row.address not in addresses:
            agency.addresses.remove(row)
    s.flush()
    have = {x.address for x in agency.addresses}
    for addr in addresses:
        if addr in have:
            continue
        owner = s.scalar(select(m.AgencyAddress).where(m.AgencyAddress.address == addr))
        if owner is not None:
            raise ValueError(f"地址 {addr} 已登记在其他单位（{owner.agency.name}）名下")
        agency.addresses.append(m.AgencyAddress(address=addr))
    s.flush()


@router.post("/agencies")
def add_agency(request: Request, code: str = Form(...), name: str = Form(...), short_name: str = Form(""),
               addresses: str = Form(""), user: StaffUser = Depends(deps.require_admin),
               s: Session = Depends(deps.db)) -> Response:
    code = code.strip().lower()
    try:
        if not CODE_RE.match(code):
            raise ValueError("单位代码只能包含小写字母、数字、下划线和连字符")
        if not name.strip():
            raise ValueError("单位名称不能为空")
        if s.scalar(select(m.Agency.id).where(m.Agency.code == code)) is not None:
            raise ValueError(f"单位代码 {code} 已存在")
        agency = m.Agency(code=code, name=name.strip(), short_name=short_name.strip(), active=True)
        s.add(agency)
        s.flush()
        _apply(s, agency, name.strip(), short_name.strip(), True, _parse_addresses(addresses))
        s.add(m.AuditEntry(actor=user.name, action="agency.add", object_type="agency", object_id=agency.id,
                           before=None, after=_state(agency)))
        s.commit()
    except ValueError as e:
        s.rollback()
        deps.flash(request, f"保存失败：{e}")
        return deps.redirect("/agencies")
    deps.flash(request, f"已添加单位 {agency.name}")
    return deps.redirect(f"/agencies/{agency.id}")


@router.post("/agencies/{agency_id}")
def edit_agency(request: Request, agency_id: int, name: str = Form(...), short_name: str = Form(""),
                addresses: str = Form(""), active: str = Form(""), user: StaffUser = Depends(deps.require_admin),
                s: Session = Depends(deps.db)) -> Response:
    agency = s.get(m.Agency, agency_id)
    if agency is None:
        raise HTTPException(404, "该单位不存在")
    before = _state(agency)
    try:
        if not name.strip():
            raise ValueError("单位名称不能为空")
        _apply(s, agency, name.strip(), short_name.strip(), active == "on", _parse_addresses(addresses))
        s.add(m.AuditEntry(actor=user.name, action="agency.edit", object_type="agency", object_id=agency.id,
                           before=before, after=_state(agency)))
        s.commit()
    except ValueError as e:
        s.rollback()
        deps.flash(request, f"保存失败：{e}")
        return deps.redirect(f"/agencies/{agency_id}")
    deps.flash(request, "单位信息已保存")
    return deps.redirect(f"/agencies/{agency_id}")
