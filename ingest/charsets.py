"""Charset decoding for what Chinese mail clients really send.

Clients label GBK text `gb2312` constantly, so every GB label is decoded as
gb18030 (a strict superset). Undeclared 8-bit bytes are tried as UTF-8, then
gb18030. Decoding never raises: the last resort is replacement characters.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

# Labels whose real content is a superset they do not admit to.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "chinese": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-2022-jp": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",  # 8-bit bytes under an ascii label are almost always UTF-8
    "ascii": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}

# Codecs that are not text encodings (base64_codec, zlib...) must never be
# reachable from a sender-chosen label.
_TEXT_CODEC_OK = re.compile(r"^[a-z0-9_\-]+$")
_BINARY_CODECS = {"base64", "hex", "zlib", "bz2", "quopri", "uu", "rot13", "rot_13", "punycode", "idna", "undefined"}

FALLBACKS = ("utf-8", "gb18030")


def normalize_charset(label: str | None) -> str | None:
    """Map a declared charset label to the Python codec we decode it with, or None."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: gb2312*zh
    name = _SUPERSETS.get(name, name)
    if not _TEXT_CODEC_OK.match(name):
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if getattr(info, "_is_text_encoding", True) is False or info.name in _BINARY_CODECS:
        return None
    return _SUPERSETS.get(info.name, info.name)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes; returns (text, how) where `how` names the codec used ("+replace" if lossy)."""
    codec = normalize_charset(declared)
    # 7-bit stateful encodings always "decode" as UTF-8, escape sequences and all.
    stateful = codec is not None and codec.startswith(("iso2022", "utf-7", "utf_7", "hz"))
    fallbacks = [] if stateful else [c for c in FALLBACKS if c != codec]
    for name in ([codec] if codec else []) + fallbacks:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    name = codec or "utf-8"
    try:
        return data.decode(name, errors="replace"), name + "+replace"
    except (LookupError, ValueError):
        return data.decode("utf-8", errors="replace"), "utf-8+replace"


def has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def raw_header_bytes(text: str) -> bytes:
    """Recover the raw bytes of a header the stdlib kept as ASCII + surrogateescape."""
    out = bytearray()
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            out.append(ord(ch) - 0xDC00)
        else:
            out += ch.encode("utf-8", errors="replace")
    return bytes(out)


def decode_8bit(text: str) -> str:
    """Turn a header value holding raw 8-bit bytes (as surrogates) into real text."""
    if "\x1b$" in text and text.isascii():  # raw ISO-2022 escape sequences, no encoded-words
        try:
            return text.encode("ascii").decode("iso2022_jp_ext")
        except UnicodeDecodeError:
            return text
    if not has_surrogates(text):
        return text
    return decode_bytes(raw_header_bytes(text))[0]


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_GB_LABEL = re.compile(r"=\?(gb2312|gbk|x-gbk|cp936|euc-cn)(\*[^?]*)?\?", re.IGNORECASE)


def relabel_gb(text: str) -> str:
    """Rewrite GB charset labels of encoded-words to gb18030 without decoding anything."""
    return _GB_LABEL.sub("=?gb18030?", text)


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "bB":
            clean = re.sub(r"[^A-Za-z0-9+/]", "", payload)
            clean += "=" * (-len(clean) % 4)
            return base64.b64decode(clean)
        return quopri.decodestring(payload.replace("_", " ").encode("ascii", errors="replace"), header=False)
    except (binascii.Error, ValueError):
        return None


def decode_header_text(value: str | None) -> str:
    """Decode an unstructured header (Subject, a filename): RFC 2047 words and raw 8-bit bytes.

    Adjacent encoded-words in one charset are joined before decoding because
    clients split a multi-byte character across two words.
    """
    if not value:
        return ""
    text = decode_8bit(value)
    text = re.sub(r"\r?\n[ \t]", " ", text).replace("\r", "").replace("\n", "")
    # (charset, chunks): charset None for literal text; chunks joined once (no quadratic concatenation).
    pieces: list[tuple[str | None, list[bytes] | str]] = []
    pos = 0
    for m in _ENCODED_WORD.finditer(text):
        literal = text[pos : m.start()]
        # Whitespace between two encoded-words is not part of the text (RFC 2047 §6.2).
        if literal and not (literal.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, literal))
        raw = _word_bytes(m.group(2), m.group(3))
        charset = m.group(1).lower()
        if raw is None:
            pieces.append((None, m.group(0)))
        elif pieces and pieces[-1][0] == charset:
            chunks = pieces[-1][1]
            assert isinstance(chunks, list)
            chunks.append(raw)
        else:
            pieces.append((charset, [raw]))
        pos = m.end()
    if pos < len(text):
        pieces.append((None, text[pos:]))
    out: list[str] = []
    for charset, chunk in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_bytes(b"".join(chunk), charset)[0])
    return "".join(out).strip()
