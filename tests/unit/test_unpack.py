"""unpack: content addressing, ZIP members and limits, image header checks."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image

from ingest.sniff import DOCX, PDF, ZIP
from ingest.types import MimePart
from ingest.unpack import UnpackLimits, unpack
from terms.errors import ErrorCode

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
LIMITS = UnpackLimits()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_zip(members: Sequence[tuple[str | zipfile.ZipInfo, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def gbk_zip(names: list[str]) -> bytes:
    """A ZIP as Chinese Windows writes it: GBK names, UTF-8 flag unset.

    zipfile always writes non-ASCII names as UTF-8, so ASCII placeholders of the
    same byte length are written and then swapped for the GBK bytes.
    """
    encoded = [n.encode("gbk") for n in names]
    placeholders = [(b"%02d" % i) + b"_" * (len(e) - 2) for i, e in enumerate(encoded)]
    data = make_zip([(p.decode(), PDF_BYTES) for p in placeholders])
    for placeholder, real in zip(placeholders, encoded, strict=True):
        data = data.replace(placeholder, real)
    assert all(i.flag_bits & 0x800 == 0 for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    return data


def set_encrypted_flag(data: bytes, name: bytes) -> bytes:
    """Mark one member as password-protected in both its local and central headers."""
    out = bytearray(data)
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = out.find(signature)
        while pos != -1:
            if out[pos + name_offset : pos + name_offset + len(name)] == name:
                out[pos + flag_offset] |= 0x1
            pos = out.find(signature, pos + 4)
    return bytes(out)


def part(name: str, data: bytes, ctype: str = "application/octet-stream") -> MimePart:
    return MimePart(filename=name, content_type=ctype, data=data)


def test_each_part_is_content_addressed_and_sniffed() -> None:
    atts = unpack([part("a.bin", PDF_BYTES)], LIMITS)
    assert [(a.filename, a.content_type, a.sha256, a.parent_sha256, a.ok) for a in atts] == [
        ("a.bin", PDF, sha(PDF_BYTES), None, True)
    ]


def test_zip_followed_by_members_with_parent_sha() -> None:
    inner = [("起诉状.pdf", PDF_BYTES), ("答辩状.pdf", PDF_BYTES + b"2")]
    data = make_zip(inner)
    atts = unpack([part("材料.zip", data, "application/zip")], LIMITS)
    assert [(a.filename, a.content_type, a.parent_sha256) for a in atts] == [
        ("材料.zip", ZIP, None),
        ("起诉状.pdf", PDF, sha(data)),
        ("答辩状.pdf", PDF, sha(data)),
    ]
    assert [a.sha256 for a in atts[1:]] == [sha(d) for _, d in inner]


def test_gbk_member_names_are_decoded() -> None:
    names = ["（2026）鲁0481行初40号应诉通知书.pdf", "堃诉市政府答辩状.pdf"]
    atts = unpack([part("x.zip", gbk_zip(names))], LIMITS)
    assert [a.filename for a in atts[1:]] == names


def test_directories_and_junk_are_skipped_and_folders_flattened_for_display() -> None:
    data = make_zip(
        [("材料/", b""), ("材料/判决书.pdf", PDF_BYTES), ("__MACOSX/材料/._判决书.pdf", b"junk"), (".DS_Store", b"x")]
    )
    atts = unpack([part("x.zip", data)], LIMITS)
    assert [(a.filename, a.archive_path) for a in atts[1:]] == [("判决书.pdf", "材料/判决书.pdf")]


def test_path_traversal_names_are_display_names_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = make_zip([("../../etc/evil.pdf", PDF_BYTES), ("C:\\Windows\\win.pdf", PDF_BYTES), ("/abs/x.pdf", PDF_BYTES)])
    atts = unpack([part("x.zip", data)], LIMITS)
    assert [a.filename for a in atts[1:]] == ["evil.pdf", "win.pdf", "x.pdf"]
    assert atts[1].archive_path == "../../etc/evil.pdf"
    assert all(a.data == PDF_BYTES for a in atts[1:])
    assert list(tmp_path.rglob("*")) == []  # nothing was written anywhere
    assert not (tmp_path.parent.parent / "etc" / "evil.pdf").exists()


def test_zip_bomb_by_ratio_is_refused_before_reading() -> None:
    data = make_zip([("zeros.pdf", b"\0" * (20 * 1024 * 1024))])
    assert len(data) < 100_000
    atts = unpack([part("bomb.zip", data)], LIMITS)
    assert len(atts) == 1
    assert atts[0].error_code == ErrorCode.zip_bomb
    assert "zip bomb" in (atts[0].error or "")


def test_zip_bomb_by_member_count() -> None:
    data = make_zip([(f"{i}.pdf", PDF_BYTES) for i in range(30)])
    atts = unpack([part("many.zip", data)], UnpackLimits(max_members=20))
    assert [a.error_code for a in atts] == [ErrorCode.zip_bomb]
    assert "30 files" in (atts[0].error or "")


def test_total_uncompressed_budget_spans_all_archives_of_a_message() -> None:
    payload = bytes(range(256)) * 400  # ~100 KB, incompressible enough
    one = make_zip([("a.pdf", PDF_BYTES + payload + b"\n%%EOF\n")])
    limits = UnpackLimits(max_total_uncompressed=150_000)
    atts = unpack([part("1.zip", one), part("2.zip", one)], limits)
    assert [a.error_code for a in atts] == [None, None, ErrorCode.zip_bomb]


def test_member_size_limit_uses_declared_size() -> None:
    data = make_zip([("big.pdf", PDF_BYTES + bytes(range(256)) * 200)], zipfile.ZIP_STORED)
    atts = unpack([part("x.zip", data)], UnpackLimits(max_member_size=10_000))
    assert [a.error_code for a in atts] == [ErrorCode.zip_bomb]


def test_nested_zips_to_max_depth() -> None:
    level3 = make_zip([("deep.pdf", PDF_BYTES)])
    level2 = make_zip([("l3.zip", level3)])
    level1 = make_zip([("l2.zip", level2), ("top.pdf", PDF_BYTES)])
    atts = unpack([part("l1.zip", level1)], UnpackLimits(max_depth=2))
    got = [(a.filename, a.error_code, a.parent_sha256) for a in atts]
    assert got == [
        ("l1.zip", None, None),
        ("l2.zip", None, sha(level1)),
        ("l3.zip", ErrorCode.zip_bomb, sha(level2)),
        ("top.pdf", None, sha(level1)),
    ]
    deeper = unpack([part("l1.zip", level1)], UnpackLimits(max_depth=3))
    assert [a.filename for a in deeper] == ["l1.zip", "l2.zip", "l3.zip", "deep.pdf", "top.pdf"]


def test_corrupt_zip_is_an_error_not_a_crash() -> None:
    data = make_zip([("a.pdf", PDF_BYTES * 100)])
    atts = unpack([part("cut.zip", data[: len(data) // 2]), part("ok.pdf", PDF_BYTES)], LIMITS)
    assert [(a.filename, a.error_code) for a in atts] == [("cut.zip", ErrorCode.corrupt_zip), ("ok.pdf", None)]
    assert "damaged" in (atts[0].error or "")


def test_bad_crc_member_marks_archive_and_keeps_good_members() -> None:
    data = bytearray(make_zip([("good.pdf", PDF_BYTES), ("bad.pdf", PDF_BYTES + b"x" * 50)], zipfile.ZIP_STORED))
    pos = bytes(data).find(b"xxxxx")
    data[pos] ^= 0xFF  # flip a byte of bad.pdf's stored data: CRC mismatch
    atts = unpack([part("x.zip", bytes(data))], LIMITS)
    assert atts[0].error_code == ErrorCode.corrupt_zip and "bad.pdf" in (atts[0].error or "")
    assert [a.filename for a in atts[1:]] == ["good.pdf"]


def test_encrypted_member_is_reported() -> None:
    data = set_encrypted_flag(make_zip([("secret.pdf", PDF_BYTES), ("open.pdf", PDF_BYTES)]), b"secret.pdf")
    atts = unpack([part("x.zip", data)], LIMITS)
    assert atts[0].error_code == ErrorCode.corrupt_zip and "password" in (atts[0].error or "")
    assert [a.filename for a in atts[1:]] == ["open.pdf"]


def test_empty_and_unknown_files() -> None:
    atts = unpack(
        [part("送达回证.pdf", b"", "application/pdf"), part("a.rar", b"Rar!\x1a\x07\x00" + b"\x01" * 50)], LIMITS
    )
    assert [a.error_code for a in atts] == [ErrorCode.empty_file, ErrorCode.unknown_type]
    assert "RAR" in (atts[1].error or "")
    assert atts[0].sha256 == sha(b"")


def test_docx_is_not_unpacked_as_zip() -> None:
    docx = make_zip([("[Content_Types].xml", b"<x/>"), ("word/document.xml", b"<w/>")])
    atts = unpack([part("答辩状.docx", docx)], LIMITS)
    assert [(a.content_type, a.ok) for a in atts] == [(DOCX, True)]


def image_bytes(fmt: str, size: tuple[int, int], **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, fmt, **kw)
    return buf.getvalue()


def test_valid_images_pass() -> None:
    parts = [
        part("a.jpg", image_bytes("JPEG", (300, 200))),
        part("b.png", image_bytes("PNG", (300, 200))),
        part("c.tif", image_bytes("TIFF", (300, 200))),
    ]
    atts = unpack(parts, LIMITS)
    assert [(a.content_type, a.error_code) for a in atts] == [
        ("image/jpeg", None),
        ("image/png", None),
        ("image/tiff", None),
    ]


def png_with_header(width: int, height: int) -> bytes:
    """A PNG whose header claims any size (the pixel data is tiny and would not match)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def test_image_bomb_from_header_only() -> None:
    atts = unpack([part("huge.png", png_with_header(30_000, 30_000))], UnpackLimits(max_image_pixels=50_000_000))
    assert atts[0].error_code == ErrorCode.image_bomb
    under = unpack([part("ok.png", png_with_header(5_000, 5_000))], UnpackLimits(max_image_pixels=50_000_000))
    assert under[0].error_code is None
    # Our limit decides, not Pillow's default warning threshold (~89 Mpx).
    big_ok = unpack([part("ok.png", png_with_header(10_000, 10_000))], UnpackLimits(max_image_pixels=120_000_000))
    assert big_ok[0].error_code is None
    absurd = unpack([part("x.png", png_with_header(100_000, 100_000))], UnpackLimits(max_image_pixels=10**12))
    assert absurd[0].error_code == ErrorCode.image_bomb


def test_multipage_tiff_checks_every_page() -> None:
    buf = io.BytesIO()
    pages = [Image.new("1", (100, 100)), Image.new("1", (3000, 3000))]
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="group4")
    atts = unpack([part("p.tif", buf.getvalue())], UnpackLimits(max_image_pixels=1_000_000))
    assert atts[0].error_code == ErrorCode.image_bomb


def test_truncated_images_are_corrupt() -> None:
    jpg = image_bytes("JPEG", (800, 600))
    tif = image_bytes("TIFF", (800, 600))
    parts = [part("a.jpg", jpg[: len(jpg) // 2]), part("b.jpg", jpg[:40]), part("c.tif", tif[: len(tif) // 2])]
    atts = unpack(parts, LIMITS)
    assert [a.error_code for a in atts] == [ErrorCode.corrupt_image] * 3
    assert all("cut short" in (a.error or "") or "damaged" in (a.error or "") for a in atts)
