"""Hostile files made at test time, small on disk: what they claim is what would hurt.

Each returns bytes; nothing here decodes or renders them.
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


def png(width: int, height: int, dpi: float | None = None, *, pixels: bool = True, rgb: bool = False) -> bytes:
    """A greyscale PNG. With `pixels` the image data is real (all white, compresses to ~1/1000);
    without, only the header declares the size (the data is cut off: a bomb that is never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    channels = 3 if rgb else 1
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0))
    if dpi is not None:
        ppm = round(dpi / 0.0254)
        out += chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    if pixels:
        comp = zlib.compressobj(9)
        row = b"\x00" + b"\xff" * (width * channels)
        data = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    else:
        data = zlib.compress(b"\x00" * 64)
    return out + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class PdfPage:
    width_pt: float = 595.0
    height_pt: float = 842.0
    image: tuple[int, int] | None = None  # a greyscale Flate image of this declared size over the page
    image_bytes: bytes | None = None  # its stream (default: a few bytes, never enough for the size)
    text: str | None = None  # a line of Helvetica text
    nul_chars: str = ""  # characters of `text` whose ToUnicode mapping is U+0000 (a font missing a glyph map)


def pdf(page_w_pt: float, page_h_pt: float, image: tuple[int, int] | None = None, *,
        image_bytes: bytes | None = None, text: str | None = None) -> bytes:
    """A one-page PDF of any page size (see PdfPage)."""
    return pdf_pages([PdfPage(page_w_pt, page_h_pt, image, image_bytes, text)])


def _tounicode(nul_chars: str) -> bytes:
    entries = b"".join(b"<%02X> <0000>\n" % ord(c) for c in nul_chars)
    return (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"%d beginbfchar\n" % len(nul_chars) + entries
            + b"endbfchar endcmap CMapName currentdict /CMapResource defineresource pop end end\n")


