"""`filing eval` scores the review queue by the reviewer's ranking (suggestions), not the matcher's."""

from __future__ import annotations

from typing import Any

from filing.evaluate_matching import evaluate_matching, evaluate_probes
from filing.export import ReviewView

A, B = "（2026）鲁0481行初1号", "（2026）鲁0481行初2号"


def _doc(pages: list[int], suggestions: list[int], candidates: list[int], default: bool) -> dict[str, Any]:
    return {"pages": pages, "match": "review", "case_id": None,
            "candidates": [{"case_id": c} for c in candidates],
            "suggestions": [{"case_id": c, "score": 0.8, "default": default and i == 0}
                            for i, c in enumerate(suggestions)]}


def test_top_one_and_top_three_use_the_suggestions() -> None:
    export = {
        "cases": [{"id": 1, "case_number": A}, {"id": 2, "case_number": B}],
        "messages": [{"message_id": "<m>", "status": "filed", "attachments": [{"sha256": "x", "documents": [
            _doc([1, 1], [2, 1], [1, 2], True),
            _doc([2, 2], [2, 1], [2, 1], False),
            _doc([3, 3], [1, 2], [1, 2], False),
        ]}]}],
    }
    truth = {"messages": [{"message_id": "<m>", "expected_action": "accept",
                           "attachments": [{"sha256": "x", "documents": [
        {"doc_id": "d1", "pages": [1, 1], "case": B},
        {"doc_id": "d2", "pages": [2, 2], "case": B},
        {"doc_id": "d3", "pages": [3, 3], "case": "（2026）鲁0481行初9号"},  # not in the store: a new case
    ]}]}]}
    metrics = {m.name: (m.numerator, m.denominator) for m in evaluate_matching(export, truth).metrics}
    assert metrics["queued with the right (known) case on top"] == (2, 2)
    assert metrics["queued with the right (known) case in the top 3"] == (2, 2)
    assert metrics["queued whose case is not yet known: no default offered"] == (1, 1)
    assert metrics["review defaults at or above the confidence threshold"] == (1, 1)


def test_every_document_is_probed_as_if_it_waited_and_misses_say_why() -> None:
    def doc(did: int, pages: list[int], case_id: int | None) -> dict[str, Any]:
        return {"id": did, "pages": pages, "match": "auto" if case_id else "review", "case_id": case_id}

    export = {
        "cases": [{"id": 1, "case_number": A}, {"id": 2, "case_number": B}],
        "messages": [{"message_id": "<m>", "status": "filed", "attachments": [{"sha256": "x", "documents": [
            doc(10, [1, 1], 1), doc(11, [2, 2], 1), doc(12, [3, 3], 2),
        ]}]}],
    }
    truth = {"messages": [{"message_id": "<m>", "expected_action": "accept",
                           "attachments": [{"sha256": "x", "documents": [
        {"doc_id": "d1", "pages": [1, 1], "case": A},
        {"doc_id": "d2", "pages": [2, 2], "case": A},
        {"doc_id": "d3", "pages": [3, 3], "case": B},  # the only document of its case: not probed
    ]}]}]}
    right = {"case_id": 1, "score": 0.6, "reasons": ["文书上写有本案原告 张三"]}
    wrong = {"case_id": 2, "score": 0.7, "reasons": ["与本案文书同一邮件发来"]}
    probes = {
        10: {"withheld": [right, wrong], "hidden": [wrong, right]},
        11: {"withheld": [right], "hidden": [wrong]},
        12: {"withheld": [wrong], "hidden": [wrong]},
    }
    section = evaluate_probes(export, truth, probes)
    metrics = {m.name: (m.numerator, m.denominator) for m in section.metrics}
    assert metrics["if withheld from auto-filing: right case on top"] == (2, 2)
    assert metrics["if its own number were unreadable: right case on top"] == (0, 2)
    assert metrics["if its own number were unreadable: right case in the top 3"] == (1, 2)
    assert metrics["if its own number were unreadable: right case absent"] == (1, 2)
    (table,) = section.tables
    assert [(r[0], r[3], r[4]) for r in table.rows] == [("d1", "2", B), ("d2", "absent", B)]
    assert "同一邮件" in table.rows[0][5] and "张三" in table.rows[0][6]
    assert metrics["if its own number were unreadable, case known only through it: no default offered"] == (1, 1)


def test_a_queued_document_of_an_unknown_case_is_measured_by_the_new_case_prefill() -> None:
    docs = [{**_doc([i, i], [1], [1], False), "id": 20 + i} for i in (1, 2, 3)]
    attachment = {"sha256": "x", "documents": docs}
    export = {"cases": [{"id": 1, "case_number": A}],
              "messages": [{"message_id": "<m>", "status": "filed", "attachments": [attachment]}]}
    truth_docs = [{"doc_id": f"d{i}", "pages": [i, i], "case": B} for i in (1, 2, 3)]
    truth = {"messages": [{"message_id": "<m>", "expected_action": "accept",
                           "attachments": [{"sha256": "x", "documents": truth_docs}]}]}
    # Right number; a misread one (must never be prefilled); nothing prefilled (doubt shown instead).
    views = {21: ReviewView([1], B), 22: ReviewView([1], "（2026）鲁0481行初20号"), 23: ReviewView([1], None)}
    metrics = {m.name: (m.numerator, m.denominator) for m in evaluate_matching(export, truth, rankings=views).metrics}
    assert metrics["queued, case not in the store: new-case form prefilled right (its number; empty when none printed)"
                   ] == (1, 3)
    assert metrics["queued, case not in the store: new-case form prefilled with a wrong number (should be 0)"] == (1, 3)


def test_a_case_without_a_printed_number_wants_an_empty_new_case_form() -> None:
    doc = {**_doc([1, 1], [], [], False), "id": 31}
    export = {"cases": [], "messages": [{"message_id": "<m>", "status": "filed",
                                         "attachments": [{"sha256": "x", "documents": [doc]}]}]}
    key = "（无案号）xzss-1"
    truth = {"cases": [{"case_number": key, "case_key_synthetic": True}],
             "messages": [{"message_id": "<m>", "expected_action": "accept",
                           "attachments": [{"sha256": "x", "documents": [{"doc_id": "d1", "pages": [1, 1],
                                                                          "case": key}]}]}]}
    name = "queued, case not in the store: new-case form prefilled right (its number; empty when none printed)"
    right = {m.name: m.numerator for m in evaluate_matching(export, truth, rankings={31: ReviewView([], None)}).metrics}
    assert right[name] == 1
    wrong = {m.name: m.numerator for m in
             evaluate_matching(export, truth, rankings={31: ReviewView([], "（2026）鲁0481行初1号")}).metrics}
    assert wrong[name] == 0
