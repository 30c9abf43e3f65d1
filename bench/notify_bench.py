"""Notify benchmark: reminder sweep and outbox throughput against a real aiosmtpd on loopback.

Builds N synthetic cases (each with a filed notice and complaint, a summons and a judgment)
in a fresh SQLite database, then measures:
  sweep   `sweep_reminders` as of a date where every case has something due (cases/s)
  rerun   the same sweep again (nothing new; the idempotency path)
  send    `send_pending` of everything queued (emails/s), with 1 and 3 concurrent senders

    .venv/bin/python bench/notify_bench.py            # N=300
    .venv/bin/python bench/notify_bench.py -n 2000
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notify.outbox import send_pending
from notify.reminders import sweep_reminders
from notify.settings import NotifySettings
from notify.smtp import SmtpSettings
from store.db import make_engine, make_session_factory
from store.models import Agency, AgencyAddress, Attachment, Base, Case, Document, Message, OutboxMessage
from tests.support.smtp import SmtpSink


def seed(factory: object, n: int) -> None:
    with factory() as s:  # type: ignore[operator]
        agency = Agency(code="zrj", name="滕州市自然资源局")
        agency.addresses.append(AgencyAddress(address="zrj@example.cn"))
        s.add(agency)
        s.flush()
        for i in range(n):
            case = Case(case_number=f"（2026）鲁0481行初{i + 1}号", case_type="行初", agency_id=agency.id,
                        court="山东省滕州市人民法院", notice_date=date(2026, 3, 2), outcome="agency_lost",
                        hearing_at=datetime(2026, 4, 17, 9, 30), hearing_place="第一审判庭",
                        decision_type="judgment", decision_date=date(2026, 4, 13))
            s.add(case)
            msg = Message(raw_sha256=hashlib.sha256(f"{i}".encode()).hexdigest(), source="import",
                          message_id=f"<bench-{i}@example.cn>", from_address="zrj@example.cn", status="filed",
                          state="done", subject="材料", received_at=datetime(2026, 4, 14, 2, tzinfo=UTC),
                          agency_id=agency.id)
            att = Attachment(seq=1, filename="a.pdf", content_type="application/pdf",
                             sha256=hashlib.sha256(f"a{i}".encode()).hexdigest(), size=1)
            for k, t in enumerate(("complaint", "notice_to_respond", "summons", "judgment")):
                att.documents.append(Document(first_page=k + 1, last_page=k + 1, doc_type=t, case=case,
                                              match_status="auto", fields={"doc_date": "2026-03-02"}))
            msg.attachments.append(att)
            s.add(msg)
        s.commit()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        Base.metadata.create_all(engine)
        factory = make_session_factory(engine)
        seed(factory, args.n)
        settings = NotifySettings()
        for label in ("sweep", "rerun"):
            t = time.perf_counter()
            with factory() as s:
                report = sweep_reminders(s, date(2026, 4, 15), settings)
                s.commit()
            dt = time.perf_counter() - t
            print(f"{label:6} {args.n} cases in {dt:.2f}s ({args.n / dt:.0f} cases/s), "
                  f"queued {sum(report.queued.values())}, already {report.already_queued}")
        with factory() as s:
            total = s.query(OutboxMessage).count()
        for senders in (1, 3):
            if senders == 3:
                with factory() as s:
                    s.query(OutboxMessage).update({"status": "queued", "attempts": 0})
                    s.commit()
            sink = SmtpSink()
            sink.start()
            smtp = SmtpSettings(host=sink.host, port=sink.port, timeout_s=10, from_address="filing@example.cn")
            t = time.perf_counter()
            threads = [threading.Thread(target=send_pending, args=(factory, smtp), kwargs={"limit": total})
                       for _ in range(senders)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            dt = time.perf_counter() - t
            sink.stop()
            ids = [r.message["Message-ID"] for r in sink.messages]
            print(f"send   {senders} sender(s): {len(ids)} emails in {dt:.2f}s ({len(ids) / dt:.0f}/s), "
                  f"distinct Message-IDs {len(set(ids))} of {total} rows")
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
