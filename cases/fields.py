"""Typed document fields to and from the JSON the store keeps (documents.fields): both ways in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any, get_type_hints

from extract.types import Fields, Outcome
from terms.dates import iso_date, iso_datetime

_HINTS = get_type_hints(Fields)


def fields_to_json(value: Fields) -> dict[str, Any]:
    """Dates as ISO strings, tuples as lists; everything else as it is."""
    out: dict[str, Any] = {}
    for k, v in asdict(value).items():
        if isinstance(v, (date, datetime)):
            v = v.isoformat()
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


def fields_from_json(data: Mapping[str, Any] | None) -> Fields:
    """The typed fields of a stored document; keys it does not know are ignored, missing ones default."""
    data = data or {}
    values: dict[str, Any] = {}
    for f in fields(Fields):
        if f.name not in data or data[f.name] is None:
            continue
        values[f.name] = _typed(_HINTS[f.name], data[f.name])
    return Fields(**values)


def _typed(hint: Any, raw: Any) -> Any:
    if hint == datetime | None:
        return iso_datetime(raw)
    if hint == date | None:
        return iso_date(raw)
    if hint == Outcome | None:
        return Outcome(raw) if raw in Outcome.__members__ else None
    if hint == tuple[str, ...]:
        return tuple(raw)
    return raw
