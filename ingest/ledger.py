"""What the poller needs from durable storage: the `Ledger` protocol and its data types.

The store implements it with database tables and content-addressed blobs. The
poller only relies on the promises written on each method; they are what make
"a crash anywhere between fetch and move loses nothing and files nothing twice"
true.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class FolderState:
    """Where polling of one folder stopped. UIDVALIDITY may exceed 2**31: store 64-bit."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class FetchedMeta:
    """One server copy of a message, as the poller saw it."""

    account: str
    folder: str
    uidvalidity: int
    uid: int
    size: int  # RFC822.SIZE as the server reported it
    internaldate: datetime | None
    sha256: str | None = None  # of the raw bytes; None when the body was not downloaded
    header: bytes = b""  # oversized messages only: the start of the header, for staff


class AcceptStatus(StrEnum):
    accepted = "accepted"  # new: raw stored, ledger row committed
    duplicate = "duplicate"  # same raw SHA-256 or Message-ID already taken: nothing filed again
    oversized = "oversized"  # quarantined from its metadata, body never downloaded


@dataclass(frozen=True)
class AcceptResult:
    status: AcceptStatus
    sha256: str | None
    duplicate_of: str | None = None  # sha256 of the message this one duplicates
    detail: str = ""


class Ledger(Protocol):
    """Durable record of what the poller took from which server copy.

    A row is keyed by (account, folder, uidvalidity, uid); every method is idempotent.
    """

    def folder_state(self, account: str, folder: str) -> FolderState | None:
        """The stored state, or None before the first poll of this folder."""
        ...

    def set_folder_state(self, account: str, folder: str, state: FolderState) -> None:
        """Commit the state (replacing UIDVALIDITY when the server reset it)."""
        ...

    def seen(self, account: str, folder: str, uidvalidity: int, uid: int) -> bool:
        """True when a row for this server copy is committed (accepted, duplicate or oversized)."""
        ...

    def store_raw(self, raw: bytes) -> str:
        """Write the bytes content-addressed, fsync file and directory, return the SHA-256 hex.

        Returns only once the bytes survive a power cut; storing the same bytes again is a no-op.
        """
        ...

    def accept(self, raw: bytes, meta: FetchedMeta) -> AcceptResult:
        """Commit the ledger row for a stored message (`meta.sha256` set) in one transaction.

        New content → `accepted` (the store files it); same SHA-256 or Message-ID as an earlier
        message → `duplicate`, nothing filed again. Calling it again for the same server copy
        returns the first result. The row is then pending a move until `mark_moved`.
        """
        ...

    def quarantine_oversized(self, meta: FetchedMeta) -> AcceptResult:
        """Commit an `oversized` row from metadata alone; never pending a move (we hold no copy)."""
        ...

    def pending_moves(self, account: str, folder: str, uidvalidity: int) -> list[int]:
        """UIDs committed under this UIDVALIDITY whose server copy is not yet moved or flagged."""
        ...

    def mark_moved(self, account: str, folder: str, uidvalidity: int, uids: Sequence[int]) -> None:
        """Record that these server copies were moved to the filed folder (or flagged)."""
        ...
