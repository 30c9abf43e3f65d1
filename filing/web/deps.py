"""Request-scoped helpers shared by the route modules: state, session, user, rendering."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from argon2 import PasswordHasher
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment
from sqlalchemy import delete
from sqlalchemy.orm import Session

from filing.bootstrap import App
from filing.web.clients import Network
from filing.web.security import CSRF_FIELD, session_of
from filing.web.sessions import ABSOLUTE_HOURS, KnownClients, SessionCodec, SessionData
from filing.web.throttle import LoginThrottle
from store.clock import utcnow
from store.models import RevokedSession
from store.users import StaffUser, get_user


@dataclass
class WebState:
    app: App
    env: Environment
    codec: SessionCodec
    throttle: LoginThrottle
    known: KnownClients
    proxies: tuple[Network, ...] = ()
    hasher: PasswordHasher | None = None
    # Session ids ended by login or logout, as far as this process has seen them; the database
    # (revoked_sessions) is the record that survives restarts and is shared by every process.
    revoked: dict[str, float] = field(default_factory=dict)

    def revoke(self, s: Session, sid: str) -> None:
        """End session `sid` for good, in the caller's transaction (committed with the login or logout)."""
        now = time.time()
        self.revoked[sid] = now
        if s.get(RevokedSession, sid) is None:
            s.add(RevokedSession(sid=sid))
        # Cookies die after ABSOLUTE_HOURS anyway: older entries need not be remembered.
        s.execute(delete(RevokedSession).where(RevokedSession.revoked_at < utcnow() - timedelta(hours=ABSOLUTE_HOURS)))
        if len(self.revoked) > 1000:
            cutoff = now - ABSOLUTE_HOURS * 3600
            for old in [k for k, at in self.revoked.items() if at < cutoff]:
                del self.revoked[old]

    def is_revoked(self, sid: str) -> bool:
        if sid in self.revoked:
            return True
        with self.app.uow() as uow:
            return uow.session.get(RevokedSession, sid) is not None


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def state(request: Request) -> WebState:
    st: WebState = request.app.state.web
    return st


def db(request: Request) -> Iterator[Session]:
    """One unit of work per request; routes commit explicitly, anything else is rolled back."""
    with state(request).app.uow() as uow:
        yield uow.session


def current_user(request: Request, s: Session = Depends(db)) -> StaffUser:
    sess = session_of(request)
    user = get_user(s, sess.user_id) if sess.user_id is not None else None
    # End this read at once: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE),
    # and routes that call services opening their own unit of work must not wait on ours.
    s.rollback()
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    request.state.user = user
    return user


def require_admin(user: StaffUser = Depends(current_user)) -> StaffUser:
    if not user.is_admin:
        raise HTTPException(403, "此操作需要管理员权限")
    return user


def set_session(request: Request, data: SessionData) -> None:
    request.state.session = data


def flash(request: Request, text: str) -> None:
    set_session(request, replace(session_of(request), flash=text))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    sess = session_of(request)
    message = sess.flash
    if message:
        set_session(request, replace(sess, flash=""))
    page = state(request).env.get_template(template).render(
        user=getattr(request.state, "user", None),
        csrf_token=sess.csrf,
        csrf_field=CSRF_FIELD,
        flash=message,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
