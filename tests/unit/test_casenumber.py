"""Case-number parser over real-world printed forms, OCR damage, and look-alikes that are not case numbers."""

from __future__ import annotations

import pytest

from extract.understanding.casenumber import find_case_numbers, near_miss, parse_case_number

PRINTED = [
    ("（2026）鲁0481行初37号", "（2026）鲁0481行初37号"),
    ("(2026)鲁0481行初37号", "（2026）鲁0481行初37号"),
    ("〔2026〕鲁0403行初12号", "（2026）鲁0403行初12号"),
    ("（２０２６）鲁０４行终４４号", "（2026）鲁04行终44号"),
    ("（2026）鲁行申3号", "（2026）鲁行申3号"),
    ("（2026）鲁0481行审复2号", "（2026）鲁0481行审复2号"),
    ("（2026）鲁0481行审38号", "（2026）鲁0481行审38号"),
    ("（2026）鲁0481行赔初10号", "（2026）鲁0481行赔初10号"),
    ("（2026）鲁04行赔终3号", "（2026）鲁04行赔终3号"),
    ("（2025）京73行初1234号", "（2025）京73行初1234号"),
    ("（2026）鲁04行辖终5号", "（2026）鲁04行辖终5号"),
    ("（2014）滕行初字第12号", "（2014）滕行初字第12号"),
    ("（2015）通中行终字第00129号", "（2015）通中行终字第129号"),
    ("案号：(2026)鲁04行终37号", "（2026）鲁04行终37号"),
    ("关于2026鲁0481行初37号案件的报备", "（2026）鲁0481行初37号"),  # typed without brackets
]

OCR = [
    ("( 2 0 2 6 ) 鲁 0481 行 初 37 号", "（2026）鲁0481行初37号"),
    ("(2026)和鲁0481行初12号", "（2026）鲁0481行初12号"),
    ("〈2026〉鲁0481行初12号", "（2026）鲁0481行初12号"),
    ("《2026》鲁0481行初12号", "（2026）鲁0481行初12号"),
    ("人2026)鲁04行终44号", "（2026）鲁04行终44号"),
    ("[2026]鲁0402行初24号", "（2026）鲁0402行初24号"),
    ("【2026】鲁0402行初24号", "（2026）鲁0402行初24号"),
    ("C2026J鲁0481行初3号", "（2026）鲁0481行初3号"),
    ("02026)鲁0481行初3号", "（2026）鲁0481行初3号"),
    ("(2026)鲁O481行初3号", "（2026）鲁0481行初3号"),
    ("(2026)鲁048l行初3号", "（2026）鲁0481行初3号"),
    ("(2O26)鲁0481行初3号", "（2026）鲁0481行初3号"),
    ("(2026)鲁0481行中5号", "（2026）鲁0481行申5号"),
    ("(2026)鲁0481行冉5号", "（2026）鲁0481行再5号"),
    ("(2026)鲁0481行宙38号", "（2026）鲁0481行审38号"),
    ("(2026)鲁0481行陪初10号", "（2026）鲁0481行赔初10号"),
    ("(2026) 重0402行初33号", "（2026）鲁0402行初33号"),
    ("(2026) 鲁0481]行初36号", "（2026）鲁0481行初36号"),  # table rule inside the number
    ("(2026)鲁0481行初]36号", "（2026）鲁0481行初36号"),  # unreadable province before a full court code
    ("(2026) 和鲁0403行切12号", "（2026）鲁0403行初12号"),
    ("(2026)鲁0481行初37", "（2026）鲁0481行初37号"),  # 号 cropped
    ("（2026）鲁0403行初1\n2号", "（2026）鲁0403行初12号"),  # wrapped
    ("(20\n26)鲁04行终37号", "（2026）鲁04行终37号"),
]

NOT_CASE_NUMBERS = [
    "滕政办发〔2020〕5号",
    "滕自然资罚〔2026〕227号",
    "法释〔2020〕3号",
    "联系电话：0632-5550276",
    "13805321234",
    "2026年3月5日",
    "二〇二六年三月五日",
    "（2026）鲁0481民初37号",  # civil, not administrative
    "（2026）鲁0481行保3号",  # 行保 does not exist
    "（2026）鲁0481行协3号",  # 行协 does not exist
    "（2026）鲁0000行初3号",  # impossible court code
    "（2026）鲁04810行初3号",  # five court digits
    "（1850）鲁0481行初3号",  # impossible year
    "（2026）鲁0481行初0号",  # serial zero
    "2026鲁0481行初3",  # no bracket and no 号: too weak
    "滕州市学院中路131号",
    "(2020) 各04行切2",  # unknown court character AND a look-alike type: two guesses, refused
]


@pytest.mark.parametrize(("text", "expected"), PRINTED + OCR)
def test_parses_printed_and_ocr_forms(text: str, expected: str) -> None:
    number = parse_case_number(text)
    assert number is not None, text
    assert str(number) == expected


@pytest.mark.parametrize("text", NOT_CASE_NUMBERS)
def test_rejects_look_alikes(text: str) -> None:
    assert parse_case_number(text) is None
    assert find_case_numbers(text) == []


def test_fields_of_parsed_number() -> None:
    number = parse_case_number("（2026）鲁0481行赔初10号")
    assert number is not None
    assert (number.year, number.court_code, number.type_code, number.serial, number.legacy) == (
        2026, "鲁0481", "行赔初", 10, False)
    legacy = parse_case_number("（2014）滕行初字第12号")
    assert legacy is not None and legacy.legacy and legacy.court_code == "滕"


def test_positions_and_several_numbers() -> None:
    text = "上诉人不服山东省枣庄市薛城区人民法院（2026）鲁0403行初12号行政判决，案号（2026）鲁04行终44号"
    found = find_case_numbers(text)
    assert [str(n) for n, _ in found] == ["（2026）鲁0403行初12号", "（2026）鲁04行终44号"]
    assert [pos for _, pos in found] == [text.index("（2026）鲁0403"), text.index("（2026）鲁04行终")]


def test_agency_number_next_to_case_number() -> None:
    text = "撤销《答复书》（滕农业依申复〔2026〕258号）。（2026）鲁0405行初35号"
    assert [str(n) for n, _ in find_case_numbers(text)] == ["（2026）鲁0405行初35号"]


def test_near_miss() -> None:
    assert near_miss("（2026）鲁0481行初37号", "(2026)鲁0481行初31号")
    assert near_miss("（2026）鲁0481行初36号", "(2026)鲁0481行初38号")
    assert not near_miss("（2026）鲁0481行初37号", "（2026）鲁0481行初37号")
    assert not near_miss("（2026）鲁0481行初37号", "（2026）鲁0481行初42号")
    assert not near_miss("（2026）鲁0481行初37号", "（2026）鲁0481行初373号")


def test_serial_slip() -> None:
    from extract.understanding.casenumber import serial_slip

    a = parse_case_number("（2026）鲁0403行初12号")
    b = parse_case_number("（2026）鲁0403行初1号")
    c = parse_case_number("（2026）鲁0403行初18号")
    d = parse_case_number("（2026）鲁0404行初12号")
    assert a and b and c and d
    assert serial_slip(a, b) and serial_slip(b, a)
    assert not serial_slip(a, d)  # another court
    assert not serial_slip(a, a)
    assert not serial_slip(a, parse_case_number("（2026）鲁0403行初45号") or a)
