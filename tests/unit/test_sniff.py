"""sniff: the bytes decide, not the sender's label."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from ingest.sniff import DOCX, JPEG, PDF, PNG, TEXT, TIFF, UNKNOWN, ZIP, describe_unsupported, sniff


def image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (20, 20)).save(buf, fmt)
    return buf.getvalue()


def zip_of(names: list[str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name in names:
            zf.writestr(name, b"%PDF-1.4 content")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "declared", "filename", "expected"),
    [
        (b"%PDF-1.7\n...", "application/octet-stream", "scan", PDF),
        (b"\r\n\r\njunk before header %PDF-1.4\n", "application/pdf", "a.pdf", PDF),
        (image("JPEG"), "application/pdf", "a.pdf", JPEG),
        (image("PNG"), "image/jpeg", "a.jpg", PNG),
        (image("TIFF"), "application/octet-stream", "a", TIFF),
        (zip_of(["[Content_Types].xml", "word/document.xml"]), "application/zip", "a.zip", DOCX),
        (zip_of(["a.pdf"]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx", ZIP),
        (zip_of(["a.pdf"], zipfile.ZIP_STORED), "application/pdf", "a.pdf", ZIP),  # "%PDF-" inside a stored member
        ("请查收答辩状。\n".encode(), "application/octet-stream", "note", TEXT),
        ("请查收答辩状。\n".encode("gbk"), "text/plain", "note.txt", TEXT),
        ("请查收答辩状。\n".encode("gbk"), "application/pdf", "note.pdf", UNKNOWN),
        (b"\x00\x01\x02\x03binary", "application/pdf", "a.pdf", UNKNOWN),
        (b"Rar!\x1a\x07\x00rest", "application/zip", "a.zip", UNKNOWN),
        (b"", "application/pdf", "a.pdf", UNKNOWN),
    ],
)
def test_sniff(data: bytes, declared: str, filename: str, expected: str) -> None:
    assert sniff(data, declared, filename) == expected


def test_unsupported_formats_are_named() -> None:
    assert (
        describe_unsupported(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8) == "a legacy Office (.doc/.xls) document"
    )
    assert describe_unsupported(b"GIF89a....") == "a GIF image"
    assert describe_unsupported(b"%PDF-1.4") is None
