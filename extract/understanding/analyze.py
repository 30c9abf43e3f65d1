"""Understand a file: split its pages into documents, classify each and extract its fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from extract.types import COURT_DOC_TYPES, CaseNumber, DocType, Document, Page, PageQuality, PageSource
from extract.understanding.casenumber import (
    Jurisdiction,
    compatible,
    find_case_numbers,
    find_partial_numbers,
    near_miss,
    province_of_court,
    serial_slip,
)
from extract.understanding.classify import classify_text, page_lines
from extract.understanding.fields import extract_fields, normalize_lines, own_and_cited, read_court
from extract.understanding.notice_date import CLOSING, SIGNERS, notice_date
from extract.understanding.signature import DecisionDate, agreed_date, decision_date, signature_lines
from extract.understanding.split import split_pages
from extract.understanding.vocab import PROVINCES

# Documents that print their own case number (complaints and powers of attorney usually do not).
NUMBERED_TYPES = COURT_DOC_TYPES | {DocType.defense, DocType.appearance_record}

__all__ = ["UNREADABLE_EVIDENCE", "needs_date_reread", "reread_decision_dates", "understand"]

# Reads the lower part of one page (1-based number within the file) again closely, the n-th way of
# doing so (0, 1: different resolution; 2, 3: line by line; 4, 5: line by line, date characters only;
# 6, 7: line by line, each line thresholded on its own); None if it cannot.
BlockReader = Callable[[int, int], str | None]
READ_ATTEMPTS = 8
# Attempts whose read only allows the date's characters (extract/reading/signature_reread.py): forced
# toward a date, such a read only confirms one read without that constraint, never settles alone nor
# with another constrained read (both would be forced the same way: 上一 read as 十一 every time).
CONSTRAINED_ATTEMPTS = frozenset({4, 5})
_SIGNED = re.compile(r"审判长|审判员|书记员|人民陪审员")

# Start of the evidence line naming a document's unreadable pages (matching sends such documents to review).
UNREADABLE_EVIDENCE = "OCR could not read page(s)"


def understand(
    pages: Sequence[Page],
    filename: str = "",
    header_texts: Mapping[int, str] | None = None,
    jurisdiction: Jurisdiction | None = None,
    received_on: date | None = None,
) -> list[Document]:
    """Documents in one file's pages, in page order, with type, confidence, title, fields, evidence.

    `filename` is weak evidence only: it may raise the confidence of a type the text already shows,
    or confirm a damaged case number, never decide one (agencies name files 20260423.pdf).
    `header_texts` maps page numbers to a second OCR read of the page's top (title and number
    block); it is used only where the title or the case number could not be read otherwise.
    `jurisdiction` (configured): what an unreadable province character in a case number may stand for.
    `received_on`: the day the file's mail arrived (no court dated a document it carries later).
    """
    ordered = sorted(pages, key=lambda p: p.number)
    if not ordered:
        return []
    # An unreadable page's reading is implausible (extract/reading/quality.py): nothing is taken from it.
    texts = [p.text if p.source is not PageSource.failed and p.quality is not PageQuality.unreadable else ""
             for p in ordered]
    documents: list[Document] = []
    for seg in split_pages(texts, jurisdiction):
        seg_texts = texts[seg.first_page - 1 : seg.last_page]
        cls = classify_text(seg_texts)
        header = (header_texts or {}).get(ordered[seg.first_page - 1].number)
        reread_title = False
        if cls.title is None and header:
            with_header = classify_text([header + "\n" + seg_texts[0], *seg_texts[1:]])
            if with_header.title is not None:
                cls, reread_title = with_header, True
        confidence = cls.confidence
        # OCR page confidence bounds how sure we can be about what was read.
        page_conf = min((p.confidence for p in ordered[seg.first_page - 1 : seg.last_page]), default=1.0)
        if page_conf < 0.5:
            confidence = min(confidence, 0.6)
        evidence = [*list(cls.evidence), f"split: {'; '.join(seg.evidence)}"]
        unreadable = [p.number for p in ordered[seg.first_page - 1 : seg.last_page]
                      if p.quality is PageQuality.unreadable]
        if unreadable:
            confidence = min(confidence, 0.6)
            evidence.append(f"{UNREADABLE_EVIDENCE} {', '.join(map(str, unreadable))}")
        if reread_title:
            evidence.append("title from a second read of the page header")
        if cls.title is not None and filename and cls.title in filename:
            confidence = min(0.99, confidence + 0.02)
            evidence.append(f"filename mentions {cls.title}")
        if not any(t.strip() for t in seg_texts):
            documents.append(
                Document(DocType.other, ordered[seg.first_page - 1].number, ordered[seg.last_page - 1].number, 0.0,
                         None, evidence=("no text on these pages", *(evidence[-1:] if unreadable else ())))
            )
            continue
        fields = extract_fields(seg_texts, cls.doc_type, jurisdiction, received_on)
        documents.append(
            Document(
                doc_type=cls.doc_type,
                first_page=ordered[seg.first_page - 1].number,
                last_page=ordered[seg.last_page - 1].number,
                confidence=round(confidence, 2),
                title=cls.title,
                fields=fields,
                evidence=tuple(evidence),
            )
        )
    return _repair_numbers(documents, texts, filename, header_texts or {}, jurisdiction)


def _suspicious_year(d: Document) -> bool:
    own, when = d.fields.case_number, d.fields.doc_date
    return bool(own and when and int(own[1:5]) < when.year - 2)


def _sibling_consensus(documents: list[Document], index: int, from_name: list[CaseNumber]) -> CaseNumber | None:
    """The number at least two other sources in the file (other documents, the file name) agree on."""
    votes: dict[str, int] = {}
    for n in from_name:
        votes[str(n)] = votes.get(str(n), 0) + 1
    for j, other in enumerate(documents):
        if j != index and other.fields.case_number:
            votes[other.fields.case_number] = votes.get(other.fields.case_number, 0) + 1
    best = max(votes.items(), key=lambda kv: kv[1], default=None)
    if best is None or best[1] < 2:
        return None
    parsed = find_case_numbers(best[0])
    return parsed[0][0] if parsed else None


def _repair_numbers(
    documents: list[Document],
    texts: list[str],
    filename: str,
    header_texts: Mapping[int, str],
    jurisdiction: Jurisdiction | None = None,
) -> list[Document]:
    """Fill in or correct own case numbers OCR damaged, from the file name and sibling documents.

    Only confirmations: a number is taken over when what is left of the printed one (year, court
    digits, serial) agrees with it, or the printed one is one confusable character away from it.
    """
    from_name = [n for n, _ in find_case_numbers(filename)]
    known: list[tuple[CaseNumber, str]] = [(n, "file name") for n in from_name]
    for d in documents:
        if d.fields.case_number:
            parsed = find_case_numbers(d.fields.case_number)
            if parsed:
                known.append((parsed[0][0], f"document on pages {d.first_page}-{d.last_page}"))
    out: list[Document] = []
    for i, d in enumerate(documents):
        own = d.fields.case_number
        note: str | None = None
        consensus = _sibling_consensus(documents, i, from_name)
        if own and from_name and own != str(from_name[0]) and near_miss(own, str(from_name[0])):
            note = f"case number {own} read as {from_name[0]} (file name, one confusable character apart)"
            own = str(from_name[0])
        elif own and consensus is not None and own != str(consensus):
            parsed_own = find_case_numbers(own)
            if parsed_own and serial_slip(parsed_own[0][0], consensus):
                # OCR drops or swaps a serial digit and the result still looks valid (行初1号 for 行初12号).
                note = f"case number {own} read as {consensus}: the other documents of this file agree on it"
                own = str(consensus)
        elif (own is None or _suspicious_year(d)) and d.doc_type in NUMBERED_TYPES:
            header = header_texts.get(d.first_page)
            reread = (
                own_and_cited(normalize_lines([header]), d.doc_type, jurisdiction=jurisdiction)[0]
                if header
                else None
            )
            # A suspicious year is only replaced by a reading that agrees on everything but the year.
            if reread is not None and (own is None or (reread[5:] == own[5:] and reread != own)):
                note = f"case number {reread} from a second read of the page header" + (f" (was {own})" if own else "")
                own = reread
        if own is None and note is None and d.doc_type in NUMBERED_TYPES:
            top = "\n".join(page_lines(texts[d.first_page - 1])[:10])
            for partial in find_partial_numbers(top):
                match = next(((n, src) for n, src in known if compatible(partial, n)), None)
                if match is not None:
                    own = str(match[0])
                    note = f"case number {own} confirmed from a partial reading against the {match[1]}"
                    break
        if own is None and note is None and d.doc_type in NUMBERED_TYPES and d.fields.court:
            # The court the document names says which province an unreadable character stands for.
            province = province_of_court(d.fields.court)
            if province is not None:
                lines = normalize_lines(texts[d.first_page - 1 : d.last_page])
                own = own_and_cited(lines, d.doc_type, jurisdiction=Jurisdiction(province))[0]
                if own is not None:
                    note = f"case number {own}: its unreadable province character is {province} ({d.fields.court})"
        first = d.fields.first_instance_case
        if own is None and note is None and d.doc_type in NUMBERED_TYPES and first and first[6:7] in PROVINCES:
            # An appeal goes to a court of the province that decided the first instance: the number of
            # that decision, which it cites, says what its own unreadable province character stands for.
            province = first[6]
            lines = normalize_lines(texts[d.first_page - 1 : d.last_page])
            appeal = own_and_cited(lines, d.doc_type, jurisdiction=Jurisdiction(province))[0]
            if appeal is not None and appeal != first and "终" in appeal and appeal[1:5] >= first[1:5]:
                own = appeal
                note = f"case number {own}: its unreadable province character is {province}, as in the " \
                       f"first-instance number it cites ({first})"
        if own is None and note is None and d.doc_type in NUMBERED_TYPES:
            top_lines = page_lines(texts[d.first_page - 1])[:10]
            shaped = [ln for ln in top_lines if "行" in ln and any(c.isdigit() for c in ln)]
            note = "no readable case number" + (f" (read: {shaped[0][:40]})" if shaped else "")
        if note is None:
            out.append(d)
        else:
            # The court is checked against the number: read it again with the repaired one.
            court = read_court(normalize_lines(texts[d.first_page - 1 : d.last_page]), own, jurisdiction)
            doubts = {k: v for k, v in d.fields.doubts.items() if k != "court"}
            if court.doubt:
                doubts["court"] = court.doubt
            fields = replace(d.fields, case_number=own, court=court.name, doubts=doubts)
            out.append(replace(d, fields=fields, evidence=(*d.evidence, note)))
    return out


_DECISIONS = frozenset({DocType.judgment, DocType.ruling})
# The court's signed date under its seal: the decision date of a judgment or ruling, the notice date
# of a notice to respond (the day the case's deadlines count from).
_SEALED_DATE = {
    DocType.judgment: "decision_date",
    DocType.ruling: "decision_date",
    DocType.notice_to_respond: "notice_date",
    DocType.summons: "doc_date",  # the summons's own date: its filing deadline runs from it
}


def needs_date_reread(d: Document) -> bool:
    """A judgment, ruling, notice to respond or summons whose sealed date is missing or doubtful."""
    fact = _SEALED_DATE.get(d.doc_type)
    return fact is not None and fact in d.fields.doubts


def _sealed_date(d: Document, lines: list[str], own_year: int | None, block: list[str],
                 received_on: date | None) -> DecisionDate:
    """The sealed date as a close read of the block shows it: a notice's after its closing lines, a
    decision's under its judges' names (checked against the dates its body narrates)."""
    if d.doc_type is DocType.notice_to_respond:
        return notice_date(block, own_year)
    if d.doc_type is DocType.summons:
        return notice_date(block, own_year, SIGNERS)
    return decision_date(lines, own_year, block, received_on)


def _after_hearing_or_mail(day: date, d: Document, received_on: date | None) -> bool:
    """A summons is issued before its hearing and its mail: a later date is misread."""
    hearing = d.fields.hearing_at.date() if d.fields.hearing_at else None
    return any(bound is not None and day > bound for bound in (hearing, received_on))


def reread_decision_dates(
    documents: Sequence[Document], texts: Mapping[int, str], read_block: BlockReader,
    received_on: date | None = None,
) -> list[Document]:
    """Court documents whose sealed date is missing or doubtful, with it read again from their signature block.

    `texts` maps page numbers to the full-page text. The block is read from the last page, then the
    one before (a block can start at the foot of a page). Two independent reads that agree, or one
    read as cleanly printed, settle the date, unless reads of another date are at least half as many;
    anything else keeps (or states) the doubt.
    """
    out: list[Document] = []
    for d in documents:
        if not needs_date_reread(d):
            out.append(d)
            continue
        lines = normalize_lines([texts.get(n, "") for n in range(d.first_page, d.last_page + 1)])
        own = d.fields.case_number
        own_year = int(own[1:5]) if own and own[1:5].isdigit() else None
        found: DecisionDate | None = None
        reads: list[DecisionDate] = []
        forced: set[int] = set()  # ids of the reads from CONSTRAINED_ATTEMPTS
        seeded = 0
        looks: list[str] = []  # what each free read saw of the block (agreed_date)
        if d.doc_type in _SEALED_DATE:
            # The full-page read is a look of its own: a close read agreeing with it settles the date.
            if d.doc_type is DocType.notice_to_respond:
                first = notice_date(lines, own_year)
            elif d.doc_type is DocType.summons:
                first = notice_date(lines, own_year, SIGNERS)
            else:
                first = decision_date(lines, own_year, received_on=received_on)
            if first.value is not None and not first.guessed:
                reads.append(first)
                seeded = 1
            looks += [first.line] if first.line else []
        for page in sorted({d.last_page, max(d.first_page, d.last_page - 1)}, reverse=True):
            # The full-page read may have seen the signers the first close look misses (a notice has
            # no judges: its closing lines, 特此通知 … 承办人, stand above its date).
            signed = CLOSING if d.doc_type is DocType.notice_to_respond else _SIGNED
            signed_here = bool(signed.search(re.sub(r"\W", "", texts.get(page, ""))))
            before = len(reads)
            for attempt in range(READ_ATTEMPTS):
                text = read_block(page, attempt)
                block = normalize_lines([text or ""])
                signed_here = signed_here or bool(signature_lines(block)) or (
                    d.doc_type is DocType.notice_to_respond and any(CLOSING.search(ln) for ln in block))
                got = _sealed_date(d, lines, own_year, block, received_on) if text else None
                looks += [text] if text and attempt not in CONSTRAINED_ATTEMPTS else []
                if got is None or got.value is None:
                    if not signed_here:
                        break  # no block on this page: another look at it will not find one
                    continue
                # Two reads agreeing settle a repaired date, unless a numeral had to be guessed.
                constrained = attempt in CONSTRAINED_ATTEMPTS
                support = [r for r in reads
                           if r.value == got.value and not r.guessed and not (constrained and id(r) in forced)]
                # Reads of another date that count as looks of their own (neither guessed nor forced): a
                # date settles only with more than twice their number of reads behind it.
                against = [r for r in reads if r.value != got.value and not r.guessed and id(r) not in forced]
                settles = (got.doubt is None and not constrained) or (not got.guessed and bool(support))
                if settles and 1 + len(support) > 2 * len(against):
                    found = DecisionDate(got.value, None, got.line)
                    break
                if constrained:
                    got = replace(got, doubt=got.doubt or f"read with only the date's characters allowed ({got.line})")
                    forced.add(id(got))
                reads.append(got)
            # A block can run over a page break (the date above it, the clerk below): a page that
            # gave no date sends the search to the one before.
            if found is not None or len(reads) > before:
                break
        if found is None and d.doc_type in _DECISIONS:
            # None read whole, but the damaged reads of the date line together leave one date possible,
            # and no free read took it for another.
            agreed = agreed_date(looks, own_year, received_on)
            if agreed is not None and all(r.value in (None, agreed[0]) for r in reads if id(r) not in forced):
                got = _sealed_date(d, lines, own_year, [agreed[1]], received_on)
                if got.value == agreed[0] and got.doubt is None:
                    found = DecisionDate(agreed[0], None, agreed[1])
        # Unsettled: the first close read offered to the person who checks it, never one forced toward a
        # date (it can read 十八 as 六 under a seal: a wrong value to confirm).
        offered = [r for r in reads[seeded:] if id(r) not in forced]
        if found is None and offered:
            found = offered[0]
            if found.doubt is None:
                # Read cleanly, but other reads of the block disagree.
                found = replace(found, doubt=f"close reads of the signature block disagree ({found.line})")
        if found is None or found.value is None:
            out.append(d)
            continue
        fact = _SEALED_DATE[d.doc_type]
        doubts = {k: v for k, v in d.fields.doubts.items() if k != fact}
        if found.doubt:
            doubts[fact] = found.doubt
            if d.doc_type is DocType.summons:
                out.append(d)  # no check asks a person for a summons's date: a doubtful one is not used
                continue
        if d.doc_type is DocType.summons and _after_hearing_or_mail(found.value, d, received_on):
            out.append(d)
            continue
        note = f"{fact} {found.value.isoformat()} from a second read of the signature block ({found.line})"
        fields = replace(d.fields, doc_date=found.value, doubts=doubts)
        out.append(replace(d, fields=fields, evidence=(*d.evidence, note)))
    return out
