"""fact checks, sticky human case facts, reasons on fact changes

Revision ID: factcheck_fact_checks
Revises: casenum_legacy_keys
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "factcheck_fact_checks"
down_revision: str | None = "casenum_legacy_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("human_fields", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
    op.create_table(
        "fact_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("fact", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("read_value", sa.JSON(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_value", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fact_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_checks_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fact_checks_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fact_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_checks_status"))
        batch_op.drop_index(batch_op.f("ix_fact_checks_case_id"))
    op.drop_table("fact_checks")
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("human_fields")
