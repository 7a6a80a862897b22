"""Approver TOTP helpers: a submitted cycle to approve, and codes read from provisioning URIs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Flask

from otp.totp import decode_secret, totp_code
from tests.support.scenario import make_cycle

T0 = 2_000_000_010.0  # 10 s into a time step


def submitted_cycle(app: Flask, commune: str = "19753", *, maker: str = "cli:lan") -> str:
    """Create, submit and fund a December cycle of one commune; return its ref."""
    return make_cycle(app, "submitted", communes=[commune], maker=maker, funds=10_000_000,
                      reference="QD-12").ref


def secret_from(uri: str) -> bytes:
    """Return the raw secret a provisioning URI carries."""
    return decode_secret(parse_qs(urlsplit(uri).query)["secret"][0])


def code_at(secret: bytes, at: float) -> str:
    """Return the TOTP code of ``secret`` at time ``at``."""
    return totp_code(secret, at)


def wrong(code: str) -> str:
    """Return a 6-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
