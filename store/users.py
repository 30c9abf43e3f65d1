"""Staff accounts: argon2id password hashes, roles reviewer | admin."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import AuditEntry, User

ROLES = ("reviewer", "admin")
MIN_PASSWORD = 8

# argon2-cffi's defaults (RFC 9106 low-memory profile) in production.
_default_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash of nothing in particular, verified when the user does not exist so that "no such user" and
    "wrong password" take the same time. Made on first use: hashing at import cost every command ~0.5 s."""
    return _default_hasher.hash("dummy password, never valid")


def cheap_hasher() -> PasswordHasher:
    """Only for tests: fast enough to create many users."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _check(name: str, role: str, password: str) -> str:
    name = name.strip()
    if not name or len(name) > 64:
        raise UserError("用户名须为 1–64 个字符")
    if role not in ROLES:
        raise UserError(f"角色须为 {'、'.join(ROLES)} 之一")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符")
    return name


def add_user(
    s: Session, name: str, password: str, role: str, actor: str = "cli", hasher: PasswordHasher | None = None
) -> StaffUser:
    """Create a user, or reset the password and role of an existing one (audited either way)."""
    name = _check(name, role, password)
    ph = hasher or _default_hasher
    row = s.scalar(select(User).where(func.lower(User.name) == name.lower()))
    action = "user.add" if row is None else "user.update"
    before = None if row is None else {"role": row.role, "active": row.active}
    if row is None:
        row = User(name=name, password_hash=ph.hash(password), role=role, active=True)
        s.add(row)
    else:
        row.password_hash, row.role, row.active = ph.hash(password), role, True
    s.flush()
    s.add(AuditEntry(actor=actor, action=action, object_type="user", object_id=row.id, before=before,
                     after={"name": row.name, "role": role, "active": True}))
    return StaffUser(row.id, row.name, row.role)


def verify_user(s: Session, name: str, password: str, hasher: PasswordHasher | None = None) -> StaffUser | None:
    """The user if the password is right and the account active; None otherwise."""
    ph = hasher or _default_hasher
    row = s.scalar(select(User).where(func.lower(User.name) == name.strip().lower()))
    if row is None or not row.active:
        try:
            ph.verify(_dummy_hash(), password)
        except VerificationError:
            pass
        return None
    try:
        ph.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if ph.check_needs_rehash(row.password_hash):
        row.password_hash = ph.hash(password)
    return StaffUser(row.id, row.name, row.role)


def get_user(s: Session, user_id: int) -> StaffUser | None:
    row = s.get(User, user_id)
    if row is None or not row.active:
        return None
    return StaffUser(row.id, row.name, row.role)
