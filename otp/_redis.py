"""Small helpers shared by the Redis-backed verifiers."""

from __future__ import annotations


def text(value: bytes | str | None) -> str | None:
    """Return a Redis reply as ``str`` whether or not the client decodes responses.

    Args:
        value: A raw reply (``bytes`` with the default client, ``str`` with
            ``decode_responses=True``) or ``None``.

    Returns:
        The reply as text, or ``None`` when the key or field was missing.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def text_map(mapping: dict[bytes, bytes] | dict[str, str]) -> dict[str, str]:
    """Return an ``HGETALL`` reply with text keys and values."""
    return {str(text(k)): str(text(v)) for k, v in mapping.items()}
