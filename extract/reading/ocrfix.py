"""Repairs of tesseract chi_sim output that follow from how Chinese official documents are printed.

Pure text in, text out. Only fixes that cannot turn correct text into wrong text are made: brackets
around a four-digit year (documents print （2026） before a case number and 〔2026〕 in a document
number, never 〈2026) or [2026]), marks that are not printed in these documents when they stand
unpaired, and place names of the bureau's own jurisdiction (configured) when the OCR reading
differs in one character whose glyph looks like the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

_CJK = "\u4e00-\u9fff"
_SP = r"[ \t]*"
_YEAR = rf"(\d{_SP}\d{_SP}\d{_SP}\d)"
# 〔2020〕 in document numbers; tesseract reads the tortoise-shell brackets as [ 【 ] 】.
_DOC_YEAR = re.compile(rf"[\[【〔]{_SP}{_YEAR}{_SP}[\]】〕]")
# （2026） before case numbers and in citations: read as 〈 《 “ for the opening bracket.
_CASE_YEAR = re.compile(rf"[〈《“(（]{_SP}{_YEAR}{_SP}[)）]")
# chi_sim inserts 和 between the bracketed year and the court's province character.
_STRAY_HE = re.compile(rf"([)）〕]){_SP}和{_SP}(?=[{_CJK}]{_SP}\d)")
# A lone 〈 closed by ) within the line is a round bracket (《 is a real title mark, 〈 is not used).
_ANGLE_PAREN = re.compile(r"〈([^〈〉()（）]{1,40}[)）])")
# “ or 《 closed by ) within a short span, before any ” or 》: a round bracket (上诉人（原审原告）).
_QUOTE_PAREN = re.compile(r"[“《]([^“”《》()（）\n]{1,20}[)）])")
# The gap between a judge's or clerk's title and the name in a signature block read as a mark
# (审判员。徐某, 书记员，李某): nothing is printed there.
_TITLES = "(?:代理)?(?:审判长|审判员|人民陪审员|陪审员|书记员|法官助理|执行员)"
_SIGNATURE_GAP = re.compile(rf"^([ \t]*{_TITLES})[ \t]*[。，,“”\"'·.、][ \t]*(?=[{_CJK}])", re.MULTILINE)
# A page number "- 1 -" whose 1 was read as a bracket or bar.
_PAGE_ONE = re.compile(r"^([ \t]*[-—－][ \t]*)[\]】|lI]([ \t]*[-—－][ \t]*)$", re.MULTILINE)
# ] or | standing for the digit 1 between digits or in a date.
_BAR_ONE = re.compile(r"(?<=[\d年第])[\]|](?=[\d月日号页])")
# Years in Chinese numerals (二〇二六年): 〇 is read as O, o, 0 or C.
_CN_DIGIT = "一二三四五六七八九〇"
_CN_YEAR = re.compile(rf"[{_CN_DIGIT}OoC0](?:{_SP}[{_CN_DIGIT}OoC0]){{3}}(?={_SP}年)")
_BAR = re.compile(r"[ \t]*\|[ \t]*")
# An opening quote right before punctuation or at the end of a line opens nothing.
_DEAD_QUOTE = re.compile(r"“(?=[ \t]*(?:[,，。、;；:：)）]|$))", re.MULTILINE)
# Court documents introduce lists and findings with a colon (如下： 查明： 附：); ; is a misread.
_LEAD_COLON = re.compile(r"(如下|查明|附|以下证据)[ \t]*[;；]")


_NUM = r"[\d一二三四五六七八九十]"
# chi_sim's usual misreadings in the fixed words of court documents, each where the misread form is
# no word at all: 驳回 read 双回/驱回, 不予/予以 read 不子/子以, 此致 read 此臻, 答辩 read 答状, 凭证 read
# 赁证, and the 日 of a date read 目/晶/旧/昌/曰.
_LEGAL_WORDS = (
    (re.compile(rf"[双驱](?={_SP}回{_SP}[原上起诉被再申其的])"), "驳"),
    (re.compile(rf"(?<=[不应准]){_SP}子(?={_SP}[以受支采撤纠赔准])"), "予"),
    (re.compile(rf"子(?={_SP}以{_SP}[采支纠撤受认维确驳保赔])"), "予"),
    (re.compile(rf"(?<=此){_SP}臻"), "致"),
    (re.compile(rf"(?<=答){_SP}状(?={_SP}[状人称])"), "辩"),
    (re.compile(rf"赁(?={_SP}证)"), "凭"),
    (re.compile(rf"(?<=月)({_SP}{_NUM}(?:{_SP}{_NUM})?{_SP})[目晶旧昌曰](?!{_SP}[{_CJK}]?{_SP}[年月])"), r"\1日"),
    (re.compile(rf"(?<=之){_SP}目(?={_SP}起)"), "日"),
)


def fix_legal_words(text: str) -> str:
    for pattern, repair in _LEGAL_WORDS:
        text = pattern.sub(repair, text)
    return text


def fix_brackets(text: str) -> str:
    text = _DOC_YEAR.sub(lambda m: f"〔{_digits(m[1])}〕", text)
    text = _CASE_YEAR.sub(lambda m: f"（{_digits(m[1])}）", text)
    text = _STRAY_HE.sub(r"\1", text)
    text = _CN_YEAR.sub(_cn_year, text)
    text = _QUOTE_PAREN.sub(r"（\1", text)
    return _ANGLE_PAREN.sub(r"（\1", text)


def _cn_year(m: re.Match[str]) -> str:
    year = m[0]
    if sum(ch in _CN_DIGIT for ch in year) < 2:
        return year  # 2026年 or OCR junk, not a year written in Chinese numerals
    return re.sub("[OoC0]", "〇", year)


def _digits(s: str) -> str:
    return re.sub(r"\s", "", s)


def fix_stray_marks(text: str) -> str:
    """Table rules read as | and quote marks that close nothing: not printed text."""
    text = _BAR_ONE.sub("1", text)
    text = _PAGE_ONE.sub(r"\g<1>1\g<2>", text)
    text = _BAR.sub(" ", text)
    text = _DEAD_QUOTE.sub("", text)
    text = _LEAD_COLON.sub(r"\1：", text)
    text = _SIGNATURE_GAP.sub(r"\1 ", text)
    return "\n".join(_drop_unpaired_quotes(line) for line in text.split("\n"))


def _drop_unpaired_quotes(line: str) -> str:
    if "”" not in line and "“" not in line:
        return line
    out: list[str] = []
    open_at: int | None = None
    for ch in line:
        if ch == "“":
            if open_at is not None:
                out[open_at] = ""  # an opening quote followed by another: the first was a speck
            open_at = len(out)
        elif ch == "”":
            if open_at is None:
                continue
            open_at = None
        out.append(ch)
    # An unclosed “ may close on a later line; one with nothing after it went with _DEAD_QUOTE.
    return "".join(out)


class PlaceNames:
    """Corrects one-character misreadings of configured place and court names (腾州市 → 滕州市).

    A name of three characters needs the misread glyph to look very like the right one (徐州市 is
    a real city one character away from 滕州市); longer names carry more context and accept looser
    look-alikes. Glyph likeness is measured on rendered characters, so no hand-made confusion table
    is needed; without a CJK font no corrections are made.
    """

    def __init__(self, names: Iterable[str], font_path: str | None) -> None:
        names = set(names)
        self.names = tuple(sorted({n for n in names if len(n) >= 3}, key=len, reverse=True))
        # One-character names are the short forms that start document numbers (滕政发〔2020〕5号).
        self.short_names = frozenset(n for n in names if len(n) == 1 and re.fullmatch(f"[{_CJK}]", n))
        self.font_path = font_path
        self._font = font_path or ""
        self._known_chars = frozenset("".join(self.names))

    def correct(self, text: str) -> str:
        if self.font_path is None:
            return text
        if self.names:
            text = self._correct_names(text)
        if self.short_names:
            text = _DOC_NUMBER_PREFIX.sub(self._replace_short, text)
        return text

    def _correct_names(self, text: str) -> str:
        out = list(text)
        # Names wrap across lines and OCR puts spaces between characters: compare on non-space characters.
        where = [i for i, ch in enumerate(text) if not ch.isspace()]
        chars = [text[i] for i in where]
        for name in self.names:
            size = len(name)
            for start in range(len(chars) - size + 1):
                wrong = self._misreading(chars, start, name)
                if not wrong:
                    continue
                # 吏庄市峰城区 is as near 峄城区 as 薛城区: a pick between two names would be silently wrong.
                if any(other != name and len(other) == size and self._misreading(chars, start, other)
                       for other in self.names):
                    continue
                for k in wrong:
                    chars[start + k] = name[k]
                    out[where[start + k]] = name[k]
        return "".join(out)

    def _misreading(self, chars: list[str], start: int, name: str) -> list[int]:
        """The positions where `chars` from `start` misread `name`; empty when it is not a misreading of it."""
        size = len(name)
        if chars[start] != name[0] and chars[start + 1] != name[1]:
            return []  # cheap reject: a reading keeps at least one of the first two characters
        allowed = 2 if size >= 10 else 1
        wrong: list[int] = []
        for k in range(size):
            if chars[start + k] != name[k]:
                wrong.append(k)
                if len(wrong) > allowed:
                    return []
        if wrong and self._misread(name, [chars[start + k] for k in wrong], [name[k] for k in wrong]):
            return wrong
        return []

    def _misread(self, name: str, seen: list[str], right: list[str]) -> bool:
        need = 0.86 if len(name) <= 3 else 0.78 if len(name) <= 5 else 0.6 if len(name) <= 8 else 0.5
        for a, b in zip(seen, right, strict=True):
            if not re.fullmatch(f"[{_CJK}]", a) or a in self._known_chars:
                # A character of another configured name (薛/峄城区) is a real reading, not a misreading.
                return False
            if glyph_likeness(a, b, self._font) < need:
                return False
        return True

    def _replace_short(self, m: re.Match[str]) -> str:
        first = m[1]
        if first in self.short_names:
            return m[0]
        best = max(self.short_names, key=lambda s: glyph_likeness(first, s, self._font))
        if glyph_likeness(first, best, self._font) < 0.9:
            return m[0]
        at = m.start(1) - m.start(0)
        return m[0][:at] + best + m[0][at + 1:]


# The issuing agency's abbreviation in front of a document number's 〔year〕.
_DOC_NUMBER_PREFIX = re.compile(rf"(?<=[(（〈《]){_SP}([{_CJK}])(?:{_SP}[{_CJK}]){{1,7}}{_SP}(?=〔\d{{4}}〕)")


@lru_cache(maxsize=4096)
def glyph_likeness(a: str, b: str, font_path: str) -> float:
    """0..1: how much of each glyph's ink lies near the other's, rendered in the same CJK font."""
    ga, gb = _glyph(a, font_path), _glyph(b, font_path)
    if not ga.any() or not gb.any():
        return 0.0
    kernel = np.ones((5, 5), np.uint8)
    near_a = cv2.dilate(ga.astype(np.uint8), kernel) > 0
    near_b = cv2.dilate(gb.astype(np.uint8), kernel) > 0
    return float(min((ga & near_b).sum() / ga.sum(), (gb & near_a).sum() / gb.sum()))


@lru_cache(maxsize=4096)
def _glyph(ch: str, font_path: str) -> NDArray[np.bool_]:
    font = ImageFont.truetype(font_path, 48)
    img = Image.new("L", (56, 56), 0)
    ImageDraw.Draw(img).text((4, 0), ch, font=font, fill=255)
    return np.asarray(img) > 100


_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
_FONT_NAMES = ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", "wqy-microhei.ttc", "wqy-zenhei.ttc")


@lru_cache(maxsize=8)
def find_cjk_font(configured: str = "") -> str | None:
    """The configured font if it exists, else the first known CJK font installed; None without one."""
    if configured:
        return configured if Path(configured).is_file() else None
    for name in _FONT_NAMES:
        for root in _FONT_DIRS:
            hits = sorted(Path(root).rglob(name)) if Path(root).is_dir() else []
            if hits:
                return str(hits[0])
    return None


def clean_ocr_text(text: str, places: PlaceNames | None = None) -> str:
    text = fix_legal_words(fix_stray_marks(fix_brackets(text)))
    return places.correct(text) if places is not None else text
