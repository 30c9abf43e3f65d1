"""End-to-end throughput: from arrival in Dovecot to the receipt in the SMTP sink, with 1 and 2 workers.

Each run gets a fresh PostgreSQL database, Dovecot account, SMTP sink, blob store
and an empty OCR cache, then starts `filing serve --no-web --no-process` (poll,
outbox) plus N `filing worker` processes, drops the corpus into the mailbox at
once and waits until every message is filed (or quarantined/parked) and every
queued receipt has reached the sink.

    .venv/bin/python bench/e2e_bench.py                 # 1 and 2 workers, ../shared/corpus/sample
    .venv/bin/python bench/e2e_bench.py --workers 1 2 4 --limit 20 --ocr-workers 1

Messages/min counts every message taken from the mailbox (quarantined and
duplicates included); pages/min counts stored pages (OCR and text layer);
latency is per receipt, from the moment the whole corpus landed in Dovecot.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from filing.bootstrap import bootstrap  # noqa: E402
from filing.config import load_settings  # noqa: E402
from store import models as m  # noqa: E402
from terms.status import PENDING_STATES  # noqa: E402
from tests.support.corpus import SAMPLE  # noqa: E402
from tests.support.databases import drop_pg_database, make_pg_database  # noqa: E402
from tests.support.dovecot import DovecotServer, free_port  # noqa: E402
from tests.support.service import FilingProcess, run_filing, wait_until, write_config  # noqa: E402
from tests.support.smtp import SmtpSink  # noqa: E402

CORPUS = SAMPLE  # $FILING_SHARED_DIR/corpus/sample, or ../shared beside the checkout
PG_PREFIX = "postgresql+psycopg://postgres@127.0.0.1:5432/"


@dataclass
class Result:
    workers: int
    messages: int
    receipts: int
    pages: int
    ocr_pages: int
    parked: int
    elapsed_s: float
    latencies: list[float]
    cpu_s: float  # CPU of the worker processes and their OCR children
    load: tuple[float, float]  # 1-minute load average at start and end (others' work skews the figures)

    @property
    def messages_per_min(self) -> float:
        return self.messages / self.elapsed_s * 60

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.elapsed_s * 60


def tree_cpu_seconds(pid: int) -> float:
    """User+system CPU of a process, its waited-for children and its live descendants (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, cpu seconds)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, (0, 0.0))[1]
        todo += [child for child, (parent, _) in stats.items() if parent == current]
    return total


