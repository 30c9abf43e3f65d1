"""The store on SQLite and PostgreSQL: migrations, constraints, registry, blobs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from store import models as m
from store.blobs import BlobStore
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.registry import load_registry, read_registry
from store.uow import UnitOfWork

REGISTRY = Path(__file__).resolve().parents[2] / "demo" / "agencies.yaml"


def test_migration_creates_the_schema_the_models_describe(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    assert {"agencies", "cases", "messages", "documents", "outbox", "audit_log"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_registry_load_is_an_upsert(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        r1 = load_registry(uow.session, read_registry(REGISTRY))
        uow.commit()
    changed = tmp_path / "agencies.yaml"
    changed.write_text(
        REGISTRY.read_text(encoding="utf-8").replace("示例管理局\n", "示例局\n") + "  - NEW@Agency.Example.invalid\n",
        encoding="utf-8",
    )
    with UnitOfWork(factory) as uow:
        r2 = load_registry(uow.session, read_registry(changed))
        uow.commit()
    assert r1.added == 2 and r1.addresses >= 2
    assert (r2.added, r2.updated, r2.addresses) == (0, 1, 1)
    with UnitOfWork(factory) as uow:
        addr = uow.session.scalar(
            select(m.AgencyAddress).where(m.AgencyAddress.address == "new@agency.example.invalid")
        )
        assert addr is not None and addr.agency.code == "szf"


def test_a_delivery_is_stored_once_and_datetimes_come_back_aware(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    when = datetime(2026, 3, 5, 1, 2, 3, tzinfo=UTC)
    with UnitOfWork(factory) as uow:
        uow.session.add(m.Message(raw_sha256="a" * 64, source="import", received_at=when))
        uow.commit()
    with UnitOfWork(factory) as uow:
        uow.session.add(m.Message(raw_sha256="a" * 64, source="import", received_at=when))
        with pytest.raises(IntegrityError):
            uow.commit()
    with UnitOfWork(factory) as uow:
        row = uow.session.scalar(select(m.Message))
        assert row is not None and row.received_at == when and row.received_at.tzinfo is not None


def test_uncommitted_work_is_rolled_back(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        uow.session.add(m.Agency(code="x", name="X"))
    with UnitOfWork(factory) as uow:
        assert uow.session.scalar(select(m.Agency)) is None


def test_blob_store_is_content_addressed(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"hello")
    assert sha == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert blobs.put(b"hello") == sha and blobs.get(sha) == b"hello"
    assert not list(tmp_path.rglob(".tmp-*"))
    with pytest.raises(ValueError):
        blobs.path_for("../../etc/passwd")
