"""Error codes shared by every stage.

A leaf module: it imports nothing of ours, so `ingest` and `extract` may use it
without depending on the app shell. A failure becomes a stored row with a stable
code that staff can see; the message says what to do next.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    config = "config"
    malformed_mime = "malformed_mime"
    no_sender = "no_sender"
    unknown_sender = "unknown_sender"
    spoofed_sender = "spoofed_sender"
    oversized_message = "oversized_message"
    empty_file = "empty_file"
    unknown_type = "unknown_type"
    encrypted_pdf = "encrypted_pdf"
    corrupt_pdf = "corrupt_pdf"
    corrupt_image = "corrupt_image"
    image_bomb = "image_bomb"
    corrupt_zip = "corrupt_zip"
    corrupt_tnef = "corrupt_tnef"
    zip_bomb = "zip_bomb"
    corrupt_docx = "corrupt_docx"
    too_many_pages = "too_many_pages"
    truncated_file = "truncated_file"
    ocr_failed = "ocr_failed"
    ocr_timeout = "ocr_timeout"
    repeated_file = "repeated_file"  # the same bytes were filed from an earlier message
    imap = "imap"
    smtp = "smtp"
    # A person asked for something that does not exist or cannot be done: theirs to fix, not a bug.
    not_found = "not_found"
    invalid_request = "invalid_request"
    internal = "internal"


class FilingError(Exception):
    """Root of our errors: a stable code plus an actionable message."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ConfigError(FilingError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(ErrorCode.config, f"{key}: {message}")
        self.key = key
