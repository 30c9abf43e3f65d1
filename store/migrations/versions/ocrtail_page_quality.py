"""pages: quality (ok / reread / unreadable) and its evidence

Revision ID: ocrtail_page_quality
Revises: scale_indexes
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ocrtail_page_quality"
down_revision: str | None = "scale_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quality", sa.String(length=16), nullable=False, server_default="ok"))
        batch_op.add_column(sa.Column("quality_evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("quality_evidence")
        batch_op.drop_column("quality")
