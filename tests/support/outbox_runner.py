"""Run one outbox send in its own process; `CRASH_AT` makes it SIGKILL itself at a named point.

    python -m tests.support.outbox_runner DB_URL SMTP_HOST SMTP_PORT [claimed|accepted]

Prints the SendReport as JSON when it survives.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys

from notify.outbox import SendHooks, send_pending
from notify.smtp import SmtpSettings
from store.db import make_engine, make_session_factory


def _die(_row_id: int) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    db_url, host, port = argv[0], argv[1], int(argv[2])
    crash_at = argv[3] if len(argv) > 3 else ""
    hooks = SendHooks(**{crash_at: _die}) if crash_at else SendHooks()
    engine = make_engine(db_url)
    settings = SmtpSettings(host=host, port=port, timeout_s=5, from_address="tzsfjyingsu@zz.shandong.cn")
    report = send_pending(make_session_factory(engine), settings, hooks=hooks)
    engine.dispose()
    print(json.dumps(dataclasses.asdict(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
