"""Degraded scans made at test time from invented court-style text: rotated pages, fax-like bilevel TIFFs
with dithering, blur, low contrast, a red seal over the date, and pages with nothing readable on them.

All text is invented from templates here (no corpus text), so tests and bench/ocr_degraded_bench.py can
measure per-page CER against it.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.support.documents import A4_200DPI, font, jpeg_bytes, rotated

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "建国明华伟强军平志勇秀英丽敏静海燕文杰洪涛刚红霞玉兰春梅德胜立新永福晓东"
_PLACES = ("滕州市", "薛城区", "峄城区", "台儿庄区", "山亭区", "市中区")
_AGENCIES = ("自然资源和规划局", "人力资源和社会保障局", "综合行政执法局", "市场监督管理局", "住房和城乡建设局",
             "人民政府", "公安局", "生态环境局")
_CAUSES = ("房屋征收补偿", "政府信息公开", "工伤认定", "行政处罚", "不动产登记", "行政强制", "履行法定职责")
_CN = "〇一二三四五六七八九"

_BODY = (
    "原告{p}诉被告{place}{agency}{cause}一案，本院于{y}年{m}月{d}日立案后，依法组成合议庭，",
    "公开开庭审理了本案。原告{p}及其委托代理人，被告的行政机关负责人及委托代理人到庭参加诉讼。",
    "原告诉称，被告作出的行政行为认定事实不清，证据不足，适用法律错误，请求依法予以撤销。",
    "被告辩称，其作出的行政行为事实清楚，程序合法，适用法律正确，请求驳回原告的诉讼请求。",
    "经审理查明，{y}年{m}月，被告对原告作出决定书，原告不服，向本院提起行政诉讼。",
    "本院认为，根据《中华人民共和国行政诉讼法》第六十九条的规定，被告具有法定职权。",
    "被告在作出行政行为前已经依法履行告知程序，并听取了原告的陈述和申辩，程序合法。",
    "原告提出的理由缺乏事实和法律依据，本院不予支持。依照上述规定，判决如下：",
    "驳回原告{p}的诉讼请求。案件受理费五十元，由原告负担。",
    "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状，并按对方当事人的人数提出副本，",
    "上诉于山东省枣庄市中级人民法院。",
)


@dataclass(frozen=True)
class DegradedPage:
    name: str  # kind of degradation, e.g. "rotated-180", "bilevel-dither"
    data: bytes
    content_type: str
    truth: str  # the page's text, "" for pages with nothing readable
    rotation: int  # degrees counter-clockwise the page was turned by (0 = upright)
    readable: bool = True  # False: no reading is possible, the page must be flagged


def _cn_year(year: int) -> str:
    return "".join(_CN[int(d)] for d in str(year))


def _cn_num(n: int) -> str:
    if n < 10:
        return _CN[n] if n else "〇"
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def invented_judgment(rng: random.Random) -> list[str]:
    """One page of an invented first-instance judgment: header, body, signature block."""
    person = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, 2))
    place = rng.choice(_PLACES)
    year, month, day = rng.choice((2024, 2025, 2026)), rng.randint(1, 12), rng.randint(1, 28)
    values = {"p": person, "place": place, "agency": rng.choice(_AGENCIES), "cause": rng.choice(_CAUSES),
              "y": year, "m": month, "d": day}
    lines = ["山东省滕州市人民法院", "行政判决书", f"（{year}）鲁0481行初{rng.randint(1, 300)}号"]
    for template in _BODY:
        text = template.format(**values)
        lines += [text[k : k + 30] for k in range(0, len(text), 30)]
    judge = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, 2))
    signed = f"{_cn_year(year)}年{_cn_num(month)}月{_cn_num(day)}日"
    lines += ["审判长　" + judge, signed, "书记员　" + person[:1] + "某"]
    return lines


def page_image(lines: Sequence[str], seal_over_date: bool = False) -> Image.Image:
    """An A4 page at 200 dpi, RGB, the lines printed in black; optionally a red seal over the date."""
    img = Image.new("RGB", A4_200DPI, "white")
    draw = ImageDraw.Draw(img)
    f = font(40)
    y = 180
    date_y = y
    for k, line in enumerate(lines):
        x = (A4_200DPI[0] - draw.textlength(line, font=f)) / 2 if k < 3 else 150
        if k >= len(lines) - 3:
            x = A4_200DPI[0] - 650
        draw.text((x, y), line, fill=(0, 0, 0), font=f)
        if k == len(lines) - 2:
            date_y = y
        y += 66
    if seal_over_date:
        cx, cy, r = A4_200DPI[0] - 470, date_y + 20, 170
        red = (220, 40, 45)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=11)
        star = [(cx + 60 * math.cos(math.radians(90 + k * 144)), cy - 60 * math.sin(math.radians(90 + k * 144)))
                for k in range(5)]
        draw.polygon(star, fill=red)
        draw.text((cx - 140, cy - 120), "滕州市人民法院", fill=red, font=font(44))
    return img


def _dithered_tiff(img: Image.Image, dpi: int = 200) -> bytes:
    """A fax-like bilevel TIFF: grey (seals, shading) comes out as Floyd-Steinberg dither."""
    bilevel = img.convert("L").convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    buf = io.BytesIO()
    bilevel.save(buf, format="TIFF", compression="group4", dpi=(dpi, dpi))
    return buf.getvalue()


def _fax_standard(img: Image.Image) -> bytes:
    """A fax in "standard" resolution: 204 x 98 dpi, half as many rows as columns per inch."""
    grey = img.convert("L")
    width = round(grey.width * 204 / 200)
    squashed = grey.resize((width, round(grey.height * 98 / 200)), Image.Resampling.LANCZOS)
    bilevel = squashed.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    buf = io.BytesIO()
    bilevel.save(buf, format="TIFF", compression="group3", dpi=(204, 98))
    return buf.getvalue()


def _low_contrast(img: Image.Image) -> Image.Image:
    grey = np.asarray(img.convert("L"), dtype=np.float32)
    faded = 150 + grey * (95 / 255)  # ink at ~150, paper at ~245: a faint photocopy
    return Image.fromarray(faded.astype(np.uint8), mode="L")


def noise_page(rng: random.Random) -> Image.Image:
    """Speckle and smudges: ink on the page but nothing a reader could read."""
    arr = np.full((A4_200DPI[1], A4_200DPI[0]), 245, dtype=np.uint8)
    gen = np.random.default_rng(rng.randint(0, 2**31))
    for _ in range(400):
        y, x = gen.integers(0, A4_200DPI[1] - 60), gen.integers(0, A4_200DPI[0] - 60)
        arr[y : y + gen.integers(5, 50), x : x + gen.integers(5, 50)] = gen.integers(0, 120)
    return Image.fromarray(arr, mode="L").filter(ImageFilter.GaussianBlur(6))


def degraded_set(seed: int = 20, per_kind: int = 2) -> list[DegradedPage]:
    """The generated test set: `per_kind` pages of each degradation, plus pages nothing can read."""
    rng = random.Random(seed)
    kinds: list[tuple[str, Callable[[Image.Image], tuple[bytes, str]], int, bool]] = [
        ("clean", lambda im: (jpeg_bytes(im), "image/jpeg"), 0, False),
        ("rotated-90", lambda im: (jpeg_bytes(rotated(im, 90)), "image/jpeg"), 90, False),
        ("rotated-180", lambda im: (jpeg_bytes(rotated(im, 180)), "image/jpeg"), 180, False),
        ("rotated-270", lambda im: (jpeg_bytes(rotated(im, 270)), "image/jpeg"), 270, False),
        ("bilevel-dither", lambda im: (_dithered_tiff(im), "image/tiff"), 0, True),
        ("bilevel-dither-180", lambda im: (_dithered_tiff(rotated(im, 180)), "image/tiff"), 180, True),
        ("fax-standard", lambda im: (_fax_standard(im), "image/tiff"), 0, True),
        ("bilevel-dither-90", lambda im: (_dithered_tiff(rotated(im, 90)), "image/tiff"), 90, True),
        ("blur", lambda im: (jpeg_bytes(im.filter(ImageFilter.GaussianBlur(2.6)), quality=60), "image/jpeg"), 0,
         False),
        ("low-contrast", lambda im: (jpeg_bytes(_low_contrast(im).filter(ImageFilter.GaussianBlur(1.2)),
                                                quality=55), "image/jpeg"), 0, False),
        ("blur-heavy", lambda im: (jpeg_bytes(im.filter(ImageFilter.GaussianBlur(3.6)), quality=40), "image/jpeg"), 0,
         False),
        ("low-contrast-270", lambda im: (jpeg_bytes(rotated(_low_contrast(im), 270), quality=55), "image/jpeg"), 270,
         False),
        ("seal-over-date", lambda im: (jpeg_bytes(im), "image/jpeg"), 0, True),
        ("seal-over-date-grey", lambda im: (jpeg_bytes(im.convert("L")), "image/jpeg"), 0, True),
    ]
    out: list[DegradedPage] = []
    for name, make, rotation, seal in kinds:
        for _ in range(per_kind):
            lines = invented_judgment(rng)
            data, ctype = make(page_image(lines, seal_over_date=seal))
            out.append(DegradedPage(name, data, ctype, "\n".join(lines), rotation))
    for _ in range(per_kind):
        out.append(DegradedPage("noise", jpeg_bytes(noise_page(rng)), "image/jpeg", "", 0, readable=False))
    return out
