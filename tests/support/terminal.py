"""Run the `filing` CLI in a real pseudo-terminal and read back the screen text, as a person would see it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


@dataclass(frozen=True)
class Screen:
    text: str  # what the terminal showed, escape sequences removed, \r\n as \n
    code: int

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]


def run_filing(*args: str, cwd: Path, stdin: bytes | None = None, columns: int = 120,
               env: dict[str, str] | None = None, timeout: float = 300.0) -> Screen:
    """`python -m filing.cli ARGS` on a pty of `columns` columns; this checkout's code, never an installed one."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "COLUMNS": str(columns),
               "LINES": "50", **(env or {})}
    environ.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "filing.cli", *args], environ)
        finally:
            os._exit(127)
    if stdin is not None:
        os.write(fd, stdin)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n").replace("\r", "\n")
    return Screen(text, os.waitstatus_to_exitcode(status))
