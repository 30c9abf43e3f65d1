"""`filing eval`, notifications section: the outbox against the truth's messages and expectations.

Receipts: one per filed message, none for quarantined or duplicate mail, each a reply with the
deterministic receipt Message-ID. Reminders: the missing documents the truth says a pipeline can
detect (`missing_detectable`) against the cases that got a missing-documents reminder, per
document type (the reminder's documents are the case's `missing` list as of the same date,
computed by the same rules).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from filing.evaluate import EvalSection, Metric, Table
from notify.render import receipt_message_id
from terms.status import OutboxKind

RECEIPT_EXPECTED = frozenset({"accept", "request_resend", "no_case_documents"})
RECEIPT_FORBIDDEN = frozenset({"quarantine", "ignore_duplicate"})


def _domain(truth: dict[str, Any]) -> str:
    rule = str(truth.get("receipt_message_id_rule") or "")
    return rule.rpartition("@")[2].rstrip(">") or "filing.tzsfj.local"


def evaluate_notifications(export: dict[str, Any], truth: dict[str, Any]) -> EvalSection:
    outbox = export.get("outbox", [])
    receipts = [o for o in outbox if o["kind"] == OutboxKind.receipt]
    by_mid = Counter(o["message_id"] for o in receipts)
    domain = _domain(truth)

    expected = forbidden = got = wrong = threaded = 0
    missing_rows: list[tuple[str, ...]] = []
    # An exact duplicate shares its original's Message-ID, hence its receipt's: only extra receipts count.
    answerable = Counter(m.get("message_id") for m in truth.get("messages", [])
                         if m.get("expected_action") in RECEIPT_EXPECTED)
    for msg in truth.get("messages", []):
        mid = msg.get("message_id")
        if not mid:
            continue
        count = by_mid.get(receipt_message_id(mid, domain), 0)
        action = msg.get("expected_action")
        if action in RECEIPT_EXPECTED:
            expected += 1
            if count == 1:
                got += 1
            else:
                missing_rows.append((msg["file"], action, f"{count} receipt(s)"))
        elif action in RECEIPT_FORBIDDEN:
            forbidden += 1
            if count > answerable.get(mid, 0):
                wrong += 1
                missing_rows.append((msg["file"], action, f"{count} receipt(s), expected none"))
    for o in receipts:
        expected_id = receipt_message_id(o["in_reply_to"], domain) if o.get("in_reply_to") else None
        if expected_id == o["message_id"] and str(o.get("subject", "")).startswith("Re: "):
            threaded += 1

    exp = truth.get("expectations", {})
    want = {(row["case"], t) for row in exp.get("missing_documents", []) for t in row.get("missing_detectable", [])}
    reminded_cases = {n for o in outbox if o["kind"] == OutboxKind.reminder_missing for n in o.get("case_numbers", [])}
    have = {
        (c["case_number"], t)
        for c in export.get("cases", [])
        if c.get("case_number") in reminded_cases
        for t in c.get("missing", [])
    }
    hit = want & have
    kinds = Counter(o["kind"] for o in outbox)
    reminder_rows = tuple(
        (case, t, "yes" if (case, t) in have else "no", "yes" if (case, t) in want else "no")
        for case, t in sorted(want | have)
    )
    return EvalSection(
        name="Notifications (outbox)",
        metrics=(
            Metric("receipts: filed messages with exactly one receipt", got, expected, 1.0),
            Metric("receipts: threaded (In-Reply-To + receipt Message-ID + Re:)", threaded, len(receipts), 1.0),
            Metric("receipts: quarantined/duplicate messages answered (should be 0)", wrong, forbidden),
            Metric("missing-document reminders: recall of missing_detectable", len(hit), len(want), 0.9),
            Metric("missing-document reminders: precision", len(hit), len(have), 0.9),
        ),
        tables=(
            Table("Outbox rows by kind", ("kind", "rows"), tuple((k, str(v)) for k, v in sorted(kinds.items()))),
            Table("Missing documents: reminded vs. truth", ("case", "document", "reminded", "truth"), reminder_rows),
            *(
                (Table("Receipt problems", ("message", "expected action", "found"), tuple(missing_rows)),)
                if missing_rows
                else ()
            ),
        ),
        notes=(
            f"as of {export.get('as_of')}; receipts matched by the deterministic receipt Message-ID "
            f"(<receipt-sha1(Message-ID)[:16]@{domain}>).",
        ),
    )
