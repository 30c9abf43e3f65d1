"""282 messages from other mail parsers' test suites: each parses to a Submission, none raises or hangs."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from ingest.parse import parse_message
from ingest.senders import SenderPolicy, SenderRegistry, check_sender
from ingest.types import SenderStatus, Submission
from ingest.unpack import UnpackLimits, unpack
from tests.support.corpus import REAL_WORLD

CORPUS = REAL_WORLD
# A hang guard, not a speed target (bench/ingest_parse_bench.py measures speed): the slowest
# message takes well under a second here, so this only trips on a runaway.
PER_MESSAGE_LIMIT_S = 20.0


def _index() -> list[dict[str, Any]]:
    path = CORPUS / "index.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


INDEX = _index()
REGISTRY = SenderRegistry.from_records(
    [{"code": "zrj", "name": "滕州市自然资源局", "short_name": "自然资源局", "addresses": ["176823509@qq.com"]}]
)


def test_corpus_is_complete() -> None:
    assert len(INDEX) == 282, f"real-world corpus missing or changed under {CORPUS}"
    assert all((CORPUS / e["file"]).exists() for e in INDEX)


@pytest.mark.timeout(600)
def test_every_message_parses_unpacks_and_gets_a_status() -> None:
    results: dict[str, Submission] = {}
    slow: list[tuple[float, str]] = []
    for entry in INDEX:
        raw = (CORPUS / entry["file"]).read_bytes()
        started = time.monotonic()
        sub = parse_message(raw)
        attachments = unpack(sub.parts, UnpackLimits())
        check = check_sender(sub, REGISTRY, SenderPolicy())
        elapsed = time.monotonic() - started
        if elapsed > PER_MESSAGE_LIMIT_S:
            slow.append((elapsed, entry["file"]))
        assert isinstance(sub, Submission)
        assert sub.raw == raw
        # None of them comes from a registered agency: all must be held.
        assert check.status != SenderStatus.registered, entry["file"]
        assert len(attachments) >= len(sub.parts)
        assert all(a.error_code is None or a.error for a in attachments), "every error carries a message"
        results[entry["file"]] = sub
    assert not slow, f"messages beyond the hang guard: {slow}"
    assert len(results) == len(INDEX) == 282


def test_cjk_messages_decode_without_replacement_characters() -> None:
    """Subjects of the CJK-charset messages come out as real text where the charset is honest."""
    cjk = [e for e in INDEX if set(e["cjk_charsets"]) & {"gb2312", "gbk", "gb18030", "big5", "euc-kr", "shift_jis"}]
    assert cjk, "no CJK messages in the index"
    decoded = 0
    for entry in cjk:
        sub = parse_message((CORPUS / entry["file"]).read_bytes())
        if sub.subject and "\ufffd" not in sub.subject and any(ord(ch) > 0x2E80 for ch in sub.subject + sub.body_text):
            decoded += 1
    # One is double-encoded Big5 mojibake at the source, one has no subject.
    assert decoded >= len(cjk) - 2, f"only {decoded} of {len(cjk)} CJK messages decoded"


def test_nested_messages_keep_their_attachments() -> None:
    """message/rfc822 parts are opened: the attachments inside become parts, the text joins the body."""
    (entry,) = [e for e in INDEX if e["file"].endswith("attachment_emails__attachment_message_rfc822.eml")]
    sub = parse_message((CORPUS / entry["file"]).read_bytes())
    assert [p.filename for p in sub.parts] == ["broken.pdf"]
    (encoded,) = [e for e in INDEX if e["file"].endswith("resources__eml__rfc__008.eml")]  # base64 message/rfc822
    body = parse_message((CORPUS / encoded["file"]).read_bytes()).body_text
    assert "Subject: HTML test" in body and "This is an *HTML* test message" in body
