"""Fact checks end to end on a database filled by the real pipeline: a judgment whose date only the page
image shows opens a check, the report waits for it, a person's value is sticky, audited and survives
re-processing, a later disagreeing document opens a new check, staff correct, add and merge cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cases.checks import open_checks
from cases.corrections import add_case, correct_fact, merge_cases, resolve_check
from cases.facts import FactValueError
from filing.export import build_export
from filing.pipeline import reprocess
from filing.report.build import build_report
from filing.report.types import Period
from store import models as m
from tests.support.factdata import CASE_901, import_judgment, later
from tests.support.webdata import WebData

Q2 = Period.quarter("2026Q2")
AS_OF = date(2026, 12, 31)


def case_901(data: WebData) -> m.Case:
    with data.app.uow() as uow:
        case = uow.session.scalar(select(m.Case).where(m.Case.case_number == CASE_901))
        assert case is not None
        uow.session.expunge(case)
        return case


def waiting(data: WebData) -> list[tuple[str, str, int | None]]:
    with data.app.uow() as uow:
        return [(c.fact, c.kind, c.page) for c in open_checks(uow.session)]


def concluded(data: WebData) -> list[str | None]:
    return [r.case_number for r in build_report(data.app, Q2, AS_OF).total.concluded.items]


def test_a_date_only_the_page_image_shows_waits_for_a_person(web_data: WebData, tmp_path: Path) -> None:
    import_judgment(web_data.app, tmp_path)
    case = case_901(web_data)
    assert case.outcome == "agency_won" and case.decision_date is None
    assert waiting(web_data) == [("decision_date", "missing", 1)]  # page 1 holds the signature block
    report = build_report(web_data.app, Q2, AS_OF)
    assert CASE_901 not in [r.case_number for r in report.total.concluded.items]
    [listed] = report.unverified
    assert listed.case_number == CASE_901 and [f.fact for f in listed.facts] == ["decision_date"]
    assert listed.facts[0].link.startswith("/checks/")
    assert [r.case_number for r in report.total.waiting.items] == [CASE_901]
    with web_data.app.uow() as uow:
        export = build_export(uow.session, AS_OF, lambda s, cases, d: {c.id: [] for c in cases})
    assert {c["case_number"]: c["unverified"] for c in export["cases"]}[CASE_901] == ["decision_date"]


def test_a_person_s_value_is_sticky_audited_and_survives_reprocessing(web_data: WebData, tmp_path: Path) -> None:
    message = import_judgment(web_data.app, tmp_path)
    with web_data.app.uow() as uow:
        [chk] = open_checks(uow.session)
        with pytest.raises(FactValueError):
            resolve_check(uow.session, chk.id, "五月某日", "reviewer")
        uow.session.rollback()
        resolve_check(uow.session, chk.id, "二〇二六年五月二十日", "reviewer")
        uow.commit()
    assert case_901(web_data).decision_date == date(2026, 5, 20)
    assert concluded(web_data) == [CASE_901]
    with web_data.app.uow() as uow:
        fact = uow.session.scalars(select(m.CaseFact).where(m.CaseFact.field == "decision_date")).one()
        assert (fact.value, fact.previous, fact.actor) == ("2026-05-20", None, "reviewer")
        assert fact.reason == "核实：按文书录入"
        audit = uow.session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "correct_fact")).one()
        assert audit.before == {"decision_date": {"decision_date": None}}
        assert audit.after == {"decision_date": {"decision_date": "2026-05-20"}}

    assert reprocess(web_data.app, message) == "filed"
    case = case_901(web_data)
    assert case.decision_date == date(2026, 5, 20) and "decision_date" in case.human_fields
    assert waiting(web_data) == []  # the same mail read again is not a later document
    assert concluded(web_data) == [CASE_901]


def test_a_later_document_that_disagrees_with_a_person_opens_a_new_check(web_data: WebData, tmp_path: Path) -> None:
    import_judgment(web_data.app, tmp_path)
    case_id = case_901(web_data).id
    with web_data.app.uow() as uow:
        correct_fact(uow.session, case_id, "outcome", "败诉", "admin", "法院电话告知改判")
        correct_fact(uow.session, case_id, "decision_date", "2026-05-20", "admin", "据判决书原件")
        uow.commit()
    assert waiting(web_data) == []
    # The agency sends the judgment again, later: it reads 胜诉 against the person's 败诉.
    import_judgment(web_data.app, tmp_path, n=51, when=later(3))
    case = case_901(web_data)
    assert case.outcome == "agency_lost"  # never overwritten
    assert waiting(web_data) == [("outcome", "contradicts", 1)]
    # The person's value still counts; the case is listed until the new check is settled.
    report = build_report(web_data.app, Q2, AS_OF)
    assert [r.case_number for r in report.total.lost.items] == [CASE_901]
    assert [u.case_number for u in report.unverified] == [CASE_901]


def test_staff_correct_any_fact_add_a_case_and_merge_two(web_data: WebData) -> None:
    with web_data.app.uow() as uow:
        s = uow.session
        case = s.scalar(select(m.Case).where(m.Case.case_number == "（2026）鲁0481行初902号"))
        assert case is not None
        correct_fact(s, case.id, "head_role", "副职", "admin", "出庭笔录")
        correct_fact(s, case.id, "hearing_at", "2026-04-27 09:30", "admin", "传票")
        uow.commit()
        with pytest.raises(FactValueError):
            correct_fact(s, case.id, "court", "某法院", "admin", "")  # a reason is required
        s.rollback()
        added = add_case(s, "admin", "法院来函告知", "（2026）鲁0481行初903号", "slj", plaintiffs="孙示例")
        uow.commit()
        case_id, added_id = case.id, added.id
    with web_data.app.uow() as uow:
        s = uow.session
        case = s.get(m.Case, case_id)
        assert case is not None
        assert (case.head_present, case.head_principal) == (True, False)
        assert case.hearing_at is not None and case.hearing_at.strftime("%Y-%m-%d %H:%M") == "2026-04-27 09:30"
        hand = s.get(m.Case, added_id)
        assert hand is not None and hand.agency is not None and hand.agency.code == "slj"
        assert hand.plaintiffs == ["孙示例"]
        # A hand-made case without a number turns out to be 902: merge it in.
        twin = add_case(s, "admin", "电话登记", "", "slj", cause="行政处罚")
        uow.commit()
        twin_id = twin.id
    with web_data.app.uow() as uow:
        merge_cases(uow.session, case_id, twin_id, "admin", "同一案件")
        uow.commit()
    with web_data.app.uow() as uow:
        s = uow.session
        assert s.get(m.Case, twin_id) is None
        actions = [(a.action, a.actor, a.note) for a in s.scalars(select(m.AuditEntry).where(
            m.AuditEntry.object_type == "case").order_by(m.AuditEntry.id))]
        assert ("merge_cases", "admin", "同一案件") in actions
        assert ("correct_fact", "admin", "出庭笔录") in actions and ("add_case", "admin", "法院来函告知") in actions
