"""`filing poll`, `filing worker --once`, `filing remind`, and the /healthz and /metrics routes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from filing.bootstrap import bootstrap
from filing.config import load_settings
from filing.pipeline import receive
from filing.web import ops_routes
from store import models as m
from tests.support.dovecot import DovecotServer
from tests.support.service import defense_message, run_filing, write_config


@pytest.mark.dovecot
def test_poll_command_takes_new_mail_and_files_it(dovecot: DovecotServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'filing.db'}", imap=dovecot)
    run_filing(config, "init")
    for n in (1, 2):
        dovecot.save(defense_message(n, tag="poll"))
    out = run_filing(config, "poll")
    assert "2 new" in out.stderr and "已处理邮件 2 封" in out.stderr
    assert dovecot.count("INBOX") == 0 and dovecot.count("Filed") == 2
    again = run_filing(config, "poll")
    assert "0 new" in again.stderr and "已处理邮件 0 封" in again.stderr
    app = bootstrap(load_settings(config))
    with app.uow() as uow:
        assert sorted(uow.session.scalars(select(m.Message.status))) == ["filed", "filed"]
        assert len(uow.session.scalars(select(m.OutboxMessage).where(m.OutboxMessage.kind == "receipt")).all()) == 2


def test_worker_once_and_remind_commands(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'filing.db'}")
    run_filing(config, "init")
    app = bootstrap(load_settings(config))
    receive(app, defense_message(1, tag="once"), received_at=datetime.now(UTC), source="imap")
    out = run_filing(config, "worker", "--once")
    assert "已处理邮件 1 封" in out.stderr
    with app.uow() as uow:
        assert uow.session.scalars(select(m.Message.state)).one() == "done"
    assert "非工作日" in run_filing(config, "remind", "--as-of", "2026-10-03").stderr  # National Day
    assert "新排入待发提醒" in run_filing(config, "remind", "--as-of", "2026-11-26").stderr


def test_healthz_and_metrics(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'filing.db'}")
    run_filing(config, "init")
    app = bootstrap(load_settings(config))
    receive(app, defense_message(1, tag="metrics"), received_at=datetime.now(UTC), source="imap")
    api = FastAPI()
    api.include_router(ops_routes.router)
    api.state.ops_app = app
    client = TestClient(api)
    assert client.get("/healthz").json() == {"status": "ok"}
    res = client.get("/metrics")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'filing_messages{state="received"} 1' in res.text
    assert "filing_queue_length 1" in res.text and "filing_outbox_backlog 0" in res.text

    broken = dataclasses.replace(app, engine=create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}"))
    api.state.ops_app = broken
    res = client.get("/healthz")
    assert res.status_code == 503 and res.json()["status"] == "error"
