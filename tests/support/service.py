"""Helpers for running the real `filing` service processes in tests and benchmarks.

A config file per test (database, blobs, Dovecot, SMTP sink, fast scheduler
timings), `filing` subprocesses with their JSON logs captured to files, quick
DOCX filing messages, and a wait on a real condition with a deadline.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml

ROOT = Path(__file__).resolve().parents[2]
FILING = [sys.executable, "-c", "from filing.cli import main; main()"]
DEMO_AGENCY = ("demo-shili@agency.example.invalid", "滕州市示例管理局")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(
    directory: Path,
    db_url: str,
    *,
    registry: Path = ROOT / "demo" / "agencies.yaml",
    imap: Any = None,  # tests.support.dovecot.DovecotServer
    smtp_port: int | None = None,
    web_port: int | None = None,
    scheduler: dict[str, Any] | None = None,
    ocr: dict[str, Any] | None = None,
    senders: dict[str, Any] | None = None,
) -> Path:
    """A config.yaml for one test: fast timings, everything under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "database": {"url": db_url},
        "storage": {"path": str(directory / "blobs")},
        "agencies": {"registry": str(registry)},
        "ocr": {"cache_path": str(directory / "ocr-cache"), "workers": 1, **(ocr or {})},
        "notify": {"from_address": "filing@bureau.example.invalid",
                   "staff_addresses": ["staff@bureau.example.invalid"]},
        "web": {"host": "127.0.0.1", "port": web_port or free_port()},
        # Test mail is not authenticated; these tests are about filing (sender trust has its own tests).
        "senders": {"unauthenticated": "file", **(senders or {})},
        "scheduler": {
            "poll_minutes": 0.01, "outbox_seconds": 0.3, "worker_idle_seconds": 0.2, "lease_seconds": 3,
            "claim_seconds": 6, "shutdown_grace_seconds": 5, "retry_seconds": 0.5, **(scheduler or {}),
        },
    }
    if imap is not None:
        data["mailbox"] = {"host": "127.0.0.1", "port": imap.port, "security": "none", "user": imap.user,
                           "password": imap.password, "folder": "INBOX", "filed_folder": "Filed",
                           "timeout_s": 10, "retries": 1}
    if smtp_port is not None:
        data["smtp"] = {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout_s": 10}
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def env_for(config: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILING_")}
    env["FILING_CONFIG"] = str(config)
    env.update(extra or {})
    return env


def run_filing(config: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*FILING, *args], cwd=ROOT, env=env_for(config), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"filing {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass
class FilingProcess:
    """A `filing serve` / `filing worker` subprocess whose JSON log goes to `log_path`."""

    args: tuple[str, ...]
    config: Path
    log_path: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> FilingProcess:
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen([*FILING, *self.args], cwd=ROOT, env=env_for(self.config, self.env_extra),
                                     stdout=self._log, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()


def wait_until(check: Callable[[], T], timeout: float, what: str, proc: FilingProcess | None = None) -> T:
    """Return the first truthy `check()`; fail after `timeout` seconds (or when `proc` died) with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if proc is not None and proc.proc is not None and proc.proc.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {proc.proc.returncode}\n{proc.log()[-4000:]}")
        if time.monotonic() > deadline:
            tail = proc.log()[-4000:] if proc is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")
        time.sleep(0.1)


def docx_bytes(paragraphs: list[str]) -> bytes:
    from docx import Document

    d = Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def defense_message(n: int, sender: tuple[str, str] = DEMO_AGENCY, tag: str = "svc") -> bytes:
    """A small filing from a registered agency: one DOCX defense statement of its own case."""
    case = f"（2026）鲁0481行初{1000 + n}号"
    msg = EmailMessage()
    msg["From"] = f"{sender[1]} <{sender[0]}>"
    msg["To"] = "filing@bureau.example.invalid"
    msg["Subject"] = f"答辩状报备{case}"
    msg["Date"] = format_datetime(_when(n))
    msg["Message-ID"] = f"<{tag}-{n:04d}-{os.getpid()}@agency.example.invalid>"
    msg.set_content("现报送我单位答辩状，请查收。")
    body = ["行政答辩状", f"答辩人：{sender[1]}", f"因原告张{n}诉答辩人政府信息公开一案（{case}），",
            "现提出答辩如下：", "答辩人已依法作出答复，请求依法驳回原告的诉讼请求。", "此致",
            "山东省滕州市人民法院", f"答辩人：{sender[1]}", "2026年11月10日"]
    msg.add_attachment(docx_bytes(body), maintype="application", subtype=DOCX_TYPE.split("/", 1)[1],
                       filename=f"答辩状{n}.docx")
    return bytes(msg)


def _when(n: int) -> Any:
    from datetime import datetime, timedelta, timezone

    return datetime(2026, 11, 12, 9, 0, tzinfo=timezone(timedelta(hours=8))) + timedelta(minutes=n)
