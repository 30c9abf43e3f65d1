"""The agency registry: load it from YAML into the store, and read it back for sender checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Agency, AgencyAddress
from terms.errors import ConfigError


@dataclass(frozen=True)
class AgencyEntry:
    code: str
    name: str
    short_name: str
    addresses: tuple[str, ...]


def read_registry(path: Path) -> list[AgencyEntry]:
    if not path.is_file():
        raise ConfigError("agencies.registry", f"agency registry not found: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("agencies") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ConfigError("agencies.registry", f"{path}: expected a top-level 'agencies:' list")
    out: list[AgencyEntry] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise ConfigError(f"agencies[{i}]", f"{path}: each agency needs 'code' and 'name'")
        addresses = tuple(str(a).strip().lower() for a in item.get("addresses") or [])
        out.append(AgencyEntry(str(item["code"]), str(item["name"]), str(item.get("short_name") or ""), addresses))
    return out


@dataclass(frozen=True)
class LoadReport:
    added: int
    updated: int
    addresses: int


def load_registry(session: Session, entries: list[AgencyEntry]) -> LoadReport:
    """Insert or update agencies by code; addresses are added, and moved if another agency had them."""
    added = updated = n_addr = 0
    for entry in entries:
        agency = session.scalar(select(Agency).where(Agency.code == entry.code))
        if agency is None:
            agency = Agency(code=entry.code, name=entry.name, short_name=entry.short_name)
            session.add(agency)
            added += 1
        elif (agency.name, agency.short_name) != (entry.name, entry.short_name):
            agency.name, agency.short_name = entry.name, entry.short_name
            updated += 1
        session.flush()
        for address in entry.addresses:
            row = session.scalar(select(AgencyAddress).where(AgencyAddress.address == address))
            if row is None:
                session.add(AgencyAddress(agency_id=agency.id, address=address))
                n_addr += 1
            elif row.agency_id != agency.id:
                row.agency_id = agency.id
                n_addr += 1
    session.flush()
    return LoadReport(added, updated, n_addr)
