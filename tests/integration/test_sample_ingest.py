"""Every message of the sample mailbox: parse + unpack + sender check against its truth.json."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from ingest.parse import parse_message
from ingest.senders import SenderPolicy, SenderRegistry, check_sender
from ingest.types import Attachment
from ingest.unpack import UnpackLimits, unpack
from terms.errors import ErrorCode
from tests.support.corpus import SAMPLE


def _truth() -> list[dict[str, Any]]:
    path = SAMPLE / "truth.json"
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["messages"])


MESSAGES = _truth()


def _registry() -> SenderRegistry:
    return SenderRegistry.from_records(
        yaml.safe_load((SAMPLE / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    )


def _expected(attachments: list[dict[str, Any]], parent: str | None = None) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for att in attachments:
        out.append((att["filename"], att["sha256"], parent))
        out.extend(_expected(att.get("members", []), att["sha256"]))
    return out


def _flat_truth(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for att in attachments:
        out.append(att)
        out.extend(_flat_truth(att.get("members", [])))
    return out


def test_sample_corpus_is_present() -> None:
    assert len(MESSAGES) == 41, f"sample corpus missing or changed under {SAMPLE}"


@pytest.mark.parametrize("truth", MESSAGES, ids=[m["file"] for m in MESSAGES])
def test_message_matches_truth(truth: dict[str, Any]) -> None:
    raw = (SAMPLE / truth["file"]).read_bytes()
    sub = parse_message(raw)
    attachments: list[Attachment] = unpack(sub.parts, UnpackLimits())

    got = [(a.filename, a.sha256, a.parent_sha256) for a in attachments]
    assert got == _expected(truth["attachments"])

    assert sub.message_id == truth["message_id"]
    assert sub.from_address == truth["from_address"]
    assert sub.from_display == truth["from_display"]
    assert sub.subject == (truth["subject"] or "")
    assert sub.date is not None and sub.date.isoformat() == truth["date"]
    assert sub.in_reply_to == truth.get("in_reply_to")

    check = check_sender(sub, _registry(), SenderPolicy())
    assert str(check.status) == truth["sender_status"], check.evidence
    if check.status == "registered":
        assert check.agency_code == truth["claimed_agency"]

    for att, expected in zip(attachments, _flat_truth(truth["attachments"]), strict=True):
        anomalies = expected.get("anomalies", [])
        if "empty" in anomalies:
            assert att.error_code is not None and att.error, f"{att.filename}: empty file not flagged"
        elif expected.get("format") in ("scan_pdf", "digital_pdf"):
            # Encrypted and damaged PDFs are the extract stage's to detect; a PDF cut short (its end marker
            # missing: the sample's corrupt one) is caught here already.
            cut = ErrorCode.truncated_file if "corrupt" in anomalies else None
            assert (att.content_type, att.error_code) == ("application/pdf", cut)
        elif expected.get("format") == "docx":
            assert att.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            assert att.ok
        elif expected.get("content_type"):
            assert (att.content_type, att.error_code) == (expected["content_type"], None)
