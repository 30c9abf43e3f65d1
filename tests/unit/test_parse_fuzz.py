"""Mutated messages (hypothesis, bounded): parse, unpack and sender check never raise."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.parse import parse_message
from ingest.senders import SenderPolicy, SenderRegistry, check_sender
from ingest.types import Submission
from ingest.unpack import UnpackLimits, unpack
from tests.support.corpus import REAL_WORLD as _RW

REAL_WORLD = _RW / "messages"

_PDF = base64.encodebytes(b"%PDF-1.4\n%%EOF\n").replace(b"\n", b"\r\n")
_ZIP = base64.encodebytes(
    bytes.fromhex(
        "504b03041400000000000000210000000000000000000000000005000000612e706466"
        "504b01021403140000000000000021000000000000000000000000000500000000000000000000000000000000"
        "612e706466504b0506000000000100010033000000230000000000"
    )
).replace(b"\n", b"\r\n")

SEEDS: list[bytes] = [
    b"From: =?gb2312?B?0NDV/g==?= <a@example.org>\r\nSubject: =?GBK?B?0NDV/tOmy98=?=\r\n"
    b"Date: Thu, 05 Feb 2026 14:52:19 +0800\r\nMessage-ID: <x@y>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain; charset=gb2312\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n=D0=D0=D5=FE\r\n--B\r\n"
    b'Content-Type: application/pdf; name="\xd0\xd0\xd5\xfe.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
    b"Content-Disposition: attachment; filename*=gb2312''%D0%D0.pdf\r\n\r\n" + _PDF + b"--B\r\n"
    b'Content-Type: application/zip; name="a.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + _ZIP + b"--B--\r\n",
    b"From: alice@example.org)<bob@example.org>\r\nContent-Type: message/rfc822\r\n\r\n"
    b'From: c@d\r\nContent-Type: multipart/alternative; boundary="A"\r\n\r\n--A\r\nContent-Type: text/html\r\n\r\n'
    b"<p>hi</p>\r\n--A--\r\n",
]
SEEDS.append(
    b"Authentication-Results: mx.example; dkim=pass header.d=example.org header.s=s1; spf=fail "
    b"smtp.mailfrom=example.org; dmarc=pass (p=none) header.from=example.org\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=example.org; s=s1; h=from:subject;\r\n"
    b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==\r\n"
    b"From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n"
)
SEEDS += [p.read_bytes() for p in sorted(REAL_WORLD.glob("*.eml")) if p.stat().st_size < 6000][::12]

TOKENS = [
    b"\r\n",
    b"\r\n\r\n",
    b"--",
    b"--B\r\n",
    b"--B--",
    b'boundary="B"',
    b"Content-Type: multipart/mixed; boundary=B\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"=?gb2312?B?",
    b"=?utf-8?Q?=E6=",
    b"?=",
    b"filename*0*=",
    b"filename*1=",
    b"''%",
    b'"',
    b";",
    b"\x00",
    b"\xff\xfe",
    b"\xd0\xd0",
    b"<",
    b">",
    b"@",
    b",",
    b"(",
    b"From: x@y\r\n",
    b"\t",
]

REGISTRY = SenderRegistry(addresses={"a@example.org": "a", "bob@example.org": "b"})


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["insert", "flip", "delete", "truncate", "duplicate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "insert":
            data[pos:pos] = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=16)))
        elif op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
        elif op == "duplicate":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 200))]
    return bytes(data)


@settings(
    max_examples=150,
    deadline=None,  # speed lives in bench/; pytest-timeout guards against hangs
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_messages_never_raise(raw: bytes) -> None:
    sub = parse_message(raw)
    assert isinstance(sub, Submission)
    assert sub.from_address is None or (sub.from_address == sub.from_address.lower() and "@" in sub.from_address)
    assert sub.from_address is None or sub.from_count == 1
    attachments = unpack(sub.parts, UnpackLimits())
    assert len(attachments) >= len(sub.parts)
    policy = SenderPolicy(authserv_ids=("mx.example",), verify_dkim=True, dnsfunc=_no_dns)
    check = check_sender(sub, REGISTRY, policy)
    assert check.evidence


def _no_dns(name: bytes, timeout: int = 5) -> bytes | None:
    return b"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC" if name.startswith(b"s1.") else None


def test_seeds_are_loaded() -> None:
    assert len(SEEDS) >= 10, f"real-world corpus missing under {REAL_WORLD}"
    assert [p.filename for p in parse_message(SEEDS[0]).parts] == ["行.pdf", "a.zip"]


def _archive_and_images() -> list[bytes]:
    import io
    import zipfile

    from PIL import Image

    out = []
    for fmt in ("JPEG", "PNG", "TIFF"):
        buf = io.BytesIO()
        Image.new("L", (64, 48), 128).save(buf, fmt)
        out.append(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.pdf", b"%PDF-1.4\n" + bytes(range(256)))
        zf.writestr("sub/b.zip", _zip_bytes())
        zf.writestr("[Content_Types].xml", b"<x/>")
    out.append(buf.getvalue())
    return out


def _zip_bytes() -> bytes:
    return base64.decodebytes(_ZIP)


FILES = _archive_and_images()


@st.composite
def mutated_file(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FILES)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["flip", "truncate", "insert"]))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_file())
def test_mutated_archives_and_images_never_raise(data: bytes) -> None:
    from ingest.types import MimePart

    attachments = unpack([MimePart("x", "application/octet-stream", data)], UnpackLimits())
    assert attachments and attachments[0].data == data
    assert all(a.ok or a.error for a in attachments)
    assert all(a.error_code != "internal" for a in attachments), attachments[0].error
