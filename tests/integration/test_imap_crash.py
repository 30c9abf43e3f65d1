"""The poller SIGKILLed at each step between fetch and move, then restarted: no loss, no duplicate."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ingest.mailbox import MailboxSettings
from tests.support.dovecot import DovecotServer, make_message
from tests.support.ledger import SqliteLedger

pytestmark = pytest.mark.dovecot

ROOT = Path(__file__).resolve().parents[2]
N = 5  # in batches of 2: [1, 2] [3, 4] [5]


def run_poller(settings: MailboxSettings, tmp_path: Path, crash_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FILING_CRASH_AT"}
    if crash_at:
        env["FILING_CRASH_AT"] = crash_at
    args = [json.dumps(dataclasses.asdict(settings)), str(tmp_path / "ledger.db"), str(tmp_path / "blobs")]
    return subprocess.run(
        [sys.executable, "-m", "tests.support.poll_runner", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def ledger_view(tmp_path: Path) -> SqliteLedger:
    return SqliteLedger(tmp_path / "ledger.db", tmp_path / "blobs")


# crash point → (blobs stored, messages committed, copies moved) at the moment of the kill
CASES = {
    "after_fetch:2": (2, 2, 2),  # second batch downloaded, nothing of it stored
    "after_store:2": (2, 1, 0),  # second message's bytes on disk, its row not committed
    "after_commit:2": (2, 2, 0),  # first batch committed, not moved
    "after_move:2": (4, 4, 4),  # second batch moved on the server, not recorded as moved
}


@pytest.mark.parametrize("crash_at", list(CASES))
def test_sigkill_then_restart_loses_nothing_and_files_nothing_twice(
    crash_at: str, dovecot: DovecotServer, tmp_path: Path
) -> None:
    sent = [make_message(f"crash test {i}") for i in range(N)]
    for raw in sent:
        dovecot.save(raw)
    settings = dovecot.settings(batch_size=2)

    crashed = run_poller(settings, tmp_path, crash_at)

    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    view = ledger_view(tmp_path)
    blobs, committed, moved = CASES[crash_at]
    assert (len(view.blobs()), view.message_count(), dovecot.count("Filed")) == (blobs, committed, moved)
    view.close()

    resumed = run_poller(settings, tmp_path, None)

    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["duplicates"] == 0
    assert_exactly_once(dovecot, tmp_path, sent)


@pytest.mark.parametrize("mode", ["flag", "copy"])
def test_sigkill_after_move_in_flag_and_copy_modes(mode: str, dovecot_factory: Any, tmp_path: Path) -> None:
    server: DovecotServer = dovecot_factory(capabilities="IMAP4rev1 LITERAL+ ID UIDPLUS" if mode == "copy" else None)
    sent = [make_message(f"crash test {i}") for i in range(N)]
    for raw in sent:
        server.save(raw)
    settings = server.settings(batch_size=2, after_filing="flag" if mode == "flag" else "move")

    assert run_poller(settings, tmp_path, "after_move:1").returncode == -signal.SIGKILL
    assert run_poller(settings, tmp_path, None).returncode == 0

    if mode == "flag":
        view = ledger_view(tmp_path)
        assert view.message_count() == N and all(row[4] == 1 for row in view.rows())
        assert all("$Filed" in f for f in server.flags("INBOX").values()) and server.count("INBOX") == N
        view.close()
    else:
        assert_exactly_once(server, tmp_path, sent)


def assert_exactly_once(server: DovecotServer, tmp_path: Path, sent: list[bytes]) -> None:
    view = ledger_view(tmp_path)
    rows = view.rows()
    assert [uid for _uv, uid, _sha, _st, _mv in rows] == list(range(1, N + 1))  # each server copy once
    assert all(status == "accepted" and moved == 1 for _uv, _uid, _sha, status, moved in rows)
    assert view.message_count() == N and len(view.blobs()) == N  # every message, each once
    stored_subjects = sorted(b.read_bytes().split(b"Subject: ")[1].split(b"\r\n")[0] for b in view.blobs())
    assert stored_subjects == sorted(raw.split(b"Subject: ")[1].split(b"\r\n")[0] for raw in sent)
    assert server.count("INBOX") == 0 and server.count("Filed") == N  # no copy left behind or doubled
    view.close()
