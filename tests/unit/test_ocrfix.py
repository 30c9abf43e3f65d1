"""OCR text repairs: brackets, stray marks, jurisdiction names (glyphs compared in the Noto CJK font)."""

from __future__ import annotations

import pytest

from extract.reading.ocrfix import (
    PlaceNames,
    clean_ocr_text,
    find_cjk_font,
    fix_brackets,
    fix_legal_words,
    fix_stray_marks,
    glyph_likeness,
)

FONT = find_cjk_font()
NAMES = ["山东省", "枣庄市", "滕州市", "薛城区", "峄城区", "滕", "枣",
         "山东省枣庄市中级人民法院", "山东省枣庄市台儿庄区人民法院", "枣庄市薛城区人民法院"]

needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font (apt install fonts-noto-cjk)")


@pytest.mark.parametrize(("ocr", "fixed"), [
    ("(滕交通依申复【2025]252号)", "(滕交通依申复〔2025〕252号)"),
    ("应诉通知书[2026]和鲁04行终44号", "应诉通知书〔2026〕鲁04行终44号"),
    ("人民法院〈2026)鲁0481行初3号", "人民法院（2026）鲁0481行初3号"),
    ("行政判决书(2026)和鲁0405行初3号", "行政判决书（2026）鲁0405行初3号"),
    ("《决定书》〈滕市监罚\n〔2026〕65号)", "《决定书》（滕市监罚\n〔2026〕65号)"),
    ("二C二六年五月十八日", "二〇二六年五月十八日"),
    ("二O二六年", "二〇二六年"),
    ("上诉人“原审原告):朱某", "上诉人（原审原告):朱某"),
    ("被申请人《一审被告、二审被上诉人)", "被申请人（一审被告、二审被上诉人)"),
])
def test_brackets_and_years(ocr: str, fixed: str) -> None:
    assert fix_brackets(ocr) == fixed


@pytest.mark.parametrize("text", [
    "《中华人民共和国行政诉讼法》第四十九条",  # title marks stay
    "2026年3月6日",  # Arabic years are not Chinese-numeral years
    "和解协议(2026年)",  # 和 before a year is text, and "(2026年)" is no bracketed year
    "〈附件〉",  # a paired angle bracket is left alone
    "《规定（试行）》及“情况说明（附件）”",  # real title marks and quotes around brackets
    "本案由审判员李某独任审理。",
])
def test_correct_text_is_left_alone(text: str) -> None:
    assert clean_ocr_text(text) == text


def test_stray_marks() -> None:
    assert fix_stray_marks("承办人:冯超” 联系电话:0632") == "承办人:冯超 联系电话:0632"
    assert fix_stray_marks("《申请表》“，申请公开") == "《申请表》，申请公开"
    assert fix_stray_marks("以“经检索不存在”为由") == "以“经检索不存在”为由"
    assert fix_stray_marks("工作单位或住址|滕州市学院中路") == "工作单位或住址 滕州市学院中路"
    assert fix_stray_marks("1988年]月28日 学院中路13]号") == "1988年1月28日 学院中路131号"
    assert fix_stray_marks("认证如下;被告") == "认证如下：被告"
    assert fix_stray_marks("二〇一九年八月十六日\n- 】 -") == "二〇一九年八月十六日\n- 1 -"
    assert fix_stray_marks("审判员。徐某\n代理审判员“蒋某\n书记员,李某") == "审判员 徐某\n代理审判员 蒋某\n书记员 李某"


@pytest.mark.parametrize(("ocr", "fixed"), [
    ("判决如下:双回原告的诉讼请求", "判决如下:驳回原告的诉讼请求"),
    ("请求驱回上诉", "请求驳回上诉"),
    ("本院不子支持", "本院不予支持"),
    ("依法应 子 撤销，本院子以采信", "依法应予 撤销，本院予以采信"),  # spaces do not count
    ("此臻\n山东省某市人民法院", "此致\n山东省某市人民法院"),
    ("提交答状状", "提交答辩状"),
    ("送达赁证", "送达凭证"),
    ("2026年6月30目14时", "2026年6月30日14时"),
    ("二〇二六年五月十八晶", "二〇二六年五月十八日"),
    ("自收到之目起", "自收到之日起"),
])
def test_legal_word_misreadings(ocr: str, fixed: str) -> None:
    assert fix_legal_words(ocr) == fixed


@pytest.mark.parametrize("text", ["子女", "双方回避", "赁房合同", "第3目", "答状"])
def test_real_words_near_the_misreadings_stay(text: str) -> None:
    assert fix_legal_words(text) == text


@needs_font
def test_glyph_likeness_separates_look_alikes() -> None:
    assert FONT is not None
    assert glyph_likeness("腾", "滕", FONT) > 0.95
    assert glyph_likeness("徐", "滕", FONT) < 0.86  # 徐州市 is a real city
    assert glyph_likeness("一", "滕", FONT) < 0.5


@needs_font
@pytest.mark.parametrize(("ocr", "fixed"), [
    ("被告腾州市人民政府", "被告滕州市人民政府"),
    ("此致\n山东省吏庄市中级人民\n法院", "此致\n山东省枣庄市中级人民\n法院"),
    ("山东省束庄前台儿庄区人民法院", "山东省枣庄市台儿庄区人民法院"),  # two misreadings in a long name
    ("决定书》（腾市监罚 〔2026〕65号)", "决定书》（滕市监罚 〔2026〕65号)"),
])
def test_place_names_are_corrected(ocr: str, fixed: str) -> None:
    assert PlaceNames(NAMES, FONT).correct(ocr) == fixed


@needs_font
@pytest.mark.parametrize("text", [
    "住徐州市云龙区",  # another real city one character away
    "枣庄市峄城区人民法院",  # 峄 is itself a configured name's character
    "（徐公罚〔2025〕88号）",  # another city's document number
    "腾讯公司",
])
def test_real_names_are_not_corrected(text: str) -> None:
    assert PlaceNames(NAMES, FONT).correct(text) == text


@needs_font
def test_a_reading_as_near_two_names_is_left_alone() -> None:
    # 峰 looks like 峄 and, less, like 薛: either correction would be a guess, and a wrong guess looks certain.
    names = ["枣庄市峄城区人民法院", "枣庄市薛城区人民法院"]
    fixer = PlaceNames(names, FONT)
    if not (fixer._misreading(list("吏庄市峰城区人民法院"), 0, names[0])
            and fixer._misreading(list("吏庄市峰城区人民法院"), 0, names[1])):
        pytest.skip("this font does not make 峰 close to both")
    assert fixer.correct("吏庄市峰城区人民法院") == "吏庄市峰城区人民法院"
    assert fixer.correct("束庄市峄城区人民法院") == "枣庄市峄城区人民法院"


def test_without_a_font_nothing_is_corrected() -> None:
    assert PlaceNames(NAMES, None).correct("腾州市") == "腾州市"
