"""Hold the message catalogs and format money, days and months per language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ussd_menus.catalogs import en, vi, vi_accented
from ussd_menus.gsm7 import strip_accents

#: Language codes in menu order; ``vi`` (unaccented) is the default because it fits GSM 7-bit.
LANGUAGES: tuple[str, ...] = ("vi", "vi_accented", "en")
DEFAULT_LANGUAGE = "vi"

CATALOGS: Mapping[str, Mapping[str, str]] = {
    "vi": vi.MESSAGES,
    "vi_accented": vi_accented.MESSAGES,
    "en": en.MESSAGES,
}

#: Catalog keys whose text prints the hotline, so callers fetch it only when needed.
HOTLINE_KEYS: frozenset[str] = frozenset(
    key for cat in CATALOGS.values() for key, value in cat.items() if "{hotline}" in value
)

# Languages whose screens must stay in GSM 7-bit: data shown in them is stripped of accents.
_PLAIN = frozenset({"vi", "en"})


def normalise_language(lang: str | None) -> str:
    """Return ``lang`` if it is a known code, else the default language."""
    return lang if lang in CATALOGS else DEFAULT_LANGUAGE


def text(lang: str, key: str, **values: object) -> str:
    """Look up ``key`` in the language's catalog and fill in ``values``."""
    template = CATALOGS[lang][key]
    return template.format(**values) if values else template


def plain(lang: str, value: str) -> str:
    """Strip accents from data shown in a GSM 7-bit language, so one name can't force UCS-2."""
    return strip_accents(value) if lang in _PLAIN else value


def digits(amount: int) -> str:
    """Write a whole number with dots between thousands, as Vietnamese amounts are written."""
    return f"{amount:,}".replace(",", ".")


def money(lang: str, amount: int) -> str:
    """Format đồng in ``lang``: ``1.250.000 d`` (vi), ``1.250.000 đ``, ``1.250.000 VND`` (en)."""
    return text(lang, "money", amount=digits(amount))


def day(value: date) -> str:
    """Format a date as dd/mm/yyyy."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"  # strftime is 10x slower


def month(value: date) -> str:
    """Format a month (any date in it) as mm/yyyy."""
    return f"{value.month:02d}/{value.year:04d}"


def programme(lang: str, code: str) -> str:
    """Name a programme by its code, falling back to the code itself."""
    return CATALOGS[lang].get(f"programme.{code}", plain(lang, code))