def pdf_pages(pages: list[PdfPage], repeat: int = 1) -> bytes:
    """A PDF of `pages`; with `repeat` the page list is referenced that many times (a 5,000-page
    PDF of a few hundred bytes)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # 2: the page tree, filled in below

    def add(obj: bytes) -> int:
        objects.append(obj)
        return len(objects)

    page_ids = []
    for page in pages:
        resources = b""
        content = b""
        if page.image is not None:
            stream = page.image_bytes if page.image_bytes is not None else zlib.compress(b"\xff" * 64)
            im = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                     b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (*page.image, len(stream))
                     + stream + b"\nendstream")
            resources += b"/XObject << /Im0 %d 0 R >> " % im
            content += b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q\n" % (page.width_pt, page.height_pt)
        if page.text is not None:
            extra = b""
            if page.nul_chars:
                cmap = _tounicode(page.nul_chars)
                extra = b" /ToUnicode %d 0 R" % add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream")
            font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica%s >>" % extra)
            resources += b"/Font << /F1 %d 0 R >> " % font
            line = page.text.encode("latin-1")
            content += b"BT /F1 24 Tf 72 %.2f Td (" % (page.height_pt - 100) + line + b") Tj ET\n"
        contents = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream")
        page_ids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << %s>> "
                            b"/Contents %d 0 R >>" % (page.width_pt, page.height_pt, resources, contents)))
    kids = b" ".join(b"%d 0 R" % i for i in page_ids * repeat)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids) * repeat)
    body = objects
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    return out


# --- hostile messages ------------------------------------------------------------------------
# Each is a whole email with what it should leave behind. Built at test time: the bombs are
# claims in headers, never large on disk.

AUTHSERV_ID = "mx.bureau.example"  # the batch's senders.authserv_id
SLJ = "demo-shili@agency.example.invalid"  # registered to agency slj in demo/agencies.yaml
PASS_AR = f"{AUTHSERV_ID}; dkim=pass header.d=agency.example.invalid; dmarc=pass header.from=agency.example.invalid"
Check = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class HostileCase:
    name: str
    raw: bytes
    status: str  # the message's final status
    sender: str | None = "registered"
    errors: tuple[str | None, ...] | None = None  # each attachment's error code in order (None: read)
    check: Check | None = None  # further assertions on the exported message

    @property
    def subject(self) -> str:
        return f"hostile:{self.name}"


def _headers(name: str, sender: str, display: str, ar: list[str], extra: list[tuple[str, str]]) -> EmailMessage:
    msg = EmailMessage()
    for value in ar:  # topmost first, as a receiving MTA prepends
        msg["Authentication-Results"] = value
    for key, value in extra:
        msg[key] = value
    if sender:
        msg["From"] = f"{display} <{sender}>" if display else sender
    msg["To"] = "filing@bureau.example.invalid"
    msg["Subject"] = f"hostile:{name}"
    msg["Date"] = "Mon, 02 Mar 2026 09:30:00 +0800"
    msg["Message-ID"] = f"<hostile-{name}@agency.example.invalid>"
    return msg


def mail(name: str, files: list[tuple[str, bytes]] = (), *, sender: str = SLJ,  # type: ignore[assignment]
         display: str = "示例管理局法规科", ar: list[str] | None = None, body: str = "请查收。",
         extra: list[tuple[str, str]] = ()) -> bytes:  # type: ignore[assignment]
    """A message with attachments sent as application/octet-stream (our sniffing decides)."""
    msg = _headers(name, sender, display, [PASS_AR] if ar is None else ar, list(extra))
    msg.set_content(body)
    for filename, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return bytes(msg)


def raw_mail(name: str, parts: list[bytes], *, ar: list[str] | None = None, close: bool = True) -> bytes:
    """A multipart message assembled by hand, for parts no well-behaved library writes."""
    head = bytes(_headers(name, SLJ, "示例管理局法规科", [PASS_AR] if ar is None else ar, []))
    head = head.rstrip(b"\r\n").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    out = head + b'\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BOUND"\r\n\r\n'
    out += b"--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "请查收。".encode() + b"\r\n"
    for part in parts:
        out += b"--BOUND\r\n" + part
    return out + (b"--BOUND--\r\n" if close else b"")


def b64_part(filename: str, data: bytes, *, cut_chars: int = 0, size: int | None = None) -> bytes:
    """An attachment part in base64 (76-character lines); `cut_chars` drops that many characters
    from the end of the encoding; `size` adds Content-Disposition's size parameter."""
    encoded = base64.b64encode(data)
    if cut_chars:
        encoded = encoded[:-cut_chars]
    lines = b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    size_param = b"; size=%d" % size if size is not None else b""
    return (b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b'Content-Disposition: attachment; filename="' + filename.encode() + b'"' + size_param
            + b"\r\n\r\n" + lines + b"\r\n")


