"""Property test: every official case-number form, printed as courts and OCR print it, parses back to its key."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.types import CaseNumber
from extract.understanding.casenumber import Jurisdiction, parse_case_number
from extract.understanding.vocab import ADMIN_TYPE_CODES, EXECUTION_TYPE_CODES, PROVINCES

HOME = "鲁"
HOME_J = Jurisdiction(HOME, frozenset({"鲁04", "鲁0481"}))
BRACKETS = [("（", "）"), ("(", ")"), ("〔", "〕"), ("[", "]"), ("【", "】")]
# Characters of pre-2016 court abbreviations (none of them starts a type code).
ABBREVIATION_CHARS = "滕枣海沈高东顺郑成甬泸永穗沪一二三中法京苏安汉港蕉武当南"
LEGACY_TYPES = ["行初", "行终", "行再", "行提", "行监", "行申", "行赔初", "行赔终", "行执", "行重初", "行（知）终",
                "非诉执", "非诉行执审", "执", "行审"]
OCR_DIGITS = {"0": "O〇", "1": "lI"}
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def _court_digits() -> st.SearchStrategy[str]:
    two = st.integers(1, 99).map(lambda n: f"{n:02d}")
    four = st.tuples(st.integers(1, 99), st.integers(1, 99)).map(lambda t: f"{t[0]:02d}{t[1]:02d}")
    return st.one_of(st.just(""), two, four)


modern = st.builds(
    lambda year, province, digits, type_code, serial, suffix, spc: CaseNumber(
        year, "最高法" if spc else province + digits, type_code, serial, suffix=suffix
    ),
    st.integers(2016, 2035),
    st.sampled_from(sorted(PROVINCES)),
    _court_digits(),
    st.sampled_from([*ADMIN_TYPE_CODES, *EXECUTION_TYPE_CODES]),
    st.integers(1, 99999),
    st.sampled_from(["", "", "", "之一", "之二"]),
    st.booleans(),
)
legacy = st.builds(
    lambda year, court, type_code, serial, sub: CaseNumber(year, court, type_code, serial, legacy=True, suffix=sub),
    st.integers(1990, 2015),
    st.text(ABBREVIATION_CHARS, min_size=0, max_size=3),
    st.sampled_from(LEGACY_TYPES),
    st.integers(1, 9999),
    st.sampled_from(["", "", "", "-1"]),
)


@st.composite
def printed(draw: st.DrawFn, numbers: st.SearchStrategy[CaseNumber]) -> tuple[CaseNumber, str]:
    """A number and one way it comes out of a printer, a typist or tesseract."""
    n = draw(numbers)
    open_, close = draw(st.sampled_from(BRACKETS))
    serial = str(n.serial)
    if n.legacy:
        serial = "0" * draw(st.integers(0, 2)) + serial  # （2015）通中行终字第00129号
        middle = f"{n.court_code}{n.type_code}字{draw(st.sampled_from(['第', '']))}"
    else:
        middle = f"{n.court_code}{n.type_code}{draw(st.sampled_from(['', '第']))}"
    tail = f"号{n.suffix}" if n.suffix.startswith("之") else f"{n.suffix}号"
    digits_only = {"year": str(n.year), "serial": serial}
    if draw(st.booleans()):
        digits_only = {k: "".join(FULL_WIDTH[c] for c in v) for k, v in digits_only.items()}
    elif draw(st.booleans()):
        # OCR reads 0 as O or 〇 and 1 as l or I inside the digits.
        digits_only = {
            k: "".join(
                draw(st.sampled_from(OCR_DIGITS[c])) if c in OCR_DIGITS and draw(st.booleans()) else c for c in v
            )
            for k, v in digits_only.items()
        }
    text = f"{open_}{digits_only['year']}{close}{middle}{digits_only['serial']}{tail}"
    # Spaces between characters (letter-spaced print, OCR) anywhere inside the number.
    spaced = "".join(ch + (" " if draw(st.integers(0, 5)) == 0 else "") for ch in text)
    return n, spaced


@settings(max_examples=400, deadline=None)
@given(printed(st.one_of(modern, legacy)))
def test_every_form_parses_back_to_its_key(case: tuple[CaseNumber, str]) -> None:
    number, text = case
    parsed = parse_case_number(text, jurisdiction=HOME_J)
    assert parsed is not None, text
    assert str(parsed) == str(number), text


@settings(max_examples=200, deadline=None)
@given(printed(modern.filter(lambda n: n.court_code[0] != HOME)))
def test_other_provinces_survive_unchanged(case: tuple[CaseNumber, str]) -> None:
    number, text = case
    parsed = parse_case_number(f"本院受理的{text}一案", jurisdiction=HOME_J)
    assert parsed is not None and parsed.court_code == number.court_code, text
