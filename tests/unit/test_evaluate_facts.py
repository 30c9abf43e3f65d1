"""`filing eval` case facts: right / unverified / silently wrong, only once the evidence arrived."""

from __future__ import annotations

from typing import Any

from filing.evaluate_facts import evaluate_facts


def _truth(**case: Any) -> dict[str, Any]:
    base = {
        "case_number": "（2031）鲁0999行初5号",
        "court": "某某市人民法院",
        "plaintiffs": ["甲某"],
        "notice_date": "2031-01-10",
        "hearing_datetime": "2031-02-01T09:30:00",
        "appearance": {"head_present": True, "principal": False, "name": "乙某", "title": "副局长"},
        "decision_date": "2031-03-02",
        "decision_type": "judgment",
        "outcome": "agency_won",
    }
    base.update(case)
    docs = [
        {"type": t, "case": base["case_number"], "pages": [i, i]}
        for i, t in enumerate(("notice_to_respond", "summons", "appearance_record", "judgment"), start=1)
    ]
    return {
        "cases": [base],
        "messages": [{"expected_action": "accept", "attachments": [{"sha256": "s1", "documents": docs}]}],
    }


def _export(**case: Any) -> dict[str, Any]:
    base = {
        "id": 1,
        "case_number": "（2031）鲁0999行初5号",
        "court": "某某市人民法院",
        "plaintiffs": ["甲某"],
        "notice_date": "2031-01-10",
        "hearing_at": "2031-02-01T09:30:00",
        "head_present": True,
        "head_principal": False,
        "head_name": "乙某",
        "head_title": "副局长",
        "decision_date": "2031-03-02",
        "decision_type": "judgment",
        "outcome": "agency_won",
    }
    base.update(case)
    return {"messages": [], "cases": [base]}


def _rows(section: Any) -> dict[str, tuple[str, ...]]:
    return {row[0]: row for row in section.tables[0].rows}


def test_all_right() -> None:
    section = evaluate_facts(_export(), _truth())
    rows = _rows(section)
    assert rows["decision_date"][1:] == ("1", "1 (100%)", "0 (0%)", "0 (0%)")
    assert set(rows) >= {"outcome", "hearing_at", "head_present", "head_role", "plaintiffs", "court", "notice_date"}
    assert section.passed


def test_wrong_missing_and_listed_unverified() -> None:
    export = _export(decision_date="2030-03-02", head_present=None, outcome="agency_lost", unverified=["outcome"])
    rows = _rows(evaluate_facts(export, _truth()))
    assert rows["decision_date"][4] == "1 (100%)"  # silently wrong
    assert rows["head_present"][3] == "1 (100%)"  # missing: waits for a person
    assert rows["outcome"][3] == "1 (100%)"  # listed as unverified, so not silently wrong


def test_fact_not_scored_before_its_document_arrived() -> None:
    truth = _truth()
    truth["messages"][0]["attachments"][0]["documents"] = truth["messages"][0]["attachments"][0]["documents"][:1]
    rows = _rows(evaluate_facts(_export(decision_date=None), truth))
    assert "decision_date" not in rows and "notice_date" in rows


def test_other_outcome_is_pending_with_a_decision() -> None:
    truth = _truth(outcome="other")
    assert _rows(evaluate_facts(_export(outcome="pending"), truth))["outcome"][2] == "1 (100%)"
    assert _rows(evaluate_facts(_export(outcome="pending", decision_type=None), truth))["outcome"][3] == "1 (100%)"


def test_document_reads_count_doubts_as_unverified() -> None:
    truth = _truth()
    doc = {"type": "judgment", "pages": [4, 4], "case_id": None, "match": "review",
           "fields": {"doc_date": "2031-03-02", "outcome": "agency_lost", "doubts": {"outcome": "unclear"}}}
    export = _export()
    export["messages"] = [{"attachments": [{"sha256": "s1", "documents": [doc]}]}]
    section = evaluate_facts(export, truth)
    by_name = {m.name: m for m in section.metrics}
    assert by_name["document: decision date read right"].numerator == 1
    assert by_name["document: outcome read right"].numerator == 0
    assert by_name["document: outcome not silently wrong"].numerator == 1


def test_decision_dates_of_court_texts_are_counted_apart_from_case_reports() -> None:
    truth = _truth(source={"text_form": "raw_document"})
    report = dict(truth["cases"][0], case_number="（2031）鲁0999行终8号", source={"text_form": "case_report"})
    truth["cases"].append(report)
    truth["messages"][0]["attachments"].append(
        {"sha256": "s2", "documents": [{"type": "judgment", "case": report["case_number"], "pages": [1, 1]}]})
    section = evaluate_facts(_export(), truth)
    metrics = {m.name: m for m in section.metrics}
    # The report's case is not in the store (it waits in review): unverified overall, not among court texts.
    assert (metrics["decision date right"].numerator, metrics["decision date right"].denominator) == (1, 2)
    court = metrics["decision date right (court's own text)"]
    assert (court.numerator, court.denominator) == (1, 1)
