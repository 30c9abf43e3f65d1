"""The review queue's ranking: evidence printed on the document outweighs what the message says."""

from __future__ import annotations

import random

from cases.suggest import CaseFacts, DocFacts, Stored, number_doubt, suggest

A = CaseFacts(1, "（2026）鲁0481行初37号", ("张三",), "滕州市人民法院", "土地行政登记")
B = CaseFacts(2, "（2026）鲁0481行初38号", ("李四",), "滕州市人民法院", "行政处罚")
SAME_EMAIL = ("same message also holds documents of other cases besides X", "same agency")


def test_plaintiff_printed_on_the_page_outweighs_the_same_email() -> None:
    # The matcher scored the other case of the same email a little higher.
    stored = [Stored(1, 0.64, SAME_EMAIL), Stored(2, 0.62, SAME_EMAIL)]
    doc = DocFacts(None, text="行政起诉状\n原告：李四，男，汉族\n被告：滕州市自然资源局")
    out = suggest(doc, [A, B], stored, [], 0.5)
    assert [s.case_id for s in out.items] == [2, 1]
    assert any("李四" in r for r in out.items[0].reasons)
    assert out.default_case_id == 2 and out.question is None


def test_a_document_naming_other_parties_is_never_a_default_for_that_case() -> None:
    stored = [Stored(1, 0.93, ("sent in the same message as the documents of X",))]
    doc = DocFacts(None, plaintiffs=("王五",), text="原告王五")
    out = suggest(doc, [A], stored, [], 0.5)
    assert out.items[0].conflict and out.default_case_id is None
    assert out.question


def test_an_ocr_damaged_company_name_still_counts() -> None:
    case = CaseFacts(3, None, ("滕州市恒达建材有限公司",))
    doc = DocFacts(None, text="原告：滕州市恒达建村有限公司")  # 材 read as 村
    out = suggest(doc, [case], [Stored(3, 0.2, ("same agency",))], [], 0.5)
    assert "party" in out.items[0].strengths


def test_a_short_name_one_character_off_is_someone_else() -> None:
    case = CaseFacts(4, None, ("王建国",))
    out = suggest(DocFacts(None, text="原告王建军"), [case], [Stored(4, 0.2)], [], 0.5)
    assert "party" not in out.items[0].strengths


def test_ties_follow_the_visible_rule_and_ask() -> None:
    stored = [Stored(1, 0.55, SAME_EMAIL), Stored(2, 0.55, SAME_EMAIL)]
    out = suggest(DocFacts(None), [A, B], stored, [], 0.5)
    # Equal evidence and score: the newer case (higher id) first, and no default.
    assert [s.case_id for s in out.items] == [2, 1]
    assert out.default_case_id is None and "同分" in (out.question or "")
    assert "较新" in out.tie_rule


def test_stronger_evidence_breaks_a_tie_in_score() -> None:
    a = CaseFacts(1, None, (), "滕州市人民法院")
    b = CaseFacts(2, None, (), None)
    out = suggest(DocFacts(None, court="滕州市人民法院"), [a, b], [Stored(1, 0.5), Stored(2, 0.55)], [], 0.9)
    assert [s.case_id for s in out.items] == [1, 2]  # 0.55 + court vs 0.55: court first


def test_a_sibling_documents_case_is_offered() -> None:
    out = suggest(DocFacts(None), [A], [], [1], 0.5)
    assert [s.case_id for s in out.items] == [1]
    assert "同一邮件的其他文书已归入本案" in out.items[0].reasons
    assert out.default_case_id == 1


def test_no_default_below_the_threshold() -> None:
    out = suggest(DocFacts(None, text="会议通知"), [A], [Stored(1, 0.2, ("same agency",))], [], 0.5)
    assert out.items[0].score == 0.2
    assert out.default_case_id is None and "20%" in (out.question or "")


