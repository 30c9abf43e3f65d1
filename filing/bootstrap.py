"""The composition root: every entry point builds the app here, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from filing.config import Settings, load_settings
from store.blobs import BlobStore
from store.db import make_engine, make_session_factory
from store.uow import UnitOfWork


@dataclass
class App:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    extras: dict[str, object] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    @cached_property
    def var_dir(self) -> Path:
        return self.settings.storage.path.parent


def bootstrap(settings: Settings | None = None, config_path: Path | None = None) -> App:
    settings = settings or load_settings(config_path)
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    return App(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        blobs=BlobStore(settings.storage.path),
    )
