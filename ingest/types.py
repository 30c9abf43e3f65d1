"""Typed objects that leave the ingest stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from terms.errors import ErrorCode
from terms.status import SenderStatus as SenderStatus


@dataclass(frozen=True)
class MimePart:
    """An attachment as found in the MIME tree, before unpacking."""

    filename: str  # decoded, as the sender wrote it (Chinese included)
    content_type: str  # as declared by the sender
    data: bytes
    inline: bool = False
    incomplete: str | None = None  # why the content arrived cut short (ingest/complete.py), or None


@dataclass(frozen=True)
class Submission:
    """One parsed email."""

    message_id: str | None  # with angle brackets, as in the header
    from_address: str | None  # lowercased addr-spec; None when not exactly one From mailbox
    from_display: str
    from_count: int
    subject: str
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    body_text: str
    parts: tuple[MimePart, ...]
    authentication_results: tuple[str, ...] = ()  # raw header values, topmost first
    defects: tuple[str, ...] = ()  # what the parser had to forgive
    from_addresses: tuple[str, ...] = ()  # every From mailbox found, lowercased (evidence for sender checks)
    skipped: tuple[str, ...] = ()  # parts deliberately not kept (logos, signatures), with the reason
    raw: bytes = field(default=b"", repr=False, compare=False)  # the message as received (DKIM needs it)


@dataclass(frozen=True)
class Attachment:
    """A file to extract: a MIME part, or a member unpacked from an archive.

    Archives are listed themselves and followed by their members, which carry the
    archive's sha256 as `parent_sha256`.
    """

    filename: str
    content_type: str  # sniffed from content, not trusted from the header
    data: bytes
    sha256: str
    parent_sha256: str | None = None
    error_code: ErrorCode | None = None
    error: str | None = None
    archive_path: str | None = None  # member name inside its archive as written (display only, never a path)

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def is_archive(self) -> bool:
        return self.content_type in ("application/zip", "application/ms-tnef")


@dataclass(frozen=True)
class SenderCheck:
    status: SenderStatus
    agency_code: str | None
    evidence: tuple[str, ...] = field(default=())
    authenticated: bool = False  # aligned DKIM pass or trusted Authentication-Results pass
