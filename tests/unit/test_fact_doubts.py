"""Per-fact doubts travel with a document's fields into the store's JSON and back."""

from __future__ import annotations

import json

from cases.fields import fields_from_json, fields_to_json
from extract.types import Fields


def test_doubts_default_empty_and_survive_json() -> None:
    assert Fields().doubts == {}
    f = Fields(doubts={"decision_date": "date read with repairs", "head_present": "sources disagree"})
    stored = json.loads(json.dumps(fields_to_json(f), ensure_ascii=False))
    assert stored["doubts"] == {"decision_date": "date read with repairs", "head_present": "sources disagree"}
    assert fields_from_json(stored).doubts == f.doubts
    assert fields_from_json({}).doubts == {}
