"""CSRF, security headers, safe file responses (login throttling: filing/web/throttle.py)."""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from starlette.responses import Response

from filing.web.sessions import SessionData

CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# No inline script or style anywhere: scripts and CSS come from /static. Images are our own PNGs.
CSP = (
    "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def session_of(request: Request) -> SessionData:
    data: SessionData = request.state.session
    return data


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every state-changing request must carry this session's token.

    The token travels in the form field `csrf_token` (or the X-CSRF-Token header for scripts).
    Origin, when the browser sends it, must be our own.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise HTTPException(403, "跨站请求被拒绝（Origin 不符）")
    sent = request.headers.get("x-csrf-token")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    expected = session_of(request).csrf
    if not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "表单已失效或缺少安全令牌（CSRF），请刷新页面后重试")


MAX_ID = 2**63 - 1  # ids are 64-bit in both databases
MAX_QUERY_CHARS = 500  # a search box, not a document


def request_out_of_range(request: Request) -> tuple[int, str] | None:
    """(status, message) for a request no route can answer sensibly: an id past 64 bits in the path (the
    database would raise) or an over-long query parameter; None for everything else."""
    for segment in request.url.path.split("/"):
        if segment.isdigit() and (len(segment) > 19 or int(segment) > MAX_ID):
            return 404, "页面不存在"
    for value in request.query_params.values():
        if len(value) > MAX_QUERY_CHARS:
            return 400, f"查询内容过长（不超过 {MAX_QUERY_CHARS} 个字符）"
    return None


def apply_security_headers(response: Response, html: bool) -> None:
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    if html:
        response.headers.setdefault("Cache-Control", "no-store")


# Content types a browser may show inline; anything else is sent as opaque bytes.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff", "application/pdf", "image/gif"})


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266 with an ASCII fallback; quotes and control characters never reach the header."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;<>' else "_" for c in filename) or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(data: bytes, content_type: str, filename: str, inline: bool = False) -> Response:
    ctype = content_type if content_type in INLINE_TYPES else "application/octet-stream"
    resp = Response(content=data, media_type=ctype)
    resp.headers["Content-Disposition"] = content_disposition("inline" if inline else "attachment", filename)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    # A file opened directly must not run anything even if a browser renders it.
    resp.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    resp.headers["Cache-Control"] = "private, max-age=300"
    return resp
