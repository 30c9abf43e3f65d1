"""Roster rules (pure): what a post says about its holder, and the roster's word on a document's head
appearance — confirm, fill the rank, or disagree (a fact check), never a silent pick."""

from __future__ import annotations

import pytest

from cases.plausibility import CaseFacts, DocFacts, findings
from cases.roster import PersonRole, RosterPerson, Verdict, find_person, judge_head, person_role, title_role

ROSTER = (
    RosterPerson(1, "张三", "局长"),
    RosterPerson(2, "李四", "副局长"),
    RosterPerson(3, "王五", "法制科科长"),
    RosterPerson(4, "赵六", "党组成员", is_head=True),
    RosterPerson(5, "欧阳明华", "副主任科员"),
)


@pytest.mark.parametrize(("title", "role"), [
    ("局长", PersonRole.principal), ("党组书记、局长", PersonRole.principal), ("主任", PersonRole.principal),
    ("副局长", PersonRole.deputy), ("常务副主任", PersonRole.deputy), ("分管副局长", PersonRole.deputy),
    ("法制科科长", PersonRole.staff), ("办公室副主任", PersonRole.staff), ("副主任科员", PersonRole.staff),
    ("科员", PersonRole.staff), ("负责人", PersonRole.head), ("党组成员", PersonRole.unknown),
    ("", PersonRole.unknown), (None, PersonRole.unknown),
])
def test_title_role(title: str | None, role: PersonRole) -> None:
    assert title_role(title) == role


def test_person_role_marked_head_and_staff() -> None:
    assert [person_role(p) for p in ROSTER] == [PersonRole.principal, PersonRole.deputy, PersonRole.staff,
                                                PersonRole.head, PersonRole.staff]
    # The post decides the rank even when the entry is marked head.
    assert person_role(RosterPerson(9, "某某", "副局长", is_head=True)) == PersonRole.deputy


def test_find_person_folds_width_and_ocr_spaces() -> None:
    assert find_person("李 四", ROSTER) == ROSTER[1]
    assert find_person("欧阳 明华", ROSTER) == ROSTER[4]
    assert find_person("李", ROSTER) is None and find_person(None, ROSTER) is None
    twice = (RosterPerson(1, "张三", "局长"), RosterPerson(2, "张三", "科员"))
    assert find_person("张三", twice) is None  # ambiguous: nobody


def test_roster_confirms_fills_or_contradicts() -> None:
    agrees = judge_head(True, True, "张三", ROSTER)
    assert agrees is not None and agrees.verdict == Verdict.agrees and agrees.entry_id == 1
    fills = judge_head(True, None, "李四", ROSTER)
    assert fills is not None and (fills.verdict, fills.principal) == (Verdict.fills, False)
    assert "按应诉人员名单：李四，副局长" in fills.reason
    rank = judge_head(True, True, "李四", ROSTER)
    assert rank is not None and (rank.verdict, rank.fact) == (Verdict.conflict, "head_role")
    staff = judge_head(True, False, "王五", ROSTER)
    assert staff is not None and (staff.verdict, staff.fact) == (Verdict.conflict, "head_present")
    assert "王五，法制科科长（工作人员）" in staff.reason
    marked = judge_head(True, False, "赵六", ROSTER)
    assert marked is not None and marked.verdict == Verdict.agrees
    unknown = judge_head(True, None, "陌生人", ROSTER)
    assert unknown is not None and unknown.verdict == Verdict.not_listed and unknown.principal is None


def test_no_judgement_without_a_named_head_or_a_roster() -> None:
    assert judge_head(False, None, "张三", ROSTER) is None
    assert judge_head(None, None, "张三", ROSTER) is None
    assert judge_head(True, None, None, ROSTER) is None
    assert judge_head(True, None, "张三", ()) is None


def _doc(fields: dict[str, object]) -> DocFacts:
    from datetime import UTC, date, datetime

    return DocFacts(7, "appearance_record", datetime(2026, 3, 21, tzinfo=UTC), date(2026, 3, 21), fields, 1, 1)


def _case(**kw: object) -> CaseFacts:
    base: dict[str, object] = dict(case_number="（2026）鲁0481行初1号", notice_date=None, hearing_at=None,
                                   head_present=True, head_principal=False, head_name="王五", head_title="副局长",
                                   outcome="pending", decision_type=None, decision_date=None)
    base.update(kw)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_a_roster_conflict_is_a_fact_check_and_a_persons_word_ends_it() -> None:
    conflict = judge_head(True, False, "王五", ROSTER)
    assert conflict is not None
    fields = {"head_present": True, "head_principal": False, "head_name": "王五", "roster": conflict.as_json()}
    found = findings(_case(), [_doc(fields)])
    assert [(f.fact, f.kind.value, f.document_id) for f in found] == [("head_present", "conflict", 7)]
    assert "工作人员" in found[0].reason
    assert findings(_case(human=frozenset({"head_present", "head_role"})), [_doc(fields)]) == []
    agreeing = judge_head(True, False, "李四", ROSTER)
    assert agreeing is not None
    same = _doc({**fields, "head_name": "李四", "roster": agreeing.as_json()})
    assert findings(_case(head_name="李四"), [same]) == []


def test_a_head_not_on_the_roster_is_checked_only_when_the_rank_is_unknown_too() -> None:
    listed_rank = judge_head(True, False, "周某", ROSTER)
    assert listed_rank is not None and listed_rank.verdict == Verdict.not_listed
    stated = {"head_present": True, "head_principal": False, "head_name": "周某", "roster": listed_rank.as_json()}
    assert findings(_case(head_name="周某"), [_doc(stated)]) == []  # evidence only: the record tells the rank
    no_rank = judge_head(True, None, "周某", ROSTER)
    assert no_rank is not None
    open_rank = {**stated, "head_principal": None, "roster": no_rank.as_json()}
    (found,) = findings(_case(head_name="周某", head_principal=None), [_doc(open_rank)])
    assert (found.fact, found.kind.value, found.document_id) == ("head_role", "doubtful", 7)
    assert "周某不在本单位应诉人员名单中，文书亦未写明正职/副职" in found.reason
    # A rank known otherwise (a person, another document) settles it; so does a person's word on the role.
    assert findings(_case(head_name="周某", head_principal=True), [_doc(open_rank)]) == []
    assert findings(_case(head_name="周某", head_principal=None, human=frozenset({"head_role"})),
                    [_doc(open_rank)]) == []
    # No roster at all: nothing to judge by, no check.
    assert findings(_case(head_name="周某", head_principal=None), [_doc({**open_rank, "roster": None})]) == []


def test_plan_warning() -> None:
    from cases.plans import PlanView, plan_warning

    def plan(role: str) -> PlanView:
        return PlanView("张三", None, role, "", "reply", 1, (), role in ("principal", "deputy", "head"))

    assert plan_warning(None) == "单位尚未报告出庭负责人"
    assert plan_warning(plan("principal")) is None and plan_warning(plan("deputy")) is None
    assert plan_warning(plan("head")) is None
    assert "工作人员" in (plan_warning(plan("staff")) or "")
    assert "无法确认" in (plan_warning(plan("unknown")) or "")
