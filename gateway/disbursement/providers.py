"""Wallet provider configuration: encrypted settings in the database, adapters built from them.

A provider row has a ``kind`` (the adapter: ``sandbox``, ``gsma``) and settings stored
encrypted; screens and commands show them masked. A process builds each adapter once and
keeps it (adapters hold connection pools, not state).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

import wallet_adapters
from gateway.clock import utcnow
from gateway.db import Base
from gateway.pii.codec import PiiCodec
from gateway.pii.crypto import SEALED


class WalletProvider(Base):
    """One configured wallet provider."""

    __tablename__ = "wallet_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The provider's name (as payments and roster rows name it); binds the ciphertext.
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    settings_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    # Throttle for real providers (10-100 req/s is common); 0 means unlimited.
    rate_per_s: Mapped[int] = mapped_column(default=0)
    max_in_flight: Mapped[int] = mapped_column(default=400)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def save_provider(session: Session, codec: PiiCodec, name: str, kind: str,
                  settings: dict[str, Any], *, rate_per_s: int = 0,
                  max_in_flight: int = 400) -> WalletProvider:
    """Create or replace a provider's configuration (settings validated by its adapter).

    Raises:
        wallet_adapters.InvalidSettings, wallet_adapters.UnknownProvider: bad kind or settings.
    """
    wallet_adapters.registry.validate_settings(kind, settings)
    row = session.scalar(sa.select(WalletProvider).where(WalletProvider.ref == name))
    if row is None:
        row = WalletProvider(ref=name, kind=kind, settings_enc="")
        session.add(row)
    row.kind, row.rate_per_s, row.max_in_flight = kind, rate_per_s, max_in_flight
    row.settings_enc = codec.seal("wallet_provider", "settings", name, json.dumps(settings))
    row.updated_at = utcnow()
    session.flush()
    return row


def provider_settings(session: Session, codec: PiiCodec, name: str) -> tuple[str, dict, int, int]:
    """Return (kind, settings, rate per second, max in flight) for a provider.

    A provider with no row runs with its adapter's defaults when the adapter is the
    provider's own name (e.g. ``sandbox``), unthrottled.
    """
    row = session.scalar(sa.select(WalletProvider).where(WalletProvider.ref == name))
    if row is None:
        return name, {}, 0, 1000  # the in-process sandbox: no real provider to spare
    settings = json.loads(codec.open("wallet_provider", "settings", name, row.settings_enc))
    return row.kind, settings, row.rate_per_s, row.max_in_flight


def shown(row: WalletProvider, codec: PiiCodec) -> dict[str, Any]:
    """Describe a provider for screens, with secrets masked."""
    settings = json.loads(codec.open("wallet_provider", "settings", row.ref, row.settings_enc))
    return {"name": row.ref, "kind": row.kind, "enabled": row.enabled,
            "rate_per_s": row.rate_per_s, "max_in_flight": row.max_in_flight,
            "settings": wallet_adapters.masked_settings(row.kind, settings)}
