"""Amounts of đồng as people read them: ``1.250.000 đ`` (dots between thousands).

The one formatter lives in the stand-alone menu library (``ussd_menus.catalogs``), which may
not import the gateway; everything in the gateway writes amounts through these two names.
"""

from __future__ import annotations

from ussd_menus.catalogs import digits, money

__all__ = ["digits", "vnd"]


def vnd(amount: int, lang: str = "vi_accented") -> str:
    """Format đồng for a person: ``1.250.000 đ`` (default), ``1.250.000 d``, ``1.250.000 VND``."""
    return money(lang, amount)
