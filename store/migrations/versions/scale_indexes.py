"""indexes for lookups that grow with the store (issue 23)

Revision ID: scale_indexes
Revises: harden_revoked_sessions
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "scale_indexes"
down_revision: str | None = "harden_revoked_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_outbox_case_id", "outbox", ["case_id"]),
    ("ix_outbox_message_row_id", "outbox", ["message_row_id"]),
    ("ix_cases_appeal_of_id", "cases", ["appeal_of_id"]),
    ("ix_cases_agency_id", "cases", ["agency_id"]),
    ("ix_audit_log_object", "audit_log", ["object_type", "object_id"]),
    ("ix_messages_agency_received", "messages", ["agency_id", "received_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
