"""API keys: who calls the admin API, in which role, and whether the key still works.

A key is ``chitra_<prefix>_<secret>``. Only the SHA-256 of the secret is stored: keys are
long random tokens, not passwords, so a fast hash cannot be brute-forced and a slow one would
only cost time on every request. The prefix finds the row and names the key in lists and logs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.api.roles import Role
from gateway.clock import utcnow
from gateway.db import Base

KEY_SCHEME = "chitra"
PREFIX_LENGTH = 8
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,47}$")
# Recording every use would turn each read into a write; a minute is precise enough to
# answer "is this key still in use?".
TOUCH_EVERY = timedelta(minutes=1)
_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class ApiKey(Base):
    """A named key that lets a program or person call the admin API in one role."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(48), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    prefix: Mapped[str] = mapped_column(sa.String(PREFIX_LENGTH), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role"),)

    def describe(self) -> dict[str, object]:
        """Return the key as JSON-ready data, without anything secret."""
        return {
            "name": self.name,
            "role": self.role,
            "prefix": self.prefix,
            "status": "revoked" if self.revoked_at else "active",
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


class Caller(NamedTuple):
    """Who is calling: the key's name and role."""

    name: str
    role: Role


class ApiKeyRefused(ValueError):
    """A key cannot be created or revoked; the message says why."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, name: str, role: str | Role) -> tuple[ApiKey, str]:
    """Create a key and return it with its full token (shown once, never stored).

    Raises:
        ApiKeyRefused: the name is malformed or taken, or the role is unknown.
    """
    if not NAME_PATTERN.match(name):
        raise ApiKeyRefused(
            "a key name is 1-48 letters, digits, '.', '_', '@' or '-', starting with a letter "
            "or digit")
    try:
        role = Role(role)
    except ValueError:
        raise ApiKeyRefused(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}") \
            from None
    if session.scalar(sa.select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise ApiKeyRefused(f"a key named {name!r} already exists (revoked keys keep their name)")
    while True:  # 32 random bits: a clash is rare, but the prefix must find one row
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if session.scalar(sa.select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            break
    secret = secrets.token_urlsafe(32)
    key = ApiKey(name=name, role=role.value, prefix=prefix, key_hash=_digest(secret))
    session.add(key)
    session.flush()
    return key, f"{KEY_SCHEME}_{prefix}_{secret}"


def list_keys(session: Session) -> list[ApiKey]:
    """Return every key, active and revoked, oldest first."""
    return list(session.scalars(sa.select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, name: str) -> ApiKey:
    """Revoke the named key (revoking twice keeps the first date).

    Raises:
        ApiKeyRefused: no key has this name.
    """
    key = session.scalar(sa.select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise ApiKeyRefused(f"no API key named {name!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def authenticate(session: Session, token: str) -> Caller | None:
    """Return the caller a token belongs to, or None if it is malformed, unknown or revoked."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != PREFIX_LENGTH:
        return None
    _, prefix, secret = parts
    key = session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None:
        return None
    # Constant time, so response timing does not reveal how much of a guess was right.
    if not hmac.compare_digest(key.key_hash, _digest(secret)):
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        # Conditional, so concurrent requests write at most once per minute in total.
        session.execute(
            sa.update(ApiKey)
            .where(ApiKey.id == key.id)
            .where(sa.or_(ApiKey.last_used_at.is_(None),
                          ApiKey.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now)
        )
    return Caller(key.name, Role(key.role))
