"""Operations endpoints, open without login: `/healthz` for probes, `/metrics` for Prometheus.

Neither shows personal data: counts and timings only. Mount with
`api.include_router(ops_routes.router)`; the routes read `App` from `api.state.ops_app`
(or the staff UI's `api.state.web.app`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from filing.bootstrap import App
from filing.metrics import collect, render

router = APIRouter()
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def _app(request: Request) -> App:
    state = request.app.state
    found = getattr(state, "ops_app", None) or getattr(getattr(state, "web", None), "app", None)
    if not isinstance(found, App):
        raise RuntimeError("ops routes mounted without an App: set api.state.ops_app")
    return found


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers; 503 (with the reason) when it does not."""
    app = _app(request)
    body: dict[str, Any] = {"status": "ok"}
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # the probe's whole point is to report this, not raise it
        return JSONResponse({"status": "error", "database": f"{type(e).__name__}: {e}"}, status_code=503)
    service = app.extras.get("service_status")
    if callable(service):
        body.update(service())
    return JSONResponse(body)


@router.get("/metrics")
def metrics(request: Request) -> PlainTextResponse:
    app = _app(request)
    with app.uow() as uow:
        body = render(collect(uow.session))
    return PlainTextResponse(body, media_type=PROMETHEUS_TEXT)