def run(workers: int, raws: list[bytes], registry: Path, ocr_workers: int, timeout_s: float) -> Result:
    db = make_pg_database()
    work = Path(tempfile.mkdtemp(prefix=f"e2e-bench-{workers}w-"))
    dovecot = DovecotServer(Path(tempfile.mkdtemp(prefix="dovecot-bench-")), free_port()).start()
    sink = SmtpSink()
    sink.start()
    procs: list[FilingProcess] = []
    try:
        config = write_config(work, PG_PREFIX + db, registry=registry, imap=dovecot, smtp_port=sink.port,
                              scheduler={"poll_minutes": 0.02, "outbox_seconds": 0.5, "worker_idle_seconds": 0.3,
                                         "claim_seconds": 120, "shutdown_grace_seconds": 0},
                              ocr={"workers": ocr_workers})
        run_filing(config, "init")
        procs.append(FilingProcess(("serve", "--no-web", "--no-process"), config, work / "serve.log").start())
        procs += [FilingProcess(("worker",), config, work / f"worker{i}.log").start() for i in range(workers)]
        wait_until(lambda: "scheduler started" in procs[0].log(), 60, "serve start", procs[0])
        for p in procs[1:]:
            wait_until(lambda p=p: "worker started" in p.log(), 60, "worker start", p)
        app = bootstrap(load_settings(config))
        wanted = {str(BytesParser(policy=policy.default).parsebytes(r, headersonly=True)["Message-ID"]) for r in raws}
        arrivals: dict[str, float] = {}

        load0 = os.getloadavg()[0]
        cpu0 = sum(tree_cpu_seconds(p.pid) for p in procs[1:])  # start-up (imports) is not throughput
        t0 = time.monotonic()
        dovecot.seed_maildir(raws)

        def finished() -> bool:
            # The database first: a row is marked sent only after the sink said 250, so once the
            # backlog is empty every receipt is already in the sink when we scan it below.
            with app.uow() as uow:
                s = uow.session
                taken = s.scalar(select(func.count()).select_from(m.MailboxUid)) or 0
                pending = s.scalar(select(func.count()).where(m.Message.state.in_(PENDING_STATES))) or 0
                backlog = s.scalar(select(func.count()).where(m.OutboxMessage.status.in_(("queued", "sending")))) or 0
            now = time.monotonic()
            for r in list(sink.messages):
                key = str(r.message["In-Reply-To"])
                if key in wanted and key not in arrivals:
                    arrivals[key] = now - t0
            return taken >= len(raws) and pending == 0 and backlog == 0

        wait_until(finished, timeout_s, f"{len(raws)} messages filed and receipted", procs[0])
        end = max(arrivals.values(), default=time.monotonic() - t0)
        cpu = sum(tree_cpu_seconds(p.pid) for p in procs[1:]) - cpu0
        load1 = os.getloadavg()[0]
        with app.uow() as uow:
            s = uow.session
            pages = s.scalar(select(func.count()).select_from(m.Page)) or 0
            ocr_pages = s.scalar(select(func.count()).where(m.Page.source.in_(("tesseract", "rapidocr")))) or 0
            parked = s.scalar(select(func.count()).where(m.Message.state == "parked")) or 0
            receipts_queued = s.scalar(select(func.count()).where(m.OutboxMessage.kind == "receipt")) or 0
        app.engine.dispose()
        if receipts_queued != len(arrivals):
            print(f"  note: {receipts_queued} receipts queued, {len(arrivals)} reached the sink", flush=True)
        return Result(workers, len(raws), len(arrivals), pages, ocr_pages, parked, end, sorted(arrivals.values()),
                      cpu, (load0, load1))
    finally:
        for p in procs:
            if p.proc is not None and p.proc.poll() is None:
                p.terminate(timeout=30)
            p.kill()
        sink.stop()
        dovecot.stop()
        shutil.rmtree(dovecot.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        drop_pg_database(db)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--limit", type=int, default=0, help="first N messages only (0: all)")
    ap.add_argument("--ocr-workers", type=int, default=1, help="OCR processes inside each worker (ocr.workers)")
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()
    files = sorted((args.corpus / "messages").glob("*.eml"))
    if args.limit:
        files = files[: args.limit]
    raws = [f.read_bytes() for f in files]
    print(f"corpus: {len(raws)} messages, {sum(map(len, raws)) / 1e6:.1f} MB from {args.corpus}; "
          f"ocr.workers={args.ocr_workers} per worker process", flush=True)
    results = []
    for n in args.workers:
        r = run(n, raws, args.corpus / "agencies.yaml", args.ocr_workers, args.timeout)
        results.append(r)
        print(f"{n} worker(s): {r.messages} messages, {r.receipts} receipts, {r.pages} pages ({r.ocr_pages} OCR), "
              f"{r.parked} parked, {r.elapsed_s:.1f}s → {r.messages_per_min:.1f} msg/min, "
              f"{r.pages_per_min:.1f} pages/min; receipt latency median {statistics.median(r.latencies or [0]):.1f}s, "
              f"max {max(r.latencies or [0]):.1f}s; worker CPU {r.cpu_s:.0f}s "
              f"({r.cpu_s / r.elapsed_s / (os.cpu_count() or 1):.0%} of {os.cpu_count()} cores); "
              f"load average {r.load[0]:.1f} → {r.load[1]:.1f}", flush=True)
    print()
    print(f"{'workers':>7} {'msgs':>5} {'receipts':>8} {'pages':>6} {'seconds':>8} {'msg/min':>8} {'pages/min':>9}")
    for r in results:
        print(f"{r.workers:>7} {r.messages:>5} {r.receipts:>8} {r.pages:>6} {r.elapsed_s:>8.1f} "
              f"{r.messages_per_min:>8.1f} {r.pages_per_min:>9.1f}")
    base = results[0]
    for r in results[1:]:
        print(f"scaling {r.workers} vs {base.workers} worker(s): {r.messages_per_min / base.messages_per_min:.2f}x "
              f"(ideal {r.workers / base.workers:.0f}x)")


if __name__ == "__main__":
    main()
