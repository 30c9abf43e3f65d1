"""understand() over every document of the sample corpus, from the ground-truth texts.

Each attachment's pages are rebuilt from the truth texts of its documents in page order, so the
splitter sees what it would see in a combined scan. Asserts the issue's accuracy targets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from extract.types import Document, Page, PageSource
from extract.understanding.analyze import understand
from tests.support.corpus import SAMPLE

pytestmark = pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="sample corpus not present")


@dataclass
class Scores:
    documents: int = 0
    type_ok: int = 0
    split_ok: int = 0
    printed: int = 0
    number_ok: int = 0
    unprinted_none: int = 0
    unprinted: int = 0
    decisions: int = 0
    outcome_ok: int = 0
    hearings: int = 0
    hearing_ok: int = 0
    confident: int = 0
    confident_ok: int = 0


def _attachments(truth: dict[str, Any]) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for message in truth["messages"]:
        stack = list(message["attachments"])
        while stack:
            att = stack.pop(0)
            stack.extend(att.get("members", []))
            if att.get("documents") and att["sha256"] not in seen:
                seen.add(att["sha256"])
                yield att


def _pages(att: dict[str, Any]) -> list[str]:
    docs = att["documents"]
    if docs[0]["pages"] is None:  # DOCX: one flowing text
        return ["\n".join((SAMPLE / docs[0]["truth_text"]).read_text(encoding="utf-8").split("\f"))]
    pages: dict[int, str] = {}
    for doc in docs:
        for i, text in enumerate((SAMPLE / doc["truth_text"]).read_text(encoding="utf-8").split("\f")):
            pages[doc["pages"][0] + i] = text
    return [pages[n] for n in sorted(pages)]


def _best(found: list[Document], first: int, last: int) -> Document | None:
    overlapping = [d for d in found if d.first_page <= last and d.last_page >= first]
    return max(overlapping, key=lambda d: min(d.last_page, last) - max(d.first_page, first), default=None)


@pytest.fixture(scope="module")
def scores() -> Scores:
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    cases = {c["case_number"]: c for c in truth["cases"]}
    s = Scores()
    for att in _attachments(truth):
        texts = _pages(att)
        found = understand([Page(i + 1, t, PageSource.plain, 1.0) for i, t in enumerate(texts)], att["filename"])
        for doc in att["documents"]:
            first, last = doc["pages"] or [1, len(texts)]
            s.documents += 1
            got = _best(found, first, last)
            if got is None:
                continue
            s.type_ok += got.doc_type == doc["type"]
            s.split_ok += (got.first_page, got.last_page) == (first, last)
            if got.confidence >= 0.9:
                s.confident += 1
                s.confident_ok += got.doc_type == doc["type"]
            if doc["case_number_printed"]:
                s.printed += 1
                s.number_ok += got.fields.case_number == doc["case"]
            else:
                s.unprinted += 1
                s.unprinted_none += got.fields.case_number is None
            case = cases.get(doc["case"])
            if case and doc["type"] in ("judgment", "ruling"):
                s.decisions += 1
                s.outcome_ok += got.fields.outcome == case["outcome"]
            if case and doc["type"] == "summons":
                s.hearings += 1
                at = got.fields.hearing_at
                s.hearing_ok += at is not None and at.isoformat() == case["hearing_datetime"]
    return s


def test_type_accuracy(scores: Scores) -> None:
    assert scores.documents > 100
    assert scores.type_ok / scores.documents >= 0.98


def test_split_exact(scores: Scores) -> None:
    assert scores.split_ok / scores.documents >= 0.95


def test_case_number_exact(scores: Scores) -> None:
    assert scores.printed > 50
    assert scores.number_ok / scores.printed >= 0.98
    # Documents that print no number (complaints, powers of attorney) must not get one invented.
    assert scores.unprinted_none / scores.unprinted >= 0.95


def test_outcome(scores: Scores) -> None:
    assert scores.decisions >= 10
    assert scores.outcome_ok / scores.decisions >= 0.98


def test_hearing_time(scores: Scores) -> None:
    assert scores.hearings >= 5
    assert scores.hearing_ok / scores.hearings >= 0.95


def test_confidence_is_calibrated(scores: Scores) -> None:
    assert scores.confident >= scores.documents * 0.8
    assert scores.confident_ok == scores.confident


def _export_from_understanding(truth: dict[str, Any]) -> dict[str, Any]:
    """An export-shaped dict built from understand() output, cases keyed by the numbers it read."""
    attachments = []
    cases: dict[str, dict[str, Any]] = {}
    for att in _attachments(truth):
        texts = _pages(att)
        found = understand([Page(i + 1, t, PageSource.plain, 1.0) for i, t in enumerate(texts)], att["filename"])
        docs = []
        for d in found:
            docs.append({"type": str(d.doc_type), "pages": [d.first_page, d.last_page],
                         "case_number": d.fields.case_number, "type_confidence": d.confidence})
            number = d.fields.case_number
            if number:
                case = cases.setdefault(number, {"case_number": number, "hearing_at": None, "outcome": None})
                if d.fields.hearing_at:
                    case["hearing_at"] = d.fields.hearing_at.isoformat()
                if d.fields.outcome:
                    case["outcome"] = str(d.fields.outcome)
        attachments.append({"sha256": att["sha256"], "documents": docs})
    return {"messages": [{"attachments": attachments}], "cases": list(cases.values())}


def test_evaluate_understanding_on_own_output() -> None:
    from filing.evaluate import evaluate_understanding, render

    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    export = _export_from_understanding(truth)
    section = evaluate_understanding(export, truth)
    by_name = {m.name.split(" (")[0]: m for m in section.metrics}
    assert by_name["document type accuracy"].denominator >= 110
    assert section.passed, render([section])
    assert "Type confusion" in render([section])
    assert any("not scored" in n for n in section.notes)  # the encrypted and corrupt PDFs

    # The evaluation must be able to fail: break types, one split and the outcomes.
    for att in export["messages"][0]["attachments"]:
        for doc in att["documents"]:
            if doc["type"] == "summons":
                doc["type"] = "notice_to_respond"
        if len(att["documents"]) > 1:
            att["documents"] = [{**att["documents"][0], "pages": [1, 99]}]
    for case in export["cases"]:
        case["outcome"] = "agency_lost"
    broken = evaluate_understanding(export, truth)
    rates = {m.name.split(" (")[0]: m.value for m in broken.metrics}
    assert not broken.passed
    assert rates["document type accuracy"] is not None and rates["document type accuracy"] < 0.95
    assert rates["split exact"] is not None and rates["split exact"] < 0.95
    assert rates["outcome"] is not None and rates["outcome"] < 0.5
    assert "notice_to_respond" in render([broken])
