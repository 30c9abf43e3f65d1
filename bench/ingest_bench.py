"""Ingest benchmark: messages per second from a real Dovecot into the ledger, and peak memory.

Starts an unprivileged Dovecot (tests/support/dovecot.py), seeds its Maildir, then runs
`poll_once` in a fresh child process so its peak RSS is the poll's alone. Scenarios:
  small   N small messages (~1 kB), the volume case
  corpus  the sample mailbox's messages repeated to N, each with a fresh Message-ID
  empty   a poll with nothing new (median wall time over repeats)
Ledgers: `store` (the real DbLedger: blobs fsynced, rows via the pipeline's `receive`, on SQLite or
with --pg on a throwaway PostgreSQL database) or `test` (tests/support/ledger.py SqliteLedger).

    .venv/bin/python bench/ingest_bench.py                       # all scenarios, store ledger, SQLite
    .venv/bin/python bench/ingest_bench.py --scenario small -n 5000 --batch 200
    .venv/bin/python bench/ingest_bench.py --ledger test --pg
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.mailbox import MailboxSettings  # noqa: E402
from tests.support.dovecot import DovecotServer, free_port, make_message  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "sample" / "messages"


def corpus_messages(n: int) -> list[bytes]:
    originals = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    out = []
    for i in range(n):
        raw = originals[i % len(originals)]
        mid = f"<bench-{uuid.uuid4().hex}@bench.invalid>".encode()
        raw, count = re.subn(rb"(?im)^Message-ID:[^\r\n]*", b"Message-ID: " + mid, raw, count=1)
        out.append(raw if count else b"Message-ID: " + mid + b"\r\n" + raw)
    return out


# ----------------------------------------------------------------------------- child: one poll


def peak_rss_kb() -> int:
    """This process's own high-water RSS (ru_maxrss would carry the parent's across fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def make_ledger(kind: str, work: Path, db_url: str) -> Any:
    if kind == "test":
        from tests.support.ledger import SqliteLedger

        return SqliteLedger(work / "ledger.db", work / "blobs")
    from filing.bootstrap import bootstrap
    from filing.commands.core import init_app
    from filing.config import load_settings
    from filing.jobs import ledger_for

    db_url = db_url.replace("{work}", str(work))
    cfg = work / "config.yaml"
    if not cfg.exists():
        cfg.write_text(
            f"database:\n  url: {db_url}\nstorage:\n  path: {work / 'blobs'}\n"
            f"agencies:\n  registry: {ROOT / 'demo/agencies.yaml'}\n",
            encoding="utf-8",
        )
    app = bootstrap(load_settings(cfg, environ={}))
    if not (work / ".initialised").exists():
        init_app(app)
        (work / ".initialised").touch()
    return ledger_for(app)


def child(spec: dict[str, Any]) -> None:
    from ingest.poll import poll_once

    ledger = make_ledger(spec["ledger"], Path(spec["work"]), spec["db_url"])
    settings = MailboxSettings(**spec["settings"])
    rss_before = peak_rss_kb()
    times = []
    report = None
    for _ in range(spec["repeat"]):
        started = time.perf_counter()
        report = poll_once(settings, ledger)
        times.append(time.perf_counter() - started)
    assert report is not None
    print(json.dumps({
        "times": times,
        "report": dataclasses.asdict(report),
        "rss_before_kb": rss_before,
        "rss_peak_kb": peak_rss_kb(),
    }))  # fmt: skip


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"poll child failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------------- parent


def scenario(name: str, n: int, args: argparse.Namespace, db_url: str) -> None:
    root = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    root.chmod(0o755)  # Dovecot's unprivileged mail processes must traverse it
    work = root / "work"
    work.mkdir()
    server = DovecotServer(root / "dovecot", free_port()).start()
    try:
        if name == "corpus":
            raws = corpus_messages(n)
        else:
            raws = [make_message(f"bench {i}", body="正文 " * 100) for i in range(n)]
        total_bytes = sum(len(r) for r in raws)
        seeded = server.seed_maildir(raws)
        del raws
        settings = dataclasses.asdict(
            server.settings(batch_size=args.batch, batch_bytes=int(args.batch_mb * 1e6), timeout_s=60.0, retries=0)
        )
        spec = {"ledger": args.ledger, "work": str(work), "db_url": db_url, "settings": settings, "repeat": 1}
        result = run_child(spec)
        report, elapsed = result["report"], result["times"][0]
        assert report["ok"] and report["accepted"] == seeded, report
        assert server.count("Filed") == seeded
        rate = seeded / elapsed
        print(
            f"{name:7s} {seeded:6d} msgs {total_bytes / 1e6:8.1f} MB  {elapsed:7.2f} s  "
            f"{rate:8.1f} msg/s  {total_bytes / 1e6 / elapsed:6.1f} MB/s  "
            f"peak RSS {result['rss_peak_kb'] / 1024:6.1f} MB (after imports {result['rss_before_kb'] / 1024:.1f} MB)"
        )
        if name == "small":
            spec["repeat"] = args.repeat
            empty = run_child(spec)
            assert empty["report"]["accepted"] == 0
            median, worst = statistics.median(empty["times"]) * 1000, max(empty["times"]) * 1000
            print(
                f"empty   poll with nothing new after {seeded} taken: median {median:.1f} ms, max {worst:.1f} ms "
                f"over {args.repeat} (connect, LOGIN, ID, SELECT, LOGOUT)"
            )
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=["small", "corpus", "all"], default="all")
    ap.add_argument("-n", type=int, default=0, help="messages (default: small 1000, corpus 200)")
    ap.add_argument("--batch", type=int, default=50, help="mailbox.batch_size")
    ap.add_argument("--batch-mb", type=float, default=32.0, help="bytes per body fetch, in MB (batch_bytes)")
    ap.add_argument("--ledger", choices=["store", "test"], default="store")
    ap.add_argument("--pg", action="store_true", help="store ledger on a throwaway PostgreSQL database")
    ap.add_argument("--repeat", type=int, default=10, help="empty polls to time")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    db = " (PostgreSQL)" if args.pg else ""
    print(f"ledger={args.ledger}{db} batch_size={args.batch} batch_mb={args.batch_mb:g}")
    for name in ("small", "corpus") if args.scenario == "all" else (args.scenario,):
        n = args.n or (1000 if name == "small" else 200)
        pg_name = None
        db_url = "sqlite:///{work}/filing.db"
        if args.pg:
            from tests.support.databases import make_pg_database

            pg_name = make_pg_database()
            db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
        try:
            scenario(name, n, args, db_url)
        finally:
            if pg_name:
                from tests.support.databases import drop_pg_database

                drop_pg_database(pg_name)


if __name__ == "__main__":
    main()
