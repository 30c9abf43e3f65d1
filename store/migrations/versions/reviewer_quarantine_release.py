"""messages: how a quarantined message was released, whether it gets a receipt, when it was discarded

Revision ID: reviewer_quarantine_release
Revises: rectify_followup
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "reviewer_quarantine_release"
down_revision: str | None = "rectify_followup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_mode", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("no_receipt", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("discarded_at", store.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("discarded_at")
        batch_op.drop_column("no_receipt")
        batch_op.drop_column("release_mode")
