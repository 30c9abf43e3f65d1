"""The long-running processes: `serve` (web UI + scheduler + processing) and `worker` (processing only).

Shutdown on SIGTERM/SIGINT: stop taking work, let the current step and running
jobs finish for `scheduler.shutdown_grace_seconds`, then abandon what is still
running. Abandoning is safe by construction: a step commits in one transaction,
guarded by its claim (store/claims.py); releasing the claim first means the
interrupted step can no longer commit, and the next start redoes it from the
stored state. The process then exits without waiting for the abandoned thread
(OCR in a subprocess may take minutes).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

import uvicorn
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI

from filing.bootstrap import App
from filing.scheduler import ServiceScheduler
from filing.web import ops_routes
from filing.web.app import create_app
from filing.worker import StepRunner, run_worker, worker_name
from store import claims
from store.migrate import alembic_config
from terms.errors import ErrorCode, FilingError

log = logging.getLogger(__name__)


def check_schema(app: App) -> None:
    """Refuse to start on a database that `filing init` has not brought to the current schema."""
    head = ScriptDirectory.from_config(alembic_config(app.engine)).get_current_head()
    with app.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise FilingError(ErrorCode.config, f"database schema is at {current or 'nothing'}, this version needs {head}: "
                                            "run `filing init` first")


def _on_signals(handler: Callable[[int], None]) -> None:
    def _handle(signum: int, _frame: FrameType | None) -> None:
        handler(signum)

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)


def _stop_on(signum: int, term: threading.Event) -> None:
    log.info("signal %s: shutting down", signal.Signals(signum).name)
    term.set()


def _wait_signal(term: threading.Event) -> None:
    # A timed wait keeps the main thread returning to the interpreter, where signal handlers run.
    while not term.wait(0.5):
        pass


def _finish_or_abandon(runner: StepRunner, busy: Callable[[], bool], grace_s: float) -> bool:
    """Wait up to `grace_s` for running work; abandon the current step if it is still running.
    Returns True when something was abandoned (the process must not wait for that thread)."""
    deadline = time.monotonic() + grace_s
    while busy() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not busy():
        return False
    claim = runner.abandon(f"process {runner.name} stopped (SIGTERM) before the step finished; the next run redoes it")
    if claim is not None:
        log.warning("abandoned message %d mid-step", claim.message_id, extra={"message_id": claim.message_id})
    return True


def _exit(abandoned: bool) -> None:
    logging.shutdown()
    sys.stderr.flush()
    if abandoned:
        # Threads still in an abandoned step (or a job) must not keep the process alive; they can no
        # longer commit anything, so there is nothing to wait for.
        os._exit(0)


def warn_sender_trust(app: App) -> None:
    """Say at start when nothing can authenticate a sender, and what that means for forged From: lines."""
    senders = app.settings.senders
    if senders.authserv_id:
        return
    what = {"review": "every document from a registered address waits for review",
            "file": "a forged From: of a registered address is filed and answered",
            "quarantine": "all mail from registered addresses is quarantined"}[senders.unauthenticated]
    dkim = "DKIM is checked here, " if senders.verify_dkim else ""
    log.warning("senders.authserv_id is not set: no Authentication-Results header is trusted; %sunless a "
                "message is otherwise authenticated, %s (senders.unauthenticated: %s). See README, deployment.",
                dkim, what, senders.unauthenticated)


def serve(app: App, host: str | None = None, port: int | None = None, web: bool = True, process: bool = True) -> None:
    """Run the web UI, the scheduler and message processing in this process until SIGTERM.

    `process=False` leaves the pipeline to `filing worker` processes (PostgreSQL deployments)."""
    check_schema(app)
    warn_sender_trust(app)
    if app.engine.dialect.name == "sqlite":
        if not process:
            raise FilingError(ErrorCode.config, "on SQLite `filing serve` must process messages itself "
                                                "(workers need PostgreSQL): drop --no-process")
        # One process per SQLite database: a claim found now belongs to a process that died.
        expired = claims.expire_claims(app.session_factory)
        if expired:
            log.warning("%d message(s) were claimed by a process that died; they resume now", expired)
    stop, term = threading.Event(), threading.Event()
    name = worker_name("serve")
    runner = StepRunner(app, name, stop)
    sched = ServiceScheduler(app, runner, name, stop, process=process)
    app.extras["service_status"] = sched.status
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    if web:
        # proxy_headers off: forwarded headers are read by the app, from web.trusted_proxies only (web/clients.py).
        config = uvicorn.Config(build_web(app), host=host or app.settings.web.host, port=port or app.settings.web.port,
                                log_config=None, access_log=False, lifespan="off", proxy_headers=False)
        server = uvicorn.Server(config)
        # Not the main thread: uvicorn then leaves signal handling to us.
        thread = threading.Thread(target=server.run, name="web", daemon=True)
    _on_signals(lambda signum: _stop_on(signum, term))
    failed = False
    if server is not None and thread is not None:
        thread.start()
        failed = not _web_started(server, thread)
        if failed:
            log.error("the web server did not start on %s:%d (port in use?); stopping", config.host, config.port)
            term.set()
    if not failed:
        sched.start()
        log.info("serve started", extra={"worker": name, "web": f"{config.host}:{config.port}" if web else "off"})
    _wait_signal(term)
    stop.set()
    sched.shutdown()
    if server is not None:
        server.should_exit = True
    grace = app.settings.scheduler.shutdown_grace_seconds
    abandoned = _finish_or_abandon(runner, lambda: runner.busy or sched.active_jobs > 0, grace)
    sched.release()
    runner.close()
    if thread is not None:
        thread.join(timeout=5)
    log.info("serve stopped", extra={"abandoned": abandoned, "processed": runner.processed})
    if failed:
        raise FilingError(ErrorCode.config, "the web server could not start: free the port or set web.port")
    _exit(abandoned)


def _web_started(server: uvicorn.Server, thread: threading.Thread, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def build_web(app: App) -> FastAPI:
    """The staff UI with /healthz and /metrics mounted (added here while create_app does not include them)."""
    api = create_app(app)
    api.state.ops_app = app
    if not any(getattr(r, "path", None) == "/metrics" for r in api.router.routes):
        api.include_router(ops_routes.router)
    return api


def work(app: App, once: bool = False) -> int:
    """`filing worker`: claim and run pending steps until SIGTERM (or, with `once`, until none is left)."""
    check_schema(app)
    stop, term = threading.Event(), threading.Event()
    runner = StepRunner(app, worker_name("worker"), stop)
    if once:
        done = runner.drain()
        runner.close()
        return done
    _on_signals(lambda signum: _stop_on(signum, term))
    thread = threading.Thread(target=run_worker, args=(app, runner, app.settings.scheduler.worker_idle_seconds),
                              name="worker", daemon=True)
    thread.start()
    while not term.wait(0.5):
        if not thread.is_alive():
            break
    stop.set()
    abandoned = _finish_or_abandon(runner, thread.is_alive, app.settings.scheduler.shutdown_grace_seconds)
    runner.close()
    log.info("worker exiting", extra={"abandoned": abandoned, "processed": runner.processed})
    _exit(abandoned)
    return runner.processed
