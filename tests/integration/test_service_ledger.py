"""The store's DbLedger under the real poller and Dovecot, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from filing.bootstrap import App, bootstrap
from filing.commands.core import init_app
from filing.config import load_settings
from filing.jobs import ledger_for
from filing.pipeline import process
from filing.worker import StepRunner
from ingest.poll import poll_once
from store import models as m
from terms.errors import ErrorCode
from tests.support.dovecot import DovecotServer, make_message
from tests.support.service import write_config

pytestmark = pytest.mark.dovecot


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> App:
    a = bootstrap(load_settings(write_config(tmp_path, db_url), environ={}))
    init_app(a)  # schema and the demo agency registry
    return a


def count(app: App, model: type[m.Base], *where: object) -> int:
    with app.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_db_ledger_files_once_flags_duplicates_and_quarantines_oversized(app: App, dovecot: DovecotServer) -> None:
    a, b = make_message("first"), make_message("second")
    big = make_message("too big", size=20_000)
    for raw in (a, b, big):
        dovecot.save(raw)
    settings = dovecot.settings(max_message_bytes=10_000)
    report = poll_once(settings, ledger_for(app))
    assert report.ok and (report.accepted, report.duplicates, report.oversized, report.moved) == (2, 0, 1, 2)
    assert count(app, m.Message, m.Message.state == "received") == 2  # pending for the pipeline
    with app.uow() as uow:
        q = uow.session.scalars(select(m.Message).where(m.Message.status == "quarantined")).one()
        assert q.error_code == ErrorCode.oversized_message and "UID 3" in (q.error or "")
        assert app.blobs.get(q.raw_sha256).count(b"Subject: too big") == 1  # the header we peeked, kept
    assert dovecot.count("INBOX") == 1 and dovecot.count("Filed") == 2  # the oversized one stays for staff

    # The pipeline parses what came in (as serve does right after a poll): Message-IDs become known.
    runner = StepRunner(app, "t")
    assert runner.drain() == 2
    runner.close()
    # The same bytes again (a resend) and a copy with the same Message-ID but other bytes.
    dovecot.save(a)
    dovecot.save(b.replace(b"test body", b"test body, edited"))
    report = poll_once(settings, ledger_for(app))
    assert (report.accepted, report.duplicates, report.moved) == (0, 2, 2)
    assert count(app, m.Message) == 4  # a, b, b-edited (the pipeline marks it duplicate), the oversized record
    assert count(app, m.MailboxUid, m.MailboxUid.state == "duplicate") == 2
    runner = StepRunner(app, "t")
    assert runner.drain() == 1
    runner.close()
    assert count(app, m.Message, m.Message.status == "duplicate") == 1  # kept for staff, nothing filed from it

    # An empty poll changes nothing; a UIDVALIDITY reset re-lists everything and files nothing new.
    assert poll_once(settings, ledger_for(app)).listed == 0
    dovecot.set_uidvalidity(4000000000)
    report = poll_once(settings, ledger_for(app))
    assert report.uidvalidity_changed and report.accepted == 0
    assert count(app, m.Message) == 4
    with app.uow() as uow:
        folder = uow.session.scalars(select(m.MailboxFolder)).one()
        assert folder.uidvalidity == 4000000000  # above 2**31: a 32-bit signed column would overflow


def test_arrival_order_decides_which_copy_of_a_resend_is_filed(app: App, dovecot: DovecotServer) -> None:
    from tests.support.service import defense_message

    first = defense_message(1, tag="resend")
    second = first.replace("现报送我单位答辩状".encode(), "再次报送我单位答辩状".encode())  # same Message-ID
    assert first != second
    dovecot.save(first)
    dovecot.save(second)
    assert poll_once(dovecot.settings(), ledger_for(app)).accepted == 1
    with app.uow() as uow:
        a, b = uow.session.scalars(select(m.Message.id).order_by(m.Message.id)).all()
    # A second worker parses the later copy before anyone has parsed the first one.
    assert process(app, b) == "duplicate"
    assert process(app, a) == "filed"
    with app.uow() as uow:
        dup = uow.session.get(m.Message, b)
        assert dup is not None and dup.duplicate_of_id == a