def test_own_number_wins() -> None:
    doc = DocFacts("（2026）鲁0481行初38号", text="原告张三")  # names A's plaintiff, but carries B's number
    out = suggest(doc, [A, B], [Stored(1, 0.64), Stored(2, 0.97)], [], 0.5)
    assert out.items[0].case_id == 2


def test_doubtful_numbers_are_not_prefilled() -> None:
    n = "（2026）鲁0481行初2号"
    assert number_doubt(n, (), (("text_layer", 0.0),)) is None
    assert number_doubt(n, (), (("tesseract", 0.95),)) is None
    assert number_doubt(n, (), (("tesseract", 0.62),)) is not None
    assert number_doubt(n, ("printed number X read as Y, named in the same message",), ()) is not None
    near = (Stored(1, 0.55, (f"own case number {n} differs from Y by one OCR-confusable character",)),)
    assert number_doubt(n, (), (("text_layer", 0.0),), near) is not None
    assert number_doubt(None, (), ()) is None


def test_a_document_whose_own_number_is_another_cases_is_never_defaulted_by_the_message() -> None:
    # A sibling of the same email was filed to A; the document prints a number the store does not know.
    out = suggest(DocFacts("（2005）东行终字60号"), [A], [Stored(1, 0.2, ("same agency",))], [1], 0.5)
    assert out.items[0].case_id == 1 and out.items[0].conflict
    assert any("不是本案" in r for r in out.items[0].reasons)
    assert out.default_case_id is None


def test_an_appeals_papers_go_to_the_appeal_not_to_the_judgment_appealed() -> None:
    first = CaseFacts(1, "（2026）鲁0403行初12号", ("丁娟",), "枣庄市薛城区人民法院", "不动产登记", case_type="行初")
    # The appeal case's plaintiff was misread on the case, but its other documents name 丁娟.
    appeal = CaseFacts(2, "（2026）鲁04行终44号", ("丁刀", "丁娟"), "山东省枣庄市中级人民法院", "行政登记",
                       case_type="行终", appeal_of="（2026）鲁0403行初12号")
    doc = DocFacts(None, ("丁娟",), None, "不动产登记", "行政上诉状\n上诉人（原审原告）：丁娟",
                   appeal_of="（2026）鲁0403行初12号")
    out = suggest(doc, [first, appeal], [Stored(1, 0.6), Stored(2, 0.55)], [], 0.5)
    assert [s.case_id for s in out.items] == [2, 1]
    assert any("一审" in r for r in out.items[0].reasons)
    assert out.items[1].conflict


def test_another_court_level_counts_against_a_case() -> None:
    first = CaseFacts(1, None, ("丁娟",), "枣庄市薛城区人民法院")
    appeal = CaseFacts(2, None, ("丁娟",), "山东省枣庄市中级人民法院")
    doc = DocFacts(None, ("丁娟",), "山东省枣庄市中级人民法院", text="原告丁娟")
    out = suggest(doc, [first, appeal], [Stored(1, 0.6), Stored(2, 0.6)], [], 0.5)
    assert [s.case_id for s in out.items] == [2, 1]
    assert any("不是本案法院" in r for r in out.items[1].reasons)


def test_the_same_hearing_day_counts() -> None:
    a = CaseFacts(1, None, hearing_day="06-08")
    b = CaseFacts(2, None, hearing_day="06-09")
    out = suggest(DocFacts(None, hearing_day="06-08"), [a, b], [Stored(1, 0.5), Stored(2, 0.5)], [], 0.5)
    assert out.items[0].case_id == 1 and "date" in out.items[0].strengths


def test_a_sibling_in_the_same_file_outranks_one_elsewhere_in_the_email() -> None:
    out = suggest(DocFacts(None), [A, B], [], [1, 2], 0.5, file_cases=[2])
    assert [s.case_id for s in out.items] == [2, 1]
    assert out.items[0].reasons[0].startswith("同一文件中的其他文书均已归入本案")
    # The file holds both cases: its nearest document's case first, but only the page decides a default.
    mixed = suggest(DocFacts(None), [A, B], [], [1, 2], 0.5, file_cases=[1, 2])
    assert [s.case_id for s in mixed.items] == [1, 2] and mixed.default_case_id is None


