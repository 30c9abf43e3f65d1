"""`filing serve` as the bureau runs it: a subprocess against real Dovecot, aiosmtpd and a real database."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from filing.bootstrap import bootstrap
from filing.config import load_settings
from store import models as m
from tests.support.dovecot import DovecotServer, make_message
from tests.support.service import (
    DEMO_AGENCY,
    ROOT,
    FilingProcess,
    defense_message,
    run_filing,
    wait_until,
    write_config,
)
from tests.support.smtp import SmtpSink

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp, pytest.mark.slow]


def message_id(raw: bytes) -> str:
    return str(BytesParser(policy=policy.default).parsebytes(raw)["Message-ID"])


def receipts_for(sink: SmtpSink, original: bytes) -> list[Any]:
    mid = message_id(original)
    return [r for r in sink.messages if r.message["In-Reply-To"] == mid]


def web_port(config: Path) -> int:
    return load_settings(config).web.port


@pytest.mark.postgres
def test_serve_files_new_mail_and_sends_receipts(
    dovecot: DovecotServer, smtp_sink: SmtpSink, pg_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, pg_url, imap=dovecot, smtp_port=smtp_sink.port)
    run_filing(config, "init")
    first = [defense_message(n, tag="serve") for n in (1, 2)]
    stranger = make_message("材料", sender="someone@unknown.example.invalid")
    for raw in (*first, stranger):
        dovecot.save(raw)
    serve = FilingProcess(("serve",), config, tmp_path / "serve.log").start()
    try:
        wait_until(lambda: all(receipts_for(smtp_sink, raw) for raw in first), 120, "receipts of the first mail", serve)
        # Mail that arrives while the service runs is taken on the next poll, with no manual step.
        later = defense_message(3, tag="serve")
        dovecot.save(later)
        wait_until(lambda: receipts_for(smtp_sink, later), 60, "receipt of mail delivered later", serve)
        wait_until(lambda: dovecot.count("INBOX") == 0, 30, "server copies moved to Filed", serve)

        base = f"http://127.0.0.1:{web_port(config)}"
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.json()["scheduler_leader"] is True
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        assert 'filing_messages{state="done"} 4' in metrics
        assert "filing_queue_length 0" in metrics
        assert 'filing_step_runs_total{step="parsed",outcome="ok"} 3' in metrics
        code = serve.terminate()
    finally:
        serve.kill()
    assert code == 0

    assert dovecot.count("Filed") == 4
    # One receipt per filed message, none to the unregistered sender (no backscatter).
    assert sorted(r.rcpt_tos[0] for r in smtp_sink.messages) == [DEMO_AGENCY[0]] * 3
    for raw in (*first, later):
        assert len(receipts_for(smtp_sink, raw)) == 1
    app = bootstrap(load_settings(config))
    with app.uow() as uow:
        s = uow.session
        statuses = sorted(s.scalars(select(m.Message.status)).all())
        assert statuses == ["filed", "filed", "filed", "quarantined"]
        assert s.scalar(select(func.count()).select_from(m.MailboxUid).where(m.MailboxUid.moved_at.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(m.Lease)) == 0  # released on SIGTERM
        jobs = {j.name: j for j in s.scalars(select(m.JobRun))}
        assert jobs["poll"].last_ok_at is not None and jobs["outbox"].last_ok_at is not None
    lines = [json.loads(line) for line in serve.log().splitlines() if line.startswith("{")]
    assert any(rec["msg"] == "serve stopped" for rec in lines)


def ocr_running_under(pid: int) -> bool:
    """True while a tesseract process descends from `pid`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "tesseract":
                continue
            ppid = int(entry.name)
            while ppid > 1:
                ppid = int((Path("/proc") / str(ppid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    return True
        except (OSError, ValueError, IndexError):
            continue
    return False


@pytest.mark.tesseract
def test_sigterm_mid_ocr_then_restart_resumes_nothing_lost_or_doubled(
    dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'filing.db'}", imap=dovecot, smtp_port=smtp_sink.port,
                          scheduler={"shutdown_grace_seconds": 0})
    run_filing(config, "init")
    scan = (ROOT / "demo" / "mailbox" / "0001.eml").read_bytes()  # two scanned pages: real OCR
    dovecot.save(scan)
    app = bootstrap(load_settings(config))

    first = FilingProcess(("serve", "--no-web"), config, tmp_path / "serve1.log").start()
    try:
        wait_until(lambda: ocr_running_under(first.pid), 300, "tesseract running under serve", first)
        code = first.terminate(timeout=20)
    finally:
        first.kill()
    assert code == 0
    assert "abandoned" in first.log()
    with app.uow() as uow:
        s = uow.session
        msg = s.scalars(select(m.Message)).one()
        assert (msg.state, msg.claimed_by, msg.attempts) == ("parsed", None, 0)  # back where the step began
        assert s.scalar(select(func.count()).select_from(m.Page)) == 0  # the interrupted step committed nothing
        abandoned = select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action == "step_abandoned")
        assert s.scalar(abandoned) == 1
    assert smtp_sink.messages == []

    second = FilingProcess(("serve", "--no-web"), config, tmp_path / "serve2.log").start()
    try:
        wait_until(lambda: receipts_for(smtp_sink, scan), 600, "the receipt after the restart", second)
        wait_until(lambda: dovecot.count("INBOX") == 0, 30, "server copy moved", second)
        assert second.terminate() == 0
    finally:
        second.kill()
    assert len(smtp_sink.messages) == 1
    with app.uow() as uow:
        s = uow.session
        msg = s.scalars(select(m.Message)).one()
        assert (msg.state, msg.status) == ("done", "filed")
        pages = s.execute(select(m.Page.attachment_id, m.Page.number, m.Page.source)).all()
        assert len(pages) == 2 and {p.source for p in pages} == {"tesseract"}
        runs = s.execute(select(m.StepRun.step, m.StepRun.outcome)).all()
        assert sorted(runs) == sorted((st, "ok") for st in ("received", "parsed", "extracted", "classified", "matched"))
    assert dovecot.count("Filed") == 1


def test_serve_takes_new_mail_within_seconds_through_imap_idle(
    dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    # Polls every 30 minutes: only IDLE can bring the second message in within the wait below.
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'filing.db'}", imap=dovecot, smtp_port=smtp_sink.port,
                          scheduler={"poll_minutes": 30, "idle": True})
    run_filing(config, "init")
    early = defense_message(1, tag="idle")
    dovecot.save(early)
    serve = FilingProcess(("serve", "--no-web"), config, tmp_path / "serve.log").start()
    try:
        wait_until(lambda: receipts_for(smtp_sink, early), 120, "receipt of the mail there at start", serve)
        # The IDLE session asks for one poll a second after it begins: once that ran, IDLE is listening.
        app = bootstrap(load_settings(config))
        wait_until(lambda: _job_runs(app, "poll") >= 2, 60, "the poll that follows the start of IDLE", serve)
        later = defense_message(2, tag="idle")
        dovecot.save(later)
        wait_until(lambda: receipts_for(smtp_sink, later), 60, "receipt of mail announced by IDLE", serve)
        assert serve.terminate() == 0
    finally:
        serve.kill()
    assert "IDLE: new mail announced" in serve.log()
    # At start, after IDLE began, the one IDLE's news triggered; the IDLE session that follows the news asks
    # for one more unless the news poll began after that (a busy machine): 3 or 4, never a runaway loop.
    assert 3 <= _job_runs(app, "poll") <= 4


