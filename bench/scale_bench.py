"""Scale benchmark: does any step grow faster than the data? (issue 23)

Builds stores N times the size of a real one by cloning its rows (ids remapped, case numbers and
Message-IDs made unique, dates shifted back four weeks per copy: years of mail), on SQLite and on
PostgreSQL (a throwaway database `filing_scale_<random>` on 127.0.0.1:5432, dropped afterwards),
then times each operation the issue lists and counts its SQL statements:

    import   one sample message that opens a case, OCR cache warm (receive + process)
    export   `filing export` (build_export + JSON)
    queue    GET /queue
    report   build_report + JSON, HTML, XLSX (each timed with its build)
    reports  GET /reports cold (after a committed change: the web builds it) and warm (kept, unchanged data)
    case     GET /cases/{id}
    search   GET /cases?q=<plaintiff>; the lists GET /cases and GET /agencies/{id}
    pages    GET /agencies, /queue/{id}, /checks, /quarantine, /watch, /followup, /roster and the
             case list's CSV export (/cases/export.csv)

The 1x store is the sample corpus imported once by `bench/eval_sample.sh` (FILING_EVAL_DIR keeps it):

    FILING_EVAL_DIR=/tmp/sample bench/eval_sample.sh
    PYTHONPATH=$PWD .venv/bin/python bench/scale_bench.py --base /tmp/sample --scales 10 30 --runs 3

Prints a table: median wall seconds, median CPU seconds (this process plus its PostgreSQL backends,
read from /proc: what a loaded shared machine does not inflate), statements and Python peak MB
(tracemalloc, one extra run).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, func, select, text

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SHIFT_DAYS = 28  # each copy is four weeks older than the one before: 100 copies span 7.7 years
CLONED = ("cases", "messages", "attachments", "pages", "documents", "case_facts", "match_candidates",
          "audit_log", "outbox", "step_runs")
# (table, column) -> table whose id it holds
FKS = {
    ("cases", "appeal_of_id"): "cases",
    ("case_facts", "case_id"): "cases",
    ("case_facts", "document_id"): "documents",
    ("messages", "duplicate_of_id"): "messages",
    ("attachments", "message_id"): "messages",
    ("pages", "attachment_id"): "attachments",
    ("documents", "attachment_id"): "attachments",
    ("documents", "case_id"): "cases",
    ("match_candidates", "document_id"): "documents",
    ("match_candidates", "case_id"): "cases",
    ("outbox", "message_row_id"): "messages",
    ("outbox", "case_id"): "cases",
    ("step_runs", "message_id"): "messages",
}
# The sample's queue is empty (everything files itself); a real store has a queue. In the clones the
# defenses and unclassified papers wait for a person, so re-scoring and the queue have work to do.
WAITING_TYPES = ("defense", "other")
AUDIT_OBJECTS = {"case": "cases", "document": "documents", "message": "messages"}
MSGID_COLUMNS = {("messages", "message_id"), ("messages", "in_reply_to"), ("outbox", "header_message_id"),
                 ("outbox", "in_reply_to")}
MSGID_LISTS = {("messages", "references"), ("outbox", "references")}
UNIQUE_TEXT = {("messages", "delivery_key"), ("outbox", "idempotency_key")}
CASE_NO = re.compile(r"([（(])(\d{4})([）)][^（()）\s]{1,24}?行[^\d\s（()）]{0,3}?)(\d{1,6})号")
ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(.*)$", re.S)


# ----------------------------------------------------------------- cloning


@dataclass
class Copy:
    k: int
    strides: dict[str, int]

    @property
    def shift(self) -> timedelta:
        return timedelta(days=SHIFT_DAYS * self.k)

    def id(self, table: str, v: int | None) -> int | None:
        return None if v is None else v + self.k * self.strides[table]

    def number(self, s: str) -> str:
        years = round(self.k * SHIFT_DAYS / 365.25)
        return CASE_NO.sub(
            lambda mt: f"{mt[1]}{int(mt[2]) - years}{mt[3]}{int(mt[4]) + 1000 * self.k}号", s)

    def msgid(self, s: str | None) -> str | None:
        if not s:
            return s
        return f"<c{self.k}.{s[1:]}" if s.startswith("<") else f"c{self.k}.{s}"

    def value(self, v: Any) -> Any:
        """Dates shifted, case numbers renumbered, recursively through JSON."""
        if isinstance(v, datetime | date):
            return v - self.shift
        if isinstance(v, str):
            hit = ISO_DAY.match(v)
            if hit:
                try:
                    day = date.fromisoformat(hit[1])
                except ValueError:
                    return self.number(v)
                return (day - self.shift).isoformat() + hit[2]
            return self.number(v) if "号" in v else v
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        return v


def clone_row(table: str, row: dict[str, Any], c: Copy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col, v in row.items():
        if col == "id":
            out[col] = c.id(table, v)
        elif (table, col) in FKS:
            out[col] = c.id(FKS[(table, col)], v)
        elif (table, col) in MSGID_COLUMNS:
            out[col] = c.msgid(v)
        elif (table, col) in MSGID_LISTS:
            out[col] = [c.msgid(x) for x in v or []]
        elif (table, col) in UNIQUE_TEXT:
            out[col] = f"{v}#copy{c.k}"
        elif table == "audit_log" and col == "object_id":
            target = AUDIT_OBJECTS.get(row["object_type"])
            out[col] = c.id(target, v) if target else v
        elif table == "case_facts" and col in ("value", "previous") and row["field"] == "appeal_of_id":
            out[col] = c.id("cases", v) if isinstance(v, int) else v
        else:
            out[col] = c.value(v)
    if table == "documents" and row["doc_type"] in WAITING_TYPES and row["match_status"] == "auto":
        out["match_status"], out["case_id"] = "review", None
    return out


def build_store(base_url: str, target_url: str, copies: int) -> None:
    """The schema by migration, the agency registry as is, every other row `copies` times (k = 1..copies)."""
    from store.migrate import upgrade

    src, dst = create_engine(base_url), create_engine(target_url)
    upgrade(dst)
    meta = MetaData()
    meta.reflect(dst)
    with src.connect() as s, dst.begin() as d:
        for name in ("agencies", "agency_addresses", "users"):
            rows = [dict(r._mapping) for r in s.execute(select(meta.tables[name]))]
            if rows:
                d.execute(meta.tables[name].insert(), rows)
        strides = {t: (s.scalar(select(func.max(meta.tables[t].c.id))) or 0) + 1 for t in CLONED}
        base_rows = {t: [dict(r._mapping) for r in s.execute(select(meta.tables[t]).order_by(meta.tables[t].c.id))]
                     for t in CLONED}
        for k in range(1, copies + 1):
            c = Copy(k, strides)
            for t in CLONED:  # parents before children; self-references point to lower ids of the same copy
                rows = [clone_row(t, r, c) for r in base_rows[t]]
                if t == "cases" or t == "messages":  # self-references: insert without, then set
                    self_fk = "appeal_of_id" if t == "cases" else "duplicate_of_id"
                    later = [(r["id"], r[self_fk]) for r in rows if r[self_fk] is not None]
                    for r in rows:
                        r[self_fk] = None
                    if rows:
                        d.execute(meta.tables[t].insert(), rows)
                    tbl = meta.tables[t]
                    for rid, ref in later:
                        d.execute(tbl.update().where(tbl.c.id == rid).values({self_fk: ref}))
                elif rows:
                    d.execute(meta.tables[t].insert(), rows)
        if dst.dialect.name == "postgresql":
            for t in (*CLONED, "agencies", "agency_addresses", "users"):
                d.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                               f"GREATEST((SELECT max(id) FROM {t}), 1))"))
    src.dispose()
    dst.dispose()


# ----------------------------------------------------------------- measuring


class Counter:
    """Statements run, and the slowest of them (for EXPLAIN) since `slowest` was last read; the CPU
    seconds of the database server processes serving this engine (PostgreSQL on this machine)."""

    def __init__(self, engine: Engine) -> None:
        self.n = 0
        self._started = 0.0
        self._slow: list[tuple[float, str, Any]] = []
        self._backends: set[int] = set()
        event.listen(engine, "before_cursor_execute", self._count)
        event.listen(engine, "after_cursor_execute", self._done)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", self._connected)

    def _connected(self, dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        self._backends.add(int(cur.fetchone()[0]))
        cur.close()

    def server_cpu(self) -> float:
        """CPU seconds (user + system) the backends have used so far; 0 when they are not local."""
        total = 0.0
        for pid in self._backends:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def _count(self, *_a: Any) -> None:
        self.n += 1
        self._started = time.perf_counter()

    def _done(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_a: Any) -> None:
        took = time.perf_counter() - self._started
        if len(self._slow) < 3 or took > self._slow[-1][0]:
            self._slow = sorted([*self._slow, (took, statement, params)], key=lambda x: -x[0])[:3]

    def slowest(self) -> list[tuple[float, str, Any]]:
        out, self._slow = self._slow, []
        return out


class Discard(io.TextIOBase):
    """A text sink that keeps nothing (what the export writes is not what is measured)."""

    def write(self, s: str) -> int:
        return len(s)


@dataclass
class Result:
    seconds: float
    statements: int
    peak_mb: float | None = None
    cpu: float = 0.0  # CPU seconds of this process and the database backends: steady on a shared machine


def measure(fn: Callable[[int], object], counter: Counter, runs: int, memory: bool = True) -> Result:
    """Median of `runs` timed calls (wall and CPU); statements of the last; Python peak memory of one more call."""
    times, cpus, stmts = [], [], 0
    for i in range(runs):
        before = counter.n
        t0, c0 = time.perf_counter(), time.process_time() + counter.server_cpu()
        fn(i)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() + counter.server_cpu() - c0)
        stmts = counter.n - before
    wall, cpu = statistics.median(times), statistics.median(cpus)
    if not memory:
        return Result(wall, stmts, cpu=cpu)
    tracemalloc.start()
    fn(runs)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return Result(wall, stmts, peak, cpu)


@contextmanager
def target_db(kind: str, tmp: Path, base_url: str, scale: int, keep: str | None) -> Iterator[str]:
    """A fresh store of `scale` copies. With `keep`, the built store is kept as a template (a SQLite
    file under /tmp, a PostgreSQL template database) and later runs start from a copy of it; the
    migrations then bring the copy to this code's head (new indexes included)."""
    from store.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'filing.db'}"
        kept = Path(f"/tmp/scale-template-{keep}-{scale}.db") if keep else None
        if kept is not None and kept.exists():
            shutil.copy(kept, tmp / "filing.db")
        else:
            build_store(base_url, url, scale)
            if kept is not None:
                shutil.copy(tmp / "filing.db", kept)
        eng = create_engine(url)
        upgrade(eng)
        eng.dispose()
        yield url
        return
    name = f"filing_scale_{uuid.uuid4().hex[:10]}"
    template = f"filing_scale_tpl_{keep}_{scale}" if keep else None
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        have = template is not None and conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template}) is not None
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if have else "")))
    if not have:
        build_store(base_url, url, scale)
        if template is not None:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{template}" TEMPLATE "{name}"'))
    eng = create_engine(url)
    upgrade(eng)
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # a restored database has no statistics yet; a live one would
    eng.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pick_messages(base_url: str, corpus: Path, n: int) -> list[Path]:
    """Sample messages that started a case in the 1x store: importing one makes the store re-score."""
    eng = create_engine(base_url)
    with eng.connect() as conn:
        ids = conn.execute(text(
            "SELECT DISTINCT m.message_id FROM case_facts f JOIN documents d ON d.id = f.document_id "
            "JOIN attachments a ON a.id = d.attachment_id JOIN messages m ON m.id = a.message_id "
            "WHERE f.field = 'case_number' ORDER BY m.message_id")).scalars().all()
    eng.dispose()
    wanted = {i for i in ids if i}
    found = []
    from email.parser import BytesHeaderParser

    for p in sorted((corpus / "messages").glob("*.eml")):
        mid = BytesHeaderParser().parsebytes(p.read_bytes()).get("Message-ID", "").strip()
        if mid in wanted:
            found.append(p)
    if len(found) < n:
        sys.exit(f"only {len(found)} case-opening messages in the sample, need {n}")
    return found[:n]


