"""The export's JSON writer gives json.dumps's text, byte for byte."""

from __future__ import annotations

import json
import math
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from filing.json_indent import dumps_indented


class Kind(StrEnum):
    a = "甲"


class Level(IntEnum):
    high = 3


CASES: list[Any] = [
    {},
    [],
    "",
    {"a": [], "b": {}, "c": [[]], "d": [{}]},
    {"名称": "（2026）鲁0481行初1号", "引号": 'say "hi"\\n\t\x00\u2028', "emoji": "😀"},
    {"n": [0, -1, 10**30, 1.5, 0.1, 1e-7, 1e22, -0.0, True, False, None]},
    {"nested": {"deep": [{"x": [1, [2, [3, {}]]]}]}, "tuple": (1, "a")},
    {"enum": Kind.a, "int_enum": Level.high},
    [float("nan"), math.inf, -math.inf],
    {1: "int key", None: "none key", 2.5: "float key", False: "bool key"},
]


@pytest.mark.parametrize("value", CASES)
@pytest.mark.parametrize("depth", [0, 4])
def test_same_text_as_json_dumps(value: Any, depth: int) -> None:
    want = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + " " * depth)
    assert dumps_indented(value, depth) == want


def test_what_json_cannot_hold_fails_as_in_json_dumps() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"x": object()})
