"""Small parsers that turn one raw setting into a typed value, or stop the start-up.

A setting arrives as a string from ``CHITRA_<NAME>`` (Flask's ``from_prefixed_env`` may already
have read JSON: a number, a list) or as any value from ``create_app(test_config=...)``. Each
parser names the variable and the form it expects when the value cannot be used, so a typo
such as ``CHITRA_NOTICE_HOURS=7to22`` stops ``create_app`` and ``gateway run`` with one line.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any


class SettingError(ValueError):
    """A setting's value cannot be used; the message names it and the form it expects."""

    def __init__(self, name: str, expected: str, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        super().__init__(f"CHITRA_{name} must be {expected}, not {shown}")
        self.name = name


def _given(cfg: Mapping[str, Any], name: str) -> Any:
    value = cfg.get(name)
    return None if isinstance(value, str) and value.strip() == "" else value


def text(cfg: Mapping[str, Any], name: str, *, max_length: int = 2000) -> str | None:
    """Return a setting as stripped text, or None when it is unset or empty."""
    value = _given(cfg, name)
    if value is None:
        return None
    if isinstance(value, bool | list | dict | tuple):
        raise SettingError(name, "text", value)
    result = str(value).strip()
    if len(result) > max_length or "\x00" in result:
        raise SettingError(name, f"text of at most {max_length} characters", value)
    return result


def required_text(cfg: Mapping[str, Any], name: str, default: str) -> str:
    """Return a text setting, or ``default`` when it is unset."""
    return text(cfg, name) or default


def integer(cfg: Mapping[str, Any], name: str, *, low: int | None = None,
            high: int | None = None, default: int | None = None) -> int:
    """Return a whole number within [low, high] (``default`` when unset)."""
    value = _given(cfg, name)
    expected = "a whole number" + _bounds(low, high)
    if value is None:
        if default is None:
            raise SettingError(name, expected, value)
        return default
    if isinstance(value, bool):
        raise SettingError(name, expected, value)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise SettingError(name, expected, value) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise SettingError(name, expected, value)
    return number


def number(cfg: Mapping[str, Any], name: str, *, low: float, high: float,
           default: float) -> float:
    """Return a number within [low, high] (``default`` when unset)."""
    value = _given(cfg, name)
    if value is None:
        return default
    expected = f"a number from {low:g} to {high:g}"
    try:
        result = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        raise SettingError(name, expected, value) from None
    if not low <= result <= high:  # also refuses nan
        raise SettingError(name, expected, value)
    return result


def boolean(cfg: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    """Return a yes/no setting: true/false, 1/0, yes/no, on/off."""
    value = _given(cfg, name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise SettingError(name, "true or false", value)


def choice(cfg: Mapping[str, Any], name: str, options: Sequence[str], *,
           default: str | None = None) -> str:
    """Return one of ``options`` (case-insensitive), or ``default`` when unset."""
    value = _given(cfg, name)
    expected = " or ".join(options) if len(options) < 3 else (
        ", ".join(options[:-1]) + " or " + options[-1])
    if value is None:
        if default is None:
            raise SettingError(name, expected, value)
        return default
    word = str(value).strip().lower()
    if word not in options:
        raise SettingError(name, expected, value)
    return word


def names(cfg: Mapping[str, Any], name: str, *, known: Collection[str] | None = None) -> list[str]:
    """Return a comma-separated list of lower-case names (each from ``known`` when given)."""
    value = _given(cfg, name)
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    result = [str(p).strip().lower() for p in parts if str(p).strip()]
    for part in result:
        if not part.replace("_", "").replace("-", "").isalnum():
            raise SettingError(name, "a comma-separated list of names", value)
        if known is not None and part not in known:
            raise SettingError(name, "a comma-separated list of " + ", ".join(sorted(known)),
                               value)
    return result


def hour_range(cfg: Mapping[str, Any], name: str, *, default: str) -> tuple[int, int]:
    """Return local hours ``[start, end)`` written ``7-22``."""
    value = _given(cfg, name) or default
    start, sep, end = str(value).partition("-")
    try:
        hours = int(start), int(end)
    except ValueError:
        hours = (-1, -1)
    if not sep or not 0 <= hours[0] < hours[1] <= 24:
        raise SettingError(name, "two hours from 0 to 24 like 7-22 (start before end)", value)
    return hours


def base64_key(cfg: Mapping[str, Any], name: str, *, min_bytes: int) -> bytes | None:
    """Return a key given in base64 (at least ``min_bytes`` long), or None when unset."""
    value = _given(cfg, name)
    if value is None:
        return None
    try:
        key = base64.b64decode(str(value).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingError(name, f"base64 of at least {min_bytes} bytes", "<hidden>") from None
    if len(key) < min_bytes:
        raise SettingError(name, f"base64 of at least {min_bytes} bytes", "<hidden>")
    return key


def url(cfg: Mapping[str, Any], name: str, *, schemes: Sequence[str] = ("http", "https")
        ) -> str | None:
    """Return a URL with one of ``schemes`` (trailing slash removed), or None when unset."""
    value = text(cfg, name)
    if value is None:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in schemes or not rest or " " in value:
        raise SettingError(name, "a URL starting " + " or ".join(f"{s}://" for s in schemes),
                           value)
    return value.rstrip("/")


def mapping(cfg: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Return a JSON object setting (already a dict from ``test_config``), or {} when unset."""
    value = _given(cfg, name)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SettingError(name, "a JSON object", value) from None
    if not isinstance(value, dict):
        raise SettingError(name, "a JSON object", value)
    return value


def _bounds(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""
