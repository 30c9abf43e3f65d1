"""Test documents made on the fly: Chinese court-style pages as images, scanned PDFs, text PDFs,
mixed PDFs, encrypted PDFs, TIFFs and DOCX files. Uses the Debian fonts-noto-cjk fonts."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

NOTO_SERIF_CJK = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
NOTO_SC_INDEX = 2  # the Simplified Chinese face inside the collection

A4_200DPI = (1654, 2339)

NOTICE_LINES = (
    "山东省滕州市人民法院",
    "应诉通知书",
    "（2026）鲁0481行初12号",
    "滕州市自然资源局：",
    "本院已受理原告张三诉你单位不动产登记一案，",
    "现将起诉状副本及有关材料发送给你单位。",
    "你单位应当在收到起诉状副本之日起十五日内",
    "向本院提交作出行政行为的证据和所依据的规范性文件，",
    "并提出答辩状。被诉行政机关负责人应当出庭应诉。",
    "二〇二六年三月十三日",
)

JUDGMENT_LINES = (
    "山东省枣庄市中级人民法院",
    "行政判决书",
    "（2026）鲁04行终7号",
    "上诉人（原审原告）李四，男，汉族，住滕州市。",
    "被上诉人（原审被告）滕州市人民政府。",
    "本院认为，被诉行政行为认定事实清楚，",
    "适用法律正确，程序合法。判决如下：",
    "驳回上诉，维持原判。",
    "本判决为终审判决。",
)


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(NOTO_SERIF_CJK), size, index=NOTO_SC_INDEX)


def text_page_image(lines: Sequence[str], size: tuple[int, int] = A4_200DPI, font_px: int = 44,
                    seal: bool = False, mode: str = "L", seal_rgb: tuple[int, int, int] = (215, 30, 35),
                    ) -> Image.Image:
    """An upright A4 page at 200 dpi with the lines printed in black (optionally a red seal)."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    f = font(font_px)
    y = 220
    for line in lines:
        draw.text((170, y), line, fill=(0, 0, 0), font=f)
        y += int(font_px * 1.9)
    if seal:
        cx, cy, r = size[0] - 520, y - 60, 190
        red = seal_rgb
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=12)
        star = [(cx + 70 * math.cos(math.radians(90 + k * 144)), cy - 70 * math.sin(math.radians(90 + k * 144)))
                for k in range(5)]
        draw.polygon(star, fill=red)
        draw.text((cx - r + 40, cy - r + 60), "滕州市人民法院", fill=red, font=font(50))
    return img.convert(mode) if mode != "RGB" else img


def rotated(img: Image.Image, degrees_ccw: int) -> Image.Image:
    """The page as a scanner would deliver it turned by `degrees_ccw` (counter-clockwise)."""
    return img.rotate(degrees_ccw, expand=True, fillcolor="white" if img.mode == "RGB" else 255)


def jpeg_bytes(img: Image.Image, quality: int = 85, dpi: int = 200, exif_orientation: int | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs: dict[str, object] = {"format": "JPEG", "quality": quality, "dpi": (dpi, dpi)}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    img.save(buf, **kwargs)  # type: ignore[arg-type]
    return buf.getvalue()


def tiff_bytes(pages: Sequence[Image.Image], dpi: int = 200) -> bytes:
    """Multi-page bilevel TIFF (group 4), as office scanners send it."""
    frames = [p.convert("1") for p in pages]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(dpi, dpi))
    return buf.getvalue()


def scanned_pdf_from_jpegs(jpegs: Sequence[bytes], dpi: int = 200) -> bytes:
    """A PDF whose pages each carry one full-page JPEG, like a scanner's output."""
    pdf = pdfium.PdfDocument.new()
    for jpg in jpegs:
        with Image.open(io.BytesIO(jpg)) as probe:
            w_px, h_px = probe.size
        w_pt, h_pt = w_px * 72 / dpi, h_px * 72 / dpi
        page = pdf.new_page(w_pt, h_pt)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(io.BytesIO(jpg), inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(w_pt, h_pt))
        page.insert_obj(image)
        page.gen_content()
        page.close()
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def scanned_pdf(pages: Sequence[Image.Image], dpi: int = 200) -> bytes:
    return scanned_pdf_from_jpegs([jpeg_bytes(p, dpi=dpi) for p in pages], dpi=dpi)


def text_pdf(pages: Sequence[Sequence[str]] | None = None, scans: dict[int, Image.Image] | None = None,
             password: str | None = None) -> bytes:
    """A born-digital PDF with a real text layer (fpdf2, embedded Noto CJK); `scans` maps 0-based
    page positions to images inserted there as full-page scans (a mixed PDF)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=str(NOTO_SERIF_CJK), collection_font_number=NOTO_SC_INDEX)
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    text_pages = list(pages or [NOTICE_LINES])
    scans = dict(scans or {})
    total = len(text_pages) + len(scans)
    for position in range(total):
        pdf.add_page()
        if position in scans:
            pdf.image(io.BytesIO(jpeg_bytes(scans[position])), x=0, y=0, w=210, h=297)
            continue
        pdf.set_font("noto", size=14)
        pdf.set_xy(20, 25)
        pdf.multi_cell(0, 9, "\n".join(text_pages.pop(0)))
    return bytes(pdf.output())


def docx_bytes(paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    import docx

    document = docx.Document()
    for para in paragraphs:
        document.add_paragraph(para)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    document.add_paragraph("此致")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
