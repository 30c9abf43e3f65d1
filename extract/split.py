"""Split a file's pages into documents from page-level evidence.

A page starts a new document when its top carries a title line (and, for court documents, the court
name and a case-number line), or its footer says 第1页; it continues the previous one when its footer
says 第N页 with N > 1 or the previous page's footer promised more pages. Without any start evidence
pages stay together, so a single document is never split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.casenumber import compact, find_case_number_hits
from extract.classify import TitleHit, find_title, page_lines

__all__ = ["PageEvidence", "Segment", "page_evidence", "split_pages"]

_FOOTER = re.compile(r"第([0-9OolI]{1,3})页[,，]?共([0-9OolI]{1,3})页")
_DASH_FOOTER = re.compile(r"^[-—–_一~]+([0-9OolI]{1,3})[-—–_一~]+$")
_COURT_LINE = re.compile(r"人民法院$")
_NUM = "[0-9OolI〇○零一二三四五六七八九十]{1,3}"
_DATE_LINE = re.compile(rf"^(?:[12][0-9OolI]{{3}}|[〇○零一二三四五六七八九]{{4}})年{_NUM}月{_NUM}[日曰目]$")
_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def _int(s: str) -> int:
    return int(s.translate(_DIGITS))


@dataclass(frozen=True)
class PageEvidence:
    title: TitleHit | None
    footer: tuple[int, int | None] | None  # (page number, total) as printed
    court_header: bool  # first line names a court
    case_line_near_top: bool  # a line that is only a case number among the first lines
    ends_with_date: bool  # the page ends with a signature/date block


@dataclass(frozen=True)
class Segment:
    first_page: int  # 1-based inclusive
    last_page: int
    evidence: tuple[str, ...]


def _footer(lines: list[str]) -> tuple[int, int | None] | None:
    # Footers sit at the bottom, but OCR may glue them to the next line; look at every line's start.
    for ln in reversed(lines):
        folded, _ = compact(ln)
        m = _FOOTER.search(folded)
        if m:
            return _int(m[1]), _int(m[2])
        m = _DASH_FOOTER.match(folded)
        if m:
            return _int(m[1]), None
    return None


def page_evidence(text: str) -> PageEvidence:
    lines = page_lines(text)
    title = find_title(text)
    court_header = bool(lines) and bool(_COURT_LINE.search(compact(lines[0])[0]))
    case_line = False
    for ln in lines[:6]:
        folded, _ = compact(ln)
        hits = find_case_number_hits(ln)
        if hits and len(folded) <= len(str(hits[0].number)) + 6:
            case_line = True
            break
    tail = [compact(ln)[0] for ln in lines[-4:]]
    ends_with_date = any(_DATE_LINE.match(t) or t.startswith("填报日期") for t in tail)
    return PageEvidence(title, _footer(lines), court_header, case_line, ends_with_date)


def _start_score(ev: PageEvidence, prev: PageEvidence | None) -> tuple[float, list[str]]:
    score = 0.0
    why: list[str] = []
    if ev.title is not None:
        score += 3.0 if ev.title.exact else 2.0
        why.append(f"title {ev.title.title}")
    if ev.court_header:
        score += 0.5
        why.append("court header")
    if ev.case_line_near_top:
        score += 0.5
        why.append("case number under title")
    if ev.footer is not None:
        n, total = ev.footer
        if n == 1:
            score += 1.5
            why.append("footer page 1")
        elif n > 1:
            score -= 3.0
            why.append(f"footer page {n}")
    if prev is not None:
        if prev.footer is not None and prev.footer[1] is not None:
            n, total = prev.footer[0], prev.footer[1]
            if n >= total:
                score += 1.0
                why.append("previous page was the last of its document")
            else:
                score -= 2.0
                why.append(f"previous page {n} of {total}")
        if prev.ends_with_date:
            score += 0.5
            why.append("previous page ends with a date")
    return score, why


def split_pages(texts: list[str]) -> list[Segment]:
    """Page ranges of the documents in one file, in order; every page belongs to exactly one."""
    if not texts:
        return []
    evidence = [page_evidence(t) for t in texts]
    starts: list[tuple[int, list[str]]] = [(0, ["first page"])]
    for i in range(1, len(texts)):
        score, why = _start_score(evidence[i], evidence[i - 1])
        if score >= 2.0:
            starts.append((i, why))
    segments: list[Segment] = []
    for k, (i, why) in enumerate(starts):
        end = starts[k + 1][0] - 1 if k + 1 < len(starts) else len(texts) - 1
        segments.append(Segment(i + 1, end + 1, tuple(why)))
    return segments
