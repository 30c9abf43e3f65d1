"""APScheduler wiring for `filing serve`: which job runs when, and only in one process per deployment.

Every serve process runs this scheduler, but the jobs that must not run twice
(poll, outbox, reminders, digest, report) do nothing unless this process holds
the `scheduler` lease in the database; another process takes over when the holder
stops renewing it. Message processing is safe anywhere (claims) and runs in every
serve process. Jobs never overlap themselves (max_instances=1), late runs collapse
into one (coalesce) and run however late they are; a daily job whose time passed
while no process was up runs once when leadership is (re)gained.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from filing import jobs
from filing.adapters import imap_settings
from filing.bootstrap import App
from filing.worker import StepRunner
from ingest.mailbox import MailboxRejected, MailboxUnavailable, idle_wait
from store import models as m
from store.clock import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
IDLE_WINDOW_S = 300.0  # one IDLE connection at most this long, then a fresh one
IDLE_BACKOFF_S = 30.0
IDLE_SETTLE_S = 1.0  # IDLE is established well within this on any reachable server


class Lease:
    """A named lease in the `leases` table: one holder at a time, renewed before it expires."""

    def __init__(self, app: App, name: str, holder: str, ttl: timedelta) -> None:
        self.app, self.name, self.holder, self.ttl = app, name, holder, ttl
        self._held_until: datetime | None = None

    @property
    def held(self) -> bool:
        return self._held_until is not None and utcnow() < self._held_until

    def acquire(self) -> bool:
        """Take or renew the lease; False when another live holder has it."""
        now = utcnow()
        with self.app.uow() as uow:
            s = uow.session
            row = s.scalar(select(m.Lease).where(m.Lease.name == self.name).with_for_update())
            if row is None:
                s.add(m.Lease(name=self.name, holder=self.holder, expires_at=now + self.ttl))
            elif row.holder == self.holder or row.expires_at < now:
                if row.holder != self.holder:
                    log.warning("taking over lease %s from %s (expired %s)", self.name, row.holder, row.expires_at)
                row.holder, row.expires_at = self.holder, now + self.ttl
            else:
                self._held_until = None
                return False
            try:
                uow.commit()
            except IntegrityError:  # another process inserted it first
                self._held_until = None
                return False
        # Count our hold from *before* the write, so we stop acting before anyone else may start.
        self._held_until = now + self.ttl
        return True

    def release(self) -> None:
        with self.app.uow() as uow:
            uow.session.execute(delete(m.Lease).where(m.Lease.name == self.name, m.Lease.holder == self.holder))
            uow.commit()
        self._held_until = None


def latest_missed(trigger: BaseTrigger, last: datetime, now: datetime) -> datetime | None:
    """The most recent fire time after `last` and not after `now` (coalesced: one run for them all)."""
    found: datetime | None = None
    t = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
    while t is not None and t <= now:
        found = t
        t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
    return found


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    run: Callable[[datetime], Any]  # receives the scheduled fire time
    leader_only: bool = True
    daily: bool = False  # catch up a missed fire time once after downtime


class ServiceScheduler:
    def __init__(
        self, app: App, runner: StepRunner, holder: str, stop: threading.Event, process: bool = True
    ) -> None:
        self.app = app
        self.runner = runner
        self.stop = stop
        self.process = process
        cfg = app.settings.scheduler
        self.tz = ZoneInfo(app.settings.calendar.timezone)
        self.lease = Lease(app, LEASE_NAME, holder, timedelta(seconds=cfg.lease_seconds))
        self._was_leader = False
        self._active = 0
        self._active_lock = threading.Lock()
        # job → the moment a run was asked to start by (wake); cleared by a run that starts at or after it.
        self._wanted: dict[str, datetime] = {}
        self._running: dict[str, threading.Lock] = defaultdict(threading.Lock)  # one run of a job at a time
        self.scheduler = BackgroundScheduler(
            timezone=self.tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            executors={"default": {"type": "threadpool", "max_workers": 10}},  # every job at once, lease too
        )
        self.specs = self._specs()

    # ------------------------------------------------------------------ job table

    def _specs(self) -> list[JobSpec]:
        cfg = self.app.settings.scheduler
        tz = self.tz

        def at(t: Any) -> CronTrigger:
            return CronTrigger(hour=t.hour, minute=t.minute, timezone=tz)

        process = [JobSpec("process", IntervalTrigger(seconds=cfg.worker_idle_seconds, timezone=tz),
                           lambda _t: jobs.process_pending(self.runner), leader_only=False)]
        # Every web process keeps its own built report (filing.report.cache), so every one refreshes it.
        refresh = [JobSpec("report_refresh", IntervalTrigger(seconds=cfg.report_refresh_seconds, timezone=tz),
                           lambda _t: jobs.refresh_report(self.app), leader_only=False)]
        return [
            JobSpec("poll", IntervalTrigger(seconds=cfg.poll_minutes * 60, timezone=tz), self._poll),
            *(process if self.process else []),
            JobSpec("outbox", IntervalTrigger(seconds=cfg.outbox_seconds, timezone=tz),
                    lambda _t: jobs.send_outbox(self.app)),
            JobSpec("reminders", at(cfg.remind_at), lambda t: jobs.remind(self.app, self._day(t)), daily=True),
            JobSpec("digest", at(cfg.digest_at), lambda t: jobs.quarantine_digest(self.app, self._day(t)), daily=True),
            JobSpec("report", at(cfg.report_at), lambda t: jobs.quarterly_report(self.app, self._day(t)), daily=True),
            *(refresh if cfg.report_refresh_seconds > 0 else []),
        ]

    def _day(self, fire_time: datetime) -> date:
        return fire_time.astimezone(self.tz).date()

    def _poll(self, _fire: datetime) -> None:
        report = jobs.poll_mailbox(self.app)
        if report is not None and report.accepted and self.process:
            self.wake("process")

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        now = datetime.now(self.tz)
        self.scheduler.add_job(self._renew_lease, IntervalTrigger(seconds=max(self.lease.ttl.total_seconds() / 3, 0.5)),
                               id="lease", name="lease", next_run_time=now)
        for spec in self.specs:
            first = now if not spec.daily else None  # interval jobs run at start; daily ones at their time
            self.scheduler.add_job(self._runner_for(spec), spec.trigger, id=spec.name, name=spec.name,
                                   **({"next_run_time": first} if first else {}))
        self.scheduler.start()
        if self.app.settings.scheduler.idle and self.app.settings.mailbox.host:
            threading.Thread(target=self._idle_loop, name="imap-idle", daemon=True).start()
        log.info("scheduler started", extra={"jobs": ",".join(s.name for s in self.specs)})

    def wake(self, job_id: str, delay_s: float = 0.0, since: datetime | None = None) -> None:
        """Run a job now, or in `delay_s`; never later than it was already due (so repeated wakes
        cannot starve it), and coalesced with a run already due. Any run that starts at or after
        `since` (default: the asked-for time) serves the wake."""
        if not self.scheduler.running or self.stop.is_set():
            return
        job = self.scheduler.get_job(job_id)
        target = datetime.now(self.tz) + timedelta(seconds=delay_s)
        served_by = since or target
        with self._active_lock:
            # Kept until a run starts at or after it (the latest such moment: a run that begins earlier
            # does not serve a later wake). A run skipped because the job was still running
            # (max_instances=1), or an earlier wake moving the run forward, would otherwise lose it.
            self._wanted[job_id] = max(self._wanted.get(job_id, served_by), served_by)
        if job is not None and (job.next_run_time is None or job.next_run_time > target):
            self.scheduler.modify_job(job_id, next_run_time=target)

    @property
    def active_jobs(self) -> int:
        with self._active_lock:
            return self._active

    def shutdown(self) -> None:
        """No new runs; running ones continue (the caller waits or abandons them)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def release(self) -> None:
        if self.lease.held:
            self.lease.release()
            log.info("scheduler lease released")

    def status(self) -> dict[str, object]:
        return {"scheduler_leader": self.lease.held, "active_jobs": self.active_jobs, "worker_busy": self.runner.busy}

    # ------------------------------------------------------------------ internals

    def _renew_lease(self) -> None:
        if self.stop.is_set():
            return
        asked = datetime.now(self.tz)
        try:
            leader = self.lease.acquire()
        except Exception:  # the database is down: we are not leader until it answers again
            log.exception("could not renew the scheduler lease")
            leader = False
        if leader and not self._was_leader:
            log.info("this process now runs the scheduled jobs", extra={"holder": self.lease.holder})
            self._catch_up()
            for spec in self.specs:  # interval runs skipped while we were not leader happen now
                if spec.leader_only and not spec.daily:
                    self.wake(spec.name, since=asked)  # a run begun since we became leader is one
        elif self._was_leader and not leader:
            log.warning("lost the scheduler lease; scheduled jobs pause here")
        self._was_leader = leader

    def _idle_loop(self) -> None:
        """IMAP IDLE while we are the leader: new mail wakes the poll job at once.

        IDLE only announces mail that arrives while it runs, so each IDLE session also asks for
        a poll shortly after it has begun: that poll takes whatever came between the previous
        poll and the start of this IDLE. The scheduled polls still run as well.
        """
        settings = imap_settings(self.app.settings)
        window = min(self.app.settings.scheduler.poll_minutes * 60, IDLE_WINDOW_S)
        while not self.stop.is_set():
            if not self.lease.held:
                self.stop.wait(0.2)
                continue
            self.wake("poll", delay_s=IDLE_SETTLE_S)
            try:
                if idle_wait(settings, window):
                    log.info("IDLE: new mail announced", extra={"job": "idle"})
                    self.wake("poll")
            except MailboxRejected as e:
                log.warning("IMAP IDLE unavailable (%s); relying on polls every %.1f min", e.message,
                            self.app.settings.scheduler.poll_minutes, extra={"job": "idle"})
                return
            except MailboxUnavailable as e:
                log.warning("IMAP IDLE interrupted: %s", e.message, extra={"job": "idle"})
                self.stop.wait(IDLE_BACKOFF_S)

    def _catch_up(self) -> None:
        """Daily jobs whose time passed since their last run (e.g. during downtime) run once now."""
        now = datetime.now(self.tz)
        for spec in self.specs:
            if not spec.daily:
                continue
            last = jobs.last_fire(self.app, spec.name)
            if last is None:
                jobs.baseline(self.app, spec.name, now)  # a new deployment: count from now, run nothing old
                continue
            missed = latest_missed(spec.trigger, last.astimezone(self.tz), now)
            if missed is not None:
                log.info("job %s missed its run at %s; running it once now", spec.name, missed,
                         extra={"job": spec.name})
                self.scheduler.add_job(self._runner_for(spec, missed), "date", run_date=now,
                                       id=f"{spec.name}-catch-up", replace_existing=True)

    def _runner_for(self, spec: JobSpec, fire_time: datetime | None = None) -> Callable[[], None]:
        def run() -> None:
            if self.stop.is_set() or (spec.leader_only and not self.lease.held):
                return
            running = self._running[spec.name]
            if not running.acquire(blocking=False):
                return  # a run is under way; it runs once more when it ends if a wake came meanwhile
            started = datetime.now(self.tz)
            try:
                run_once()
            finally:
                running.release()
            with self._active_lock:
                wanted = self._wanted.get(spec.name)
                if wanted is not None and started >= wanted:  # a wake that came during this run, served by it
                    del self._wanted[spec.name]
                    wanted = None
            now = datetime.now(self.tz)
            regular = self.scheduler.get_job(spec.name) if self.scheduler.running else None
            if regular is not None and regular.next_run_time is not None \
                    and now < regular.next_run_time <= max(wanted or now, now) + timedelta(seconds=1):
                wanted = None  # the job's own next run, moved there by the wake, serves it
            if wanted is not None and self.scheduler.running and not self.stop.is_set():
                # A wake asked for a run starting at `wanted` and this run began earlier: either it was due
                # already (wake coalesced with it) or the wake's own run was skipped while this one was busy
                # (max_instances=1). A one-off job of its own id makes that run happen.
                when = max(wanted, datetime.now(self.tz))
                self.scheduler.add_job(run, "date", run_date=when, id=f"{spec.name}-again",
                                       name=f"{spec.name}-again", replace_existing=True)

        def run_once() -> None:
            fire = fire_time or datetime.now(self.tz)
            started = datetime.now(self.tz)
            with self._active_lock:
                self._active += 1
                wanted = self._wanted.get(spec.name)
                if wanted is not None and started >= wanted:
                    del self._wanted[spec.name]
            try:
                if spec.leader_only:
                    with jobs.job_run(self.app, spec.name, fire):
                        spec.run(fire)
                else:
                    spec.run(fire)
            except Exception:  # one failed run must not stop the schedule; the error is in job_runs
                log.exception("job %s failed", spec.name, extra={"job": spec.name})
            finally:
                with self._active_lock:
                    self._active -= 1

        return run
