"""Run pending pipeline steps under claims: the engine of `filing worker` and of `serve`'s processing job.

`StepRunner.run_one` claims the oldest pending message, runs its remaining steps
through `filing.pipeline.process` with every commit fenced (store/claims.py),
renews the claim while it works, and releases it. Between steps it honours a stop
request; `abandon` gives a claim back mid-step at shutdown, after which the step
can no longer commit, so the next process redoes it from its stored state.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from filing.bootstrap import App
from filing.pipeline import process
from store import claims
from store import models as m
from store.claims import Claim, ClaimLost, StepFence
from terms.status import MessageState, MessageStatus, StepOutcome

log = logging.getLogger(__name__)
MAX_RETRY_SECONDS = 3600.0


class StopRequested(Exception):
    """Raised between steps when the process is shutting down."""


def worker_name(role: str) -> str:
    return f"{socket.gethostname()}:{role}:{os.getpid()}"


class StepRunner:
    def __init__(self, app: App, name: str, stop: threading.Event | None = None) -> None:
        self.app = app
        self.name = name
        self.stop = stop or threading.Event()
        self.lease = timedelta(seconds=app.settings.scheduler.claim_seconds)
        self._lock = threading.Lock()
        self._current: Claim | None = None
        self._heartbeat: threading.Thread | None = None
        self._closed = threading.Event()
        self._fence: StepFence | None = None
        # One fenced App for all claims: its commits pass the fence of the claim being processed.
        fenced = claims.fenced_session_factory(app.session_factory, lambda: self._fence)
        self._fenced_app = dataclasses.replace(app, session_factory=fenced)
        self.processed = 0

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._current is not None

    def run_one(self) -> bool:
        """Claim and process one message; False when there was nothing to claim."""
        if self.stop.is_set():
            return False
        s = self.app.settings.scheduler
        claim = claims.claim_next(self.app.session_factory, self.name, self.lease, s.max_attempts)
        if claim is None:
            return False
        with self._lock:
            self._current = claim
        self._ensure_heartbeat()
        retry: timedelta | None = None
        try:
            retry = self._process(claim)
        finally:
            with self._lock:
                self._current = None
            self._fence = None
            claims.release(self.app.session_factory, claim, retry_after=retry)
        return True

    def drain(self, limit: int | None = None) -> int:
        """Process messages until none is pending (or `limit`, or stop). Returns how many."""
        done = 0
        while (limit is None or done < limit) and self.run_one():
            done += 1
        return done

    def _process(self, claim: Claim) -> timedelta | None:
        """Run the message's remaining steps; returns the retry delay when a step failed."""
        fence = self._fence = StepFence(claim, self.name)
        extra = {"message_id": claim.message_id, "worker": self.name}

        def on_step(state: str) -> None:
            if self.stop.is_set():
                raise StopRequested
            fence.begin(state, self._attempts(claim.message_id))
            log.info("step %s started", state, extra={**extra, "step": state})

        started = time.monotonic()
        try:
            status = process(self._fenced_app, claim.message_id, on_step=on_step)
        except StopRequested:
            log.info("stopping between steps; message left for the next run", extra=extra)
            return None
        except ClaimLost as e:
            log.error("%s", e, extra=extra)
            return None
        self.processed += 1
        last = fence.runs[-1] if fence.runs else None
        failed = last is not None and last[1] == StepOutcome.failed and last[2] != MessageState.parked
        log.log(logging.WARNING if status == MessageStatus.failed else logging.INFO, "message processed: %s", status,
                extra={**extra, "status": status, "seconds": round(time.monotonic() - started, 3),
                       "steps": ",".join(f"{st}:{o}" for st, o, _ in fence.runs)})
        if not failed:
            return None
        attempts = self._attempts(claim.message_id)
        base = self.app.settings.scheduler.retry_seconds
        return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))

    def _attempts(self, message_id: int) -> int:
        with self.app.uow() as uow:
            return int(uow.session.scalar(select(m.Message.attempts).where(m.Message.id == message_id)) or 0)

    def abandon(self, why: str) -> Claim | None:
        """Give the current claim back now (shutdown); its running step can then no longer commit."""
        with self._lock:
            claim, self._current = self._current, None
        if claim is None:
            return None
        if claims.release(self.app.session_factory, claim, note=why):
            log.warning("abandoned step of message %d: %s", claim.message_id, why,
                        extra={"message_id": claim.message_id, "worker": self.name})
        return claim

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is not None and self._heartbeat.is_alive():
            return
        self._heartbeat = threading.Thread(target=self._beat, name=f"claim-heartbeat-{self.name}", daemon=True)
        self._heartbeat.start()

    def close(self) -> None:
        """Stop renewing claims (after the last step finished or was abandoned)."""
        self._closed.set()

    def _beat(self) -> None:
        # Keeps beating after a stop request: a step finishing within the shutdown grace needs its lease.
        interval = max(self.lease.total_seconds() / 3, 0.2)
        while not self._closed.wait(interval):
            with self._lock:
                claim = self._current
            if claim is None:
                continue
            try:
                if not claims.extend(self.app.session_factory, claim, self.lease):
                    log.error("lost the claim on message %d", claim.message_id,
                              extra={"message_id": claim.message_id, "worker": self.name})
            except Exception:  # a database blip: the next beat retries well before the lease ends
                log.exception("could not renew the claim on message %d", claim.message_id)


def run_worker(app: App, runner: StepRunner, idle_s: float) -> None:
    """`filing worker`'s loop: work while there is work, then wait `idle_s` and look again."""
    log.info("worker started", extra={"worker": runner.name})
    while not runner.stop.is_set():
        try:
            if runner.run_one():
                continue
        except Exception:  # the database went away: keep the worker alive and try again
            log.exception("claiming work failed; retrying in %.1fs", idle_s)
        runner.stop.wait(idle_s)
    runner.close()
    log.info("worker stopped", extra={"worker": runner.name, "processed": runner.processed})
