"""Per-fact doubts travel with a document's fields into the store's JSON."""

from __future__ import annotations

import json

from extract.types import Fields
from filing.pipeline import fields_to_json


def test_doubts_default_empty_and_survive_json() -> None:
    assert Fields().doubts == {}
    f = Fields(doubts={"decision_date": "date read with repairs", "head_present": "sources disagree"})
    out = json.loads(json.dumps(fields_to_json(f), ensure_ascii=False))
    assert out["doubts"] == {"decision_date": "date read with repairs", "head_present": "sources disagree"}
