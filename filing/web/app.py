"""The app factory: middleware (session, headers), error pages and the page routers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from http import HTTPStatus
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from filing.bootstrap import App
from filing.web import assessment_routes, deps, report_routes
from filing.web.clients import parse_networks, via_https
from filing.web.routes import agencies, auth, cases, checks, files, followup, quarantine, queue, roster, watch
from filing.web.security import apply_security_headers, csrf_protect, request_out_of_range
from filing.web.sessions import COOKIE, KNOWN_COOKIE, KNOWN_DAYS, KnownClients, SessionCodec, new_session
from filing.web.templating import make_env
from filing.web.throttle import LoginThrottle

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
HTTP_DETAILS = {
    404: "没有这个页面，请检查地址或从菜单进入",
    405: "该地址不支持此操作（例如直接打开了只能由按钮提交的地址）",
    403: "无权访问",
    400: "请求有误",
    413: "提交的内容过大",
    429: "请求过多，请稍后再试",
}


def _secret(app: App) -> str:
    key = app.settings.web.secret_key
    if key:
        return key
    log.warning("web.secret_key is not set (FILING_WEB__SECRET_KEY): sessions end when the server restarts")
    return secrets.token_urlsafe(32)


def create_app(app: App, hasher: PasswordHasher | None = None, throttle: LoginThrottle | None = None) -> FastAPI:
    web = app.settings.web
    secret = _secret(app)
    api = FastAPI(
        title="行政应诉案件备案",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    api.state.web = deps.WebState(
        app=app,
        env=make_env(timezone=app.settings.calendar.timezone),
        codec=SessionCodec(secret, web.session_minutes),
        throttle=throttle or LoginThrottle(),
        known=KnownClients(secret),
        proxies=parse_networks(web.trusted_proxies),
        hasher=hasher,
    )

    @api.middleware("http")
    async def session_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        st: deps.WebState = request.app.state.web
        raw = request.cookies.get(COOKIE)
        data = st.codec.loads(raw)
        # Only a logged-in session is worth a database look: a revoked visitor's cookie opens nothing.
        revoked = data is not None and data.logged_in and await run_in_threadpool(st.is_revoked, data.sid)
        if data is None or data.sid in st.revoked or revoked:
            data = new_session()
            if raw:
                data = replace(data, flash="登录已过期或已退出，请重新登录。")
        request.state.session = data
        refused = request_out_of_range(request)
        response: Response
        try:
            if refused is not None:
                response = deps.render(request, "error.html", status_code=refused[0], status=refused[0],
                                       detail=refused[1])
            else:
                response = await call_next(request)
        except Exception:
            # A bug must not show a traceback or drop the security headers: log it, answer plainly.
            log.exception("web request failed: %s %s", request.method, request.url.path)
            response = deps.render(request, "error.html", status_code=500, status=500,
                                   detail="服务器内部错误，已记录日志。请稍后重试或联系管理员。")
        out = request.state.session
        if out.logged_in:
            out = st.codec.touch(out)
        secure = web.https_only or via_https(request, st.proxies)
        response.set_cookie(COOKIE, st.codec.dumps(out), httponly=True, samesite="lax", secure=secure, path="/")
        known = getattr(request.state, "known_cookie", None)
        if known:
            response.set_cookie(KNOWN_COOKIE, known, max_age=KNOWN_DAYS * 86400, httponly=True, samesite="lax",
                                secure=secure, path="/login")
        apply_security_headers(response, html=response.media_type == "text/html"
                               or response.headers.get("content-type", "").startswith("text/html"))
        return response

    @api.exception_handler(deps.LoginRequired)
    async def _login_required(request: Request, exc: deps.LoginRequired) -> Response:
        return deps.redirect(deps.login_url(exc.next_url))

    @api.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        detail = str(exc.detail)
        if detail == HTTPStatus(exc.status_code).phrase:
            # Starlette's own English phrase ("Not Found"): staff read Chinese.
            detail = HTTP_DETAILS.get(exc.status_code, "请求无法完成")
        return deps.render(request, "error.html", status_code=exc.status_code, status=exc.status_code,
                           detail=detail)

    @api.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        return deps.render(request, "error.html", status_code=400, status=400, detail="请求参数不正确")

    @api.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return Response(status_code=204)

    api.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth, queue, checks, cases, followup, agencies, quarantine, files, roster, watch):
        api.include_router(module.router)
    api.include_router(report_routes.router, dependencies=[Depends(deps.current_user)])
    api.include_router(assessment_routes.router, dependencies=[Depends(deps.current_user)])
    return api
