"""`json.dumps(obj, ensure_ascii=False, indent=2)`, the same text about twice as fast.

Python's json module encodes in C only without `indent`; with it, every value goes through a chain of
generators in pure Python, which made the JSON text the largest part of a large export. This writes the
same text with one plain recursive function, using the C string encoder for strings and keys. Anything
that is not a plain str, number, bool, None, list, tuple or dict with str keys falls back to json.dumps
for that value, so the text (and the error for what JSON cannot hold) is always json.dumps's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring  # the C version when the json C accelerator is there
from typing import Any

_INF = float("inf")


def _float(o: float) -> str:
    # json.encoder's floatstr with allow_nan=True
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return float.__repr__(o)


def _fallback(o: Any, indent: str) -> str:
    # json.dumps indents from column 0; later lines continue at this value's depth
    return json.dumps(o, ensure_ascii=False, indent=2).replace("\n", indent)


def _encode(o: Any, indent: str, out: Callable[[str], object]) -> None:
    """Append `o`'s text to `out`; `indent` is a newline and the indentation of `o`'s own line."""
    if isinstance(o, str):
        out(encode_basestring(o))
    elif o is None:
        out("null")
    elif o is True:
        out("true")
    elif o is False:
        out("false")
    elif isinstance(o, int):
        out(int.__repr__(o))
    elif isinstance(o, float):
        out(_float(o))
    elif isinstance(o, list | tuple):
        if not o:
            out("[]")
            return
        inner = indent + "  "
        sep = "[" + inner
        for v in o:
            out(sep)
            _encode(v, inner, out)
            sep = "," + inner
        out(indent + "]")
    elif isinstance(o, dict) and all(type(k) is str for k in o):
        if not o:
            out("{}")
            return
        inner = indent + "  "
        sep = "{" + inner
        for k, v in o.items():
            out(sep)
            out(encode_basestring(k))
            out(": ")
            _encode(v, inner, out)
            sep = "," + inner
        out(indent + "}")
    else:
        out(_fallback(o, indent))


def dumps_indented(o: Any, depth: int = 0) -> str:
    """`json.dumps(o, ensure_ascii=False, indent=2)`, every line after the first indented `depth` more spaces
    (the text of a value nested `depth` spaces deep in a larger document)."""
    parts: list[str] = []
    _encode(o, "\n" + " " * depth, parts.append)
    return "".join(parts)
