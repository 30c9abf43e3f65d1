"""Hostile files made at test time, small on disk: what they claim is what would hurt.

Each returns bytes; nothing here decodes or renders them.
"""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int, dpi: float | None = None, *, pixels: bool = True) -> bytes:
    """A greyscale PNG. With `pixels` the image data is real (all white, compresses to ~1/1000);
    without, only the header declares the size (the data is cut off: a bomb that is never decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    if dpi is not None:
        ppm = round(dpi / 0.0254)
        out += chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    if pixels:
        comp = zlib.compressobj(9)
        row = b"\x00" + b"\xff" * width
        data = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    else:
        data = zlib.compress(b"\x00" * 64)
    return out + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def pdf(page_w_pt: float, page_h_pt: float, image: tuple[int, int] | None = None, *,
        image_bytes: bytes | None = None, text: str | None = None) -> bytes:
    """A one-page PDF of any page size, optionally with one greyscale Flate image of the declared
    `image` size drawn over the whole page (its stream `image_bytes`, default: a few bytes), and
    optionally a line of Helvetica text."""
    objects: list[bytes] = []
    resources = b""
    content = b""
    if image is not None:
        stream = image_bytes if image_bytes is not None else zlib.compress(b"\xff" * 64)
        objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                       b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (*image, len(stream))
                       + stream + b"\nendstream")
        resources += b"/XObject << /Im0 4 0 R >> "
        content += b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q\n" % (page_w_pt, page_h_pt)
    if text is not None:
        font_id = 4 + len(objects)
        objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        resources += b"/Font << /F1 %d 0 R >> " % font_id
        content += b"BT /F1 24 Tf 72 72 Td (" + text.encode("latin-1") + b") Tj ET\n"
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << %s>> /Contents %d 0 R >>"
        % (page_w_pt, page_h_pt, resources, 4 + len(objects)),
    ]
    body = [*head, *objects, b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream"]
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
