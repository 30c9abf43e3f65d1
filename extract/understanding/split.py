"""Split a file's pages into documents from page-level evidence.

A page starts a new document when its top carries a title line (and, for court documents, the court
name and a case-number line), or its footer says 第1页; it continues the previous one when its footer
says 第N页 with N > 1 or the previous page's footer promised more pages. Without any start evidence
pages stay together, so a single document is never split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.types import DocType
from extract.understanding.casenumber import Jurisdiction, compact, find_case_number_hits
from extract.understanding.casereport import case_report_marker
from extract.understanding.classify import TitleHit, body_scores, find_title, page_lines

__all__ = ["PageEvidence", "Segment", "page_evidence", "split_pages"]

_FOOTER = re.compile(r"第([0-9OolI]{1,3})页[,，]?共([0-9OolI]{1,3})页")
_DASH_FOOTER = re.compile(r"^[-—–_一~]+([0-9OolI]{1,3})[-—–_一~]+$")
# OCR often mangles the last character of 法院 (法辽, 法陀): the court name is 人民法 + one char.
_COURT_LINE = re.compile(r"(?:人民法.|法院)$")
# A party line at the top of a page (答辩人：X，住所地…) opens a document; a signature line (答辩人：X) does not.
_PARTY_START = re.compile(
    r"^(?:原告|被告|上诉人|被上诉人|答.人|被答.人|申请执行人|申请人|委托单位|具状人)(?:[(（][^)）]{2,8}[)）])?[:：].{2,40}(?:，|,|住)"
)
_TITLEISH = re.compile(r"^[\u4e00-\u9fff]{1,6}[状书票表]$")
_DATEISH = re.compile(r"^.{2,5}年.{1,3}月.{1,4}$")
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
    party_block_top: bool = False  # a party line (原告：X，住…) among the first lines
    cue_type: DocType | None = None  # the type the page's body phrases point to, when strong
    titleish: bool = False  # a short top line ending like a title (…状, …书, …票, …表) that was not read
    case_report: bool = False  # opens with an edited case report's heading (判决书字号, 【案情】)


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


def page_evidence(text: str, jurisdiction: Jurisdiction | None = None) -> PageEvidence:
    lines = page_lines(text)
    title = find_title(text)
    court_header = any(_COURT_LINE.search(_cjk(ln)) and len(_cjk(ln)) <= 20 for ln in lines[:2])
    case_line = False
    for ln in lines[:6]:
        folded, _ = compact(ln)
        hits = find_case_number_hits(ln, jurisdiction)
        if hits and len(folded) <= len(str(hits[0].number)) + 6:
            case_line = True
            break
    tail = [compact(ln)[0] for ln in lines[-4:]]
    ends_with_date = any(_DATE_LINE.match(t) or _DATEISH.match(t) or t.startswith("填报日期") for t in tail)
    titleish = title is None and any(_TITLEISH.match(_cjk(ln)) for ln in lines[:2])
    party_top = any(_PARTY_START.match(compact(ln)[0]) for ln in lines[:4])
    scores = body_scores(text)
    cue_type = None
    if scores:
        best_type, best = max(scores.items(), key=lambda kv: kv[1])
        if best >= 4.0:
            cue_type = best_type
    report = case_report_marker(lines) is not None
    return PageEvidence(
        title, _footer(lines), court_header, case_line, ends_with_date, party_top, cue_type, titleish, report
    )


def _cjk(line: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff]", "", line)


def _start_score(ev: PageEvidence, prev: PageEvidence | None, current: DocType | None) -> tuple[float, list[str]]:
    score = 0.0
    why: list[str] = []
    if ev.title is not None:
        score += 3.0 if ev.title.exact else 1.5 if ev.title.weak else 2.0
        why.append(f"title {ev.title.title}")
    if ev.titleish:
        score += 1.0
        why.append("title-like top line")
    if ev.case_report:
        score += 3.0
        why.append("case report heading")
    if ev.court_header:
        score += 0.5
        why.append("court header")
    if ev.case_line_near_top:
        score += 0.5
        why.append("case number under title")
    if ev.court_header and ev.case_line_near_top:
        score += 1.5  # court name above a case-number line: the first page of a court document
    if ev.party_block_top:
        score += 1.0
        why.append("party block at the top")
    if ev.cue_type is not None and current is not None and ev.cue_type is not current:
        score += 1.5
        why.append(f"body reads as {ev.cue_type}, not {current}")
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


def _segment_type(ev: PageEvidence) -> DocType | None:
    return ev.title.doc_type if ev.title is not None else ev.cue_type


def split_pages(texts: list[str], jurisdiction: Jurisdiction | None = None) -> list[Segment]:
    """Page ranges of the documents in one file, in order; every page belongs to exactly one."""
    if not texts:
        return []
    evidence = [page_evidence(t, jurisdiction) for t in texts]
    starts: list[tuple[int, list[str]]] = [(0, ["first page"])]
    current = _segment_type(evidence[0])
    for i in range(1, len(texts)):
        score, why = _start_score(evidence[i], evidence[i - 1], current)
        if score >= 2.0:
            starts.append((i, why))
            current = _segment_type(evidence[i])
        elif current is None:
            current = evidence[i].cue_type
    segments: list[Segment] = []
    for k, (i, why) in enumerate(starts):
        end = starts[k + 1][0] - 1 if k + 1 < len(starts) else len(texts) - 1
        segments.append(Segment(i + 1, end + 1, tuple(why)))
    return segments
