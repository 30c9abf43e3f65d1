"""The poller with the store's real DbLedger (SQLite): crash anywhere, restart, each message once."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from filing.bootstrap import bootstrap
from filing.commands.core import init_app
from filing.config import load_settings
from ingest.mailbox import MailboxSettings
from store import models as m
from tests.support.dovecot import DovecotServer, make_message

pytestmark = pytest.mark.dovecot

ROOT = Path(__file__).resolve().parents[2]
N = 5


def write_config(root: Path) -> Path:
    cfg = root / "config.yaml"
    cfg.write_text(
        f"database:\n  url: sqlite:///{root / 'filing.db'}\nstorage:\n  path: {root / 'blobs'}\n"
        f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\nsenders:\n  unauthenticated: file\n",
        encoding="utf-8",
    )
    return cfg


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store-template")
    app = bootstrap(load_settings(write_config(root), environ={}))
    init_app(app)
    app.engine.dispose()
    return root / "filing.db"


@pytest.fixture
def store_config(migrated_db: Path, tmp_path: Path) -> Path:
    """A config.yaml naming a private copy of a migrated SQLite database."""
    shutil.copy(migrated_db, tmp_path / "filing.db")
    return write_config(tmp_path)


def run_poller(settings: MailboxSettings, cfg: Path, crash_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FILING_CRASH_AT"}
    if crash_at:
        env["FILING_CRASH_AT"] = crash_at
    args = [json.dumps(dataclasses.asdict(settings)), "store", str(cfg)]
    return subprocess.run(
        [sys.executable, "-m", "tests.support.poll_runner", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


# The points where the store's own bookkeeping sits between two steps; the others are covered
# with the test ledger in test_imap_crash.py.
@pytest.mark.parametrize("crash_at", ["after_store:2", "after_commit:3"])
def test_store_ledger_takes_each_message_exactly_once(
    crash_at: str, dovecot: DovecotServer, store_config: Path
) -> None:
    cfg = store_config
    for i in range(N):
        dovecot.save(make_message(f"store ledger {i}"))
    settings = dovecot.settings(batch_size=2)

    assert run_poller(settings, cfg, crash_at).returncode == -signal.SIGKILL
    resumed = run_poller(settings, cfg, None)

    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["duplicates"] == 0
    app = bootstrap(load_settings(cfg, environ={}))
    with app.uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(m.Message)) == N
        assert s.scalar(select(func.count(func.distinct(m.Message.raw_sha256)))) == N
        uids = s.execute(select(m.MailboxUid.uid, m.MailboxUid.state, m.MailboxUid.moved_at)).all()
    app.engine.dispose()
    assert sorted(u for u, _, _ in uids) == list(range(1, N + 1))
    assert all(state == "accepted" and moved is not None for _, state, moved in uids)
    assert dovecot.count("INBOX") == 0 and dovecot.count("Filed") == N
