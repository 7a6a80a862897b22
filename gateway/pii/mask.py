"""Masking of personal data for screens, exports and API answers."""

from __future__ import annotations

# Roles that may see personal data in the clear. Officers manage the registry and must read
# names and numbers to fix rosters; auditors read everything. Approvers decide on totals and
# partners only see their own callbacks: both get masked values.
PII_ROLES = frozenset({"officer", "auditor", "admin"})


def can_see_pii(role: str | None) -> bool:
    """Tell whether a caller with this role may see personal data unmasked."""
    return role in PII_ROLES


def mask_citizen_id(value: str) -> str:
    """Mask a citizen ID as ``046*******123``: province prefix and last three digits."""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}*******{value[-3:]}"


def mask_phone(value: str) -> str:
    """Mask a phone as ``09******78`` (E.164 +84 input is shown in national form)."""
    national = "0" + value[3:] if value.startswith("+84") else value
    if len(national) < 5:
        return "*" * len(national)
    return f"{national[:2]}{'*' * (len(national) - 4)}{national[-2:]}"


def mask_name(value: str) -> str:
    """Mask a name word by word, keeping initials: ``Nguyễn Văn An`` → ``N***** V** A*``."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in value.split() if word)
