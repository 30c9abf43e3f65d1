"""The review queue's suggestions: which case a person most likely files a waiting document to, and why.

The matcher (cases.matching) decides automatic filing and stores its candidates when a message arrives.
A reviewer needs a ranking by evidence a person trusts, computed when the item is shown: the document's
own number first, then the parties printed on its pages (OCR-tolerant), court and cause, and only then
what the message says (the same email, a sibling document already filed). Pure logic: plain snapshots in,
ranked suggestions out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

# Evidence strengths, strongest first; a suggestion's rank key is (score, strength..., tie rule).
NUMBER, PARTY, COURT, CAUSE, DATE, MESSAGE = "number", "party", "court", "cause", "date", "message"
KINDS = (NUMBER, PARTY, COURT, CAUSE, DATE, MESSAGE)

TIE_RULE = ("同分时：证据更强者在前（案号、当事人、法院、案由、开庭日期、同一文件、同一邮件），"
            "仍相同则最近收到文书的案件在前，再相同则较新登记的案件在前")


@dataclass(frozen=True)
class CaseFacts:
    """A case as the reviewer compares it with the document."""

    id: int
    case_number: str | None
    plaintiffs: tuple[str, ...] = ()
    court: str | None = None
    cause: str | None = None
    hearing_day: str | None = None  # MM-DD: OCR misreads years far more often than a whole date
    case_type: str | None = None  # 行初, 行终 ...
    appeal_of: str | None = None  # the first-instance case number of an appeal
    last_activity: str | None = None  # ISO date the case last received a document: the visible tie rule
    cause_category: str | None = None


@dataclass(frozen=True)
class DocFacts:
    """What the document itself says: its number, the parties and court it names, its page text."""

    own_number: str | None
    plaintiffs: tuple[str, ...] = ()
    court: str | None = None
    cause: str | None = None
    text: str = ""
    hearing_day: str | None = None
    appeal_of: str | None = None  # the judgment it appeals against (上诉状, second-instance papers)
    cause_category: str | None = None
    identified: bool = True  # a title or a known type says what it is; else it may be about anything
    message_cases: int = 0  # distinct case numbers the message names (its documents, file names, subject, body)
    prints_number: bool = False  # a court's document: its own number is printed, so none read is a doubt
    lists_cases: bool = False  # a statistics table or ledger of cases (extract/understanding/caselist.py)


@dataclass(frozen=True)
class Stored:
    """A candidate the matcher stored when the message arrived (its score already holds message evidence)."""

    case_id: int
    score: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    case_id: int
    score: float
    reasons: tuple[str, ...]  # why, in the reviewer's language
    strengths: tuple[str, ...]  # which evidence kinds support it (NUMBER, PARTY, ...)
    conflict: bool = False  # the document points away from the case (other number, parties, court ...)
    doubt: str | None = None  # only the message points here, and it is ambiguous: never a default


@dataclass(frozen=True)
class Suggestions:
    items: tuple[Suggestion, ...]
    default_case_id: int | None  # the case Enter files to; None: the screen asks a question instead
    question: str | None  # why there is no default, for the reviewer
    tie_rule: str = TIE_RULE


def _names_printed(names: tuple[str, ...], text: str) -> str | None:
    """The first name found in the page text, tolerating one OCR-damaged character in longer names."""
    compact = "".join(text.split())
    for name in names:
        name = "".join(name.split())
        if len(name) < 2:
            continue
        if name in compact:
            return name
        # Short personal names differ by one character from other people's names: exact only.
        if len(name) >= 4 and fuzz.partial_ratio(name, compact) >= 100 * (len(name) - 1) / len(name) - 0.01:
            return name
    return None


def _similar(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(x, y) for x in a for y in b) / 100.0


def _message_evidence(evidence: tuple[str, ...]) -> bool:
    return any(
        e.startswith(("sent in the same message", "same message also holds", "in the same file",
                      "subject or body names", "reply to our receipt"))
        for e in evidence
    )


# Court levels, highest first; a court naming none of them is a basic-level court.
_LEVELS = ("最高", "高级", "中级")


def _court_level(court: str) -> str:
    return next((level for level in _LEVELS if level in court), "基层")


def _courts_differ(a: str, b: str) -> bool:
    """Another level (an appeal court is not the first-instance court), or hardly a character in common.
    One misread character leaves the level and most of the name."""
    return _court_level(a) != _court_level(b) or fuzz.partial_ratio(a, b) < 50


@dataclass(frozen=True)
class Siblings:
    """Cases the other documents of the same message were filed to, and those of the same file (nearest first)."""

    message: frozenset[int] = frozenset()
    file: tuple[int, ...] = ()


UNIDENTIFIED = "文书没有标题、类型不明，只有邮件指向本案"


# A document pointing away from a case (other parties, another court, the judgment it appeals)
# keeps at most this score for it, so a case it agrees with ranks above, and it is never a default.
AGAINST_CAP = 0.45


def _near_miss(stored: Stored | None) -> bool:
    """The matcher found the document's number one OCR-confusable character off this case's."""
    return stored is not None and any(" differs from " in e for e in stored.evidence)


def score_one(doc: DocFacts, case: CaseFacts, stored: Stored | None, siblings: Siblings) -> Suggestion:
    """One case's suggestion: the matcher's score re-weighted by what is printed on the document."""
    score = stored.score if stored else 0.0
    reasons: list[str] = []
    strengths: list[str] = []
    against: list[str] = []
    if doc.own_number and case.case_number and doc.own_number == case.case_number:
        strengths.append(NUMBER)
        reasons.append(f"文书本身的案号 {case.case_number}")
        score = max(score, 0.97)
    elif doc.own_number and case.case_number and not _near_miss(stored):
        against.append(f"文书本身的案号是 {doc.own_number}，不是本案")
    if doc.appeal_of and case.appeal_of == doc.appeal_of:
        strengths.append(NUMBER)
        reasons.append(f"文书不服的一审 {doc.appeal_of} 正是本案的一审")
        score = max(score, 0.9)
    elif doc.appeal_of and case.case_number == doc.appeal_of:
        against.append(f"文书不服本案（{doc.appeal_of}）的裁判，应属其上诉案件")
    party = _names_printed(case.plaintiffs, doc.text)
    sim = _similar(doc.plaintiffs, case.plaintiffs)
    if party or sim >= 0.8:
        strengths.append(PARTY)
        reasons.append(f"文书上写有本案原告 {party or '、'.join(case.plaintiffs)}")
        score = min(0.99, score + 0.3) if NUMBER not in strengths else score
    elif doc.plaintiffs and case.plaintiffs and sim < 0.5:
        # The page names someone else: message-level hints (the same email) must not outweigh it.
        against.append(f"文书上的原告（{'、'.join(doc.plaintiffs)}）与本案原告（{'、'.join(case.plaintiffs)}）不同")
    if doc.court and case.court:
        if fuzz.ratio(doc.court, case.court) >= 85:
            strengths.append(COURT)
            reasons.append(f"同一法院 {case.court}")
            score = min(0.99, score + 0.05)
        elif _courts_differ(doc.court, case.court):
            against.append(f"文书的法院（{doc.court}）不是本案法院（{case.court}）")
    if doc.cause and case.cause and fuzz.partial_ratio(doc.cause, case.cause) >= 80:
        strengths.append(CAUSE)
        reasons.append(f"案由相近（{case.cause}）")
        score = min(0.99, score + 0.05)
    if doc.hearing_day and doc.hearing_day == case.hearing_day:
        strengths.append(DATE)
        reasons.append(f"开庭日期相同（{doc.hearing_day}）")
        score = min(0.99, score + 0.05)
    categories = {doc.cause_category, case.cause_category}
    if len(categories) == 2 and not categories & {None, "other"} and CAUSE not in strengths:
        ours, theirs = doc.cause or doc.cause_category, case.cause or case.cause_category
        against.append(f"案由类别不同（文书：{ours}；本案：{theirs}）")
    conflict = bool(against) and doc.own_number != case.case_number
    reasons.extend(against)
    if conflict:
        score = min(score, AGAINST_CAP)
    doubt = None
    if doc.prints_number and not doc.own_number:
        doubt = "法院文书上本应有案号，但未能读出"
    elif not doc.identified:
        doubt = UNIDENTIFIED
    several = len(siblings.message) > 1
    if siblings.file[:1] == (case.id,) and len(set(siblings.file)) == 1:
        # A scan holding one case's documents: its unfiled page (a stray or trailing page) is most likely
        # that case's, more than the other cases the email also carries.
        strengths.append(MESSAGE)
        reasons.append("同一文件中的其他文书均已归入本案" + ("（该邮件涉及多个案件）" if several else ""))
        score = max(score, (0.7 if several else 0.88) if not conflict else AGAINST_CAP)
        doubt = doubt if doubt != UNIDENTIFIED else None  # the file says what the stray page belongs to
    elif siblings.file[:1] == (case.id,):
        strengths.append(MESSAGE)
        reasons.append("同一文件中紧邻本文书的文书已归入本案（该文件涉及多个案件）")
        score = max(score, 0.65 if not conflict else AGAINST_CAP)
        doubt = doubt or "该文件的文书已归入多个案件"
    elif case.id in siblings.message:
        strengths.append(MESSAGE)
        if not several:
            reasons.append("同一邮件的其他文书已归入本案")
            score = max(score, 0.85 if not conflict else AGAINST_CAP)
            doubt = doubt or (f"该邮件涉及 {doc.message_cases} 个案件" if doc.message_cases > 1 else None)
        else:
            reasons.append("同一邮件的其他文书已归入本案（该邮件涉及多个案件）")
            score = max(score, 0.6 if not conflict else AGAINST_CAP - 0.05)
            doubt = doubt or "该邮件的文书已归入多个案件"
    elif stored and _message_evidence(stored.evidence):
        strengths.append(MESSAGE)
        reasons.append("与本案文书同一邮件发来")
        doubt = doubt or (f"该邮件涉及 {doc.message_cases} 个案件" if doc.message_cases > 1 else None)
    if any(k in strengths for k in KINDS if k != MESSAGE):
        doubt = None  # the document itself supports the case
    elif doubt and MESSAGE in strengths:
        reasons.append(f"仅凭邮件：{doubt}")
    return Suggestion(case.id, round(max(0.0, min(score, 0.99)), 3), tuple(reasons), tuple(strengths), conflict,
                      doubt)


def _key(s: Suggestion) -> tuple[object, ...]:
    return (-s.score, *(k not in s.strengths for k in KINDS))


def _order(items: list[Suggestion], cases: dict[int, CaseFacts]) -> list[Suggestion]:
    """Best first; equal score and evidence: the case with the latest document, then the newer case.
    Tied suggestions say when their case last received a document, so the order is never hidden."""
    by_recency = sorted(items, key=lambda s: (cases[s.case_id].last_activity or "", s.case_id), reverse=True)
    ranked = sorted(by_recency, key=_key)
    out: list[Suggestion] = []
    for i, s in enumerate(ranked):
        tied = any(0 <= j < len(ranked) and _key(ranked[j]) == _key(s) for j in (i - 1, i + 1))
        if tied:
            last = cases[s.case_id].last_activity
            note = f"最近收到本案文书：{last[:10]}" if last else "本案尚无已归档文书"
            s = replace(s, reasons=(*s.reasons, note))
        out.append(s)
    return out


def suggest(
    doc: DocFacts,
    cases: list[CaseFacts],
    stored: list[Stored],
    sibling_cases: list[int],
    threshold: float,
    file_cases: Sequence[int] = (),
) -> Suggestions:
    """Rank the cases for a waiting document and say whether one of them may be the default.

    `cases` holds every case mentioned by `stored` or `sibling_cases` (cases of the other documents of
    the same message already filed; `file_cases` those of the same file, the nearest page first); a case
    with no evidence at all is left out.
    """
    by_id = {s.case_id: s for s in stored}
    siblings = Siblings(frozenset(sibling_cases) | frozenset(file_cases), tuple(file_cases))
    facts = {c.id: c for c in cases}
    items = [
        score_one(doc, c, by_id.get(c.id), siblings)
        for c in cases
        if c.id in by_id or c.id in siblings.message
    ]
    ranked = tuple(_order([s for s in items if s.score > 0], facts))
    if doc.lists_cases and ranked:
        # Its rows name a case's number and parties, so the evidence points at that case; but the table
        # belongs to none: Enter must not file it.
        return Suggestions(ranked, None, CASE_LIST_QUESTION)
    return Suggestions(ranked, *_default(ranked, threshold))


CASE_LIST_QUESTION = "这份文书是案件统计表或台账（逐行列出案件），不属于某一个案件：请选择案件，或标记为非诉讼材料。"


def _default(ranked: tuple[Suggestion, ...], threshold: float) -> tuple[int | None, str | None]:
    if not ranked:
        return None, "没有候选案件：请搜索案件、新建案件，或标记为非诉讼材料。"
    top = ranked[0]
    if top.score < threshold:
        return None, (f"最可能的案件置信度仅 {top.score:.0%}，低于 {threshold:.0%}："
                      "这份文书属于哪个案件？还是非诉讼材料？")
    if len(ranked) > 1 and ranked[1].score == top.score:
        return None, "前两个候选案件同分：请选择正确的案件。"
    if top.conflict:
        return None, "文书上的信息与建议案件不符（见理由）：请选择正确的案件。"
    if top.doubt:
        return None, f"只有邮件指向最可能的案件（{top.doubt}）：请选择正确的案件。"
    return top.case_id, None


OCR_SOURCES = ("tesseract", "rapidocr")
# A case number read by OCR below this page confidence is shown, not prefilled.
PREFILL_OCR_CONFIDENCE = 0.9


def number_doubt(number: str | None, evidence: tuple[str, ...], pages: tuple[tuple[str, float], ...],
                 stored: tuple[Stored, ...] = ()) -> str | None:
    """Why the document's own case number must not be prefilled into a new case (None: read confidently).

    `pages` are (source, confidence) of the document's pages; `evidence` its classification evidence.
    """
    if not number:
        return None
    if any(" read as " in e or "repaired" in e for e in evidence):
        return "案号经过自动更正"
    if any(" differs from " in e for s in stored for e in s.evidence):
        return "案号与已有案件仅差一个易混字符"
    ocr = [conf for source, conf in pages if source in OCR_SOURCES]
    if ocr and min(ocr) < PREFILL_OCR_CONFIDENCE:
        return f"案号由 OCR 识别，置信度 {min(ocr):.0%}"
    return None