def test_message_hints_alone_ask_when_the_email_concerns_several_cases_or_the_paper_is_unknown() -> None:
    several = suggest(DocFacts(None, message_cases=2), [A], [], [1], 0.5)
    assert several.items[0].case_id == 1 and several.default_case_id is None and "2 个案件" in (several.question or "")
    untitled = suggest(DocFacts(None, identified=False), [A], [], [1], 0.5)
    assert untitled.default_case_id is None
    unread = suggest(DocFacts(None, prints_number=True), [A], [], [1], 0.5)
    assert unread.default_case_id is None
    # The document's own evidence (the plaintiff printed on it) lifts the doubt.
    named = suggest(DocFacts(None, text="原告：张三", message_cases=2), [A], [], [1], 0.5)
    assert named.default_case_id == 1


def test_ties_are_broken_by_the_latest_document_and_say_so() -> None:
    old = CaseFacts(1, None, last_activity="2026-03-01T09:00:00")
    new = CaseFacts(2, None, last_activity="2026-07-01T09:00:00")
    out = suggest(DocFacts(None), [new, old], [Stored(1, 0.55, SAME_EMAIL), Stored(2, 0.55, SAME_EMAIL)], [], 0.5)
    assert [s.case_id for s in out.items] == [2, 1]
    assert "最近收到本案文书：2026-07-01" in out.items[0].reasons
    assert out.default_case_id is None and "最近收到文书" in out.tie_rule


def test_no_default_ever_below_the_threshold() -> None:
    rng = random.Random(19)
    seen = {True: 0, False: 0}
    names = ("张三", "李四", "滕州市恒达建材有限公司", "王五")
    for _ in range(500):
        cases = [CaseFacts(i, f"（2026）鲁0481行初{i}号", (rng.choice(names),), rng.choice(("滕州市人民法院", None)),
                           last_activity=rng.choice((None, "2026-03-01"))) for i in range(1, 5)]
        stored = [Stored(c.id, round(rng.random(), 2), rng.choice(((), SAME_EMAIL)))
                  for c in cases if rng.random() < 0.7]
        doc = DocFacts(rng.choice((None, "（2026）鲁0481行初2号")), (rng.choice(names),) if rng.random() < 0.5 else (),
                       text=f"原告{rng.choice(names)}", message_cases=rng.randint(0, 3))
        threshold = rng.choice((0.5, 0.7, 0.9))
        out = suggest(doc, cases, stored, rng.sample(range(1, 5), rng.randint(0, 2)), threshold)
        seen[out.default_case_id is not None] += 1
        if out.default_case_id is not None:
            top = out.items[0]
            assert top.case_id == out.default_case_id and top.score >= threshold
            assert not top.conflict and top.doubt is None and out.question is None
        else:
            assert out.question
    assert min(seen.values()) > 50  # both branches were exercised


def test_a_stray_page_goes_with_the_case_of_its_own_file() -> None:
    # An email with two cases; the page sits in a scan whose other documents were all filed to B.
    out = suggest(DocFacts(None), [A, B], [], [1, 2], 0.5, file_cases=[2, 2])
    assert [s.case_id for s in out.items] == [2, 1]
    assert "同一文件中的其他文书均已归入本案" in out.items[0].reasons[0]
    assert out.items[0].score > out.items[1].score and out.default_case_id == 2
    # The file itself holds both cases: the nearest document's case first, and no tie.
    mixed = suggest(DocFacts(None), [A, B], [], [1, 2], 0.5, file_cases=[1, 2])
    assert [s.case_id for s in mixed.items] == [1, 2] and mixed.items[0].score > mixed.items[1].score
    # A page naming another plaintiff is never pulled in by its file.
    other = suggest(DocFacts(None, plaintiffs=("王五",), text="原告王五"), [A, B], [], [1, 2], 0.5, file_cases=[2])
    assert other.default_case_id is None
