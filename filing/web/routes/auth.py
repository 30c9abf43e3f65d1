"""Login and logout. The session is replaced on login (new id, new CSRF token)."""

from __future__ import annotations

from math import ceil

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from filing.web import deps
from filing.web.clients import client_address
from filing.web.security import session_of
from filing.web.sessions import KNOWN_COOKIE, new_session
from store.models import AuditEntry
from store.users import StaffUser, verify_user

router = APIRouter()


def _wait_text(seconds: float) -> str:
    return f"{ceil(seconds)} 秒" if seconds < 90 else f"{ceil(seconds / 60)} 分钟"


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
    client = client_address(request, st.proxies)
    account = name.strip().lower()[:200]
    known_accounts = st.known.accounts(request.cookies.get(KNOWN_COOKIE))
    wait = st.throttle.wait_seconds(account, client, known_client=account in known_accounts)
    if wait > 0:
        # Not even checked: a guess made during the wait tells nothing and costs the guesser nothing.
        page = deps.render(request, "login.html", status_code=429, next=_safe_next(next), name=name,
                           error=f"登录失败次数过多，请 {_wait_text(wait)}后再试。")
        page.headers["Retry-After"] = str(ceil(wait))
        return page
    user = verify_user(s, name, password, st.hasher)
    if user is None:
        st.throttle.failed(account, client)
        s.add(AuditEntry(actor=name.strip()[:64] or "?", action="login_failed", object_type="user", object_id=None,
                         before=None, after={"client": client}))
        s.commit()
        return deps.render(request, "login.html", status_code=401, next=_safe_next(next), name=name,
                           error="用户名或密码错误。")
    st.throttle.succeeded(account, client)
    request.state.known_cookie = st.known.dumps(known_accounts, account)
    st.revoke(s, session_of(request).sid)
    deps.set_session(request, new_session(user.id))
    s.add(AuditEntry(actor=user.name, action="login", object_type="user", object_id=user.id, before=None,
                     after={"client": client}))
    s.commit()
    return deps.redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, user: StaffUser = Depends(deps.current_user), s: Session = Depends(deps.db)) -> Response:
    deps.state(request).revoke(s, session_of(request).sid)
    s.add(AuditEntry(actor=user.name, action="logout", object_type="user", object_id=user.id, before=None, after=None))
    s.commit()
    deps.set_session(request, new_session())
    return deps.redirect("/login")
