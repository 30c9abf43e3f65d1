"""Claims, fenced step commits, the scheduler lease and missed-run catch-up, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from filing.bootstrap import App, bootstrap
from filing.config import load_settings
from filing.pipeline import receive
from filing.scheduler import Lease, ServiceScheduler
from filing.worker import StepRunner
from store import claims
from store import models as m
from store.claims import ClaimLost, StepFence
from store.migrate import upgrade
from store.uow import UnitOfWork
from tests.support.service import defense_message, write_config

LEASE = timedelta(seconds=60)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> App:
    a = bootstrap(load_settings(write_config(tmp_path, db_url, scheduler={"max_attempts": 2}), environ={}))
    upgrade(a.engine)
    return a


def add_messages(app: App, n: int) -> list[int]:
    now = datetime.now(UTC)
    return [receive(app, defense_message(i, tag="claims"), received_at=now, source="imap").message_row_id
            for i in range(n)]


def test_claims_take_each_message_once_oldest_first(app: App) -> None:
    ids = add_messages(app, 3)
    got = [claims.claim_next(app.session_factory, "w", LEASE, 5) for _ in range(4)]
    assert [c.message_id if c else None for c in got] == [*ids, None]
    assert len({c.token for c in got if c}) == 3
    assert got[0] is not None and claims.release(app.session_factory, got[0])
    again = claims.claim_next(app.session_factory, "w", LEASE, 5)
    assert again is not None and again.message_id == ids[0] and again.token != got[0].token


def test_released_with_retry_delay_waits(app: App) -> None:
    add_messages(app, 1)
    c = claims.claim_next(app.session_factory, "w", LEASE, 5)
    assert c is not None
    claims.release(app.session_factory, c, retry_after=timedelta(minutes=5))
    assert claims.claim_next(app.session_factory, "w", LEASE, 5) is None
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert claims.claim_next(app.session_factory, "w", LEASE, 5, now=later) is not None


def test_an_expired_claim_counts_as_a_failed_attempt_and_parks_a_killer_message(app: App) -> None:
    (mid,) = add_messages(app, 1)
    t = datetime.now(UTC)
    for i in range(2):  # the holder "dies" twice: its claim simply expires
        c = claims.claim_next(app.session_factory, f"dead{i}", LEASE, 2, now=t)
        assert c is not None
        t += LEASE + timedelta(seconds=1)
    assert claims.claim_next(app.session_factory, "w", LEASE, 2, now=t) is None
    with app.uow() as uow:
        msg = uow.session.get(m.Message, mid)
        assert msg is not None
        assert (msg.state, msg.status, msg.attempts, msg.claimed_by) == ("parked", "failed", 2, None)
        assert "dead1" in (msg.error or "")
        lost = uow.session.scalars(select(m.StepRun.worker).where(m.StepRun.outcome == "lost")).all()
        assert sorted(lost) == ["dead0", "dead1"]


def test_fence_records_the_step_and_refuses_a_commit_after_the_claim_was_lost(app: App) -> None:
    (mid,) = add_messages(app, 1)
    c = claims.claim_next(app.session_factory, "w", LEASE, 5)
    assert c is not None
    fence = StepFence(c, "w")
    fenced = fence.session_factory(app.session_factory)
    fence.begin("received", 0)
    with UnitOfWork(fenced) as uow:
        msg = uow.session.get(m.Message, mid)
        assert msg is not None
        msg.state = "parsed"
        uow.commit()
    assert fence.runs == [("received", "ok", "parsed")]

    fence.begin("parsed", 0)
    with app.uow() as uow:  # someone else takes the message over
        uow.session.execute(update(m.Message).where(m.Message.id == mid).values(claimed_by="other/1"))
        uow.commit()
    with UnitOfWork(fenced) as uow:
        msg = uow.session.get(m.Message, mid)
        assert msg is not None
        msg.state = "extracted"
        with pytest.raises(ClaimLost):
            uow.commit()
    with app.uow() as uow:
        assert uow.session.get(m.Message, mid).state == "parsed"  # type: ignore[union-attr]
        assert uow.session.scalar(select(func.count()).select_from(m.StepRun)) == 1
        # And the store itself refuses a second record of the same step and attempt.
        uow.session.add(m.StepRun(message_id=mid, step="received", attempt=0, outcome="ok", to_state="parsed",
                                  worker="x", started_at=datetime.now(UTC)))
        with pytest.raises(IntegrityError):
            uow.commit()


def test_runner_retries_a_failing_step_later_then_parks_it(app: App) -> None:
    (mid,) = add_messages(app, 1)
    with app.uow() as uow:  # lose the raw bytes' row reference: parsing fails every time
        uow.session.execute(update(m.Message).where(m.Message.id == mid).values(raw_sha256="0" * 64))
        uow.commit()
    runner = StepRunner(app, "w")
    assert runner.run_one()
    assert not runner.run_one()  # waiting for its retry time, not hammered in a loop
    with app.uow() as uow:
        msg = uow.session.get(m.Message, mid)
        assert msg is not None and (msg.state, msg.attempts) == ("received", 1) and msg.claim_until is not None
        uow.session.execute(update(m.Message).where(m.Message.id == mid).values(claim_until=None))
        uow.commit()
    assert runner.run_one()
    runner.close()
    with app.uow() as uow:
        msg = uow.session.get(m.Message, mid)
        assert msg is not None and (msg.state, msg.status, msg.attempts) == ("parked", "failed", 2)
        outcomes = uow.session.scalars(select(m.StepRun.outcome).order_by(m.StepRun.id)).all()
        assert outcomes == ["failed", "failed"]


def test_one_lease_holder_at_a_time_and_takeover_after_expiry(app: App) -> None:
    a = Lease(app, "scheduler", "a", timedelta(seconds=60))
    b = Lease(app, "scheduler", "b", timedelta(seconds=60))
    assert a.acquire() and a.held
    assert not b.acquire() and not b.held
    assert a.acquire()  # renewal
    with app.uow() as uow:  # a stops renewing: its lease runs out
        uow.session.execute(update(m.Lease).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        uow.commit()
    assert b.acquire() and b.held
    b.release()
    assert a.acquire()


def test_a_daily_job_missed_during_downtime_runs_once_when_leadership_is_gained(app: App) -> None:
    stop = threading.Event()
    sched = ServiceScheduler(app, StepRunner(app, "s", stop), "s", stop)
    now = datetime.now(sched.tz)
    with app.uow() as uow:
        # reminders last ran two days ago (a fire time was missed); the digest ran just now (nothing missed)
        uow.session.add(m.JobRun(name="reminders", last_fire_at=now - timedelta(days=2), runs=1))
        uow.session.add(m.JobRun(name="digest", last_fire_at=now, runs=1))
        uow.commit()
    sched._renew_lease()
    assert sched.lease.held
    pending = {job.id for job in sched.scheduler.get_jobs()}
    assert pending == {"reminders-catch-up"}  # once, however many fire times were missed
    # A first start of a deployment records a baseline instead of running old schedules.
    with app.uow() as uow:
        report = uow.session.get(m.JobRun, "report")
        assert report is not None and report.runs == 0 and report.last_fire_at is not None
    sched.release()


def test_quarterly_report_is_written_once_on_the_first_working_day_after_the_quarter(app: App) -> None:
    from filing.jobs import quarterly_report

    assert quarterly_report(app, date(2026, 9, 30)) is None  # mid-quarter: Q2's catch-up window is over
    assert quarterly_report(app, date(2026, 10, 9)) == "2026Q3"  # after the National Day holiday
    assert (app.var_dir / "reports" / "2026Q3.xlsx").stat().st_size > 0
    assert (app.var_dir / "reports" / "2026Q3.json").is_file()
    assert quarterly_report(app, date(2026, 10, 12)) is None  # already done for that quarter


def test_a_wake_that_comes_while_the_job_runs_gets_a_run_after_it(app: App) -> None:
    import time

    from apscheduler.triggers.interval import IntervalTrigger

    from filing.scheduler import JobSpec

    stop = threading.Event()
    sched = ServiceScheduler(app, StepRunner(app, "s", stop), "s", stop)
    starts: list[datetime] = []
    release = threading.Event()

    def slow(_fire: datetime) -> None:
        starts.append(datetime.now(sched.tz))
        if len(starts) == 1:
            release.wait(10)

    spec = JobSpec("slow", IntervalTrigger(hours=1, timezone=sched.tz), slow, leader_only=False)
    sched.scheduler.start()
    try:
        sched.scheduler.add_job(sched._runner_for(spec), spec.trigger, id="slow", next_run_time=datetime.now(sched.tz))
        deadline = time.monotonic() + 10
        while not starts and time.monotonic() < deadline:
            time.sleep(0.02)
        asked = datetime.now(sched.tz) + timedelta(seconds=0.2)
        sched.wake("slow", delay_s=0.2)  # falls due while the first run is busy: the scheduler skips that run
        time.sleep(0.8)
        assert len(starts) == 1
        release.set()
        deadline = time.monotonic() + 10
        while len(starts) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(starts) == 2 and starts[1] >= asked  # the wake was kept, and served after it was asked for
        time.sleep(0.5)
        assert len(starts) == 2  # once, not again and again
    finally:
        stop.set()
        sched.scheduler.shutdown(wait=False)


def test_an_earlier_wake_does_not_swallow_a_later_one(app: App) -> None:
    import time

    from apscheduler.triggers.interval import IntervalTrigger

    from filing.scheduler import JobSpec

    stop = threading.Event()
    sched = ServiceScheduler(app, StepRunner(app, "s", stop), "s", stop)
    starts: list[datetime] = []
    spec = JobSpec("poll-like", IntervalTrigger(hours=1, timezone=sched.tz), lambda _f: starts.append(
        datetime.now(sched.tz)), leader_only=False)
    sched.scheduler.start()
    try:
        sched.scheduler.add_job(sched._runner_for(spec), spec.trigger, id="poll-like",
                                next_run_time=datetime.now(sched.tz) + timedelta(hours=1))
        later = datetime.now(sched.tz) + timedelta(seconds=0.5)
        sched.wake("poll-like", delay_s=0.5)  # IDLE began: a poll a moment later
        sched.wake("poll-like")  # leadership gained: a poll now (moves the run forward, before the other)
        deadline = time.monotonic() + 10
        while len(starts) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(starts) == 2 and starts[1] >= later
    finally:
        stop.set()
        sched.scheduler.shutdown(wait=False)
