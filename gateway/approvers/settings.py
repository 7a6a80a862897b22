"""The app's approver TOTP policy, and the second factor a door builds from a given code."""

from __future__ import annotations

from flask import Flask, current_app

from gateway.approvers.totp import SecondFactor, TotpPolicy
from gateway.pii.codec import get_pii
from gateway.settings import settings


def policy(app: Flask | None = None) -> TotpPolicy:
    """Return the configured policy (setting ``APPROVER_TOTP``, defaulted by environment)."""
    return TotpPolicy(settings(app or current_app).approver_totp)


def second_factor(code: str | None, app: Flask | None = None) -> SecondFactor:
    """Return what an approver presents with ``code``, to be checked under the app's policy."""
    app = app or current_app
    return SecondFactor(code=code or None, policy=policy(app), codec=get_pii(app))
