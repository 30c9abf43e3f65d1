"""Pre-2016 case numbers are keyed without 第 (（2014）滕行初字12号), as the new grammar normalises them

Revision ID: casenum_legacy_keys
Revises: scale_indexes
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "casenum_legacy_keys"
down_revision: str | None = "ocrtail_page_quality"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Stored keys of the old form printed 字第N号; the key is now 字N号 so every printing variant meets it.
_TABLES = ("cases", "documents")


def upgrade() -> None:
    for table in _TABLES:
        op.execute(
            f"UPDATE {table} SET case_number = REPLACE(case_number, '字第', '字') WHERE case_number LIKE '%字第%'"
        )


def downgrade() -> None:
    for table in _TABLES:
        op.execute(
            f"UPDATE {table} SET case_number = REPLACE(case_number, '字', '字第') "
            "WHERE case_number LIKE '%字%' AND case_number NOT LIKE '%字第%'"
        )
