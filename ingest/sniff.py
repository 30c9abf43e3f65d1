"""Content type from magic bytes; the sender's label is only a tie-breaker for text."""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
TNEF = "application/ms-tnef"  # Outlook's winmail.dat: a container of the real attachments
TEXT = "text/plain"
UNKNOWN = "application/octet-stream"

SUPPORTED = frozenset({PDF, JPEG, PNG, TIFF, DOCX, ZIP, TNEF, TEXT})
# Containers whose members become attachments of their own.
CONTAINERS = frozenset({ZIP, TNEF})

# Formats we recognise but do not process: named in error messages so staff can
# tell the sender what to send instead.
_UNSUPPORTED: tuple[tuple[int, bytes, str], ...] = (
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office (.doc/.xls) document"),
    (0, b"GIF8", "a GIF image"),
    (0, b"BM", "a BMP image"),
    (8, b"WEBP", "a WebP image"),
    (4, b"ftypheic", "a HEIC photo"),
    (4, b"ftypheix", "a HEIC photo"),
    (4, b"ftypmif1", "a HEIF photo"),
    (0, b"{\\rtf", "an RTF document"),
    (0, b"%!PS", "a PostScript file"),
)


def sniff(data: bytes, declared: str, filename: str) -> str:
    """Content type of `data` judged by its bytes; unknown content is application/octet-stream."""
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    if head.startswith(b"\x78\x9f\x3e\x22"):
        return TNEF
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return DOCX if _is_docx(data) else ZIP
    # Readers accept a PDF header anywhere in the first 1 KiB (after the fixed-offset
    # signatures: a stored ZIP member can put "%PDF-" there too).
    if b"%PDF-" in head:
        return PDF
    if describe_unsupported(data) is None and _looks_like_text(data, declared, filename):
        return TEXT
    return UNKNOWN


def describe_unsupported(data: bytes) -> str | None:
    """A human name for a format we recognise but do not process, else None."""
    for offset, magic, label in _UNSUPPORTED:
        if data[offset : offset + len(magic)] == magic:
            return label
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {n.replace("\\", "/").lower() for n in zf.namelist()[:10000]}
    except Exception:  # any damage means "not a readable DOCX"; unpack reports the archive itself
        return False
    return "word/document.xml" in names and "[content_types].xml" in names


def _looks_like_text(data: bytes, declared: str, filename: str) -> bool:
    if not data:
        return False
    label_says_text = declared.lower().startswith("text/") or filename.lower().endswith((".txt", ".csv"))
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > len(sample) // 100:
        return False
    # The sample may cut a multi-byte character in half: drop a few trailing bytes.
    for codec in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                sample[: len(sample) - cut].decode(codec)
            except UnicodeDecodeError:
                continue
            return label_says_text or codec == "utf-8"
    return False


class NotMail(StrEnum):
    """Why a file given as an email message is not one."""

    empty = "empty"
    pdf = "pdf"
    image = "image"
    docx = "docx"
    archive = "archive"
    other_format = "other_format"
    no_headers = "no_headers"


_MAIL_HEADERS = frozenset({
    "from", "to", "cc", "date", "subject", "message-id", "received", "return-path", "mime-version",
    "delivered-to", "reply-to", "sender", "content-type", "dkim-signature", "authentication-results",
})
_HEADER_LINE = re.compile(rb"([!-9;-~]+)[ \t]*:")


def not_mail(data: bytes) -> NotMail | None:
    """Why `data` cannot be an RFC 5322 message (a PDF, an empty file, a YAML file), or None if it may be one."""
    if not data.strip():
        return NotMail.empty
    kind = sniff(data, "", "")
    formats = {PDF: NotMail.pdf, JPEG: NotMail.image, PNG: NotMail.image, TIFF: NotMail.image,
               DOCX: NotMail.docx, ZIP: NotMail.archive, TNEF: NotMail.archive}
    if kind in formats:
        return formats[kind]
    if describe_unsupported(data) is not None:
        return NotMail.other_format
    # Lenient on purpose: real mail has stray lines and broken headers; the parser copes with those.
    names: set[str] = set()
    for line in data[:65536].lstrip().splitlines():
        if not line.strip():
            break
        found = _HEADER_LINE.match(line)
        if found is not None:
            names.add(found.group(1).decode("ascii").lower())
    return None if names & _MAIL_HEADERS else NotMail.no_headers
