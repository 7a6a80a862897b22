"""Shared by the admin API's views: who is acting."""

from __future__ import annotations

from gateway.api.auth import current_caller


def actor() -> str:
    """Return the calling key as an actor, ``apikey:<name>`` (so maker-checker spans keys)."""
    return f"apikey:{current_caller().name}"
