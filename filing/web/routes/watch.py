"""有庭必出 watch page, staff-entered appearance plans, and each user's secret calendar feed.

The feed (/calendar/TOKEN.ics) is read by calendar programs that carry no session: the token in the URL is
the only key. Only its SHA-256 is stored; regenerating or revoking it ends the old URL at once.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cases.plans import set_staff_plan
from filing.adapters import work_calendar
from filing.watch import (
    FEED_PAST_DAYS,
    active_feed,
    feed_user,
    hearing_events,
    hearings_between,
    new_feed_token,
    revoke_feeds,
    upcoming_hearings,
    watch_window,
)
from filing.web import deps
from notify.ics import render_calendar
from store import models as m
from store.clock import utcnow
from store.users import StaffUser

router = APIRouter()


def _feed_url(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/calendar/{token}.ics"


def _watch(request: Request, s: Session, user: StaffUser, new_url: str | None = None) -> Response:
    app = deps.state(request).app
    today = app.settings.today()
    calendar = work_calendar(app.settings)
    first, last = watch_window(today, calendar)
    rows = upcoming_hearings(s, today, calendar)
    feed = active_feed(s, user.id)
    return deps.render(request, "watch.html", rows=rows, first=first, last=last, new_url=new_url,
                       feed_since=feed.created_at if feed else None,
                       warnings=sum(1 for r in rows if r.warning))


@router.get("/watch")
def watch_page(request: Request, user: StaffUser = Depends(deps.current_user),
               s: Session = Depends(deps.db)) -> Response:
    return _watch(request, s, user)


@router.post("/watch/{case_id}/plan")
def set_plan(request: Request, case_id: int, name: str = Form(""), title: str = Form(""), back: str = Form(""),
             user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    case = s.get(m.Case, case_id)
    if case is None:
        raise HTTPException(404, "该案件不存在")
    # Only the case's own page is a place to return to (no open redirect).
    target = f"/cases/{case_id}#plan" if back == "case" else "/watch"
    try:
        plan = set_staff_plan(s, case, name, title, user.name)
        s.commit()
    except ValueError as e:
        s.rollback()
        deps.flash(request, f"保存失败：{e}")
        return deps.redirect(target)
    deps.flash(request, f"已记录 {case.case_number or case.id} 的拟出庭人员：{plan.name} {plan.title or ''}")
    return deps.redirect(target)


@router.post("/watch/feed")
def regenerate_feed(request: Request, user: StaffUser = Depends(deps.current_user),
                    s: Session = Depends(deps.db)) -> Response:
    token = new_feed_token(s, user.id)
    s.add(m.AuditEntry(actor=user.name, action="calendar.token", object_type="user", object_id=user.id))
    s.commit()
    # Shown once, on this page only: the store keeps the hash, a redirect would have to carry the secret.
    return _watch(request, s, user, new_url=_feed_url(request, token))


@router.post("/watch/feed/revoke")
def revoke_feed(request: Request, user: StaffUser = Depends(deps.current_user),
                s: Session = Depends(deps.db)) -> Response:
    n = revoke_feeds(s, user.id)
    s.add(m.AuditEntry(actor=user.name, action="calendar.revoke", object_type="user", object_id=user.id))
    s.commit()
    deps.flash(request, "日历订阅地址已作废" if n else "没有有效的日历订阅地址")
    return deps.redirect("/watch")


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str, s: Session = Depends(deps.db)) -> Response:
    user = feed_user(s, token)
    if user is None:
        return Response("订阅地址无效或已作废\n", status_code=404, media_type="text/plain; charset=utf-8")
    app = deps.state(request).app
    today = app.settings.today()
    rows = hearings_between(s, today - timedelta(days=FEED_PAST_DAYS), None)
    body = render_calendar(hearing_events(rows, app.settings.notify.receipt_domain or "filing.invalid"),
                           name=f"{app.settings.notify.bureau_name}·开庭", timezone=app.settings.calendar.timezone,
                           now=utcnow())
    resp = Response(body, media_type="text/calendar; charset=utf-8")
    resp.headers["Cache-Control"] = "private, max-age=300"
    return resp
