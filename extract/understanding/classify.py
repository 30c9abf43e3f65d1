"""Document type from page text: title lines first, body cues as a fallback.

Titles are what tesseract recovers best (ocr.md), so the title near the top of a document's first
page decides; when it is lost, phrases only one kind of document uses decide with lower confidence.
Confidences are calibrated on the sample (truth texts and real OCR): >= 0.9 has been right every time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from extract.types import DocType
from extract.understanding.casenumber import compact
from extract.understanding.casereport import case_report_marker

__all__ = [
    "Classification",
    "TitleHit",
    "body_scores",
    "classify_text",
    "find_title",
    "page_lines",
]

# (title as printed, type, subtype); longer and more specific titles first, because titles are
# matched as suffixes of a title line (出庭应诉通知书 must not be read as 应诉通知书).
TITLES: tuple[tuple[str, DocType, str | None], ...] = (
    ("行政机关负责人出庭应诉情况登记表", DocType.appearance_record, "form"),
    ("负责人出庭应诉情况登记表", DocType.appearance_record, "form"),
    ("出庭应诉情况登记表", DocType.appearance_record, "form"),
    ("出庭情况登记表", DocType.appearance_record, "form"),
    ("行政机关负责人出庭情况说明", DocType.appearance_record, "note"),
    ("行政机关负责人出庭应诉情况说明", DocType.appearance_record, "note"),
    ("负责人不能出庭的说明", DocType.appearance_record, "absence"),
    ("不能出庭应诉的说明", DocType.appearance_record, "absence"),
    ("不能出庭的情况说明", DocType.appearance_record, "absence"),
    ("不能出庭情况说明", DocType.appearance_record, "absence"),
    ("不能出庭的说明", DocType.appearance_record, "absence"),
    ("出庭应诉情况说明", DocType.appearance_record, "note"),
    ("出庭情况说明", DocType.appearance_record, "note"),
    ("出庭应诉通知书", DocType.other, "court_notice"),
    # A rejected petition (申诉) ends no case and starts none; it is not a notice to respond.
    ("驳回申诉通知书", DocType.other, "petition_rejected"),
    ("驳回再审申请通知书", DocType.other, "petition_rejected"),
    ("诉讼权利义务告知书", DocType.other, "court_notice"),
    ("应诉通知书", DocType.notice_to_respond, None),
    ("举证通知书", DocType.evidence_notice, None),
    ("传票", DocType.summons, None),
    # Courts send represented parties a hearing notice instead of a summons; it carries the same facts.
    ("开庭通知书", DocType.summons, "hearing_notice"),
    ("开庭通知", DocType.summons, "hearing_notice"),
    ("行政答辩状", DocType.defense, None),
    ("行政答辩书", DocType.defense, None),
    ("答辩状", DocType.defense, None),
    ("答辩书", DocType.defense, None),
    ("答辩意见", DocType.defense, None),
    ("行政上诉状", DocType.complaint, "appeal_petition"),
    ("上诉状", DocType.complaint, "appeal_petition"),
    ("行政起诉状", DocType.complaint, None),
    ("行政起诉书", DocType.complaint, None),
    ("起诉状", DocType.complaint, None),
    ("起诉书", DocType.complaint, None),
    ("行政赔偿判决书", DocType.judgment, None),
    ("执行裁定书", DocType.ruling, "enforcement"),
    ("行政判决书", DocType.judgment, None),
    ("判决书", DocType.judgment, None),
    ("行政赔偿裁定书", DocType.ruling, None),
    ("行政裁定书", DocType.ruling, None),
    ("裁定书", DocType.ruling, None),
    ("法定代表人身份证明书", DocType.other, "rep_identity"),
    ("法定代表人身份证明", DocType.other, "rep_identity"),
    ("身份证明书", DocType.other, "rep_identity"),
    ("授权委托书", DocType.other, "power_of_attorney"),
    ("委托书", DocType.other, "power_of_attorney"),
    ("证据清单", DocType.other, "evidence_list"),
    ("证据目录", DocType.other, "evidence_list"),
    ("送达回证", DocType.other, "service_receipt"),
    ("送达地址确认书", DocType.other, "service_receipt"),
    ("统计表", DocType.other, "stats_table"),
    # The agency's report on rectifying what a lost case showed; before 情况报告, which it ends with.
    ("整改落实情况报告", DocType.rectification_report, None),
    ("整改工作情况报告", DocType.rectification_report, None),
    ("整改情况报告", DocType.rectification_report, None),
    ("整改工作报告", DocType.rectification_report, None),
    ("整改情况说明", DocType.rectification_report, None),
    ("整改报告", DocType.rectification_report, None),
    ("整改情况", DocType.rectification_report, None),
    ("情况报告", DocType.other, "report"),
    ("通知", DocType.other, "meeting_notice"),
    ("函", DocType.other, "letter"),
)

# Phrases only one kind of document uses (regular expressions; `.` stands for a character OCR often
# misreads); weights add up per type.
BODY_CUES: tuple[tuple[str, DocType, float], ...] = (
    ("判决如下", DocType.judgment, 3.0),
    ("本判决为终审判决", DocType.judgment, 2.0),
    ("如不服本判决", DocType.judgment, 2.0),
    ("裁定如下", DocType.ruling, 3.0),
    ("本裁定", DocType.ruling, 1.5),
    ("如不服本裁定", DocType.ruling, 2.0),
    ("应到时间", DocType.summons, 2.5),
    ("应到处所", DocType.summons, 2.5),
    ("被传唤人", DocType.summons, 2.5),
    ("传唤事由", DocType.summons, 2.0),
    ("现将起诉状副本", DocType.notice_to_respond, 2.5),
    ("现将上诉状副本", DocType.notice_to_respond, 2.5),
    ("诉你单位", DocType.notice_to_respond, 1.0),
    ("特此通知", DocType.notice_to_respond, 0.5),
    ("举证事项通知如下", DocType.evidence_notice, 3.0),
    ("负有举证责任", DocType.evidence_notice, 1.0),
    ("举证责任", DocType.evidence_notice, 1.0),
    ("延期提供证据", DocType.evidence_notice, 1.5),
    ("现提出答辩", DocType.defense, 3.0),
    ("答辩人", DocType.defense, 1.0),
    ("答辩请求", DocType.defense, 2.0),
    ("被答.人", DocType.defense, 2.0),
    ("^答.人[:：]", DocType.defense, 1.0),
    ("答.请求", DocType.defense, 1.0),
    ("具状人", DocType.complaint, 2.5),
    ("诉讼请求[:：]", DocType.complaint, 1.0),
    ("上诉请求", DocType.complaint, 2.0),
    ("特向贵院提起", DocType.complaint, 2.0),
    ("出庭负责人", DocType.appearance_record, 2.0),
    ("是否为正职负责人", DocType.appearance_record, 3.0),
    ("填报单位", DocType.appearance_record, 1.0),
    ("正职负责人", DocType.appearance_record, 1.0),
    ("出庭应诉", DocType.appearance_record, 0.3),
    ("整改措施", DocType.rectification_report, 2.0),
    ("整改落实", DocType.rectification_report, 1.5),
    ("整改情况", DocType.rectification_report, 1.5),
    ("败诉原因", DocType.rectification_report, 1.5),
    ("举一反三", DocType.rectification_report, 1.0),
    ("代理权限", DocType.other, 3.0),
    ("受委托人", DocType.other, 2.0),
    ("系我单位的法定代表人", DocType.other, 3.0),
    ("证明目的", DocType.other, 2.0),
    ("受送达人", DocType.other, 2.0),
)

_NON_CJK_EDGE = re.compile(r"^[^\u4e00-\u9fff]+|[^\u4e00-\u9fff]+$")
TITLE_WINDOW = 6  # title lines are among the first few lines of a page


@dataclass(frozen=True)
class TitleHit:
    title: str  # canonical printed title
    doc_type: DocType
    subtype: str | None
    line_index: int  # index among the page's non-empty lines
    exact: bool  # True: the title word itself was read; False: fuzzy match
    line: str  # the line as read, for evidence
    weak: bool = False  # only resembles a title (most characters misread)


@dataclass(frozen=True)
class Classification:
    doc_type: DocType
    confidence: float
    title: str | None
    subtype: str | None
    evidence: tuple[str, ...]


def page_lines(text: str) -> list[str]:
    """Non-empty lines of a page, stripped."""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _cjk_core(line: str) -> str:
    folded, _ = compact(line)
    return _NON_CJK_EDGE.sub("", folded)


def _match_title(core: str) -> tuple[str, DocType, str | None, bool] | None:
    if not core or len(core) > 40:
        return None
    for title, doc_type, subtype in TITLES:
        if core.endswith(title):
            prefix = core[: -len(title)]
            # A title line is the title, optionally after the issuer or a 关于…的 phrase; a sentence
            # that merely ends in the word (…的答辩状) is not a title when it is long and punctuated.
            if len(title) <= 2 and len(prefix) > 30:
                continue
            if re.search(r"[，。；：,;:]", prefix):
                continue
            if title in ("通知", "函") and not prefix:
                continue
            if title in ("委托书",) and prefix and not prefix.endswith("授权"):
                continue
            return title, doc_type, subtype, True
    # Fuzzy: one or two characters misread in a longer title.
    best: tuple[float, str, DocType, str | None] | None = None
    for title, doc_type, subtype in TITLES:
        if len(title) < 4:
            continue
        tail = core[-len(title) :]
        score = fuzz.ratio(tail, title)
        if len(core) <= len(title) + 12 and score >= 79 and (best is None or score > best[0]):
            best = (score, title, doc_type, subtype)
    if best is not None:
        return best[1], best[2], best[3], False
    return None


def _weak_title(core: str) -> tuple[str, DocType, str | None] | None:
    """A short line that resembles one title clearly more than any title of another type."""
    scored = sorted(
        ((fuzz.ratio(core, title), title, doc_type, subtype) for title, doc_type, subtype in TITLES
         if len(title) >= 3 and len(title) - 1 <= len(core) <= len(title) + 2),
        reverse=True,
    )
    if not scored or scored[0][0] < 60:
        return None
    runner_up = next((s for s in scored[1:] if s[2] is not scored[0][2]), None)
    if runner_up is not None and scored[0][0] - runner_up[0] < 15:
        return None
    return scored[0][1], scored[0][2], scored[0][3]


def find_title(text: str, window: int = TITLE_WINDOW) -> TitleHit | None:
    """The title line among the first lines of a page, if any (two-line titles are joined)."""
    lines = page_lines(text)[:window]
    cores = [_cjk_core(ln) for ln in lines]
    candidates: list[TitleHit] = []
    for i, core in enumerate(cores):
        if core.startswith("号"):
            continue  # the tail of a citation wrapped onto this line (…第2 / 3号行政判决；), not a title
        joined = [(core, lines[i])]
        if i + 1 < len(cores) and len(cores[i + 1]) <= 6:
            joined.append((core + cores[i + 1], lines[i] + lines[i + 1]))
        for text_core, raw in reversed(joined):
            hit = _match_title(text_core)
            if hit is not None:
                candidates.append(TitleHit(hit[0], hit[1], hit[2], i, hit[3], raw))
                break
    if not candidates:
        for i, core in enumerate(cores[:3]):
            weak = None if core.startswith("号") else _weak_title(core)
            if weak is not None:
                return TitleHit(weak[0], weak[1], weak[2], i, False, lines[i], weak=True)
        return None
    # Prefer exact hits, then the earliest line.
    candidates.sort(key=lambda h: (not h.exact, h.line_index))
    return candidates[0]


def body_scores(text: str) -> dict[DocType, float]:
    folded = "\n".join(compact(ln)[0] for ln in text.splitlines())
    scores: dict[DocType, float] = {}
    for phrase, doc_type, weight in BODY_CUES:
        if re.search(phrase, folded, re.MULTILINE):
            scores[doc_type] = scores.get(doc_type, 0.0) + weight
    return scores


def classify_text(pages: list[str]) -> Classification:
    """Type of one document given its pages' text."""
    first = pages[0] if pages else ""
    marker = case_report_marker(page_lines(first))
    if marker is not None:
        # An edited case report retells judgments ("判决如下") but is not one.
        return Classification(DocType.other, 0.9, None, "case_report", (f"case report heading {marker}",))
    hit = find_title(first)
    body = "\n".join(pages)
    scores = body_scores(body)
    if hit is not None:
        agrees = scores.get(hit.doc_type, 0.0)
        conf = 0.97 if hit.exact else 0.75 if hit.weak else 0.88
        if hit.weak and agrees >= 2:
            conf = 0.85
        contradicted = max((v for k, v in scores.items() if k != hit.doc_type), default=0.0)
        if hit.doc_type is not DocType.other and contradicted >= 3 and agrees < 1:
            conf -= 0.2
        if hit.exact and agrees >= 2:
            conf = 0.99
        evidence: tuple[str, ...] = (f"title line {hit.line_index + 1}: {hit.line}",)
        if agrees:
            evidence += (f"body cues for {hit.doc_type}: {agrees:g}",)
        return Classification(hit.doc_type, round(conf, 2), hit.title, hit.subtype, evidence)
    if scores:
        doc_type, best = max(scores.items(), key=lambda kv: kv[1])
        second = max((v for k, v in scores.items() if k != doc_type), default=0.0)
        margin = best - second
        conf = 0.5 + min(0.3, 0.08 * margin) if best >= 2.5 else 0.4
        folded = "\n".join(compact(ln)[0] for ln in body.splitlines())
        cues = [p for p, t, _ in BODY_CUES if t is doc_type and re.search(p, folded, re.MULTILINE)]
        return Classification(doc_type, round(conf, 2), None, None, (f"no title; body cues: {'、'.join(cues)}",))
    return Classification(DocType.other, 0.3, None, None, ("no title and no body cue",))
