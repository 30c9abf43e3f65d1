"""The review queue's suggestions: which case a person most likely files a waiting document to, and why.

The matcher (cases.matching) decides automatic filing and stores its candidates when a message arrives.
A reviewer needs a ranking by evidence a person trusts, computed when the item is shown: the document's
own number first, then the parties printed on its pages (OCR-tolerant), court and cause, and only then
what the message says (the same email, a sibling document already filed). Pure logic: plain snapshots in,
ranked suggestions out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

# Evidence strengths, strongest first; a suggestion's rank key is (strength..., score, tie rule).
NUMBER, PARTY, COURT, CAUSE, MESSAGE = "number", "party", "court", "cause", "message"

TIE_RULE = ("同分时：证据更强者在前（案号、当事人、法院、案由、同一文件、同一邮件），"
            "仍相同则较新登记的案件在前")


@dataclass(frozen=True)
class CaseFacts:
    """A case as the reviewer compares it with the document."""

    id: int
    case_number: str | None
    plaintiffs: tuple[str, ...] = ()
    court: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class DocFacts:
    """What the document itself says: its number, the parties and court it names, its page text."""

    own_number: str | None
    plaintiffs: tuple[str, ...] = ()
    court: str | None = None
    cause: str | None = None
    text: str = ""


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
    conflict: bool = False  # the document names other parties than the case


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


def score_one(doc: DocFacts, case: CaseFacts, stored: Stored | None, sibling_cases: frozenset[int],
              sibling_case_count: int, file_cases: tuple[int, ...] = ()) -> Suggestion:
    """One case's suggestion: the matcher's score re-weighted by what is printed on the document."""
    score = stored.score if stored else 0.0
    reasons: list[str] = []
    strengths: list[str] = []
    conflict = False
    if doc.own_number and case.case_number and doc.own_number == case.case_number:
        strengths.append(NUMBER)
        reasons.append(f"文书本身的案号 {case.case_number}")
        score = max(score, 0.97)
    party = _names_printed(case.plaintiffs, doc.text)
    sim = _similar(doc.plaintiffs, case.plaintiffs)
    if party or sim >= 0.8:
        strengths.append(PARTY)
        reasons.append(f"文书上写有本案原告 {party or '、'.join(case.plaintiffs)}")
        score = min(0.99, score + 0.3) if NUMBER not in strengths else score
    elif doc.plaintiffs and case.plaintiffs and sim < 0.5:
        # The page names someone else: message-level hints (the same email) must not outweigh it.
        conflict = True
        reasons.append(f"文书上的原告（{'、'.join(doc.plaintiffs)}）与本案原告（{'、'.join(case.plaintiffs)}）不同")
        score = min(score, 0.45) if NUMBER not in strengths else score
    if doc.court and case.court and fuzz.ratio(doc.court, case.court) >= 85:
        strengths.append(COURT)
        reasons.append(f"同一法院 {case.court}")
        score = min(0.99, score + 0.05)
    if doc.cause and case.cause and fuzz.partial_ratio(doc.cause, case.cause) >= 80:
        strengths.append(CAUSE)
        reasons.append(f"案由相近（{case.cause}）")
        score = min(0.99, score + 0.05)
    if case.id in sibling_cases:
        strengths.append(MESSAGE)
        if sibling_case_count == 1:
            reasons.append("同一邮件的其他文书已归入本案")
            score = max(score, 0.85 if not conflict else 0.45)
        elif file_cases[:1] == (case.id,) and len(set(file_cases)) == 1:
            # A scan holding one case's documents: its unfiled page (a stray or trailing page) is most likely
            # that case's, more than the other cases the email also carries.
            reasons.append("同一文件中的其他文书均已归入本案（该邮件涉及多个案件）")
            score = max(score, 0.7 if not conflict else 0.4)
        elif file_cases[:1] == (case.id,):
            reasons.append("同一文件中紧邻本文书的文书已归入本案（该邮件涉及多个案件）")
            score = max(score, 0.65 if not conflict else 0.4)
        else:
            reasons.append("同一邮件的其他文书已归入本案（该邮件涉及多个案件）")
            score = max(score, 0.6 if not conflict else 0.4)
    elif stored and _message_evidence(stored.evidence):
        strengths.append(MESSAGE)
        reasons.append("与本案文书同一邮件发来")
    return Suggestion(case.id, round(max(0.0, min(score, 0.99)), 3), tuple(reasons), tuple(strengths), conflict)


def _key(s: Suggestion) -> tuple[object, ...]:
    kinds = (NUMBER, PARTY, COURT, CAUSE, MESSAGE)
    return (-s.score, *(k not in s.strengths for k in kinds), -s.case_id)


def suggest(
    doc: DocFacts,
    cases: list[CaseFacts],
    stored: list[Stored],
    sibling_cases: list[int],
    threshold: float,
    file_cases: list[int] | None = None,
) -> Suggestions:
    """Rank the cases for a waiting document and say whether one of them may be the default.

    `cases` holds every case mentioned by `stored` or `sibling_cases` (cases of the other documents of
    the same message already filed); a case with no evidence at all is left out. `file_cases`: the cases of
    the filed documents in the document's own file, the nearest page first.
    """
    by_id = {s.case_id: s for s in stored}
    siblings = frozenset(sibling_cases)
    items = [
        score_one(doc, c, by_id.get(c.id), siblings, len(siblings), tuple(file_cases or ()))
        for c in cases
        if c.id in by_id or c.id in siblings
    ]
    ranked = tuple(sorted((s for s in items if s.score > 0), key=_key))
    return Suggestions(ranked, *_default(ranked, threshold))


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
        return None, "文书上的原告与建议案件不同：请选择正确的案件。"
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
