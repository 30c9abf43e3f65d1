"""The review queue's ranking: evidence printed on the document outweighs what the message says."""

from __future__ import annotations

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