LEADER = "this process now runs the scheduled jobs"


@pytest.mark.postgres
def test_one_scheduler_per_deployment_and_takeover_when_it_stops(pg_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, pg_url, scheduler={"lease_seconds": 2})
    run_filing(config, "init")
    a = FilingProcess(("serve", "--no-web"), config, tmp_path / "a.log").start()
    b = FilingProcess(("serve", "--no-web"), config, tmp_path / "b.log").start()
    try:
        for p in (a, b):
            wait_until(lambda p=p: "scheduler started" in p.log(), 60, "serve start", p)
        leader = wait_until(lambda: next((p for p in (a, b) if LEADER in p.log()), None), 30, "a leader", a)
        other = b if leader is a else a
        app = bootstrap(load_settings(config))
        wait_until(lambda: _job_runs(app, "outbox") >= 20, 60, "scheduled runs by the leader", leader)
        assert LEADER not in other.log()  # 20 runs at 0.3 s: several 2 s lease periods, still one leader
        assert leader.terminate() == 0
        wait_until(lambda: LEADER in other.log(), 30, "takeover by the other process", other)
        before = _job_runs(app, "outbox")
        wait_until(lambda: _job_runs(app, "outbox") > before, 30, "scheduled runs by the new leader", other)
        assert other.terminate() == 0
    finally:
        a.kill()
        b.kill()


def _job_runs(app: Any, name: str) -> int:
    with app.uow() as uow:
        row = uow.session.get(m.JobRun, name)
        return int(row.runs) if row else 0
