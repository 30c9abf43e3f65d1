"""The notifications eval section counts receipts and reminders against a truth."""

from __future__ import annotations

from filing.evaluate_notify import evaluate_notifications
from notify.render import receipt_message_id

D = "filing.tzsfj.local"


def test_counts_receipts_and_reminder_overlap() -> None:
    truth = {
        "receipt_message_id_rule": f"<receipt-{{sha1(original Message-ID without <>)[:16]}}@{D}>",
        "messages": [
            {"file": "m1", "message_id": "<a@x>", "expected_action": "accept"},
            {"file": "m2", "message_id": "<b@x>", "expected_action": "accept"},
            {"file": "m3", "message_id": "<c@x>", "expected_action": "quarantine"},
        ],
        "expectations": {"missing_documents": [
            {"case": "A", "missing_detectable": ["defense"]},
            {"case": "B", "missing_detectable": ["summons"]},
        ]},
    }
    export = {
        "as_of": "2026-12-31",
        "outbox": [
            {"kind": "receipt", "message_id": receipt_message_id("<a@x>", D), "in_reply_to": "<a@x>",
             "subject": "Re: x", "case_numbers": []},
            {"kind": "receipt", "message_id": receipt_message_id("<c@x>", D), "in_reply_to": "<c@x>",
             "subject": "Re: y", "case_numbers": []},
            {"kind": "reminder_missing", "message_id": "<r1@x>", "case_numbers": ["A"]},
            {"kind": "reminder_missing", "message_id": "<r2@x>", "case_numbers": ["C"]},
        ],
        "cases": [
            {"case_number": "A", "missing": ["defense"]},
            {"case_number": "B", "missing": ["summons"]},  # no reminder sent for B
            {"case_number": "C", "missing": ["complaint"]},
        ],
    }
    section = evaluate_notifications(export, truth)
    values = [(x.numerator, x.denominator) for x in section.metrics]
    # receipts 1 of 2; both receipts threaded; 1 of 1 quarantined answered; reminders 1 of 2 each way.
    assert values == [(1, 2), (2, 2), (1, 1), (1, 2), (1, 2)]
    assert not section.passed


def test_exact_duplicate_shares_the_original_receipt() -> None:
    truth = {
        "messages": [
            {"file": "m1", "message_id": "<a@x>", "expected_action": "accept"},
            {"file": "m2", "message_id": "<a@x>", "expected_action": "ignore_duplicate"},
        ],
        "expectations": {"missing_documents": []},
    }
    receipt = {"kind": "receipt", "message_id": receipt_message_id("<a@x>", D), "in_reply_to": "<a@x>",
               "subject": "Re: x", "case_numbers": []}
    one = evaluate_notifications({"outbox": [receipt], "cases": []}, truth)
    assert [(m.numerator, m.denominator) for m in one.metrics][:3] == [(1, 1), (1, 1), (0, 1)]
    two = evaluate_notifications({"outbox": [receipt, dict(receipt)], "cases": []}, truth)
    assert [(m.numerator, m.denominator) for m in two.metrics][2] == (1, 1)
