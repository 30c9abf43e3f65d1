"""pytest plugin: a real, unprivileged Dovecot IMAP server per test.

Each server gets its own temp dir (config, Maildirs, logs), a free loopback port
and a passwd-file passdb (unknown users and wrong passwords are refused). The
anvil login penalty is off so tests that log in wrongly on purpose stay fast.
Starting one takes a few tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ingest.mailbox import MailboxSettings

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
DEFAULT_USER = "filing"
DEFAULT_PASSWORD = "test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _service_identity() -> tuple[str, str, int, int]:
    """Dovecot refuses to run mail processes as root: use nobody/nogroup then."""
    if os.geteuid() == 0:
        user, group = "nobody", "nogroup"
        return user, group, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name, os.getuid(), os.getgid()


@dataclass
class DovecotServer:
    root: Path
    port: int
    tls_port: int = 0
    capabilities: str | None = None  # replaces Dovecot's post-login capability list (e.g. to hide MOVE)
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    process: subprocess.Popen[bytes] | None = None
    ca_file: Path | None = None
    _seq: int = field(default=0)

    @property
    def mail_owner(self) -> tuple[int, int]:
        """(uid, gid) that owns the Maildir files."""
        return self._uid, self._gid

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def users_file(self) -> Path:
        return self.root / "users"

    def start(self) -> DovecotServer:
        svc_user, svc_group, uid, gid = _service_identity()
        self._uid, self._gid = uid, gid
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)  # mail processes run as the service user and must traverse it
        (self.root / "home").mkdir(exist_ok=True)
        os.chown(self.root / "home", uid, gid)
        self.users_file.write_text("")
        self.add_user(self.user, self.password)
        ssl_conf = "ssl = no"
        if self.tls_port:
            cert, key = self._make_cert()
            ssl_conf = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
        cap_conf = f"protocol imap {{\n  imap_capability = {self.capabilities}\n}}" if self.capabilities else ""
        self.conf.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = dovecot-test-{self.port}
log_path = {self.log_path}
{ssl_conf}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {svc_user}
default_internal_group = {svc_group}
default_login_user = {svc_user}
imap_id_log = *
mail_fsync = never
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = {self.tls_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.users_file}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.root}/home/%u
}}
mail_location = maildir:~/Maildir
{cap_conf}
"""
        )
        # Its own process group, so stop() can end master and children at once (a lone master lingers ~1 s).
        self.process = subprocess.Popen(
            [DOVECOT, "-c", str(self.conf), "-F"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {err}\n{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"dovecot did not answer on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()

    def _make_cert(self) -> tuple[Path, Path]:
        cert, key = self.root / "cert.pem", self.root / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.ca_file = cert
        return cert, key

    # --- accounts and mail -------------------------------------------------

    def add_user(self, name: str, password: str) -> None:
        with self.users_file.open("a") as f:
            f.write(f"{name}:{{PLAIN}}{password}\n")

    def settings(self, **overrides: Any) -> MailboxSettings:
        """Settings for the default user over plain IMAP, quick timeouts and retries."""
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "user": self.user,
            "password": self.password,
            "timeout_s": 5.0,
            "retries": 2,
            "backoff_s": 0.05,
        }
        values.update(overrides)
        return MailboxSettings(**values)

    def doveadm(self, *args: str, input: bytes | None = None) -> str:
        proc = subprocess.run([DOVEADM, "-c", str(self.conf), *args], input=input, capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed: {proc.stderr.decode()}")
        return proc.stdout.decode()

    def save(self, message: bytes, folder: str = "INBOX", user: str | None = None) -> None:
        """Deliver one message with `doveadm save` (as Dovecot itself would store it)."""
        self.doveadm("save", "-u", user or self.user, "-m", folder, input=message)

    def seed_maildir(self, messages: Iterable[bytes], user: str | None = None) -> int:
        """Drop messages straight into INBOX's Maildir/new: fast enough for thousands."""
        maildir = self.root / "home" / (user or self.user) / "Maildir"
        for sub in ("", "new", "cur", "tmp"):
            d = maildir / sub
            d.mkdir(parents=True, exist_ok=True)
            os.chown(d, self._uid, self._gid)
            os.chmod(d, 0o700)
        n = 0
        for raw in messages:
            self._seq += 1
            name = maildir / "new" / f"{int(time.time())}.M{self._seq}P{os.getpid()}.test"
            name.write_bytes(raw)
            os.chown(name, self._uid, self._gid)
            n += 1
        return n

    def set_uidvalidity(self, value: int, folder: str = "INBOX", user: str | None = None) -> None:
        self.doveadm("mailbox", "update", "-u", user or self.user, "--uid-validity", str(value), folder)

    def status(self, folder: str = "INBOX", user: str | None = None) -> dict[str, int]:
        out = self.doveadm("-f", "tab", "mailbox", "status", "-u", user or self.user,
                           "messages uidvalidity uidnext", folder)  # fmt: skip
        names, values = (line.split("\t") for line in out.splitlines()[:2])
        return {k: int(v) for k, v in zip(names[1:], values[1:], strict=True)}

    def count(self, folder: str = "INBOX", user: str | None = None) -> int:
        if folder not in self.list_folders(user):
            return 0
        return self.status(folder, user)["messages"]

    def list_folders(self, user: str | None = None) -> list[str]:
        return [line.strip() for line in self.doveadm("mailbox", "list", "-u", user or self.user).splitlines()]

    def flags(self, folder: str = "INBOX", user: str | None = None) -> dict[int, set[str]]:
        out = self.doveadm("-f", "tab", "fetch", "-u", user or self.user, "uid flags", "mailbox", folder)
        result: dict[int, set[str]] = {}
        for line in out.splitlines()[1:]:
            uid, _, flags = line.partition("\t")
            result[int(uid)] = set(flags.split())
        return result

    def bodies(self, folder: str = "INBOX", user: str | None = None) -> list[bytes]:
        """Raw messages in a folder, read from the Maildir files."""
        maildir = self.root / "home" / (user or self.user) / "Maildir"
        if folder != "INBOX":
            maildir = maildir / f".{folder}"
        return [p.read_bytes() for sub in ("new", "cur") for p in sorted((maildir / sub).glob("*"))]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def make_message(subject: str, body: str = "test body", sender: str = "agency@example.org", size: int = 0) -> bytes:
    """A small unique RFC 5322 message; `size` pads the body to at least that many bytes."""
    mid = f"<{uuid.uuid4().hex}@test.invalid>"
    text = body + ("\r\n" + "x" * 76) * (size // 78 + 1 if size > 0 else 0)
    return (
        f"From: {sender}\r\nTo: filing@example.org\r\nSubject: {subject}\r\nMessage-ID: {mid}\r\n"
        f"Date: Thu, 26 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    ).encode()


@pytest.fixture
def dovecot_factory() -> Iterator[Any]:
    """`dovecot_factory(capabilities=..., tls=True)` starts another server; all stop at teardown."""
    servers: list[DovecotServer] = []

    def start(capabilities: str | None = None, tls: bool = False) -> DovecotServer:
        # Not under pytest's tmp_path: its 0700 parents keep the unprivileged mail processes out.
        root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
        server = DovecotServer(root, free_port(), tls_port=free_port() if tls else 0, capabilities=capabilities)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_factory: Any) -> DovecotServer:
    """A fresh Dovecot with one empty account (`.user` / `.password`)."""
    server: DovecotServer = dovecot_factory()
    return server
