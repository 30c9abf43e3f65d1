"""`filing eval`, matching section: is every automatic filing right, and how often is it automatic?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from filing.evaluate import UNREADABLE, EvalSection, Metric, Table, _best_overlap, _walk
from terms.status import ACCEPTED_MATCHES


def _export_messages(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    # A duplicate shares its Message-ID with the delivery that was filed: the filed one wins.
    for m in sorted(export.get("messages", []), key=lambda m: m.get("status") == "duplicate"):
        if m.get("message_id"):
            out.setdefault(m["message_id"], m)
    return out


def _truth_docs(truth: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    for msg in truth.get("messages", []):
        if msg.get("expected_action") != "accept":
            continue
        for att in _walk(msg.get("attachments") or []):
            if set(att.get("anomalies") or []) & UNREADABLE:
                continue
            for doc in att.get("documents") or []:
                yield msg, att, doc


def _found(export_msg: dict[str, Any], att: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any] | None:
    docs = [
        d
        for a in export_msg.get("attachments", [])
        if a.get("sha256") == att.get("sha256")
        for d in a.get("documents", [])
    ]
    pages = doc.get("pages") or [1, 10_000]
    return _best_overlap(docs, int(pages[0]), int(pages[1]), 10_000)


def evaluate_matching(export: dict[str, Any], truth: dict[str, Any]) -> EvalSection:
    numbers = {c["id"]: c.get("case_number") for c in export.get("cases", [])}
    messages = _export_messages(export)
    auto = auto_right = belongs = belongs_auto = queued = queued_top3 = 0
    wrong: list[tuple[str, ...]] = []
    for tmsg, att, doc in _truth_docs(truth):
        emsg = messages.get(tmsg.get("message_id") or "")
        found = _found(emsg, att, doc) if emsg else None
        truth_case = doc.get("case")
        if truth_case:
            belongs += 1
        if found is None:
            continue
        status = found.get("match")
        if status in ACCEPTED_MATCHES:
            auto += 1
            got = numbers.get(found.get("case_id"))
            if got == truth_case:
                auto_right += 1
                if truth_case:
                    belongs_auto += 1
            else:
                wrong.append((doc.get("doc_id", "?"), doc.get("type", "?"), str(truth_case), str(got)))
        elif truth_case:
            queued += 1
            top3 = [numbers.get(c.get("case_id")) for c in (found.get("candidates") or [])[:3]]
            if truth_case in top3:
                queued_top3 += 1
    tables = (
        (Table("automatic filings to a wrong case", ("doc", "type", "truth", "filed to"), tuple(wrong)),)
        if wrong
        else ()
    )
    return EvalSection(
        name="matching",
        metrics=(
            Metric("auto-match precision", auto_right, auto, 1.0),
            Metric("auto-match rate (documents of a case)", belongs_auto, belongs, 0.9),
            Metric("queued with the right case in the top 3", queued_top3, queued, 1.0),
        ),
        tables=tables,
    )
