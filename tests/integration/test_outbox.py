"""The outbox against a real SMTP server (aiosmtpd) and real databases: each row goes out once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from notify.outbox import NewEmail, cancel, enqueue, enqueue_rows, new_row, requeue, send_pending
from notify.smtp import SmtpSettings
from store.db import make_engine, make_session_factory
from store.models import Base, OutboxMessage
from tests.support.smtp import SINK_PASSWORD, SINK_USER, SmtpSink, TlsSinks

pytestmark = pytest.mark.smtp

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 20, 1, 0, tzinfo=UTC)


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def settings_for(sink: SmtpSink, **kw: object) -> SmtpSettings:
    base: dict[str, object] = dict(
        host=sink.host, port=sink.port, timeout_s=5, from_address="tzsfjyingsu@zz.shandong.cn",
        from_name="滕州市司法局", backoff_base_s=60, backoff_cap_s=3600, max_attempts=4, lease_s=300,
    )
    base.update(kw)
    return SmtpSettings(**base)  # type: ignore[arg-type]


def email(n: int = 1, **kw: object) -> NewEmail:
    base: dict[str, object] = dict(
        idempotency_key=f"test:{n}", kind="receipt", to_addr="176823509@qq.com",
        subject=f"Re: （2026）鲁0481行初{n}号 应诉材料", header_message_id=f"<receipt-{n:016x}@filing.tzsfj.local>",
        body_text=f"滕州市自然资源局：\n\n材料已收悉（{n}）。\n", body_html=f"<p>材料已收悉（{n}）。</p>",
        in_reply_to=f"<orig-{n}@qq.com>", references=(f"<orig-{n}@qq.com>",),
    )
    base.update(kw)
    return NewEmail(**base)  # type: ignore[arg-type]


def add(factory: sessionmaker[Session], *emails: NewEmail) -> list[int]:
    with factory() as s:
        ids = [enqueue(s, e)[0].id for e in emails]
        s.commit()
    return ids


def row(factory: sessionmaker[Session], row_id: int) -> OutboxMessage:
    with factory() as s:
        r = s.get(OutboxMessage, row_id)
        assert r is not None
        return r


def test_enqueue_is_idempotent(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        first, created = enqueue(s, email(1))
        again, created_again = enqueue(s, email(1, subject="changed"))
        s.commit()
        assert created and not created_again
        assert first.id == again.id
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_same_message_id_under_another_key_gets_a_distinct_stable_id(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        a, _ = enqueue(s, email(1))
        b, _ = enqueue(s, email(1, idempotency_key="test:other"))
        s.commit()
        assert a.header_message_id != b.header_message_id
        assert b.header_message_id.endswith("@filing.tzsfj.local>")


def test_enqueue_rows_inserts_like_enqueue_one_by_one(factory: sessionmaker[Session]) -> None:
    """The batched insert (the reminder sweep's) keeps enqueue's rules: a key already there is not inserted
    again, a Message-ID already taken (in the store or earlier in the batch) gets the derived one."""
    with factory() as s:
        enqueue(s, email(1))
        s.commit()
    with factory() as s:
        rows = [new_row(email(1, subject="again")), new_row(email(2)),
                new_row(email(1, idempotency_key="test:other")),
                new_row(email(3, header_message_id=email(2).header_message_id))]
        assert enqueue_rows(s, rows) == [False, True, True, True]
        s.commit()
    with factory() as s:
        got = {r.idempotency_key: r for r in s.scalars(select(OutboxMessage))}
        assert set(got) == {"test:1", "test:2", "test:other", "test:3"}
        assert got["test:1"].subject != "again"
        assert len({r.header_message_id for r in got.values()}) == 4
        assert got["test:2"].header_message_id == email(2).header_message_id  # the first to ask keeps its ID
        for key in ("test:other", "test:3"):
            assert got[key].header_message_id.endswith("@filing.tzsfj.local>")


def test_sends_once_with_threading_headers(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    (rid,) = add(factory, email(1))
    report = send_pending(factory, settings_for(smtp_sink), now=T0)
    assert report.sent == 1
    assert len(smtp_sink.messages) == 1
    got = smtp_sink.messages[0]
    assert got.mail_from == "tzsfjyingsu@zz.shandong.cn"
    assert got.rcpt_tos == ["176823509@qq.com"]
    msg = got.message
    assert msg["Message-ID"] == "<receipt-0000000000000001@filing.tzsfj.local>"
    assert msg["In-Reply-To"] == "<orig-1@qq.com>"
    assert msg["References"] == "<orig-1@qq.com>"
    assert msg["Subject"] == "Re: （2026）鲁0481行初1号 应诉材料"
    assert msg["From"].addresses[0].display_name == "滕州市司法局"
    plain = msg.get_body(("plain",))
    assert plain is not None and "材料已收悉（1）" in plain.get_content()
    r = row(factory, rid)
    assert (r.status, r.attempts) == ("sent", 1)
    assert r.sent_at is not None
    # A second run finds nothing to do.
    again = send_pending(factory, settings_for(smtp_sink), now=T0 + timedelta(hours=1))
    assert again.sent == 0
    assert len(smtp_sink.messages) == 1


def test_451_then_recovers_with_backoff(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    (rid,) = add(factory, email(1))
    smtp_sink.handler.mode = "451"
    report = send_pending(factory, settings_for(smtp_sink), now=T0)
    assert (report.sent, report.retried) == (0, 1)
    r = row(factory, rid)
    assert r.status == "queued" and r.attempts == 1
    assert r.next_attempt_at is not None
    # Backoff base 60 s with equal jitter: between 30 and 60 s.
    assert T0 + timedelta(seconds=30) <= r.next_attempt_at <= T0 + timedelta(seconds=60)
    assert "451" in (r.last_error or "")
    # Not due yet: nothing is attempted.
    assert send_pending(factory, settings_for(smtp_sink), now=T0 + timedelta(seconds=10)).retried == 0
    assert smtp_sink.handler.refused == 1
    smtp_sink.handler.mode = "accept"
    report = send_pending(factory, settings_for(smtp_sink), now=T0 + timedelta(minutes=5))
    assert report.sent == 1
    assert len(smtp_sink.messages) == 1
    assert row(factory, rid).attempts == 2


def test_4xx_gives_up_after_max_attempts(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    (rid,) = add(factory, email(1))
    smtp_sink.handler.mode = "451"
    now = T0
    for _ in range(4):
        send_pending(factory, settings_for(smtp_sink, max_attempts=4), now=now)
        now += timedelta(hours=2)
    r = row(factory, rid)
    assert (r.status, r.attempts) == ("dead", 4)
    assert "gave up after 4 attempts" in (r.last_error or "")


def test_5xx_is_dead_at_once(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    dead, ok = add(factory, email(1), email(2))
    smtp_sink.handler.mode = "550"
    report = send_pending(factory, settings_for(smtp_sink), now=T0, limit=1)
    assert report.dead == 1
    assert row(factory, dead).status == "dead"
    assert "550" in (row(factory, dead).last_error or "")
    smtp_sink.handler.mode = "accept"
    assert send_pending(factory, settings_for(smtp_sink), now=T0).sent == 1
    assert row(factory, ok).status == "sent"
    assert row(factory, dead).status == "dead"


def test_an_hour_long_outage_then_everything_goes_out_once(
    factory: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    ids = add(factory, *(email(n) for n in range(1, 6)))
    smtp_sink.stop()
    now = T0
    for _ in range(12):  # every 5 minutes for an hour
        report = send_pending(factory, settings_for(smtp_sink), now=now)
        assert report.sent == 0 and report.unavailable is not None
        now += timedelta(minutes=5)
    with factory() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
        assert {r.status for r in rows} == {"queued"}
        assert {r.attempts for r in rows} == {0}  # nothing was transmitted
    smtp_sink.start()
    report = send_pending(factory, settings_for(smtp_sink), now=now)
    assert report.sent == 5
    send_pending(factory, settings_for(smtp_sink), now=now + timedelta(hours=1))
    assert sorted(r.message["Message-ID"] for r in smtp_sink.messages) == sorted(
        f"<receipt-{n:016x}@filing.tzsfj.local>" for n in range(1, 6)
    )


def test_no_reply_after_data_is_uncertain_not_resent(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    (rid,) = add(factory, email(1))
    smtp_sink.handler.mode = "stall"
    smtp_sink.handler.stall_s = 3
    report = send_pending(factory, settings_for(smtp_sink, timeout_s=1), now=T0)
    assert report.uncertain == 1
    r = row(factory, rid)
    assert r.status == "uncertain"
    assert "may have accepted" in (r.last_error or "")
    smtp_sink.handler.mode = "accept"
    send_pending(factory, settings_for(smtp_sink), now=T0 + timedelta(days=1))
    assert len(smtp_sink.messages) == 1  # the server did take it; we never sent a second copy
    # Staff decide: requeue sends it again (with the same Message-ID), cancel never does.
    with factory() as s:
        assert requeue(s, rid)
        s.commit()
    send_pending(factory, settings_for(smtp_sink), now=T0 + timedelta(days=1))
    assert len(smtp_sink.by_message_id("<receipt-0000000000000001@filing.tzsfj.local>")) == 2
    with factory() as s:
        assert not cancel(s, rid)  # already sent
        s.commit()


def _run_child(db_url: str, sink: SmtpSink, crash_at: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.outbox_runner", db_url, sink.host, str(sink.port), crash_at],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.mark.parametrize("crash_at", ["accepted", "claimed"])
def test_crash_between_send_and_mark_never_sends_twice(
    db_url: str, engine: Engine, factory: sessionmaker[Session], smtp_sink: SmtpSink, crash_at: str
) -> None:
    first, second = add(factory, email(1), email(2))
    child = _run_child(db_url, smtp_sink, crash_at)
    assert child.returncode == -9, child.stderr
    delivered = 1 if crash_at == "accepted" else 0
    assert len(smtp_sink.messages) == delivered
    assert row(factory, first).status == "sending"
    assert row(factory, second).status == "queued"
    # Restart within the lease: the interrupted row is left alone, the other one goes out.
    child = _run_child(db_url, smtp_sink)
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout)["sent"] == 1
    assert row(factory, first).status == "sending"
    # After the lease: flagged as uncertain for staff, never resent on its own.
    report = send_pending(factory, settings_for(smtp_sink), now=datetime.now(UTC) + timedelta(minutes=10))
    assert report.expired_leases == 1
    assert row(factory, first).status == "uncertain"
    send_pending(factory, settings_for(smtp_sink), now=datetime.now(UTC) + timedelta(days=1))
    assert len(smtp_sink.by_message_id("<receipt-0000000000000001@filing.tzsfj.local>")) == delivered
    assert len(smtp_sink.by_message_id("<receipt-0000000000000002@filing.tzsfj.local>")) == 1


def test_concurrent_senders_send_each_row_once(factory: sessionmaker[Session], smtp_sink: SmtpSink) -> None:
    add(factory, *(email(n) for n in range(1, 31)))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            send_pending(factory, settings_for(smtp_sink), now=T0)
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    ids = [r.message["Message-ID"] for r in smtp_sink.messages]
    assert len(ids) == 30 and len(set(ids)) == 30


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_starttls_and_auth(factory: sessionmaker[Session], tls_smtp_sinks: TlsSinks) -> None:
    sink = tls_smtp_sinks.starttls
    (rid,) = add(factory, email(1))
    good = dict(security="starttls", user=SINK_USER, password=SINK_PASSWORD, ca_file=str(tls_smtp_sinks.cert))
    # Wrong password: nothing attempted, row waits, the error names the setting to fix.
    report = send_pending(factory, settings_for(sink, **{**good, "password": "wrong"}), now=T0)
    assert report.sent == 0 and report.unavailable is not None and "smtp.user/password" in report.unavailable
    assert (row(factory, rid).status, row(factory, rid).attempts) == ("queued", 0)
    # A certificate we do not trust: refused before any credentials are sent.
    report = send_pending(factory, settings_for(sink, **{**good, "ca_file": None}), now=T0 + timedelta(minutes=2))
    assert report.unavailable is not None and "TLS" in report.unavailable
    # Plain text to a server that requires STARTTLS: refused.
    report = send_pending(factory, settings_for(sink, security="none", user=SINK_USER, password=SINK_PASSWORD),
                          now=T0 + timedelta(minutes=4))
    assert report.sent == 0
    report = send_pending(factory, settings_for(sink, **good), now=T0 + timedelta(minutes=6))
    assert report.sent == 1
    assert len(sink.messages) == 1
    assert sink.messages[0].message["Message-ID"] == "<receipt-0000000000000001@filing.tzsfj.local>"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_and_auth(factory: sessionmaker[Session], tls_smtp_sinks: TlsSinks) -> None:
    sink = tls_smtp_sinks.implicit
    add(factory, email(1), email(2))
    settings = settings_for(sink, security="tls", user=SINK_USER, password=SINK_PASSWORD,
                            ca_file=str(tls_smtp_sinks.cert))
    assert send_pending(factory, settings, now=T0).sent == 2
    assert len(sink.messages) == 2
