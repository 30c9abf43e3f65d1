"""indexes that keep per-row lookups independent of the store's size (issue 23, chosen from EXPLAIN)

- documents(case_id, match_status): a case's filed documents. With only the two single-column indexes
  PostgreSQL combines them (BitmapAnd), reading every accepted document's entry of the status index for
  each case: 8,700 entries per lookup at 100x the sample, for every row of a case list.
- messages(in_reply_to): whether a reminder was answered (escalation); a full scan on both databases.
- cases(agency_id, created_at): the cases an agency opened around a time, for documents without a number.

Revision ID: scale_bounded_reads
Revises: reviewer_quarantine_release
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "scale_bounded_reads"
down_revision: str | None = "reviewer_quarantine_release"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_documents_case_status", "documents", ["case_id", "match_status"]),
    ("ix_messages_in_reply_to", "messages", ["in_reply_to"]),
    ("ix_cases_agency_created", "cases", ["agency_id", "created_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
