"""data_version: a number raised in every transaction that changes what the report reads (issue 23)

The web keeps a built report for as long as this number stays the same (filing.report.cache): a page
that would rebuild the whole quarter on every request answers from the kept one, and any change to the
report's tables (cases, their documents, facts, checks, rectifications, compliances, the messages and
attachments documents come from, the agencies) makes the next request build again. Triggers, not
application code, raise it, so no writer can forget to.

- SQLite: a row trigger per table and operation raises it by one (one writer at a time anyway).
- PostgreSQL: a deferred constraint trigger per table runs at commit, per changed row, and raises the
  number once per transaction (a transaction-local setting remembers it did): writers hold the row's lock
  only while committing, and a bulk change costs one update of it. TRUNCATE has a statement trigger.

Revision ID: report_data_version
Revises: scale_bounded_reads
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "report_data_version"
down_revision: str | None = "scale_bounded_reads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "agencies",
    "cases",
    "case_facts",
    "fact_checks",
    "rectifications",
    "compliances",
    "documents",
    "attachments",
    "messages",
)
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
# Of messages and attachments the report reads only these columns (filing.report.snapshot); their other
# columns change all the time while mail is processed (a worker's claim is renewed every few seconds),
# which must not throw the kept report away.
UPDATE_COLUMNS = {"messages": "received_at, status", "attachments": "message_id, status"}


def _update_of(table: str) -> str:
    return f"UPDATE OF {UPDATE_COLUMNS[table]}" if table in UPDATE_COLUMNS else "UPDATE"


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger AS $$
BEGIN
    IF current_setting('filing.data_version_xact', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE data_version SET n = n + 1 WHERE id = 1;
        PERFORM set_config('filing.data_version_xact', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO data_version (id, n) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER data_version_{table} AFTER INSERT OR {_update_of(table)} OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version()"
            )
            op.execute(
                f"CREATE TRIGGER data_version_{table}_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
            )
        return
    for table in TABLES:
        for operation in OPERATIONS:
            event = _update_of(table) if operation == "UPDATE" else operation
            op.execute(
                f"CREATE TRIGGER data_version_{table}_{operation.lower()} AFTER {event} ON {table} "
                "BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{operation.lower()}")
    op.drop_table("data_version")
