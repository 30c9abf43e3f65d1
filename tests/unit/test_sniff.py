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


def test_files_that_are_not_mail_are_told_apart_from_mail() -> None:
    from pathlib import Path

    from ingest.sniff import NotMail, not_mail

    root = Path(__file__).resolve().parents[2]
    assert not_mail((root / "demo/mailbox/0001.eml").read_bytes()) is None
    assert not_mail(b"\r\n  \nReceived: by x\r\nFrom: a@b.example\r\n\r\nbody") is None  # stray blank lines first
    assert not_mail(b"") is NotMail.empty and not_mail(b" \n\n") is NotMail.empty
    assert not_mail(b"%PDF-1.7\n1 0 obj") is NotMail.pdf
    assert not_mail(b"\x89PNG\r\n\x1a\n....") is NotMail.image
    assert not_mail(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)) is NotMail.other_format  # Outlook .msg
    assert not_mail((root / "config.yaml").read_bytes()) is NotMail.no_headers
    assert not_mail(b"database:\n  url: sqlite:///x.db\nstorage:\n  path: var\n") is NotMail.no_headers
