"""Pure scoring of candidate cases for a document. No I/O: inputs are plain snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from rapidfuzz import fuzz

from cases.parties import one_misread_apart
from terms.status import DocType


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
    cause_category: str | None = None


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
    cause_category: str | None = None
    received_at: datetime | None = None  # when its message arrived: candidates without a number are of that time

    def message_numbers(self) -> tuple[str, ...]:
        """Every case the message names outside this document: other documents, file names, subject, body."""
        named = (*self.sibling_numbers, *self.file_numbers, *self.text_numbers, *self.reply_numbers)
        return tuple(dict.fromkeys(n for n in named if n))


@dataclass(frozen=True)
class Candidate:
    case: CandidateCase
    score: float
    evidence: tuple[str, ...] = field(default=())
    held: bool = False  # something points elsewhere: never filed automatically (reasons in evidence)


def _plaintiff_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(x, y) for x in a for y in b) / 100.0


def _names_disagree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """No name of one side is like any of the other, even allowing for OCR misreads and short forms."""
    if any(one_misread_apart(x, y) for x in a for y in b):
        # One misread character: 孟洋 for 备洋 scores 50 by ratio though 张三丰 for 张三峰 scores 67.
        return False
    best = max(max(fuzz.ratio(x, y), fuzz.partial_ratio(x, y) if min(len(x), len(y)) >= 3 else 0) for x in a for y in b)
    return best < 60


def disagreements(ctx: DocContext, case: CandidateCase) -> list[str]:
    """What in the document points away from `case`: its plaintiff, court or kind of cause."""
    out = []
    if ctx.plaintiffs and case.plaintiffs and _names_disagree(ctx.plaintiffs, case.plaintiffs):
        out.append(f"disagrees: plaintiff {'、'.join(ctx.plaintiffs)} is not the case's {'、'.join(case.plaintiffs)}")
    if ctx.court and case.court and _names_disagree((ctx.court,), (case.court,)):
        out.append(f"disagrees: court {ctx.court} is not the case's {case.court}")
    categories = {ctx.cause_category, case.cause_category}
    if None not in categories and "other" not in categories and len(categories) == 2:
        ours, theirs = ctx.cause or ctx.cause_category, case.cause or case.cause_category
        out.append(f"disagrees: cause {ours} is not the case's {theirs}")
    return out


# Message-level evidence never files on its own when the message names several cases or the
# document disagrees with the case: such a candidate is held for review whatever the threshold, and
# its score is capped so a case the document agrees with ranks above it.
REVIEW_CAP = 0.6


def score_case(ctx: DocContext, case: CandidateCase, near_miss: bool) -> Candidate:
    score, ev = 0.0, []
    cap = 0.99
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
        named = ctx.message_numbers()
        if score and ctx.doc_type == DocType.other and not ctx.title:
            # Neither a title nor a phrase says what this is: it may be about anything.
            cap = min(cap, REVIEW_CAP)
            ev.append("review: an unidentified document (no title), only the message points to this case")
        if score and len(named) > 1:
            cap = min(cap, REVIEW_CAP)
            ev.append(f"review: the message concerns {len(named)} cases ({'、'.join(named)})")
        conflicts = disagreements(ctx, case) if score else []
        if conflicts:
            cap = min(cap, REVIEW_CAP - 0.2)
            ev.extend(f"review: {c}" for c in conflicts)
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
    held = any(e.startswith("review: ") for e in ev)
    return Candidate(case, round(max(0.0, min(score, cap)), 3), tuple(ev), held)


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; a case named only by the message is held when the plaintiff points to another case."""
    # Ties go to the older case: the same order whichever database listed the candidates.
    ranked = sorted((c for c in candidates if c.score > 0), key=lambda c: (-c.score, c.case.id or 0))
    if not ranked or any(e.startswith("own case number") for e in ranked[0].evidence):
        return ranked
    top, rest = ranked[0], ranked[1:]
    elsewhere = [c for c in rest if any(e.startswith("plaintiff similar") for e in c.evidence)]
    if elsewhere and not any(e.startswith("plaintiff similar") for e in top.evidence):
        reason = f"review: the plaintiff is that of {elsewhere[0].case.case_number or f'case {elsewhere[0].case.id}'}"
        top = replace(top, evidence=(*top.evidence, reason), held=True)
    return [top, *rest]


def review_reasons(ranked: list[Candidate], threshold: float, margin: float) -> list[str]:
    """Why a document waits for a person: stored with it, so the queue and `filing eval` can show it."""
    if not ranked:
        return ["review: no case fits"]
    top = ranked[0]
    label = top.case.case_number or f"case {top.case.id}"
    out: list[str] = []
    for c in ranked[:3]:
        for e in c.evidence:
            if not e.startswith("review: "):
                continue
            reason = e.removeprefix("review: ")
            # What the message names is the same for every candidate; a disagreement is one case's.
            line = f"review: {reason}" if reason.startswith("the message") else f"review: {c.case.case_number} {reason}"
            if line not in out:
                out.append(line)
    if top.score < threshold:
        out.append(f"review: best candidate {label} scores {top.score:.2f} (< {threshold:.2f})")
    elif len(ranked) > 1 and top.score - ranked[1].score < margin:
        other = ranked[1].case.case_number or f"case {ranked[1].case.id}"
        out.append(f"review: {label} ({top.score:.2f}) and {other} ({ranked[1].score:.2f}) are too close")
    return out


def decide(ranked: list[Candidate], threshold: float, margin: float) -> str:
    """auto only above the threshold with a clear margin over the runner-up."""
    if not ranked:
        return "none"
    top = ranked[0].score
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return "auto" if top >= threshold and top - second >= margin and not ranked[0].held else "review"