def zip_of(members: list[tuple[str, bytes]], level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def zeros_zip_member(name: str, size: int) -> bytes:
    """A ZIP whose one member inflates to `size` zero bytes (~1/1000 of it on disk)."""
    buf = io.BytesIO()
    with (zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
          zf.open(name, "w", force_zip64=True) as fh):
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            fh.write(chunk)
    return buf.getvalue()


def tiff_frames(count: int) -> bytes:
    from PIL import Image

    frames = [Image.new("L", (2, 2), 255) for _ in range(count)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def nested(depth: int) -> bytes:
    """A message whose one attachment sits `depth` multipart levels deep."""
    inner = b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=deep.pdf\r\n\r\n%PDF-1.4\r\n"
    for level in range(depth):
        b = b"L%d" % level
        inner = (b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n--' + b + b"\r\n" + inner
                 + b"\r\n--" + b + b"--\r\n")
    return inner


def _no_case(number: str) -> Check:
    def check(msg: dict[str, Any]) -> None:
        docs = [d for a in msg["attachments"] for d in a["documents"]]
        assert docs, "the documents are read"
        assert all(d["match"] in ("review", "none") and d["case_id"] is None for d in docs), docs
        assert all(d["case_number"] != number or d["case_id"] is None for d in docs)
    return check


def _filed_auto(msg: dict[str, Any]) -> None:
    docs = [d for a in msg["attachments"] for d in a["documents"]]
    assert docs and all(d["match"] == "auto" for d in docs), docs


def _evidence(text: str) -> Check:
    def check(msg: dict[str, Any]) -> None:
        assert any(text in e for e in msg["sender_evidence"]), msg["sender_evidence"]
    return check


def _all(*checks: Check) -> Check:
    def check(msg: dict[str, Any]) -> None:
        for c in checks:
            c(msg)
    return check


def _safe_member_names(msg: dict[str, Any]) -> None:
    members = [a for a in msg["attachments"] if a.get("parent")]
    assert members, "the member is listed"
    for a in members:
        assert "/" not in a["filename"] and "\\" not in a["filename"] and not a["filename"].startswith(".")


def _partial(msg: dict[str, Any]) -> None:
    (att,) = msg["attachments"]
    assert att["status"] == "partial" and att["pages_extracted"] == 2, att


def hostile_cases(notice_pdf: Callable[[str], bytes], encrypted_pdf: bytes) -> list[HostileCase]:
    """The hostile batch. `notice_pdf(number)`: a born-digital court notice for that case number."""
    small_pdf = pdf(595, 842, text="Hello world, a page with a text layer")
    good = notice_pdf("（2026）鲁0481行初951号")
    cases = [
        # --- who sent it --------------------------------------------------------------------
        HostileCase("auth_ok", mail("auth_ok", [("应诉通知书.pdf", good)]), "filed", errors=(None,), check=_filed_auto),
        HostileCase("auth_ok_resent", mail("auth_ok", [("应诉通知书.pdf", good)], body="再次发送。"), "duplicate",
                    sender=None),
        HostileCase("forged_ar_below_ours", mail("forged_ar_below_ours",
                    [("通知.pdf", notice_pdf("（2026）鲁0481行初952号"))],
                    ar=[f"{AUTHSERV_ID}; spf=none smtp.mailfrom=agency.example.invalid", PASS_AR]), "filed",
                    check=_all(_no_case("（2026）鲁0481行初952号"), _evidence("claim our authserv-id"))),
        HostileCase("forged_ar_below_other", mail("forged_ar_below_other",
                    [("通知.pdf", notice_pdf("（2026）鲁0481行初953号"))], ar=["relay.example.org; none", PASS_AR]),
                    "filed", check=_no_case("（2026）鲁0481行初953号")),
        HostileCase("plain_forged_from", mail("plain_forged_from",
                    [("通知.pdf", notice_pdf("（2026）鲁0481行初954号"))],
                    ar=[]), "filed", check=_all(_no_case("（2026）鲁0481行初954号"), _evidence("waits for review"))),
        HostileCase("display_name_spoof", mail("display_name_spoof", [("通知.pdf", small_pdf)],
                    sender="x@attacker.example",
                    display="滕州市示例管理局", ar=[]), "quarantined", sender="spoofed"),
        HostileCase("two_from_mailboxes", mail("two_from_mailboxes", [("通知.pdf", small_pdf)],
                    sender=f"x@attacker.example, {SLJ}", display="", ar=[]), "quarantined", sender="spoofed"),
        HostileCase("unregistered", mail("unregistered", [("通知.pdf", small_pdf)], sender="clerk@unregistered.example",
                    display="", ar=[]), "quarantined", sender="unregistered"),
        HostileCase("our_mta_says_fail", mail("our_mta_says_fail", [("通知.pdf", small_pdf)],
                    ar=[f"{AUTHSERV_ID}; dmarc=fail header.from=agency.example.invalid"]), "quarantined",
                    sender="spoofed"),
        HostileCase("parseaddr_bypass", mail("parseaddr_bypass", [("通知.pdf", small_pdf)],
                    sender=f"{SLJ})<bob@attacker.example>", display="", ar=[]), "quarantined", sender="unregistered"),
        HostileCase("no_from", mail("no_from", [("通知.pdf", small_pdf)], sender="", ar=[]), "quarantined",
                    sender="unregistered"),
        # --- resources --------------------------------------------------------------------------
        HostileCase("png_declares_52dpi", mail("png_declares_52dpi", [("scan.png", png(4000, 4000, 52))]), "filed",
                    errors=(None,)),
        HostileCase("png_header_bomb", mail("png_header_bomb", [("scan.png", png(100_000, 100_000, pixels=False))]),
                    "incomplete", errors=("image_bomb",)),
        HostileCase("png_over_pixel_limit", mail("png_over_pixel_limit", [("scan.png", png(9000, 9000, pixels=False))]),
                    "incomplete", errors=("image_bomb",)),
        HostileCase("pdf_huge_page", mail("pdf_huge_page", [("huge.pdf", pdf(14400, 14400))]), "incomplete",
                    errors=("image_bomb",)),
        HostileCase("pdf_huge_image", mail("pdf_huge_image", [("image.pdf", pdf(595, 842, (30000, 30000)))]),
                    "incomplete", errors=("image_bomb",)),
        HostileCase("pdf_one_page_too_large", mail("pdf_one_page_too_large", [("mixed.pdf", pdf_pages(
                    [PdfPage(text="Hello world, a page with a text layer"), PdfPage(14400, 14400)]))]),
                    "incomplete", errors=("image_bomb",), check=_partial),
        HostileCase("pdf_5000_pages", mail("pdf_5000_pages", [("long.pdf", pdf_pages([PdfPage(text="x")], 5000))]),
                    "incomplete", errors=("too_many_pages",)),
        HostileCase("zip_bomb", mail("zip_bomb", [("bomb.zip", zeros_zip_member("a.pdf", 64 << 20))]), "incomplete",
                    errors=("zip_bomb",)),
        HostileCase("zip_nested_deep", mail("zip_nested_deep", [("n.zip", _nested_zip(6, small_pdf))]), "incomplete",
                    check=lambda m: _any_error(m, "zip_bomb")),
        HostileCase("zip_traversal_names", mail("zip_traversal_names", [("t.zip", zip_of(
                    [("../../../etc/evil.pdf", small_pdf), ("/abs/x.pdf", small_pdf)]))]), "filed",
                    check=_safe_member_names),
        HostileCase("zip_truncated", mail("zip_truncated", [("cut.zip", zip_of([("a.pdf", small_pdf * 20)])[:-200])]),
                    "incomplete", errors=("corrupt_zip",)),
        HostileCase("tiff_1001_frames", mail("tiff_1001_frames", [("many.tif", tiff_frames(1001))]), "incomplete",
                    errors=("image_bomb",)),
        HostileCase("jpeg_cut_short", mail("jpeg_cut_short", [("cut.jpg", _jpeg()[:-400])]), "incomplete",
                    errors=("corrupt_image",)),
        HostileCase("png_cut_short", mail("png_cut_short", [("cut.png", png(300, 300, 200)[:-30])]), "incomplete",
                    errors=("corrupt_image",)),
        HostileCase("attachments_300", mail("attachments_300", [(f"空{i}.pdf", b"") for i in range(300)]),
                    "incomplete", errors=("empty_file",) * 300),
        HostileCase("encrypted_pdf", mail("encrypted_pdf", [("加密.pdf", encrypted_pdf)]), "incomplete",
                    errors=("encrypted_pdf",)),
        HostileCase("empty_attachment", mail("empty_attachment", [("空.pdf", b"")]), "incomplete",
                    errors=("empty_file",)),
        HostileCase("exe_named_pdf", mail("exe_named_pdf", [("通知.pdf", b"MZ\x90\x00" + b"\x00" * 300)]), "incomplete",
                    errors=("unknown_type",)),
        HostileCase("docx_bomb", mail("docx_bomb", [("答辩状.docx", _docx_bomb())]), "incomplete",
                    errors=("zip_bomb",)),
        HostileCase("docx_damaged", mail("docx_damaged", [("答辩状.docx", zip_of(
                    [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<not-xml")]))]), "incomplete",
                    errors=("corrupt_docx",)),
        # --- cut short in transit ------------------------------------------------------------------
        HostileCase("base64_cut_mid_quantum", raw_mail("base64_cut_mid_quantum",
                    [b64_part("a.pdf", good, cut_chars=3)]),
                    "incomplete", errors=("truncated_file",)),
        HostileCase("base64_cut_at_line", raw_mail("base64_cut_at_line",
                    [b64_part("a.pdf", good[: len(good) // 2 // 57 * 57])]),
                    "incomplete", errors=("truncated_file",)),
        HostileCase("declared_size_larger", raw_mail("declared_size_larger",
                    [b64_part("a.pdf", small_pdf, size=900_000)]),
                    "incomplete", errors=("truncated_file",)),
        HostileCase("pdf_cut_inside_zip", mail("pdf_cut_inside_zip", [("z.zip", zip_of([("a.pdf", good[:2000])]))]),
                    "incomplete", check=lambda m: _any_error(m, "truncated_file")),
        HostileCase("mail_cut_mid_attachment", raw_mail("mail_cut_mid_attachment",
                    [b64_part("a.pdf", good)[: 3000]], close=False), "incomplete", errors=("truncated_file",)),
        # --- structure and text ----------------------------------------------------------------
        HostileCase("mime_nested_80", _with_body("mime_nested_80", nested(80)), "no_attachments"),
        # Past 1,000 header fields the rest (From: among them) is dropped: held as from nobody.
        HostileCase("header_bomb", mail("header_bomb", [("a.pdf", small_pdf)], extra=[("X-Junk", "x" * 50)] * 3000),
                    "quarantined", sender="unregistered"),
        HostileCase("huge_subject", mail("huge_subject", [("a.pdf", small_pdf)], extra=[("X-Long", "长" * 100_000)]),
                    "filed", errors=(None,)),
        HostileCase("nul_in_body", mail("nul_in_body", [("通知.pdf", notice_pdf("（2026）鲁0481行初955号"))],
                    body="正文\x00含空字符"), "filed", check=_filed_auto),
        HostileCase("nul_in_text_layer", mail("nul_in_text_layer", [("日期.pdf", pdf_pages(
                    [PdfPage(text="2O26 2O27 Hello world this is a test of text", nul_chars="O")]))]), "filed",
                    errors=(None,)),
        HostileCase("unknown_charset", _with_body("unknown_charset",
                    b"Content-Type: text/plain; charset=x-no-such\r\n\r\n\xd5\xfd\xce\xc4\r\n"), "no_attachments"),
        HostileCase("png_declared_as_pdf", mail("png_declared_as_pdf", [("scan.pdf", png(400, 300, 200))]), "filed",
                    errors=(None,), check=lambda m: _content_type(m, "image/png")),
        HostileCase("html_script_body", _with_body("html_script_body", b"Content-Type: text/html; charset=utf-8\r\n\r\n"
                    b"<p>hello</p><script>alert(1)</script>\r\n"), "no_attachments"),
        HostileCase("no_attachments", mail("no_attachments", []), "no_attachments"),
    ]
    return cases


def _any_error(msg: dict[str, Any], code: str) -> None:
    assert any(a["error_code"] == code for a in msg["attachments"]), [a["error_code"] for a in msg["attachments"]]


def _content_type(msg: dict[str, Any], ctype: str) -> None:
    assert msg["attachments"][0]["content_type"] == ctype


def _nested_zip(depth: int, inner: bytes) -> bytes:
    data = zip_of([("a.pdf", inner)])
    for level in range(depth):
        data = zip_of([(f"level{level}.zip", data)])
    return data


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (300, 300), 200).save(buf, format="JPEG")
    return buf.getvalue()


def _docx_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return buf.getvalue()


def _with_body(name: str, part: bytes) -> bytes:
    """A message whose whole body is `part` (headers + content)."""
    head = bytes(_headers(name, SLJ, "示例管理局法规科", [PASS_AR], []))
    head = head.rstrip(b"\r\n").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return head + b"\r\nMIME-Version: 1.0\r\n" + part
