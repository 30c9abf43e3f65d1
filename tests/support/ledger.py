"""A durable `Ledger` for transport tests: one SQLite file plus a content-addressed blob dir.

It keeps the promises of `ingest.ledger.Ledger` for real (fsync, WAL with
synchronous=FULL, UNIQUE keys), so a poller killed with SIGKILL and restarted in
another process can be checked for loss and duplicates. The production ledger is
the store's; this one only records, it files nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

import pytest

from ingest.ledger import AcceptResult, AcceptStatus, FetchedMeta, FolderState

SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (
  account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL,
  PRIMARY KEY (account, folder));
CREATE TABLE IF NOT EXISTS messages (
  sha256 TEXT PRIMARY KEY, message_id TEXT, size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_mid ON messages (message_id);
CREATE TABLE IF NOT EXISTS uids (
  account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,
  sha256 TEXT, status TEXT NOT NULL, duplicate_of TEXT, moved INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL, header BLOB,
  PRIMARY KEY (account, folder, uidvalidity, uid));
"""


def message_id_of(raw: bytes) -> str | None:
    value = BytesHeaderParser(policy=compat32).parsebytes(raw).get("Message-ID")
    return (str(value).strip() or None) if value is not None else None


class SqliteLedger:
    def __init__(self, db_path: Path, blob_dir: Path, *, fsync: bool = True) -> None:
        """`fsync=False` only for tests about volume, never for crash tests."""
        self.blob_dir = blob_dir
        self.fsync = fsync
        blob_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'OFF'}")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- the Ledger protocol ---------------------------------------------------

    def folder_state(self, account: str, folder: str) -> FolderState | None:
        row = self.db.execute(
            "SELECT uidvalidity, last_uid FROM folders WHERE account=? AND folder=?", (account, folder)
        ).fetchone()
        return FolderState(row[0], row[1]) if row else None

    def set_folder_state(self, account: str, folder: str, state: FolderState) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO folders VALUES (?,?,?,?) ON CONFLICT (account, folder) "
                "DO UPDATE SET uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid",
                (account, folder, state.uidvalidity, state.last_uid),
            )

    def seen(self, account: str, folder: str, uidvalidity: int, uid: int) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM uids WHERE account=? AND folder=? AND uidvalidity=? AND uid=?",
                (account, folder, uidvalidity, uid),
            ).fetchone()
            is not None
        )

    def blob_path(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256

    def store_raw(self, raw: bytes) -> str:
        sha = hashlib.sha256(raw).hexdigest()
        path = self.blob_path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{sha}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            if self.fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
        if not self.fsync:
            return sha
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return sha

    def accept(self, raw: bytes, meta: FetchedMeta) -> AcceptResult:
        assert meta.sha256 is not None, "store_raw first"
        assert self.blob_path(meta.sha256).exists(), "accept before store_raw"
        mid = message_id_of(raw)
        with self._tx() as db:
            prior = self._row(meta)
            if prior is not None:
                return prior
            dup = db.execute(
                "SELECT sha256 FROM messages WHERE sha256=? OR (message_id IS NOT NULL AND message_id=?)",
                (meta.sha256, mid),
            ).fetchone()
            if dup is None:
                db.execute("INSERT INTO messages VALUES (?,?,?)", (meta.sha256, mid, len(raw)))
                status, dup_of = AcceptStatus.accepted, None
            else:
                status, dup_of = AcceptStatus.duplicate, dup[0]
            db.execute(
                "INSERT INTO uids (account, folder, uidvalidity, uid, sha256, status, duplicate_of, size) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (meta.account, meta.folder, meta.uidvalidity, meta.uid, meta.sha256, status, dup_of, meta.size),
            )
        return AcceptResult(status, meta.sha256, dup_of)

    def quarantine_oversized(self, meta: FetchedMeta) -> AcceptResult:
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO uids (account, folder, uidvalidity, uid, status, size, header) "
                "VALUES (?,?,?,?,?,?,?)",
                (meta.account, meta.folder, meta.uidvalidity, meta.uid, AcceptStatus.oversized, meta.size, meta.header),
            )
        return AcceptResult(AcceptStatus.oversized, None, detail=f"{meta.size} bytes")

    def pending_moves(self, account: str, folder: str, uidvalidity: int) -> list[int]:
        rows = self.db.execute(
            "SELECT uid FROM uids WHERE account=? AND folder=? AND uidvalidity=? AND moved=0 AND status!=? "
            "ORDER BY uid",
            (account, folder, uidvalidity, AcceptStatus.oversized),
        )
        return [r[0] for r in rows]

    def mark_moved(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE uids SET moved=1 WHERE account=? AND folder=? AND uidvalidity=? AND uid=?",
                [(account, folder, uidvalidity, uid) for uid in uids],
            )

    # --- for assertions ----------------------------------------------------------

    def _row(self, meta: FetchedMeta) -> AcceptResult | None:
        row = self.db.execute(
            "SELECT status, sha256, duplicate_of FROM uids WHERE account=? AND folder=? AND uidvalidity=? AND uid=?",
            (meta.account, meta.folder, meta.uidvalidity, meta.uid),
        ).fetchone()
        return AcceptResult(AcceptStatus(row[0]), row[1], row[2]) if row else None

    def message_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM messages").fetchone()[0])

    def rows(self) -> list[tuple[int, int, str | None, str, int]]:
        """(uidvalidity, uid, sha256, status, moved) for every server copy taken."""
        sql = "SELECT uidvalidity, uid, sha256, status, moved FROM uids ORDER BY uidvalidity, uid"
        return list(self.db.execute(sql))

    def blobs(self) -> list[Path]:
        return sorted(p for p in self.blob_dir.glob("*/*") if not p.name.startswith("."))


@pytest.fixture
def durable_ledger(tmp_path: Path) -> Iterator[SqliteLedger]:
    """A fresh SqliteLedger under the test's tmp_path (`ledger.db`, `blobs/`)."""
    ledger = SqliteLedger(tmp_path / "ledger.db", tmp_path / "blobs")
    yield ledger
    ledger.close()
