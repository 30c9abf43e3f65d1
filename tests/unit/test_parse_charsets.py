"""Charset rules: GB labels decode as gb18030, sender labels never reach binary codecs, nothing raises."""

from __future__ import annotations

import base64

import pytest

from ingest.charsets import decode_8bit, decode_bytes, decode_header_text, normalize_charset, relabel_gb


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ('"gb2312"', "gb18030"),
        ("gb2312*zh-cn", "gb18030"),
        ("UTF8", "utf-8"),
        ("big5", "big5hkscs"),
        ("ks_c_5601-1987", "cp949"),
        ("base64", None),  # a binary codec must never be reachable from a header
        ("zlib", None),
        ("rot13", None),
        ("x-no-such-charset", None),
        ("../../etc", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset(label: str | None, codec: str | None) -> None:
    assert normalize_charset(label) == codec


def test_gbk_only_characters_under_a_gb2312_label() -> None:
    assert decode_bytes("堃镕".encode("gbk"), "gb2312") == ("堃镕", "gb18030")


def test_undeclared_bytes_try_utf8_then_gb18030() -> None:
    assert decode_bytes("答辩状".encode()) == ("答辩状", "utf-8")
    assert decode_bytes("答辩状".encode("gbk")) == ("答辩状", "gb18030")


def test_wrong_label_falls_back_and_says_so() -> None:
    text, how = decode_bytes("答辩状".encode(), "gb2312")
    assert (text, how) == ("答辩状", "utf-8")
    garbage, how = decode_bytes(b"\xff\xfe\xfd\x80", "utf-8")
    assert how.endswith("+replace") and "\ufffd" in garbage


def test_raw_8bit_header_bytes_recovered_from_surrogates() -> None:
    as_stdlib_keeps_it = "行政起诉状.pdf".encode("gbk").decode("ascii", errors="surrogateescape")
    assert decode_8bit(as_stdlib_keeps_it) == "行政起诉状.pdf"


def test_encoded_words_joined_before_decoding_and_whitespace_between_them_dropped() -> None:
    raw = "行政".encode("gbk")
    first = base64.b64encode(raw[:3]).decode()  # cuts 政 in half
    second = base64.b64encode(raw[3:]).decode()
    assert decode_header_text(f"=?gbk?B?{first}?=\r\n =?gbk?B?{second}?=") == "行政"
    assert decode_header_text("=?utf-8?Q?a?= =?utf-8?Q?b?= c =?utf-8?Q?d_e?=") == "ab c d e"


def test_malformed_encoded_words_do_not_raise() -> None:
    assert decode_header_text("=?utf-8?B?5ruV5bee?=") == "滕州"
    assert decode_header_text("=?utf-8?B?5ruV5bee5b?=")  # bad padding: best effort
    assert decode_header_text("=?nonsense?Q?abc?=") == "abc"
    assert decode_header_text("=?utf-8?X?abc?=") == "=?utf-8?X?abc?="


def test_relabel_gb_only_touches_labels() -> None:
    assert relabel_gb("=?GB2312?B?abc=?= <a@b>") == "=?gb18030?B?abc=?= <a@b>"
    assert relabel_gb("gb2312 <a@b>") == "gb2312 <a@b>"


def test_raw_iso2022_escapes_in_a_header() -> None:
    raw = "テスト".encode("iso2022_jp").decode("ascii")
    assert decode_header_text(raw) == "テスト"
