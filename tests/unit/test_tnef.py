"""winmail.dat (Outlook TNEF): its attachments are unpacked and filed like a ZIP's members."""

from __future__ import annotations

import struct

from ingest.sniff import TNEF, not_mail, sniff
from ingest.types import MimePart
from ingest.unpack import UnpackLimits, unpack
from terms.errors import ErrorCode

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _attr(level: int, attr_id: int, data: bytes) -> bytes:
    """One TNEF attribute: level, id (type << 16 | name), length, data, 16-bit checksum."""
    return struct.pack("<BII", level, attr_id, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def winmail(files: list[tuple[bytes, bytes]]) -> bytes:
    """A minimal winmail.dat as Outlook writes it: message attributes, then per file RENDDATA, TITLE, DATA."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _attr(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += _attr(1, 0x00069007, struct.pack("<II", 936, 0))  # attOemCodepage: GBK
    for name, data in files:
        out += _attr(2, 0x00069002, bytes(14))  # attAttachRendData starts an attachment
        out += _attr(2, 0x00018010, name + b"\x00")  # attAttachTitle (short name, OEM code page)
        out += _attr(2, 0x0006800F, data)  # attAttachData
    return out


def test_winmail_dat_members_become_attachments() -> None:
    data = winmail([("判决书.pdf".encode("gbk"), PDF_BYTES), (b"notes.txt", "开庭时间另行通知".encode())])
    assert sniff(data, "application/ms-tnef", "winmail.dat") == TNEF
    out = unpack([MimePart("winmail.dat", "application/ms-tnef", data)], UnpackLimits())
    assert [a.filename for a in out] == ["winmail.dat", "判决书.pdf", "notes.txt"]
    container, pdf, text = out
    assert container.ok and container.is_archive
    assert pdf.ok and pdf.content_type == "application/pdf" and pdf.data == PDF_BYTES
    assert pdf.parent_sha256 == container.sha256 and text.parent_sha256 == container.sha256
    assert text.content_type == "text/plain"


def test_a_damaged_or_empty_winmail_dat_is_an_error_not_a_crash() -> None:
    broken = winmail([(b"a.pdf", PDF_BYTES)])[:40]
    (att,) = unpack([MimePart("winmail.dat", "application/ms-tnef", broken)], UnpackLimits())
    assert att.error_code == ErrorCode.corrupt_tnef
    (only_text,) = unpack([MimePart("winmail.dat", "application/ms-tnef", winmail([]))], UnpackLimits())
    assert only_text.error_code == ErrorCode.corrupt_tnef and "no attachment" in (only_text.error or "")


def test_winmail_dat_limits_apply() -> None:
    data = winmail([(f"{i}.pdf".encode(), PDF_BYTES) for i in range(5)])
    (att,) = unpack([MimePart("winmail.dat", "application/ms-tnef", data)], UnpackLimits(max_members=3))
    assert att.error_code == ErrorCode.zip_bomb
    assert not_mail(data) is not None  # a winmail.dat given to `filing import` is not a message
