"""pytest plugin: `pg_url`, a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth).

The database `filing_test_<random>` is created empty (run `store.migrate.upgrade`)
and dropped afterwards even with connections still open. `tests.support.databases`
holds the create/drop helpers; this fixture is for tests that need PostgreSQL only
(workers with SKIP LOCKED), where `db_url` runs on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.databases import drop_pg_database, make_pg_database

PG_URL_PREFIX = "postgresql+psycopg://postgres@127.0.0.1:5432/"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name = make_pg_database()
    try:
        yield PG_URL_PREFIX + name
    finally:
        drop_pg_database(name)
