"""The date of a notice to respond (应诉通知书), read from its closing lines.

A notice ends with 特此通知, the enclosure (附：起诉状副本一份), the clerk in charge (承办人 … 联系电话 …),
the issuing court's name and, under the court's seal, the date — in Arabic numerals (2026年4月22日) as
often as in Chinese ones. There are no judges' names to anchor the date as in a judgment, so the
closing lines are the anchor: a date is taken only from the lines after them. The body before has
other dates (the filing, the contested act), which must never stand in for the notice's own.
"""

from __future__ import annotations

import re
from datetime import date

from extract.understanding.signature import DecisionDate, _dates_in

__all__ = ["CLOSING", "SIGNERS", "notice_date"]

# The notice's closing lines, the last of which sits just above the court's name and the date. OCR
# keeps these printed (unsealed) words well.
CLOSING = re.compile(r"特此通知|承办人|联系电话|副本[一二三四五六七八九]份")
# A summons (传票) closes with its signers (审判员 … 书记员 …), the court's name and, under the seal, its
# date; above them is the hearing time, a date that must never stand in for the summons's own.
SIGNERS = re.compile(r"审判长|审判员|书记员|人民陪审员|法官助理")
# Arabic-numeral dates whose 年/月/日 a seal turned into another character (2026件4月22村): the
# year's four digits and one character between each part. Only in the closing lines, never the body.
_ARABIC = re.compile(r"(?<!\d)(20\d\d)[^\d\n]{1,2}?(1[0-2]|0?[1-9])[^\d\n](3[01]|[12]\d|0?[1-9])(?!\d)")


def _arabic(line: str) -> list[tuple[int, int, int, str]]:
    return [(int(m[1]), int(m[2]), int(m[3]), m.group(0)) for m in _ARABIC.finditer(line)]


def notice_date(lines: list[str], own_year: int | None = None, closing: re.Pattern[str] = CLOSING) -> DecisionDate:
    """The date printed after the notice's closing lines (lines as `normalize_lines` gives them);
    `closing=SIGNERS` reads a summons's date after its signers the same way.

    A date printed as is (2026年4月22日, 二〇二六年四月二十二日) has no doubt; one whose 年, 月 or 日 had to
    be read through a seal's strokes carries one (two reads agreeing settle it, see analyze.py). A year
    other than the case number's or the next is no date of this notice.
    """
    anchors = [i for i, ln in enumerate(lines) if closing.search(ln)]
    # Without the closing lines (a read of the seal's area only), a line that is nothing but a date.
    block = lines[anchors[-1] + 1 :] if anchors else lines
    found: list[tuple[date, bool, str]] = []
    for ln in block:
        text = re.sub(r"\s", "", ln)
        hits = [(value, clean, read) for value, clean, read, _swapped in _dates_in(text, own_year)]
        if not hits:
            for year, month, day, read in _arabic(text):
                try:
                    value = date(year, month, day)
                except ValueError:
                    continue
                hits.append((value, bool(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", read)), read))
        found += [h for h in hits if anchors or len(text) - len(h[2]) <= 1]
    if not found:
        return DecisionDate(None, "no date found after the closing lines")
    value, clean, read = found[-1]
    if own_year is not None and not own_year <= value.year <= own_year + 1:
        return DecisionDate(None, f"notice date read as {value.isoformat()}, not the case number's year", read)
    if not clean:
        return DecisionDate(value, f"notice date read with repairs from {read!r}", read)
    return DecisionDate(value, None, read)
