"""Edited case reports (案例): publications that retell a case and list every instance's number.

Agencies sometimes send them with their filings. They are not court documents ("other"), and the
document's own number is the highest instance its header lists (一审 < 二审 < 申请再审 < 再审/提审);
when the header does not say, a single number is taken and several leave the number open (review).
"""

from __future__ import annotations

import re
from datetime import date

from extract.understanding.casenumber import CaseNumberHit, Jurisdiction, find_case_number_hits
from extract.understanding.dates import find_dates
from extract.understanding.signature import narrated_decision_date

__all__ = ["case_report_date", "case_report_marker", "case_report_number"]

# Headings only edited reports print (compared without spaces or brackets).
MARKERS = (
    "判决书字号", "案件基本信息", "案件编号", "案例索引", "问题提示", "基本案情", "案情与裁判", "裁判要旨", "案情",
)
HEADER_LINES = 12
# Instance labels in front of a number, and their order; the last matching label before a number counts.
_LABELS = (("一审", 1), ("二审", 2), ("申请再审", 3), ("再审申请", 3), ("再审", 4), ("提审", 4))
_LABEL = re.compile("|".join(sorted((label for label, _ in _LABELS), key=len, reverse=True)))


def case_report_marker(lines: list[str]) -> str | None:
    """The case-report heading among the first lines, or None for a court's own document."""
    head = re.sub(r"[\s\[\]【】()（）]", "", "".join(lines[:HEADER_LINES]))
    for marker in MARKERS:
        if marker == "案情":
            # Bare 案情 only as a heading of its own ([案情] / 【案情】), not inside a sentence.
            if re.search(r"[\[【]\s*案情\s*[\]】]", "\n".join(lines[:HEADER_LINES]).replace("\n", "")):
                return marker
            continue
        if marker in head:
            return marker
    return None


def _rank(flat: str, hit: CaseNumberHit, previous_end: int) -> int:
    before = flat[max(previous_end, hit.start - 40) : hit.start]
    before = before[max(before.rfind("。"), before.rfind("；")) + 1 :]
    labels = [dict(_LABELS)[m[0]] for m in _LABEL.finditer(before)]
    return labels[-1] if labels else 0


def case_report_number(
    lines: list[str], jurisdiction: Jurisdiction | None = None
) -> tuple[str | None, str | None, str]:
    """(own number, as printed, why) of a case report; own is None when it cannot be decided."""
    flat = "".join(lines)
    hits = find_case_number_hits(flat, jurisdiction)
    if not hits:
        return None, None, "case report: no case number"
    ranked: list[tuple[int, CaseNumberHit]] = []
    end = 0
    for h in hits:
        ranked.append((_rank(flat, h, end), h))
        end = h.end
    top = max(r for r, _ in ranked)
    distinct = {str(h.number) for _, h in ranked}
    if top == 0:
        if len(distinct) == 1:
            h = hits[0]
            return str(h.number), h.raw, "case report: its only case number"
        return None, None, f"case report: {len(distinct)} numbers and no instance labels, own number undecided"
    best = {str(h.number): h for r, h in ranked if r == top}
    if len(best) > 1:
        return None, None, f"case report: {len(best)} numbers of the same instance, own number undecided"
    number, h = next(iter(best.items()))
    return number, h.raw, f"case report: {number} is the highest instance it lists"


# 一审：…（2005）东行初字第15号（2005年5月16日）: the index dates each instance right after its number.
_AFTER_NUMBER = re.compile(r"^[（(](?P<date>[^（）()。，；]{6,16}?[日曰])[）)]")
# …于2031年5月6日作出（2031）最高法行再9号判决: the date the report gives the number it decided.
_BEFORE_NUMBER = re.compile(r"于(?P<date>[^，。；于]{6,16}?)作出(?:的)?$")


def case_report_date(lines: list[str], own: str | None,
                     jurisdiction: Jurisdiction | None = None) -> tuple[date | None, str | None]:
    """(date, doubt) of the decision a case report is about: the date it prints with its own number
    (in the index after it, or 于…作出 before it); else one it narrates (于…判决：) with a doubt,
    since a report also retells the earlier instances' decisions. (None, doubt) when it prints none:
    never another date of the text (the contested act's, the first instance's)."""
    flat = "".join(lines)
    if own is not None:
        for h in find_case_number_hits(flat, jurisdiction):
            if str(h.number) != own:
                continue
            after, before = flat[h.end : h.end + 20], flat[max(0, h.start - 24) : h.start]
            for rx, part in ((_AFTER_NUMBER, after), (_BEFORE_NUMBER, before)):
                m = rx.search(part)
                hits = find_dates(m["date"]) if m else []
                if len(hits) == 1:
                    return hits[0].value, None
    narrated = narrated_decision_date(lines)
    if narrated.value is not None:
        return narrated.value, f"decision date narrated, not printed with its case number ({narrated.line})"
    return None, "no readable date printed for the decision the text reports"
