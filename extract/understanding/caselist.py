"""Documents that list cases rather than belong to one: an agency's statistics table (行政应诉案件统计表),
a ledger (台账), a summary (汇总表). They name a case's number and parties in a row of a table, so
every matching cue points at that case, yet filing one to it would be wrong: it belongs to no case
(or to all it lists). Such a document is never filed automatically nor offered to Enter as a default.
"""

from __future__ import annotations

import re

__all__ = ["is_case_list"]

_TITLES = ("统计表", "汇总表", "台账", "一览表", "明细表")
# A table header naming cases row by row: a serial column and a case-number column on one line.
_HEADER = re.compile(r"序号.{0,30}案号|案号.{0,30}序号")


def is_case_list(title: str | None, text: str) -> bool:
    """Whether a document (its classified title and page text) is a list of cases."""
    if title and any(t in title for t in _TITLES):
        return True
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # A title line ends with the word (…行政应诉案件统计表); the word inside a sentence is no title (a
    # judgment on a request to disclose a 明细表).
    titled = any(ln.endswith(t) for ln in lines[:3] for t in _TITLES)
    return titled or any(_HEADER.search(ln) for ln in lines)
