"""Scale-out: several `filing worker` processes on one PostgreSQL database share the work, no step twice."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from filing.bootstrap import bootstrap
from filing.config import load_settings
from filing.pipeline import STEPS, receive
from store import models as m
from tests.support.service import FilingProcess, defense_message, run_filing, wait_until, write_config

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

N = 50


def started_steps(*logs: str) -> Counter[tuple[int, str]]:
    """(message id, step) of every 'step … started' line the workers logged."""
    seen: Counter[tuple[int, str]] = Counter()
    for text in logs:
        for line in text.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if rec.get("logger") == "filing.worker" and rec["msg"].startswith("step ") and "step" in rec:
                seen[(rec["message_id"], rec["step"])] += 1
    return seen


def test_two_workers_process_50_messages_each_step_exactly_once(pg_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, pg_url, scheduler={"worker_idle_seconds": 0.1})
    run_filing(config, "init")
    workers = [FilingProcess(("worker",), config, tmp_path / f"worker{i}.log").start() for i in (1, 2)]
    app = bootstrap(load_settings(config))
    try:
        for w in workers:
            wait_until(lambda w=w: "worker started" in w.log(), 30, "worker start", w)
        ids = [receive(app, defense_message(n), received_at=datetime.now(UTC), source="imap").message_row_id
               for n in range(N)]

        def all_done() -> bool:
            with app.uow() as uow:
                return uow.session.scalar(select(func.count()).where(m.Message.state.in_(STEPS))) == 0

        wait_until(all_done, 240, f"{N} messages processed", workers[0])
        codes = [w.terminate() for w in workers]
    finally:
        for w in workers:
            w.kill()
    assert codes == [0, 0]

    with app.uow() as uow:
        s = uow.session
        msgs = s.scalars(select(m.Message).where(m.Message.id.in_(ids))).all()
        assert {(x.state, x.status, x.attempts) for x in msgs} == {("done", "filed", 0)}, [
            (x.id, x.state, x.status, x.error) for x in msgs if x.status != "filed"]
        assert all(x.claimed_by is None for x in msgs)
        runs = s.execute(select(m.StepRun.message_id, m.StepRun.step, m.StepRun.outcome, m.StepRun.worker)).all()
        # Exactly one committed run of every step of every message, and no failed or lost ones.
        assert Counter(r.outcome for r in runs) == Counter({"ok": N * len(STEPS)})
        assert Counter((r.message_id, r.step) for r in runs) == Counter({(i, st): 1 for i in ids for st in STEPS})
        # The work was shared.
        per_worker = Counter(r.worker for r in runs)
        assert len(per_worker) == 2, per_worker
        # Each receipt queued once.
        receipts = s.scalars(select(m.OutboxMessage.message_row_id).where(m.OutboxMessage.kind == "receipt")).all()
        assert sorted(receipts) == sorted(ids)
        # No page or document stored twice.
        pages = s.execute(select(m.Page.attachment_id, m.Page.number)).all()
        assert len(pages) == len(set(pages)) and len(pages) >= N
        docs = s.execute(select(m.Document.attachment_id, m.Document.first_page)).all()
        assert len(docs) == len(set(docs)) >= N

    # Not even an uncommitted second execution: each (message, step) was started once across both workers.
    started = started_steps(*(w.log() for w in workers))
    assert started == Counter({(i, st): 1 for i in ids for st in STEPS})
