"""Canonical JSON: one byte string per value, so a digest or hash can be recomputed anywhere.

Keys are sorted, there is no whitespace, text is UTF-8 (not ``\\u`` escaped), numbers are
written in their shortest exact decimal form (``Decimal("100000.00")``, ``100000`` and
``100000.0`` are all ``100000``), datetimes are ISO 8601 in UTC without an offset (naive values
are taken to be UTC, as stored), dates are ISO 8601 and enums are their values.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def canonical(obj: Any) -> str:
    """Render ``obj`` as canonical JSON text.

    Raises:
        TypeError: ``obj`` holds a value with no canonical JSON form (bytes, sets, objects).
        ValueError: ``obj`` holds a NaN or an infinity.
    """
    parts: list[str] = []
    _write(obj, parts)
    return "".join(parts)


def digest(obj: Any) -> str:
    """Return the SHA-256 hex digest of ``obj``'s canonical JSON."""
    return hashlib.sha256(canonical(obj).encode("utf-8")).hexdigest()


# The C string encoder json.dumps itself uses with ensure_ascii=False; calling it directly
# skips building an encoder per string, which dominated the cost of hashing long chains.
_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _write(obj: Any, out: list[str]) -> None:
    kind = type(obj)
    # Exact types first: the common case, and bool must not be taken for an int.
    if kind is str:
        out.append(_quote(obj))
    elif obj is None:
        out.append("null")
    elif kind is bool:
        out.append("true" if obj else "false")
    elif kind is int:
        out.append(str(obj))
    elif kind is dict or isinstance(obj, Mapping):
        _write_mapping(obj, out)
    elif kind is list or kind is tuple:
        _write_list(obj, out)
    elif isinstance(obj, enum.Enum):
        _write(obj.value, out)
    elif isinstance(obj, str):
        out.append(_quote(str(obj)))
    elif isinstance(obj, int):
        out.append(str(int(obj)))
    elif isinstance(obj, Decimal | float):
        out.append(_number(obj))
    elif isinstance(obj, datetime):
        if obj.tzinfo is not None:
            obj = obj.astimezone(UTC).replace(tzinfo=None)
        out.append(_quote(obj.isoformat()))
    elif isinstance(obj, date):
        out.append(_quote(obj.isoformat()))
    elif isinstance(obj, uuid.UUID):
        out.append(_quote(str(obj)))
    elif isinstance(obj, list | tuple):
        _write_list(obj, out)
    else:
        raise TypeError(f"no canonical JSON form for {type(obj).__name__}")


def _write_mapping(obj: Mapping[Any, Any], out: list[str]) -> None:
    for key in obj:
        if not isinstance(key, str):
            raise TypeError(f"canonical JSON keys must be text, not {type(key).__name__}")
    out.append("{")
    for i, key in enumerate(sorted(obj)):
        if i:
            out.append(",")
        out.append(_quote(key))
        out.append(":")
        _write(obj[key], out)
    out.append("}")


def _write_list(obj: list[Any] | tuple[Any, ...], out: list[str]) -> None:
    out.append("[")
    for i, value in enumerate(obj):
        if i:
            out.append(",")
        _write(value, out)
    out.append("]")


def _number(value: Decimal | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("canonical JSON has no NaN or infinity")
        # repr is the shortest text that reads back as the same float.
        value = Decimal(repr(value))
    if not value.is_finite():
        raise ValueError("canonical JSON has no NaN or infinity")
    if value == 0:
        return "0"  # also folds -0
    return format(value.normalize(), "f")
