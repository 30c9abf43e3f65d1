"""`filing user add` creates argon2 users that can log in; `filing web` is wired into the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from filing.bootstrap import bootstrap
from filing.cli import app as cli
from filing.config import load_settings
from store import models as m
from store.users import verify_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(f"database:\n  url: sqlite:///var/filing.db\nstorage:\n  path: var/blobs\n"
                 f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\nsenders:\n  unauthenticated: file\n",
                 encoding="utf-8")
    assert CliRunner().invoke(cli, ["--config", str(p), "init"]).exit_code == 0
    return p


def test_user_add_from_the_environment_and_from_a_prompt(config: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["--config", str(config), "user", "add", "zhang", "--role", "admin"],
                      env={"FILING_USER_PASSWORD": "a long password"})
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["--config", str(config), "user", "add", "li"], input="pass word 2\npass word 2\n",
                      env={"FILING_USER_PASSWORD": ""})
    assert r.exit_code == 0, r.output
    app = bootstrap(load_settings(config, environ={}))
    with app.uow() as uow:
        s = uow.session
        users = {u.name: u for u in s.scalars(select(m.User))}
        assert users["zhang"].role == "admin" and users["li"].role == "reviewer"
        assert users["zhang"].password_hash.startswith("$argon2id$")
        assert verify_user(s, "zhang", "a long password") is not None
        assert verify_user(s, "zhang", "wrong password") is None
        assert verify_user(s, "nobody", "a long password") is None
        assert {a.action for a in s.scalars(select(m.AuditEntry))} >= {"user.add"}


def test_user_add_refuses_a_bad_role_or_a_short_password(config: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["--config", str(config), "user", "add", "x", "--role", "root"],
                      env={"FILING_USER_PASSWORD": "a long password"})
    assert r.exit_code != 0 and "role" in r.output
    r = runner.invoke(cli, ["--config", str(config), "user", "add", "x"], env={"FILING_USER_PASSWORD": "short"})
    assert r.exit_code == 2 and "密码至少 8 个字符" in r.output


def test_web_command_is_registered() -> None:
    r = CliRunner().invoke(cli, ["web", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "--host" in r.output


def test_filing_web_serves_the_login_page_on_the_given_port(config: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "FILING_WEB__SECRET_KEY": "k" * 32}
    proc = subprocess.Popen([sys.executable, "-c", "from filing.cli import main; main()", "--config", str(config),
                             "web", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, body, headers = time.monotonic() + 90, "", {}
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as resp:
                    body, headers = resp.read().decode(), dict(resp.headers)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                time.sleep(0.2)
        assert "工作人员登录" in body
        assert "default-src 'self'" in headers["content-security-policy"]
        # The operations endpoints answer under `filing web` as under `filing serve`.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            assert resp.status == 200 and b'"ok"' in resp.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            assert resp.status == 200 and b"# TYPE" in resp.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
