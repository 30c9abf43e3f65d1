"""Nothing stored may be accepted by one supported database and refused by the other.

PostgreSQL refuses NUL in text ("text fields cannot contain NUL"); SQLite stores it. Mail bodies,
file names and PDF text layers can carry NULs, so every string about to be written, JSON values
included, has them replaced by U+FFFD (the reader sees that something was there) just before flush.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

NUL = "\x00"
REPLACEMENT = "\ufffd"


def without_nul(value: Any) -> Any:
    """`value` with NUL replaced in every string inside it; the same object when there was none."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, list):
        cleaned = [without_nul(v) for v in value]
        return cleaned if any(a is not b for a, b in zip(cleaned, value, strict=True)) else value
    if isinstance(value, dict):
        pairs = [(without_nul(k), without_nul(v), k, v) for k, v in value.items()]
        changed = any(k2 is not k or v2 is not v for k2, v2, k, v in pairs)
        return {k2: v2 for k2, v2, _k, _v in pairs} if changed else value
    return value


def strip_nul_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key not in state.dict:
                continue  # not loaded, so not being written
            value = state.dict[attr.key]
            cleaned = without_nul(value)
            if cleaned is not value:
                setattr(obj, attr.key, cleaned)