def run_scale(kind: str, scale: int, args: argparse.Namespace, base_url: str, picks: list[Path]) -> dict[str, Result]:
    from fastapi.testclient import TestClient

    from filing import export as export_module
    from filing import service
    from filing.adapters import notify_settings
    from filing.bootstrap import bootstrap
    from filing.config import load_settings
    from filing.export import build_export
    from filing.pipeline import process, receive
    from filing.report.build import build_report
    from filing.report.html import render_html
    from filing.report.jsonout import report_data
    from filing.report.types import Period
    from filing.report.xlsx import workbook_bytes
    from filing.web.app import create_app
    from notify.reminders import sweep_reminders
    from store import models as m
    from store.users import add_user, cheap_hasher

    tmp = Path(tempfile.mkdtemp(prefix=f"scale-{kind}-{scale}-"))
    out: dict[str, Result] = {}

    def run(name: str, fn: Callable[[int], object], counter: Counter, runs: int) -> None:
        if not args.ops or any(o in name for o in args.ops):
            counter.slowest()
            out[name] = measure(fn, counter, runs, memory=any(o in name for o in args.memory_ops))
            if args.slow:
                for took, stmt, params in counter.slowest():
                    print(f"  [{kind} {scale}x {name}] {took:.3f} s: {' '.join(stmt.split())[:600]} "
                          f"{str(params)[:200]}", file=sys.stderr)
    try:
        t0 = time.perf_counter()
        with target_db(kind, tmp, base_url, scale, args.keep) as url:
            print(f"  store {kind} {scale}x ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            cfg = tmp / "config.yaml"
            cfg.write_text(json.dumps({
                "database": {"url": url},
                "storage": {"path": str(tmp / "blobs")},
                "agencies": {"registry": str(args.corpus / "agencies.yaml")},
                "ocr": {"cache_path": args.ocr_cache},
            }))
            app = bootstrap(load_settings(cfg, environ={}))
            counter = Counter(app.engine)
            with app.uow() as uow:
                add_user(uow.session, "bench", "bench-password-1", "reviewer", hasher=cheap_hasher())
                uow.commit()
                s = uow.session
                case_id = s.scalar(select(m.Document.case_id).where(m.Document.case_id.is_not(None))
                                   .order_by(m.Document.id.desc()).limit(1))
                plaintiff = next(c.plaintiffs[0] for c in s.scalars(select(m.Case)) if c.plaintiffs)
                agency_id = s.scalar(select(m.Case.agency_id).where(m.Case.id == case_id))
                queue_doc = s.scalar(select(m.Document.id).where(m.Document.match_status == "review")
                                     .order_by(m.Document.id.desc()).limit(1))
            as_of = date.fromisoformat(args.as_of)
            period = Period.of_quarter(as_of.year, (as_of.month - 1) // 3 + 1)

            def import_one(i: int) -> None:
                # New Message-ID: new bytes, so neither the ledger nor the parse step calls it a duplicate.
                raw = re.sub(rb"(?im)^Message-ID:[^\r\n]*", f"Message-ID: <bench-{uuid.uuid4()}@scale>".encode(),
                             picks[i % len(picks)].read_bytes(), count=1)
                rec = receive(app, raw, received_at=datetime.now(UTC), source="import")
                process(app, rec.message_row_id)

            run("import", import_one, counter, args.runs)

            def export(_i: int) -> None:
                with app.uow() as uow:
                    if hasattr(export_module, "write_export"):  # streams: nothing is kept
                        # What `filing export` passes: the review queue read once for the whole export.
                        missing = (service.MissingRules(app) if hasattr(service, "MissingRules")
                                   else partial(service.missing_for_cases, app))
                        export_module.write_export(uow.session, as_of, missing, Discard())
                        return
                    if hasattr(service, "missing_for_cases"):
                        data = build_export(uow.session, as_of, partial(service.missing_for_cases, app))
                    else:  # the code before issue 23
                        data = build_export(uow.session, as_of, partial(service.missing_for_case, app))
                json.dumps(data, ensure_ascii=False)

            run("export", export, counter, args.runs)

            def remind(_i: int) -> None:
                with app.uow() as uow:  # not committed: each run sweeps the same store
                    sweep_reminders(uow.session, as_of, notify_settings(app.settings))

            run("remind", remind, counter, args.runs)
            web = TestClient(create_app(app, hasher=cheap_hasher()), base_url="http://127.0.0.1")
            token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text)
            assert token
            r = web.post("/login", data={"name": "bench", "password": "bench-password-1", "next": "/queue",
                                         "csrf_token": token[1]}, follow_redirects=False)
            assert r.status_code == 303, r.text

            def get(path: str) -> Callable[[int], None]:
                def go(_i: int) -> None:
                    resp = web.get(path)
                    assert resp.status_code == 200, (path, resp.status_code)
                return go

            run("GET /queue", get("/queue"), counter, args.runs)
            run("report json",
                lambda _i: json.dumps(report_data(build_report(app, period, as_of)), ensure_ascii=False),
                counter, args.runs)
            run("report html", lambda _i: render_html(build_report(app, period, as_of), standalone=True),
                                         counter, args.runs)
            run("report xlsx", lambda _i: workbook_bytes(build_report(app, period, as_of)),
                                         counter, args.runs)
            def touch() -> None:
                # A committed change to what the report reads (a no-op update still fires the triggers
                # behind data_version): a report kept by the web (filing.report.cache) must be built again.
                with app.engine.begin() as conn:
                    conn.execute(text("UPDATE agencies SET active = active WHERE id = (SELECT min(id) FROM agencies)"))

            page = get(f"/reports?quarter={period.key}")
            def cold_page(i: int) -> None:
                touch()
                page(i)

            run("GET /reports cold", cold_page, counter, args.runs)
            run("GET /reports", page, counter, args.runs)  # warm: the same data as the last cold request
            run("GET /cases/{id}", get(f"/cases/{case_id}"), counter, args.runs)
            run("GET /cases?q=", get(f"/cases?q={plaintiff}"), counter, args.runs)
            run("GET /cases", get("/cases"), counter, args.runs)
            run("GET /agencies/{id}", get(f"/agencies/{agency_id}"), counter, args.runs)
            run("GET /agencies", get("/agencies"), counter, args.runs)
            if queue_doc is not None:
                run("GET /queue/{id}", get(f"/queue/{queue_doc}"), counter, args.runs)
            run("GET /checks", get("/checks"), counter, args.runs)
            run("GET /quarantine", get("/quarantine"), counter, args.runs)
            run("GET /watch", get("/watch"), counter, args.runs)
            run("GET /followup", get("/followup"), counter, args.runs)
            run("GET /roster", get("/roster"), counter, args.runs)
            run("GET /cases/export.csv", get("/cases/export.csv"), counter, args.runs)
            app.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", type=Path, required=True, help="eval_sample.sh work dir holding var/filing.db")
    p.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1] / "../shared/corpus/sample")
    p.add_argument("--ocr-cache", default="/tmp/filing-eval-ocr-cache")
    p.add_argument("--scales", type=int, nargs="+", default=[10, 30])
    p.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--as-of", default=None, help="report date (default: the corpus truth's as_of)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--ops", nargs="*", default=[], help="only the operations whose name contains one of these")
    p.add_argument("--memory-ops", nargs="*", default=["export", "report"],
                   help="operations whose peak memory is measured (one more call each)")
    p.add_argument("--slow", action="store_true", help="print each operation's three slowest statements")
    p.add_argument("--keep", help="keep the built stores as templates under this tag and start from them")
    args = p.parse_args()
    args.corpus = args.corpus.resolve()
    if args.as_of is None:
        args.as_of = json.loads((args.corpus / "truth.json").read_text())["expectations"]["as_of"]
    base_url = f"sqlite:///{args.base / 'var' / 'filing.db'}"
    picks = pick_messages(base_url, args.corpus, args.runs + 1)
    table: dict[str, dict[str, Result]] = {}
    for kind in args.db:
        for scale in args.scales:
            print(f"{kind} {scale}x ...", file=sys.stderr)
            table[f"{kind} {scale}x"] = run_scale(kind, scale, args, base_url, picks)
    cols = list(table)
    ops = list(dict.fromkeys(op for v in table.values() for op in v))
    print(f"{'operation':<18}" + "".join(f"{c:>34}" for c in cols))
    print(f"{'':<18}" + "".join(f"{'s / cpu s / stmts / MB':>34}" for _ in cols))
    for op in ops:
        cells = []
        for c in cols:
            r = table[c].get(op)
            if r is None:
                cells.append("-")
                continue
            cells.append(f"{r.seconds:9.3f} {r.cpu:7.3f} {r.statements:7d} {r.peak_mb or 0:7.1f}")
        print(f"{op:<18}" + "".join(f"{x:>34}" for x in cells))
    if args.json:
        args.json.write_text(json.dumps({c: {op: vars(r) for op, r in v.items()} for c, v in table.items()}, indent=1))


if __name__ == "__main__":
    main()
