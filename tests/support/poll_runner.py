"""Run one poll in its own process (crash tests kill it with FILING_CRASH_AT).

    python -m tests.support.poll_runner SETTINGS_JSON LEDGER_DB BLOB_DIR   # the durable test ledger
    python -m tests.support.poll_runner SETTINGS_JSON store CONFIG_YAML     # the store's DbLedger

Prints the PollReport as JSON on stdout.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from pathlib import Path

from ingest.mailbox import MailboxSettings
from ingest.poll import poll_once
from tests.support.ledger import SqliteLedger


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    settings = MailboxSettings(**json.loads(argv[0]))
    if argv[1] == "store":
        from filing.bootstrap import bootstrap
        from filing.config import load_settings
        from filing.jobs import ledger_for

        app = bootstrap(load_settings(Path(argv[2]), environ={}))
        report = poll_once(settings, ledger_for(app))
        app.engine.dispose()
    else:
        ledger = SqliteLedger(Path(argv[1]), Path(argv[2]))
        try:
            report = poll_once(settings, ledger)
        finally:
            ledger.close()
    print(json.dumps(dataclasses.asdict(report)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
