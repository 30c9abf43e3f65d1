"""Login and logout. The session is replaced on login (new id, new CSRF token)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from filing.web import deps
from filing.web.security import session_of
from filing.web.sessions import new_session
from store.models import AuditEntry
from store.users import StaffUser, verify_user

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return deps.render(request, "login.html", next=_safe_next(next), error="", name="")


@router.post("/login")
def login(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    s: Session = Depends(deps.db),
) -> Response:
    st = deps.state(request)
    client = request.client.host if request.client else "unknown"
    keys = [f"ip:{client}", f"user:{name.strip().lower()}"]
    if st.limiter.blocked(keys):
        return deps.render(request, "login.html", status_code=429, next=_safe_next(next), name=name,
                           error="登录失败次数过多，请 15 分钟后再试。")
    user = verify_user(s, name, password, st.hasher)
    if user is None:
        st.limiter.failed(keys)
        s.add(AuditEntry(actor=name.strip()[:64] or "?", action="login_failed", object_type="user", object_id=None,
                         before=None, after={"client": client}))
        s.commit()
        return deps.render(request, "login.html", status_code=401, next=_safe_next(next), name=name,
                           error="用户名或密码错误。")
    st.limiter.succeeded(keys)
    st.revoke(session_of(request).sid)
    deps.set_session(request, new_session(user.id))
    s.add(AuditEntry(actor=user.name, action="login", object_type="user", object_id=user.id, before=None,
                     after={"client": client}))
    s.commit()
    return deps.redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    deps.state(request).revoke(session_of(request).sid)
    s.add(AuditEntry(actor=user.name, action="logout", object_type="user", object_id=user.id, before=None, after=None))
    s.commit()
    deps.set_session(request, new_session())
    return deps.redirect("/login")
