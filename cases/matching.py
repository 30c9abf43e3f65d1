"""Pure scoring of candidate cases for a document. No I/O: inputs are plain snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz


@dataclass(frozen=True)
class CandidateCase:
    """A case as the matcher compares it with a document (not the case snapshot the rules read)."""

    id: int | None  # None: a case this message is about to create
    case_number: str | None
    agency_code: str | None
    plaintiffs: tuple[str, ...] = ()
    cause: str | None = None
    case_type: str | None = None
    court: str | None = None
    hearing_day: str | None = None  # MM-DD of the hearing


@dataclass(frozen=True)
class DocContext:
    """What is known about a document and where it came from."""

    own_number: str | None
    doc_type: str
    agency_code: str | None
    plaintiffs: tuple[str, ...] = ()
    cause: str | None = None
    sibling_numbers: tuple[str, ...] = ()  # own numbers of the other documents in the same message
    file_numbers: tuple[str, ...] = ()  # own numbers of the other documents in the same file, and its name
    title: str | None = None
    court: str | None = None
    hearing_day: str | None = None
    text_numbers: tuple[str, ...] = ()  # numbers written in the subject or body
    reply_numbers: tuple[str, ...] = ()  # cases of the message our receipt answered


@dataclass(frozen=True)
class Candidate:
    case: CandidateCase
    score: float
    evidence: tuple[str, ...] = field(default=())


def _plaintiff_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(x, y) for x in a for y in b) / 100.0


def score_case(ctx: DocContext, case: CandidateCase, near_miss: bool) -> Candidate:
    score, ev = 0.0, []
    num = case.case_number
    if num and ctx.own_number == num:
        score, ev = 0.97, [f"own case number {num}"]
    elif num and near_miss:
        score, ev = 0.55, [f"own case number {ctx.own_number} differs from {num} by one OCR-confusable character"]
    elif num and not ctx.own_number:
        # An unclassified paper ("other") may be unrelated to the case it was sent with.
        loose = ctx.doc_type == "other"
        if num in ctx.file_numbers and len(set(ctx.file_numbers)) == 1:
            score, ev = 0.95, [f"in the same file as (or a file named after) {num}"]
        elif num in ctx.sibling_numbers and len(set(ctx.sibling_numbers)) == 1:
            score, ev = (0.6 if loose else 0.93), [f"sent in the same message as the documents of {num}"]
        elif num in ctx.sibling_numbers or num in ctx.file_numbers:
            score, ev = 0.6, [f"same message also holds documents of other cases besides {num}"]
        if score and ctx.doc_type == "complaint" and case.case_type:
            # A complaint starts a first instance; an appeal petition (上诉状) starts an appeal.
            appeal = "上诉" in (ctx.title or "")
            if case.case_type.endswith("终") == appeal:
                score += 0.05
                ev.append("complaint kind fits the case type")
        if num in ctx.text_numbers:
            bonus = 0.93 if len(set(ctx.text_numbers)) == 1 else 0.6
            if score:
                score = min(0.99, max(score, bonus) + 0.03)
            else:
                score = bonus
            ev.append(f"subject or body names {num}")
        if num in ctx.reply_numbers:
            bonus = 0.92 if len(set(ctx.reply_numbers)) == 1 else 0.6
            score = min(0.99, max(score, bonus) + (0.03 if score else 0))
            ev.append(f"reply to our receipt for {num}")
    if case.agency_code and ctx.agency_code:
        if case.agency_code == ctx.agency_code:
            ev.append("same agency")
            score = score + 0.02 if score else 0.2
        else:
            ev.append("different agency")
            score -= 0.3
    sim = _plaintiff_similarity(ctx.plaintiffs, case.plaintiffs)
    if sim >= 0.8:
        ev.append(f"plaintiff similar ({sim:.2f})")
        score += 0.25 if score < 0.5 else 0.02
    if ctx.cause and case.cause and fuzz.partial_ratio(ctx.cause, case.cause) >= 80:
        ev.append("cause similar")
        score += 0.1 if score < 0.5 else 0.0
    if ctx.court and case.court and fuzz.ratio(ctx.court, case.court) >= 85:
        ev.append("same court")
        score += 0.08 if score < 0.5 else 0.0
    if ctx.hearing_day and ctx.hearing_day == case.hearing_day:
        # Month and day only: OCR misreads years far more often than a whole date.
        ev.append(f"same hearing day {ctx.hearing_day}")
        score += 0.15 if score < 0.5 else 0.0
    return Candidate(case, round(max(0.0, min(score, 0.99)), 3), tuple(ev))


def rank(candidates: list[Candidate]) -> list[Candidate]:
    # Ties go to the older case: the same order whichever database listed the candidates.
    return sorted((c for c in candidates if c.score > 0), key=lambda c: (-c.score, c.case.id or 0))


def decide(ranked: list[Candidate], threshold: float, margin: float) -> str:
    """auto only above the threshold with a clear margin over the runner-up."""
    if not ranked:
        return "none"
    top = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return "auto" if top >= threshold and top - second >= margin else "review"
