"""Fields <-> the JSON stored in documents.fields: a round trip loses nothing."""

from __future__ import annotations

from datetime import date, datetime

from cases.fields import fields_from_json, fields_to_json
from extract.types import Fields, Outcome


def test_round_trip_keeps_every_type() -> None:
    f = Fields(
        case_number="（2026）鲁0481行初37号",
        cited_case_numbers=("（2025）鲁0481行初1号",),
        plaintiffs=("张某", "李某"),
        doc_date=date(2026, 4, 17),
        hearing_at=datetime(2026, 5, 6, 14, 30),
        head_present=True,
        head_principal=False,
        outcome=Outcome.agency_lost,
    )
    data = fields_to_json(f)
    assert data["doc_date"] == "2026-04-17"
    assert data["hearing_at"] == "2026-05-06T14:30:00"
    assert data["plaintiffs"] == ["张某", "李某"]
    assert data["outcome"] == "agency_lost"
    back = fields_from_json(data)
    assert back == f
    assert isinstance(back.outcome, Outcome)


def test_missing_unknown_and_bad_values() -> None:
    assert fields_from_json(None) == Fields()
    assert fields_from_json({}) == Fields()
    got = fields_from_json({"future_key": 1, "doc_date": "not a date", "outcome": "maybe", "court": "某法院"})
    assert got == Fields(court="某法院")
