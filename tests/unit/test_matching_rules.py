"""Pure filing rules: message-level evidence files a document only when nothing points elsewhere."""

from __future__ import annotations

from cases.matching import CandidateCase, DocContext, decide, rank, review_reasons, score_case

N1, N2 = "（2026）鲁0481行初37号", "（2026）鲁0481行初38号"
ONE = CandidateCase(1, N1, "zrj", plaintiffs=("张三",), court="山东省滕州市人民法院", cause_category="work_injury")


def defense(**kw: object) -> DocContext:
    base: dict[str, object] = {"own_number": None, "doc_type": "defense", "agency_code": "zrj", "title": "答辩状"}
    return DocContext(**{**base, **kw})  # type: ignore[arg-type]


def test_one_case_message_and_agreeing_document_files() -> None:
    cand = score_case(defense(sibling_numbers=(N1,), plaintiffs=("张 三",)), ONE, False)
    assert decide([cand], 0.9, 0.25) == "auto"


def test_several_cases_in_the_message_hold_for_review_whatever_the_threshold() -> None:
    cand = score_case(defense(sibling_numbers=(N1, N2)), ONE, False)
    assert cand.held and decide([cand], 0.1, 0.0) == "review"
    assert any("concerns 2 cases" in r for r in review_reasons([cand], 0.9, 0.25))


def test_disagreeing_plaintiff_court_or_cause_holds() -> None:
    for kw in (
        {"plaintiffs": ("滕州市鑫源商贸有限公司",)},
        {"court": "贵州省遵义市汇川区人民法院"},
        {"cause_category": "info_disclosure", "cause": "政府信息公开"},
    ):
        cand = score_case(defense(sibling_numbers=(N1,), **kw), ONE, False)
        assert cand.held and any(e.startswith("review: disagrees") for e in cand.evidence), kw


def test_own_number_files_and_ranks_first() -> None:
    own = score_case(defense(own_number=N1), ONE, False)
    assert not own.held and decide(rank([own]), 0.9, 0.25) == "auto"


def test_untitled_other_document_is_held() -> None:
    cand = score_case(defense(doc_type="other", title=None, text_numbers=(N1,)), ONE, False)
    assert cand.held


def test_plaintiff_of_another_case_holds_the_case_the_message_names() -> None:
    unknown_parties = CandidateCase(1, N1, "zrj")
    other = CandidateCase(2, N2, "zrj", plaintiffs=("李四",))
    ctx = defense(sibling_numbers=(N1,), plaintiffs=("李四",))
    ranked = rank([score_case(ctx, unknown_parties, False), score_case(ctx, other, False)])
    assert ranked[0].case.id == 1 and ranked[0].held
    assert decide(ranked, 0.9, 0.25) == "review"
    assert any("plaintiff is that of" in r for r in review_reasons(ranked, 0.9, 0.25))


def test_a_two_character_name_one_misread_apart_does_not_disagree() -> None:
    # OCR reads 张王 for 张三 in one document: the same plaintiff, as 3-character names already are.
    cand = score_case(defense(sibling_numbers=(N1,), plaintiffs=("张王",)), ONE, False)
    assert not any(e.startswith("review: disagrees") for e in cand.evidence)
    other = score_case(defense(sibling_numbers=(N1,), plaintiffs=("李四",)), ONE, False)
    assert other.held and any(e.startswith("review: disagrees") for e in other.evidence)
